#ifndef REALMWIRE_TRANSPORT_TIMEOUTS_HPP
#define REALMWIRE_TRANSPORT_TIMEOUTS_HPP

// The phases of opening a sync connection and a run-time timeout for each. A failure in a phase is
// reported with that phase's transport_error (resolve_failed / resolve_timeout, …), so the error alone
// says where it went wrong. realm-core has one watchdog over the whole sequence (connect_timeout,
// 120 s, client_impl_base.cpp:803-837); splitting it lets a user give, say, a slow proxy more time
// than DNS.

#include "realmwire/errors/transport.hpp"

#include <chrono>

namespace realmwire::transport {

enum class phase { resolve, connect, proxy, tls, upgrade, idle };

constexpr const char* to_string(phase p) noexcept
{
    switch (p) {
        case phase::resolve: return "resolve";
        case phase::connect: return "connect";
        case phase::proxy: return "proxy";
        case phase::tls: return "tls";
        case phase::upgrade: return "upgrade";
        case phase::idle: return "idle";
    }
    return "unknown";
}

/// A zero duration means "no timeout" for that phase.
struct timeouts {
    std::chrono::milliseconds resolve{30'000};
    std::chrono::milliseconds connect{30'000};
    std::chrono::milliseconds proxy{30'000};   ///< CONNECT request to the end of the proxy's reply
    std::chrono::milliseconds tls{30'000};     ///< each TLS handshake (to the proxy, to the server)
    std::chrono::milliseconds upgrade{30'000}; ///< WebSocket HTTP upgrade request to the 101 (or refusal)
    std::chrono::milliseconds idle{0};         ///< after the upgrade: longest silence from the peer

    /// realm-core's defaults: one 120 s budget for connecting, 120 s pong timeout as idle bound.
    static timeouts realm_core_like()
    {
        timeouts t;
        t.resolve = t.connect = t.proxy = t.tls = t.upgrade = std::chrono::milliseconds(120'000);
        t.idle = std::chrono::milliseconds(120'000);
        return t;
    }
};

constexpr transport_error timeout_error(phase p) noexcept
{
    switch (p) {
        case phase::resolve: return transport_error::resolve_timeout;
        case phase::connect: return transport_error::connect_timeout;
        case phase::proxy: return transport_error::proxy_timeout;
        case phase::tls: return transport_error::tls_timeout;
        case phase::upgrade: return transport_error::upgrade_timeout;
        case phase::idle: return transport_error::idle_timeout;
    }
    return transport_error::idle_timeout;
}

constexpr transport_error failure_error(phase p) noexcept
{
    switch (p) {
        case phase::resolve: return transport_error::resolve_failed;
        case phase::connect: return transport_error::connect_failed;
        case phase::proxy: return transport_error::proxy_bad_response;
        case phase::tls: return transport_error::tls_handshake_failed;
        case phase::upgrade: return transport_error::upgrade_failed;
        case phase::idle: return transport_error::closed;
    }
    return transport_error::closed;
}

} // namespace realmwire::transport

#endif
