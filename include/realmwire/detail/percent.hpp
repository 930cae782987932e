#ifndef REALMWIRE_DETAIL_PERCENT_HPP
#define REALMWIRE_DETAIL_PERCENT_HPP

// Percent-encoding internals (RFC 3986 §2.1). Encoding always writes uppercase hex, as realm-core's
// util::uri_percent_encode does; which bytes stay literal is decided by the caller's predicate.

#include "realmwire/detail/ascii.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace realmwire::detail {

/// RFC 3986 unreserved: ALPHA / DIGIT / "-" / "." / "_" / "~".
constexpr bool is_uri_unreserved(char c) noexcept
{
    return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

/// RFC 3986 sub-delims: "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "=".
constexpr bool is_uri_sub_delim(char c) noexcept
{
    switch (c) {
        case '!': case '$': case '&': case '\'': case '(': case ')': case '*': case '+': case ',': case ';':
        case '=':
            return true;
        default:
            return false;
    }
}

/// RFC 3986 pchar without pct-encoded: unreserved / sub-delims / ":" / "@".
constexpr bool is_uri_pchar_literal(char c) noexcept
{
    return is_uri_unreserved(c) || is_uri_sub_delim(c) || c == ':' || c == '@';
}

constexpr char hex_upper(unsigned v) noexcept
{
    return "0123456789ABCDEF"[v & 0xF];
}

/// Appends `in` to `out`, writing every byte for which `keep(c)` is false as `%XX` (uppercase hex).
template <class Keep>
void percent_encode_append(std::string& out, std::string_view in, Keep&& keep)
{
    std::size_t extra = 0;
    for (char c : in)
        extra += keep(c) ? 0 : 2;
    out.reserve(out.size() + in.size() + extra);
    for (char c : in) {
        if (keep(c)) {
            out.push_back(c);
        }
        else {
            auto u = static_cast<unsigned char>(c);
            out.push_back('%');
            out.push_back(hex_upper(u >> 4));
            out.push_back(hex_upper(u));
        }
    }
}

/// The byte encoded by the `%XX` at `s[i]`, or -1 when `s[i..i+2]` is not a complete `%` + two hex
/// digits (never reads past the end of `s`).
constexpr int percent_triplet_at(std::string_view s, std::size_t i) noexcept
{
    if (s.size() < 3 || i > s.size() - 3 || s[i] != '%')
        return -1;
    int hi = hex_value(s[i + 1]);
    int lo = hex_value(s[i + 2]);
    if (hi < 0 || lo < 0)
        return -1;
    return hi * 16 + lo;
}

} // namespace realmwire::detail

#endif
