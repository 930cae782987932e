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
    static constexpr const char* unknown_message = "unknown handshake error";
    static constexpr condition unknown_condition = condition::handshake_failed;
    // clang-format off
    static constexpr error_row<handshake_error> rows[] = {
        {handshake_error::empty_token, "the access token is empty", condition::invalid_argument},
        {handshake_error::invalid_header_name, "invalid HTTP header name", condition::invalid_argument},
        {handshake_error::invalid_header_value, "invalid HTTP header value (CR, LF or NUL)", condition::invalid_argument},
        {handshake_error::duplicate_custom_header, "custom header given twice", condition::invalid_argument},
        {handshake_error::reserved_header, "custom header would replace a WebSocket handshake header", condition::invalid_argument},
        {handshake_error::token_header_clash, "custom header clashes with the token header", condition::invalid_argument},
        {handshake_error::invalid_url_prefix, "invalid URL prefix (must start with '/', no trailing '/', no space, '?', '#' or '%')", condition::invalid_argument},
        {handshake_error::missing_realm_path, "the dialect needs a realm path: set client_handshake_options::realm_path or give it as the server URL's path", condition::invalid_argument},
        {handshake_error::invalid_version_range, "invalid protocol version range", condition::invalid_argument},
        {handshake_error::invalid_websocket_key, "Sec-WebSocket-Key is not base64 of 16 bytes", condition::invalid_argument},
        {handshake_error::random_failed, "random number generation failed", condition::transport_failed},
        {handshake_error::incomplete_request, "the handshake request is incomplete", condition::malformed_input},
        {handshake_error::bad_method, "handshake method is not GET", condition::handshake_failed},
        {handshake_error::bad_http_version, "handshake is not HTTP/1.1", condition::handshake_failed},
        {handshake_error::missing_upgrade, "missing 'Upgrade: websocket'", condition::handshake_failed},
        {handshake_error::missing_connection_upgrade, "'Connection' does not list 'Upgrade'", condition::handshake_failed},
        {handshake_error::missing_websocket_key, "missing Sec-WebSocket-Key", condition::handshake_failed},
        {handshake_error::bad_websocket_version, "Sec-WebSocket-Version is not 13", condition::handshake_failed},
        {handshake_error::unknown_path_prefix, "request path matches no configured URL prefix", condition::handshake_failed},
        {handshake_error::query_in_path, "query string in the request path", condition::handshake_failed},
        {handshake_error::missing_subprotocol, "missing Sec-WebSocket-Protocol", condition::handshake_failed},
        {handshake_error::malformed_subprotocol, "malformed protocol version in Sec-WebSocket-Protocol", condition::handshake_failed},
        {handshake_error::too_many_subprotocols, "too many Sec-WebSocket-Protocol elements", condition::limit_exceeded},
        {handshake_error::no_common_version, "no protocol version supported by both client and server", condition::unsupported},
        {handshake_error::missing_token, "access token not provided", condition::unauthorized},
        {handshake_error::malformed_token_header, "token header is not in a valid format", condition::unauthorized},
        {handshake_error::token_in_wrong_header, "token sent in a header the server does not read", condition::unauthorized},
        {handshake_error::unauthorized, "access token refused", condition::unauthorized},
        {handshake_error::forbidden, "access forbidden", condition::forbidden},
        {handshake_error::bad_status_line, "response status line is not HTTP/1.1", condition::handshake_failed},
        {handshake_error::missing_accept, "missing Sec-WebSocket-Accept", condition::handshake_failed},
        {handshake_error::bad_accept, "Sec-WebSocket-Accept does not match Sec-WebSocket-Key", condition::handshake_failed},
        {handshake_error::missing_protocol_in_response, "missing protocol info from server", condition::handshake_failed},
        {handshake_error::bad_protocol_in_response, "bad protocol info from server", condition::handshake_failed},
        {handshake_error::protocol_not_offered, "server chose a protocol version the client did not offer", condition::handshake_failed},
        {handshake_error::incomplete_response, "the handshake response is incomplete", condition::handshake_failed},
        {handshake_error::moved_permanently, "handshake refused: moved permanently", condition::handshake_failed},
        {handshake_error::redirect, "handshake refused: redirect", condition::handshake_failed},
        {handshake_error::refused_unauthorized, "handshake refused: unauthorized", condition::unauthorized},
        {handshake_error::refused_forbidden, "handshake refused: forbidden", condition::forbidden},
        {handshake_error::server_error, "handshake refused: server error", condition::handshake_failed},
        {handshake_error::refused, "handshake refused", condition::handshake_failed},
    };
    // clang-format on
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(handshake_error)

#endif
