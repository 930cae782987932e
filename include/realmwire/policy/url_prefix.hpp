#ifndef REALMWIRE_POLICY_URL_PREFIX_HPP
#define REALMWIRE_POLICY_URL_PREFIX_HPP

// The URL prefix: the request path before the (optional) encoded realm path. `/realm-sync` by default;
// the ROS-era SDKs let a client change it (`urlPrefix`, e.g. `/my/url/prefix`) for a reverse proxy,
// App Services puts `/api/client/v2.0/app/<app id>/realm-sync` there. ROS itself never had a
// server-side prefix; realmwire's acceptor can be given several.
//
// A prefix is used verbatim (the SDKs did not encode it): it must start with '/', must not end with
// '/' (unless it is "/" itself), and must not contain '?', '#', '%' or bytes outside visible ASCII —
// anything that would change how the rest of the request-target is read.

#include "realmwire/error.hpp"
#include "realmwire/errors/handshake.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace realmwire::policy {

inline bool is_valid_url_prefix(std::string_view p) noexcept
{
    if (p.empty() || p.front() != '/')
        return false;
    if (p.size() > 1 && p.back() == '/')
        return false;
    for (char c : p) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u >= 0x7f || c == '?' || c == '#' || c == '%')
            return false;
    }
    return true;
}

inline void validate_url_prefix(std::string_view p, std::error_code& ec)
{
    if (is_valid_url_prefix(p))
        ec.clear();
    else
        ec = make_error_code(handshake_error::invalid_url_prefix);
}

inline void validate_url_prefix(std::string_view p)
{
    throw_on_error("validate_url_prefix", [&](std::error_code& ec) { validate_url_prefix(p, ec); });
}

/// How a request path relates to one prefix.
enum class prefix_match {
    none,         ///< does not start with the prefix (at a segment boundary)
    exact,        ///< the path is the prefix (`/realm-sync`)
    with_segment, ///< the prefix, then '/' and more (`/realm-sync/%2Fabc%2Ffoo`); see remainder
};

/// Matches `path` (the request-target without its query) against `prefix`, case-sensitively as
/// realm-core does (ROS matched case-insensitively). `remainder` receives what follows "prefix/".
inline prefix_match match_url_prefix(std::string_view path, std::string_view prefix, std::string_view& remainder) noexcept
{
    remainder = {};
    if (prefix == "/") {
        // The root prefix: the remainder is everything after the leading '/'.
        if (path.empty() || path.front() != '/')
            return prefix_match::none;
        if (path.size() == 1)
            return prefix_match::exact;
        remainder = path.substr(1);
        return prefix_match::with_segment;
    }
    if (path.size() < prefix.size() || path.substr(0, prefix.size()) != prefix)
        return prefix_match::none;
    if (path.size() == prefix.size())
        return prefix_match::exact;
    if (path[prefix.size()] != '/')
        return prefix_match::none;
    remainder = path.substr(prefix.size() + 1);
    return prefix_match::with_segment;
}

} // namespace realmwire::policy

#endif
