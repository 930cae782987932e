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
    static const char* message(endpoint_error e) noexcept
    {
        switch (e) {
            case endpoint_error::bad_message: return "malformed sync message from the peer";
            case endpoint_error::bad_message_order: return "sync message not allowed in the session's state";
            case endpoint_error::bad_session_ident: return "sync message for an unknown session";
            case endpoint_error::bad_client_file_ident: return "server IDENT with a zero file ident or salt";
            case endpoint_error::bad_progress: return "bad progress information in DOWNLOAD";
            case endpoint_error::bad_server_version: return "bad server version of a downloaded changeset";
            case endpoint_error::bad_client_version: return "bad client version of a downloaded changeset";
            case endpoint_error::bad_origin_file_ident: return "bad origin file ident of a downloaded changeset";
            case endpoint_error::bad_request_ident: return "MARK with an unexpected request ident";
            case endpoint_error::bad_error_code: return "ERROR code does not fit its session";
            case endpoint_error::bad_pong: return "unexpected PONG";
            case endpoint_error::pong_timeout: return "no PONG within the pong timeout";
            case endpoint_error::idle_timeout: return "no message within the idle timeout";
            case endpoint_error::server_error: return "server closed the connection with an error";
            case endpoint_error::session_error: return "server ended the session with an error";
            case endpoint_error::integration_failed: return "downloaded changesets could not be integrated";
            case endpoint_error::connection_closed: return "sync connection closed";
            case endpoint_error::token_expired: return "access token expired";
        }
        return "unknown endpoint error";
    }
    static condition to_condition(endpoint_error e) noexcept
    {
        switch (e) {
            case endpoint_error::pong_timeout:
            case endpoint_error::idle_timeout: return condition::timeout;
            case endpoint_error::connection_closed: return condition::transport_failed;
            case endpoint_error::token_expired: return condition::unauthorized;
            case endpoint_error::integration_failed: return condition::malformed_input;
            default: return condition::protocol_violation;
        }
    }
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(endpoint_error)

#endif
