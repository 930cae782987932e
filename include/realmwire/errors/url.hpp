#ifndef REALMWIRE_ERRORS_URL_HPP
#define REALMWIRE_ERRORS_URL_HPP

#include "realmwire/error.hpp"

namespace realmwire {

/// What is wrong with a server URL (`realms://host:port/prefix`).
enum class url_error {
    empty = 1,              ///< the URL is empty
    too_long,               ///< longer than url_options::max_length
    invalid_character,      ///< a space, control or non-ASCII byte
    missing_scheme,         ///< no `scheme:` at the start
    unsupported_scheme,     ///< not realm, realms, ws, wss (or http, https where allowed)
    missing_authority,      ///< no `//host` after the scheme
    userinfo_not_allowed,   ///< `user@host` (realm-core rejects userinfo)
    empty_host,             ///< `scheme://:port/` or `scheme:///`
    invalid_host,           ///< a host with characters outside a registered name
    invalid_ipv6,           ///< a malformed `[...]` IPv6 literal
    invalid_port,           ///< not decimal, 0, or above 65535
    invalid_path,           ///< a path character that is not allowed in a URI, or a bad `%` sequence
    query_not_allowed,      ///< a non-empty query (realm-core rejects it)
    fragment_not_allowed,   ///< a non-empty fragment (realm-core rejects it)
};

template <>
struct error_enum_traits<url_error> {
    static constexpr const char* category_name = "realmwire.url";
    static constexpr const char* unknown_message = "unknown url error";
    static constexpr condition unknown_condition = condition::malformed_input;
    // clang-format off
    static constexpr error_row<url_error> rows[] = {
        {url_error::empty, "URL is empty", condition::malformed_input},
        {url_error::too_long, "URL is longer than the configured limit", condition::limit_exceeded},
        {url_error::invalid_character, "URL holds a space, control or non-ASCII character", condition::malformed_input},
        {url_error::missing_scheme, "URL has no scheme (write e.g. realms://host or wss://host)", condition::malformed_input},
        {url_error::unsupported_scheme, "URL scheme is not allowed here (sync: realm, realms, ws, wss; auth server: http, https)", condition::unsupported},
        {url_error::missing_authority, "URL has no '//host' part", condition::malformed_input},
        {url_error::userinfo_not_allowed, "URL must not contain userinfo ('user@'): send credentials as a token or a custom header", condition::malformed_input},
        {url_error::empty_host, "URL host is empty", condition::malformed_input},
        {url_error::invalid_host, "URL host has invalid characters", condition::malformed_input},
        {url_error::invalid_ipv6, "URL has a malformed IPv6 literal", condition::malformed_input},
        {url_error::invalid_port, "URL port is not a number in 1..65535", condition::malformed_input},
        {url_error::invalid_path, "URL path has an invalid character or '%' sequence", condition::malformed_input},
        {url_error::query_not_allowed, "URL must not contain a query: the handshake adds the token itself", condition::malformed_input},
        {url_error::fragment_not_allowed, "URL must not contain a fragment", condition::malformed_input},
    };
    // clang-format on
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(url_error)

#endif
