#ifndef REALMWIRE_ERRORS_ENDPOINT_HPP
#define REALMWIRE_ERRORS_ENDPOINT_HPP

// Errors of the sync endpoints (realmwire/endpoint/): what a client connection finds wrong in the
// server's messages (each one of realm-core's client checks, all answered with a fatal disconnect,
// action ProtocolViolation), the heartbeat and idle timeouts, and the errors a peer reported.

#include "realmwire/error.hpp"

namespace realmwire {

enum class endpoint_error {
    bad_message = 1,           ///< a server message failed to decode (or its JSON body did)
    bad_message_order,         ///< a message the session's state does not allow (e.g. DOWNLOAD before IDENT)
    bad_session_ident,         ///< a message for a session ident this connection never used
    bad_client_file_ident,     ///< server IDENT with file ident 0 or salt 0
    bad_progress,              ///< DOWNLOAD progress that decreases or is inconsistent
    bad_server_version,        ///< a DOWNLOAD changeset's server version: 0, not increasing, or past the header
    bad_client_version,        ///< a DOWNLOAD changeset's client version decreasing or past the header
    bad_origin_file_ident,     ///< a DOWNLOAD changeset from origin 0 or from the client itself
    bad_request_ident,         ///< MARK with a request ident outside (last received, last sent]
    bad_error_code,            ///< ERROR whose code does not fit its level (session 0 vs a session)
    bad_pong,                  ///< PONG without an outstanding PING, or with another timestamp
    pong_timeout,              ///< no PONG within the pong timeout
    idle_timeout,              ///< server side: no message within the idle timeout
    server_error,              ///< the server ended the connection with a connection-level ERROR
    session_error,             ///< the server ended a session with a session-level ERROR
    integration_failed,        ///< the local store could not integrate a DOWNLOAD
    connection_closed,         ///< the transport closed (close code, reset, end of stream)
    token_expired,             ///< the access token expired and no fresh one is available
};

template <>
struct error_enum_traits<endpoint_error> {
    static constexpr const char* category_name = "realmwire.endpoint";
    static constexpr const char* unknown_message = "unknown endpoint error";
    static constexpr condition unknown_condition = condition::protocol_violation;
    // clang-format off
    static constexpr error_row<endpoint_error> rows[] = {
        {endpoint_error::bad_message, "malformed sync message from the peer", condition::protocol_violation},
        {endpoint_error::bad_message_order, "sync message not allowed in the session's state", condition::protocol_violation},
        {endpoint_error::bad_session_ident, "sync message for an unknown session", condition::protocol_violation},
        {endpoint_error::bad_client_file_ident, "server IDENT with a zero file ident or salt", condition::protocol_violation},
        {endpoint_error::bad_progress, "bad progress information in DOWNLOAD", condition::protocol_violation},
        {endpoint_error::bad_server_version, "bad server version of a downloaded changeset", condition::protocol_violation},
        {endpoint_error::bad_client_version, "bad client version of a downloaded changeset", condition::protocol_violation},
        {endpoint_error::bad_origin_file_ident, "bad origin file ident of a downloaded changeset", condition::protocol_violation},
        {endpoint_error::bad_request_ident, "MARK with an unexpected request ident", condition::protocol_violation},
        {endpoint_error::bad_error_code, "ERROR code does not fit its session", condition::protocol_violation},
        {endpoint_error::bad_pong, "unexpected PONG", condition::protocol_violation},
        {endpoint_error::pong_timeout, "no PONG within the pong timeout", condition::timeout},
        {endpoint_error::idle_timeout, "no message within the idle timeout", condition::timeout},
        {endpoint_error::server_error, "server closed the connection with an error", condition::protocol_violation},
        {endpoint_error::session_error, "server ended the session with an error", condition::protocol_violation},
        {endpoint_error::integration_failed, "downloaded changesets could not be integrated", condition::malformed_input},
        {endpoint_error::connection_closed, "sync connection closed", condition::transport_failed},
        {endpoint_error::token_expired, "access token expired", condition::unauthorized},
    };
    // clang-format on
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(endpoint_error)

#endif
