#ifndef REALMWIRE_ERRORS_HANDSHAKE_HPP
#define REALMWIRE_ERRORS_HANDSHAKE_HPP

#include "realmwire/error.hpp"

namespace realmwire {

/// Everything that can go wrong while building, accepting or verifying a WebSocket upgrade for Realm
/// sync. Server-side refusals keep the code of the first check that failed, so a caller (and a test)
/// can tell a missing `Upgrade` from a wrong `Sec-WebSocket-Version`.
enum class handshake_error {
    // --- client configuration (request builder, policies) ---
    empty_token = 1,            ///< a token policy was asked to place an empty token
    invalid_header_name,        ///< a custom or token header name is not an HTTP token
    invalid_header_value,       ///< a header value contains CR, LF or NUL
    duplicate_custom_header,    ///< the same custom header was given twice (never silently replaced)
    reserved_header,            ///< a custom header would replace one the handshake itself sets
    token_header_clash,         ///< a custom header has the name of the header carrying the token
    invalid_url_prefix,         ///< a URL prefix must start with '/', and hold no '?', '#' or whitespace
    missing_realm_path,         ///< the dialect puts the realm path in the URL, but none was given
    invalid_version_range,      ///< a version range with min > max or a negative bound
    invalid_websocket_key,      ///< Sec-WebSocket-Key is not base64 of 16 bytes
    random_failed,              ///< the random source (OpenSSL RAND_bytes) failed
    // --- server side: request checks ---
    incomplete_request,         ///< the bytes end before the request head does
    bad_method,                 ///< not GET
    bad_http_version,           ///< not HTTP/1.1
    missing_upgrade,            ///< no `Upgrade: websocket`
    missing_connection_upgrade, ///< `Connection` does not list `Upgrade`
    missing_websocket_key,      ///< no Sec-WebSocket-Key
    bad_websocket_version,      ///< Sec-WebSocket-Version missing or not 13
    unknown_path_prefix,        ///< the request path matches none of the configured URL prefixes (404)
    query_in_path,              ///< a query string where the dialect allows none (ROS refused it)
    missing_subprotocol,        ///< no Sec-WebSocket-Protocol at all
    malformed_subprotocol,      ///< an offer with a known prefix but a malformed version or range
    too_many_subprotocols,      ///< more offered elements than the configured limit
    no_common_version,          ///< no offered version of an accepted dialect overlaps the server's range
    missing_token,              ///< the token is not where the server looks for it
    malformed_token_header,     ///< the token header does not follow the expected value scheme
    token_in_wrong_header,      ///< a token in a header the server was not configured to read
    unauthorized,               ///< the application's authorizer refused the token (401)
    forbidden,                  ///< the application's authorizer refused access (403)
    // --- client side: response checks (verifier) ---
    bad_status_line,            ///< not `HTTP/1.1`
    missing_accept,             ///< 101 without Sec-WebSocket-Accept
    bad_accept,                 ///< Sec-WebSocket-Accept does not match the key
    missing_protocol_in_response, ///< 101 without Sec-WebSocket-Protocol
    bad_protocol_in_response,   ///< the echoed subprotocol is not `<our prefix><decimal>`
    protocol_not_offered,       ///< the echoed version is outside what the client offered
    incomplete_response,        ///< the bytes end before the response head (or its body) does
    moved_permanently,          ///< refusal 301/308 (realm-core close code 4003)
    redirect,                   ///< refusal with another 3xx (realm-core close code 4404)
    refused_unauthorized,       ///< refusal 401 (realm-core close code 4001)
    refused_forbidden,          ///< refusal 403 (realm-core close code 4002)
    server_error,               ///< refusal 5xx (realm-core close code 1011)
    refused,                    ///< any other status (realm-core close code 4405)
};

template <>
struct error_enum_traits<handshake_error> {
    static constexpr const char* category_name = "realmwire.handshake";
    static const char* message(handshake_error e) noexcept
    {
        switch (e) {
            case handshake_error::empty_token: return "the access token is empty";
            case handshake_error::invalid_header_name: return "invalid HTTP header name";
            case handshake_error::invalid_header_value: return "invalid HTTP header value (CR, LF or NUL)";
            case handshake_error::duplicate_custom_header: return "custom header given twice";
            case handshake_error::reserved_header:
                return "custom header would replace a WebSocket handshake "
                       "header";
            case handshake_error::token_header_clash: return "custom header clashes with the token header";
            case handshake_error::invalid_url_prefix:
                return "invalid URL prefix (must start with '/', no trailing '/', no space, '?', '#' or "
                       "'%')";
            case handshake_error::missing_realm_path:
                return "the dialect needs a realm path: set client_handshake_options::realm_path or "
                       "give it as the server URL's path";
            case handshake_error::invalid_version_range: return "invalid protocol version range";
            case handshake_error::invalid_websocket_key: return "Sec-WebSocket-Key is not base64 of 16 bytes";
            case handshake_error::random_failed: return "random number generation failed";
            case handshake_error::incomplete_request: return "the handshake request is incomplete";
            case handshake_error::bad_method: return "handshake method is not GET";
            case handshake_error::bad_http_version: return "handshake is not HTTP/1.1";
            case handshake_error::missing_upgrade: return "missing 'Upgrade: websocket'";
            case handshake_error::missing_connection_upgrade: return "'Connection' does not list 'Upgrade'";
            case handshake_error::missing_websocket_key: return "missing Sec-WebSocket-Key";
            case handshake_error::bad_websocket_version: return "Sec-WebSocket-Version is not 13";
            case handshake_error::unknown_path_prefix: return "request path matches no configured URL prefix";
            case handshake_error::query_in_path: return "query string in the request path";
            case handshake_error::missing_subprotocol: return "missing Sec-WebSocket-Protocol";
            case handshake_error::malformed_subprotocol:
                return "malformed protocol version in "
                       "Sec-WebSocket-Protocol";
            case handshake_error::too_many_subprotocols: return "too many Sec-WebSocket-Protocol elements";
            case handshake_error::no_common_version:
                return "no protocol version supported by both client and "
                       "server";
            case handshake_error::missing_token: return "access token not provided";
            case handshake_error::malformed_token_header: return "token header is not in a valid format";
            case handshake_error::token_in_wrong_header:
                return "token sent in a header the server does not "
                       "read";
            case handshake_error::unauthorized: return "access token refused";
            case handshake_error::forbidden: return "access forbidden";
            case handshake_error::bad_status_line: return "response status line is not HTTP/1.1";
            case handshake_error::missing_accept: return "missing Sec-WebSocket-Accept";
            case handshake_error::bad_accept: return "Sec-WebSocket-Accept does not match Sec-WebSocket-Key";
            case handshake_error::missing_protocol_in_response: return "missing protocol info from server";
            case handshake_error::bad_protocol_in_response: return "bad protocol info from server";
            case handshake_error::protocol_not_offered:
                return "server chose a protocol version the client did not "
                       "offer";
            case handshake_error::incomplete_response: return "the handshake response is incomplete";
            case handshake_error::moved_permanently: return "handshake refused: moved permanently";
            case handshake_error::redirect: return "handshake refused: redirect";
            case handshake_error::refused_unauthorized: return "handshake refused: unauthorized";
            case handshake_error::refused_forbidden: return "handshake refused: forbidden";
            case handshake_error::server_error: return "handshake refused: server error";
            case handshake_error::refused: return "handshake refused";
        }
        return "unknown handshake error";
    }
    static condition to_condition(handshake_error e) noexcept
    {
        switch (e) {
            case handshake_error::empty_token:
            case handshake_error::invalid_header_name:
            case handshake_error::invalid_header_value:
            case handshake_error::duplicate_custom_header:
            case handshake_error::reserved_header:
            case handshake_error::token_header_clash:
            case handshake_error::invalid_url_prefix:
            case handshake_error::missing_realm_path:
            case handshake_error::invalid_version_range:
            case handshake_error::invalid_websocket_key: return condition::invalid_argument;
            case handshake_error::random_failed: return condition::transport_failed;
            case handshake_error::too_many_subprotocols: return condition::limit_exceeded;
            case handshake_error::no_common_version: return condition::unsupported;
            case handshake_error::missing_token:
            case handshake_error::malformed_token_header:
            case handshake_error::token_in_wrong_header:
            case handshake_error::unauthorized:
            case handshake_error::refused_unauthorized: return condition::unauthorized;
            case handshake_error::forbidden:
            case handshake_error::refused_forbidden: return condition::forbidden;
            case handshake_error::incomplete_request: return condition::malformed_input;
            case handshake_error::bad_method:
            case handshake_error::bad_http_version:
            case handshake_error::missing_upgrade:
            case handshake_error::missing_connection_upgrade:
            case handshake_error::missing_websocket_key:
            case handshake_error::bad_websocket_version:
            case handshake_error::unknown_path_prefix:
            case handshake_error::query_in_path:
            case handshake_error::missing_subprotocol:
            case handshake_error::malformed_subprotocol:
            case handshake_error::bad_status_line:
            case handshake_error::missing_accept:
            case handshake_error::bad_accept:
            case handshake_error::missing_protocol_in_response:
            case handshake_error::bad_protocol_in_response:
            case handshake_error::protocol_not_offered:
            case handshake_error::incomplete_response:
            case handshake_error::moved_permanently:
            case handshake_error::redirect:
            case handshake_error::server_error:
            case handshake_error::refused: return condition::handshake_failed;
        }
        return condition::handshake_failed;
    }
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(handshake_error)

#endif
