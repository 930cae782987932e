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
    static constexpr const char* unknown_message = "unknown transport error";
    static constexpr condition unknown_condition = condition::transport_failed;
    // clang-format off
    static constexpr error_row<transport_error> rows[] = {
        {transport_error::resolve_failed, "resolve: host name did not resolve", condition::transport_failed},
        {transport_error::resolve_timeout, "resolve: timed out", condition::timeout},
        {transport_error::connect_failed, "connect: TCP connection failed", condition::transport_failed},
        {transport_error::connect_timeout, "connect: timed out", condition::timeout},
        {transport_error::proxy_auth_required, "proxy: 407 proxy authentication required", condition::proxy_failed},
        {transport_error::proxy_refused, "proxy: CONNECT refused", condition::proxy_failed},
        {transport_error::proxy_bad_response, "proxy: malformed reply to CONNECT", condition::proxy_failed},
        {transport_error::proxy_timeout, "proxy: timed out", condition::timeout},
        {transport_error::tls_handshake_failed, "tls: handshake failed", condition::transport_failed},
        {transport_error::tls_timeout, "tls: timed out", condition::timeout},
        {transport_error::upgrade_failed, "upgrade: HTTP upgrade failed", condition::handshake_failed},
        {transport_error::upgrade_timeout, "upgrade: timed out", condition::timeout},
        {transport_error::idle_timeout, "idle: no data received within the idle timeout", condition::timeout},
        {transport_error::closed, "connection closed by peer", condition::transport_failed},
        {transport_error::operation_aborted, "operation aborted: transport closed locally", condition::transport_failed},
        {transport_error::injected_fault, "injected fault", condition::transport_failed},
        {transport_error::bad_proxy_url, "proxy URL is not usable", condition::invalid_argument},
    };
    // clang-format on
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(transport_error)

#endif
