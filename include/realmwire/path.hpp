#ifndef REALMWIRE_PATH_HPP
#define REALMWIRE_PATH_HPP

// Virtual realm paths (`/b920bd7068ef2b470ff4226e0e85716a/foo`): validation, `~` expansion, and the
// percent-encoded form that the legacy (ROS-era) request target carries as ONE path segment:
//
//   GET /realm-sync/%2Fb920bd7068ef2b470ff4226e0e85716a%2Ffoo HTTP/1.1
//
// Validation is the union of realm-core's rules (server_dir.cpp, valid_virt_path_segment) and ROS's
// (virtPath.js): every segment non-empty, made of [A-Za-z0-9_.-], not starting with '.', not ending in
// `.realm`, `.realm.lock` or `.realm.management`; plus a leading '/' (ROS's error message asks for
// it, and the realm-core worker routes only `/realm-sync/%2F...`) and an explicit length limit
// (realm-core's BIND limit, 1024 bytes). realm-core also lets `"` through (it strips them, for
// quoted PBS partition values); ROS never did, so neither does the default here.

#include "realmwire/detail/ascii.hpp"
#include "realmwire/detail/percent.hpp"
#include "realmwire/error.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>

namespace realmwire {

/// Limits and switches of validate_realm_path.
struct path_limits {
    std::size_t max_length = 1024;    ///< bytes of the decoded path (realm-core's BIND limit)
    bool require_leading_slash = true; ///< realm-core and ROS would prefix a missing '/'; we refuse
};

namespace detail {

inline bool ends_with(std::string_view s, std::string_view suffix) noexcept
{
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

constexpr bool is_realm_path_char(char c) noexcept
{
    return is_alnum(c) || c == '_' || c == '.' || c == '-';
}

} // namespace detail

/// Checks a decoded virtual realm path. On failure `ec` is set and, when `where` is given, the byte
/// offset of the offending character (or of the segment) is stored there.
inline void validate_realm_path(std::string_view path, std::error_code& ec, const path_limits& limits,
                                error_info* where)
{
    ec.clear();
    auto fail = [&](path_error e, std::size_t offset) {
        ec = make_error_code(e);
        if (where) {
            where->offset = offset;
            where->field = "realm path";
        }
    };
    if (path.empty())
        return fail(path_error::empty, 0);
    if (path.size() > limits.max_length)
        return fail(path_error::too_long, limits.max_length);
    std::size_t pos = 0;
    if (path.front() == '/')
        pos = 1;
    else if (limits.require_leading_slash)
        return fail(path_error::missing_leading_slash, 0);
    while (true) {
        std::size_t end = path.find('/', pos);
        if (end == std::string_view::npos)
            end = path.size();
        std::string_view seg = path.substr(pos, end - pos);
        if (seg.empty())
            return fail(path_error::empty_segment, pos);
        if (seg.front() == '.')
            return fail(path_error::dot_segment, pos);
        if (seg == "~") // ROS-era SDKs write `/~/name`; the server only ever sees it expanded
            return fail(path_error::unexpanded_user_segment, pos);
        for (std::size_t i = 0; i < seg.size(); ++i) {
            if (!detail::is_realm_path_char(seg[i]))
                return fail(path_error::invalid_character, pos + i);
        }
        if (detail::ends_with(seg, ".realm") || detail::ends_with(seg, ".realm.lock") ||
            detail::ends_with(seg, ".realm.management"))
            return fail(path_error::reserved_suffix, pos);
        if (end == path.size())
            return;
        pos = end + 1;
    }
}

inline void validate_realm_path(std::string_view path, std::error_code& ec, const path_limits& limits = {})
{
    validate_realm_path(path, ec, limits, nullptr);
}

/// Throwing form: realmwire::system_error with the offset.
inline void validate_realm_path(std::string_view path, const path_limits& limits = {})
{
    throw_on_error("validate_realm_path",
                   [&](std::error_code& ec, error_info* info) { validate_realm_path(path, ec, limits, info); });
}

inline bool is_valid_realm_path(std::string_view path, const path_limits& limits = {})
{
    std::error_code ec;
    validate_realm_path(path, ec, limits, nullptr);
    return !ec;
}

/// Replaces the first segment that is exactly `~` by `user_id` (ROS replaced the first `~` with the
/// token's identity before validating). Later `~` segments are left alone, so they still fail
/// validation, as they did in ROS. The result is not validated.
inline std::string expand_user_path(std::string_view path, std::string_view user_id)
{
    std::string out;
    out.reserve(path.size() + user_id.size());
    std::size_t pos = 0;
    bool replaced = false;
    while (true) {
        std::size_t end = path.find('/', pos);
        bool last = end == std::string_view::npos;
        if (last)
            end = path.size();
        std::string_view seg = path.substr(pos, end - pos);
        if (!replaced && seg == "~") {
            out.append(user_id);
            replaced = true;
        }
        else {
            out.append(seg);
        }
        if (last)
            return out;
        out.push_back('/');
        pos = end + 1;
    }
}

// --- Percent-encoding policies ---------------------------------------------------------------------
//
// A literal policy is a type with
//     static constexpr bool is_literal(char c) noexcept;
// that is true for the bytes written as they are; every other byte becomes %XX (uppercase hex).
// '%', '/', '?', '#' and every byte outside printable ASCII must never be literal: that is what makes
// the whole path ONE request-target segment that decodes back to the same bytes.

/// realm-core's util::uri_percent_encode (src/realm/util/uri.cpp): RFC 3986 unreserved characters
/// (A-Z a-z 0-9 - . _ ~) stay literal, everything else is encoded. `/~/foo` -> `%2F~%2Ffoo`.
struct default_path_literals {
    static constexpr bool is_literal(char c) noexcept { return detail::is_uri_unreserved(c); }
};

/// JavaScript's encodeURIComponent (realm-js era clients): unreserved plus ! * ' ( ).
struct encode_uri_component_literals {
    static constexpr bool is_literal(char c) noexcept
    {
        return detail::is_uri_unreserved(c) || c == '!' || c == '*' || c == '\'' || c == '(' || c == ')';
    }
};

/// Encode everything except ASCII letters and digits (the most conservative choice for picky proxies).
struct alnum_path_literals {
    static constexpr bool is_literal(char c) noexcept { return detail::is_alnum(c); }
};

namespace detail {

template <class P, class = void>
struct has_constexpr_is_literal : std::false_type {};

template <class P>
struct has_constexpr_is_literal<P, std::enable_if_t<std::is_same_v<decltype(P::is_literal('a')), bool>>>
    : std::true_type {};

template <class P>
constexpr bool literal_policy_is_safe() noexcept
{
    if constexpr (has_constexpr_is_literal<P>::value) {
        for (int c = 0; c < 256; ++c) {
            char ch = static_cast<char>(c);
            bool forbidden = ch == '%' || ch == '/' || ch == '?' || ch == '#' || c <= 0x20 || c >= 0x7F;
            if (forbidden && P::is_literal(ch))
                return false;
        }
        return true;
    }
    else {
        return false;
    }
}

} // namespace detail

/// True when P has `static bool is_literal(char)` (that it is constexpr is checked where it is used).
template <class P>
struct is_path_literal_policy : detail::has_constexpr_is_literal<P> {};

template <class P>
inline constexpr bool is_path_literal_policy_v = is_path_literal_policy<P>::value;

/// The whole virtual path as one request-target segment:
/// `/b920bd7068ef2b470ff4226e0e85716a/foo` -> `%2Fb920bd7068ef2b470ff4226e0e85716a%2Ffoo`.
/// The path is encoded as given (validate it first if it comes from a user).
template <class LiteralPolicy = default_path_literals>
std::string encode_realm_path(std::string_view path)
{
    static_assert(is_path_literal_policy_v<LiteralPolicy>,
                  "LiteralPolicy needs `static constexpr bool is_literal(char) noexcept`");
    static_assert(detail::literal_policy_is_safe<LiteralPolicy>(),
                  "LiteralPolicy::is_literal must be false for '%', '/', '?', '#', space, controls and non-ASCII");
    std::string out;
    detail::percent_encode_append(out, path, [](char c) { return LiteralPolicy::is_literal(c); });
    return out;
}

/// Strict decoding of an encoded realm path segment (the part of the request target after the URL
/// prefix and its '/'). Any policy's output decodes; this rejects, each with its own code and the
/// offset of the offending byte in `encoded`:
///  * `%` without two hex digits            -> malformed_percent_encoding
///  * `%25` (a percent sign encoded again)   -> double_encoding   (ROS decoded twice; we never do)
///  * `?` or `%3F`                           -> query_in_path
///  * `#` or `%23`                           -> fragment_in_path
///  * a raw '/' or any byte that is not an RFC 3986 pchar -> unencoded_character
///  * empty input                            -> empty
/// Lowercase hex is accepted. The result is not validated: call validate_realm_path on it.
inline std::string decode_realm_path(std::string_view encoded, std::error_code& ec, error_info* where = nullptr)
{
    ec.clear();
    std::string out;
    auto fail = [&](path_error e, std::size_t offset) {
        ec = make_error_code(e);
        if (where) {
            where->offset = offset;
            where->field = "realm path";
        }
        out.clear();
        return std::string();
    };
    if (encoded.empty())
        return fail(path_error::empty, 0);
    out.reserve(encoded.size());
    for (std::size_t i = 0; i < encoded.size(); ++i) {
        char c = encoded[i];
        if (c == '%') {
            int v = detail::percent_triplet_at(encoded, i);
            if (v < 0)
                return fail(path_error::malformed_percent_encoding, i);
            if (v == '%')
                return fail(path_error::double_encoding, i);
            if (v == '?')
                return fail(path_error::query_in_path, i);
            if (v == '#')
                return fail(path_error::fragment_in_path, i);
            out.push_back(static_cast<char>(v));
            i += 2;
        }
        else if (c == '?') {
            return fail(path_error::query_in_path, i);
        }
        else if (c == '#') {
            return fail(path_error::fragment_in_path, i);
        }
        else if (detail::is_uri_pchar_literal(c)) {
            out.push_back(c);
        }
        else {
            return fail(path_error::unencoded_character, i);
        }
    }
    return out;
}

/// Throwing form: realmwire::system_error carrying the offset.
inline std::string decode_realm_path(std::string_view encoded)
{
    return throw_on_error("decode_realm_path",
                          [&](std::error_code& ec, error_info* info) { return decode_realm_path(encoded, ec, info); });
}

} // namespace realmwire

#endif
