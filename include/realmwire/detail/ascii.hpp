#ifndef REALMWIRE_DETAIL_ASCII_HPP
#define REALMWIRE_DETAIL_ASCII_HPP

// Locale-free ASCII helpers. <cctype> depends on the C locale and has undefined behaviour for
// negative chars, so protocol code uses these instead.

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>

namespace realmwire::detail {

constexpr bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
constexpr bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_alnum(char c) noexcept { return is_digit(c) || is_alpha(c); }
constexpr char to_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr bool is_hex_digit(char c) noexcept
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
constexpr int hex_value(char c) noexcept
{
    return is_digit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
}
/// RFC 7230 tchar.
constexpr bool is_tchar(char c) noexcept
{
    switch (c) {
        case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+': case '-': case '.':
        case '^': case '_': case '`': case '|': case '~':
            return true;
        default:
            return is_alnum(c);
    }
}
constexpr bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

constexpr bool iequals(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (to_lower(a[i]) != to_lower(b[i]))
            return false;
    }
    return true;
}

constexpr std::string_view trim_ows(std::string_view s) noexcept
{
    while (!s.empty() && is_ows(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_ows(s.back()))
        s.remove_suffix(1);
    return s;
}

/// Strict unsigned decimal: digits only, no sign, no leading zeros unless the value is "0" (when
/// `allow_leading_zeros` is false), no overflow of `max`. Returns false on any violation.
template <class UInt>
constexpr bool parse_decimal(std::string_view s, UInt& out, UInt max = std::numeric_limits<UInt>::max(),
                             bool allow_leading_zeros = true) noexcept
{
    if (s.empty())
        return false;
    if (!allow_leading_zeros && s.size() > 1 && s[0] == '0')
        return false;
    UInt v = 0;
    for (char c : s) {
        if (!is_digit(c))
            return false;
        UInt d = static_cast<UInt>(c - '0');
        if (v > (max - d) / 10)
            return false;
        v = static_cast<UInt>(v * 10 + d);
    }
    out = v;
    return true;
}

} // namespace realmwire::detail

#endif
