#ifndef REALMWIRE_ERRORS_TRANSPORT_HPP
#define REALMWIRE_ERRORS_TRANSPORT_HPP

// Errors of the transport floor: every failure names the phase it happened in (resolve, connect,
// proxy, TLS, HTTP upgrade, idle), so a user can tell "the proxy refused us" from "DNS is down" without
// reading logs. The underlying cause (an Asio or OpenSSL error) is kept beside it by the step that
// failed (see transport/connect.hpp: connect_failure).

#include "realmwire/error.hpp"

namespace realmwire {

enum class transport_error {
    resolve_failed = 1,   ///< the host name did not resolve
    resolve_timeout,      ///< name resolution took longer than timeouts.resolve
    connect_failed,       ///< no TCP connection to any resolved address
    connect_timeout,      ///< TCP connect took longer than timeouts.connect
    proxy_auth_required,  ///< the proxy answered 407 Proxy Authentication Required
    proxy_refused,        ///< the proxy answered CONNECT with a non-2xx status
    proxy_bad_response,   ///< the proxy's reply was not a valid HTTP/1.x response
    proxy_timeout,        ///< the CONNECT exchange took longer than timeouts.proxy
    tls_handshake_failed, ///< TLS handshake failed (includes certificate and host name verification)
    tls_timeout,          ///< the TLS handshake took longer than timeouts.tls
    upgrade_failed,       ///< the HTTP upgrade failed (the handshake area's error says why)
    upgrade_timeout,      ///< the HTTP upgrade took longer than timeouts.upgrade
    idle_timeout,         ///< nothing was received for longer than timeouts.idle
    closed,               ///< the peer closed the connection (end of stream)
    operation_aborted,    ///< the transport was closed locally while the operation was pending
    injected_fault,       ///< a memory-pipe fault injected by a test
    bad_proxy_url,        ///< an http_proxy/https_proxy value that is not a usable proxy URL
};

template <>
struct error_enum_traits<transport_error> {
    static constexpr const char* category_name = "realmwire.transport";
    static const char* message(transport_error e) noexcept
    {
        switch (e) {
            case transport_error::resolve_failed: return "resolve: host name did not resolve";
            case transport_error::resolve_timeout: return "resolve: timed out";
            case transport_error::connect_failed: return "connect: TCP connection failed";
            case transport_error::connect_timeout: return "connect: timed out";
            case transport_error::proxy_auth_required: return "proxy: 407 proxy authentication required";
            case transport_error::proxy_refused: return "proxy: CONNECT refused";
            case transport_error::proxy_bad_response: return "proxy: malformed reply to CONNECT";
            case transport_error::proxy_timeout: return "proxy: timed out";
            case transport_error::tls_handshake_failed: return "tls: handshake failed";
            case transport_error::tls_timeout: return "tls: timed out";
            case transport_error::upgrade_failed: return "upgrade: HTTP upgrade failed";
            case transport_error::upgrade_timeout: return "upgrade: timed out";
            case transport_error::idle_timeout: return "idle: no data received within the idle timeout";
            case transport_error::closed: return "connection closed by peer";
            case transport_error::operation_aborted: return "operation aborted: transport closed locally";
            case transport_error::injected_fault: return "injected fault";
            case transport_error::bad_proxy_url: return "proxy URL is not usable";
        }
        return "unknown transport error";
    }
    static condition to_condition(transport_error e) noexcept
    {
        switch (e) {
            case transport_error::resolve_timeout:
            case transport_error::connect_timeout:
            case transport_error::proxy_timeout:
            case transport_error::tls_timeout:
            case transport_error::upgrade_timeout:
            case transport_error::idle_timeout: return condition::timeout;
            case transport_error::proxy_auth_required:
            case transport_error::proxy_refused:
            case transport_error::proxy_bad_response: return condition::proxy_failed;
            case transport_error::upgrade_failed: return condition::handshake_failed;
            case transport_error::bad_proxy_url: return condition::invalid_argument;
            default: return condition::transport_failed;
        }
    }
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(transport_error)

#endif
