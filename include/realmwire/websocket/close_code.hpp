#ifndef REALMWIRE_WEBSOCKET_CLOSE_CODE_HPP
#define REALMWIRE_WEBSOCKET_CLOSE_CODE_HPP

// WebSocket close codes as Realm uses them (RFC 6455 §7.4 plus realm-core's WebSocketError,
// network/websocket_error.hpp:28-54), and what a Realm sync client does for each
// (client_impl_base.cpp:525-647, carried out by object-store SyncSession::handle_error).

#include "realmwire/errors/websocket.hpp"

#include <cstdint>

namespace realmwire::websocket {

enum class close_code : std::uint16_t {
    normal = 1000,
    going_away = 1001,
    protocol_error = 1002,
    unsupported_data = 1003,
    reserved = 1004,
    no_status = 1005,       ///< never on the wire: "the close frame had no code"
    abnormal = 1006,        ///< never on the wire: "the connection dropped without a close frame"
    invalid_payload = 1007,
    policy_violation = 1008,
    message_too_big = 1009,
    mandatory_extension = 1010,
    internal_error = 1011,
    tls_handshake_failed = 1015, ///< never on the wire: local TLS failure
    // Realm's own codes, sent by a v8+ server instead of an HTTP 401/403/301 (protocol.hpp:38-40).
    unauthorized = 4001,
    forbidden = 4002,
    moved_permanently = 4003,
    // realm-core client-internal codes: produced locally, never accepted from the wire.
    resolve_failed = 4400,
    connection_failed = 4401,
    read_error = 4402,
    write_error = 4403,
    retry_error = 4404,
    fatal_error = 4405,
};

/// May `code` appear in a close frame? (RFC 6455 §7.4.1/§7.4.2: 1000-1003, 1007-1014 and 3000-4999.)
/// The decoder refuses any other code with websocket_error::bad_close_code.
constexpr bool is_valid_wire_close_code(std::uint16_t code) noexcept
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/// The code realm-core's client sees for a received close code: any code outside 1000-1011, 1015 and
/// 4001-4003 becomes 1008 policy_violation (websocket.cpp:943-988). So 4400-4405 never come from a peer.
constexpr close_code realm_close_code_from_wire(std::uint16_t code) noexcept
{
    if ((code >= 1000 && code <= 1011) || code == 1015 || (code >= 4001 && code <= 4003))
        return static_cast<close_code>(code);
    return close_code::policy_violation;
}

/// What the user of a Realm sync client should do after a connection ended with a given code.
enum class client_action {
    none,                ///< the connection is over; nothing to do
    reconnect,           ///< transient: reconnect with backoff
    refresh_user,        ///< refresh the access token, then reconnect
    refresh_location,    ///< ask the App for the current sync URL (GET …/location), then reconnect
    log_out_user,        ///< credentials are valid but not allowed: log the user out, do not retry
    client_reset,        ///< the client must reset its local state
    protocol_violation,  ///< a bug on one side: report it; reconnecting is allowed
};

struct close_reaction {
    client_action action;
    bool fatal;              ///< true: stop the session, do not reconnect
    const char* explanation; ///< one sentence for logs and error messages
};

/// realm-core's reaction to each close code (docs/protocol.md, docs/websocket.md).
constexpr close_reaction reaction_for(close_code code) noexcept
{
    switch (code) {
        case close_code::normal: return {client_action::none, false, "normal closure"};
        case close_code::abnormal:
            return {client_action::refresh_user, false, "connection dropped without a close frame"};
        case close_code::message_too_big:
            return {client_action::client_reset, false, "a message exceeded the peer's limit; the client must reset"};
        case close_code::internal_error:
            return {client_action::reconnect, false, "server error; reconnect with backoff"};
        case close_code::tls_handshake_failed:
            return {client_action::reconnect, false, "TLS handshake failed"};
        case close_code::unauthorized:
            return {client_action::refresh_user, false, "unauthorized: refresh the access token and reconnect"};
        case close_code::forbidden:
            return {client_action::log_out_user, true, "forbidden: the user is not allowed; log out, do not retry"};
        case close_code::moved_permanently:
            return {client_action::refresh_location, false, "moved: fetch the App's location again and reconnect"};
        case close_code::resolve_failed:
        case close_code::connection_failed:
            return {client_action::refresh_location, false, "could not reach the server; refresh location if never connected"};
        case close_code::read_error:
        case close_code::write_error:
        case close_code::retry_error: return {client_action::reconnect, false, "transient failure; reconnect with backoff"};
        case close_code::fatal_error:
            return {client_action::refresh_location, false, "the upgrade was refused; fatal once the endpoint was verified"};
        default: return {client_action::protocol_violation, false, "protocol violation at the WebSocket level"};
    }
}

/// The close code to send when the frame decoder reports `e`.
constexpr close_code close_code_for(websocket_error e) noexcept
{
    switch (e) {
        case websocket_error::invalid_utf8: return close_code::invalid_payload;
        case websocket_error::message_too_big: return close_code::message_too_big;
        default: return close_code::protocol_error;
    }
}

constexpr const char* to_string(close_code code) noexcept
{
    switch (code) {
        case close_code::normal: return "normal";
        case close_code::going_away: return "going away";
        case close_code::protocol_error: return "protocol error";
        case close_code::unsupported_data: return "unsupported data";
        case close_code::reserved: return "reserved";
        case close_code::no_status: return "no status received";
        case close_code::abnormal: return "abnormal closure";
        case close_code::invalid_payload: return "invalid payload data";
        case close_code::policy_violation: return "policy violation";
        case close_code::message_too_big: return "message too big";
        case close_code::mandatory_extension: return "mandatory extension";
        case close_code::internal_error: return "internal server error";
        case close_code::tls_handshake_failed: return "TLS handshake failed";
        case close_code::unauthorized: return "unauthorized";
        case close_code::forbidden: return "forbidden";
        case close_code::moved_permanently: return "moved permanently";
        case close_code::resolve_failed: return "resolve failed";
        case close_code::connection_failed: return "connection failed";
        case close_code::read_error: return "read error";
        case close_code::write_error: return "write error";
        case close_code::retry_error: return "retry error";
        case close_code::fatal_error: return "fatal error";
    }
    return "unknown close code";
}

} // namespace realmwire::websocket

#endif
