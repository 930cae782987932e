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
    static const char* message(url_error e) noexcept
    {
        switch (e) {
            case url_error::empty: return "URL is empty";
            case url_error::too_long: return "URL is longer than the configured limit";
            case url_error::invalid_character: return "URL holds a space, control or non-ASCII character";
            case url_error::missing_scheme:
                return "URL has no scheme (write e.g. realms://host or "
                       "wss://host)";
            case url_error::unsupported_scheme:
                return "URL scheme is not allowed here (sync: realm, realms, ws, wss; auth server: "
                       "http, https)";
            case url_error::missing_authority: return "URL has no '//host' part";
            case url_error::userinfo_not_allowed:
                return "URL must not contain userinfo ('user@'): send credentials as a token or a "
                       "custom header";
            case url_error::empty_host: return "URL host is empty";
            case url_error::invalid_host: return "URL host has invalid characters";
            case url_error::invalid_ipv6: return "URL has a malformed IPv6 literal";
            case url_error::invalid_port: return "URL port is not a number in 1..65535";
            case url_error::invalid_path: return "URL path has an invalid character or '%' sequence";
            case url_error::query_not_allowed:
                return "URL must not contain a query: the handshake adds the token "
                       "itself";
            case url_error::fragment_not_allowed: return "URL must not contain a fragment";
        }
        return "unknown url error";
    }
    static condition to_condition(url_error e) noexcept
    {
        switch (e) {
            case url_error::too_long: return condition::limit_exceeded;
            case url_error::unsupported_scheme: return condition::unsupported;
            default: return condition::malformed_input;
        }
    }
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(url_error)

#endif
