#ifndef REALMWIRE_HANDSHAKE_REQUEST_BUILDER_HPP
#define REALMWIRE_HANDSHAKE_REQUEST_BUILDER_HPP

// The client's WebSocket upgrade request for Realm sync, in any dialect. Sans-I/O: options and a
// token in, an http::request (and its exact bytes) out. Needs realmwire::crypto (accept key).
//
//   request-target  = <url prefix> [ "/" <realm path, %-encoded as one segment> ]   (dialect)
//                     then whatever the token placement adds (`?baas_at=<token>`)
//   Host            = host, plus ":port" unless it is the scheme's default
//   Upgrade: websocket, Connection: Upgrade, Sec-WebSocket-Key, Sec-WebSocket-Version: 13,
//   Sec-WebSocket-Protocol = the dialect's offer, [User-Agent], the token header (placement policy),
//   custom headers (header policy).
//
// The order on the wire is a parameter: as set, realm-core's (Host first, then the rest sorted
// case-insensitively, custom headers interleaved) or all sorted (the docs.realm.io proxy guide's example).

#include "realmwire/dialect/dialect.hpp"
#include "realmwire/error.hpp"
#include "realmwire/errors/handshake.hpp"
#include "realmwire/handshake/subprotocol.hpp"
#include "realmwire/http/message.hpp"
#include "realmwire/http/serializer.hpp"
#include "realmwire/path.hpp"
#include "realmwire/policy/custom_headers.hpp"
#include "realmwire/policy/token_placement.hpp"
#include "realmwire/policy/url_prefix.hpp"
#include "realmwire/url.hpp"
#include "realmwire/websocket/accept_key.hpp"

#include <array>
#include <optional>
#include <string>
#include <string_view>

namespace realmwire {

struct client_handshake_options {
    const realmwire::dialect* dialect = &dialects::mongodb_pbs;
    std::string host_header;          ///< the Host value (server_url::host_header(): port only if not default)
    std::string host;                 ///< host name for per-host custom headers ("" = host_header)
    std::string url_prefix;           ///< "" = the dialect's default (`/realm-sync`)
    std::string realm_path;           ///< dialects with realm_path_in_url: the virtual path (`/abc/foo`)
    std::string user_id;              ///< if set, a `~` segment of realm_path becomes this (ROS-era SDKs)
    std::optional<version_range> versions; ///< default: dialect->client_versions
    std::optional<offer_style> offer;      ///< default: dialect->offer
    std::string key;                  ///< Sec-WebSocket-Key; "" = 16 fresh bytes from OpenSSL
    std::string user_agent;           ///< "" = no User-Agent header
    std::optional<http::header_order> order; ///< default: dialect->header_order
    path_limits path{};
};

/// Fills host, prefix and realm path from a parsed server URL. What the URL's path means depends on
/// the dialect (url_path_role): a realm path for ROS-era SDKs, the request prefix for realm-core ≥ 10.
/// An explicit `url_prefix` or `realm_path` already set in `o` is kept.
inline void apply_server_url(client_handshake_options& o, const server_url& url)
{
    o.host_header = url.host_header();
    o.host = url.host;
    bool has_path = !url.path.empty() && url.path != "/";
    if (o.dialect->url_path == url_path_role::realm_path) {
        if (o.realm_path.empty() && has_path)
            o.realm_path = url.path;
    }
    else if (o.url_prefix.empty() && has_path) {
        o.url_prefix = url.path;
    }
}

/// A built request plus what the verifier needs to check the answer.
struct client_handshake {
    http::request request;
    http::header_order order = http::header_order::realm_core;
    std::string key;
    const realmwire::dialect* dialect = &dialects::mongodb_pbs;
    version_range offered;

    /// The exact request bytes.
    std::string bytes() const { return http::serialize(request, order); }
};

namespace detail {

inline bool is_handshake_header(std::string_view name) noexcept
{
    static constexpr std::array<std::string_view, 8> reserved{
        "Host", "Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "Sec-WebSocket-Protocol",
        "Sec-WebSocket-Accept", "Sec-WebSocket-Extensions"};
    for (auto r : reserved) {
        if (iequals(r, name))
            return true;
    }
    return false;
}

} // namespace detail

/// Builds the request with explicit token placement and header policies.
template <class TokenPlacement, class HeaderPolicy>
client_handshake build_handshake_request(const client_handshake_options& o, std::string_view token,
                                         const TokenPlacement& placement, const HeaderPolicy& headers,
                                         std::error_code& ec)
{
    REALMWIRE_ASSERT_TOKEN_PLACEMENT(TokenPlacement);
    REALMWIRE_ASSERT_HEADER_POLICY(HeaderPolicy);
    client_handshake hs;
    const dialect& d = o.dialect ? *o.dialect : dialects::mongodb_pbs;
    hs.dialect = &d;
    hs.order = o.order.value_or(d.header_order);
    hs.offered = o.versions.value_or(d.client_versions);
    if (!hs.offered.valid()) {
        ec = make_error_code(handshake_error::invalid_version_range);
        return hs;
    }

    // Request-target.
    std::string prefix = o.url_prefix.empty() ? std::string(d.default_url_prefix) : o.url_prefix;
    policy::validate_url_prefix(prefix, ec);
    if (ec)
        return hs;
    hs.request.method = "GET";
    hs.request.version_minor = 1;
    hs.request.target = prefix;
    if (d.realm_path_in_url) {
        if (o.realm_path.empty()) {
            ec = make_error_code(handshake_error::missing_realm_path);
            return hs;
        }
        std::string realm_path = o.user_id.empty() ? o.realm_path : expand_user_path(o.realm_path, o.user_id);
        validate_realm_path(realm_path, ec, o.path);
        if (ec)
            return hs;
        if (hs.request.target != "/")
            hs.request.target += '/';
        hs.request.target += encode_realm_path(realm_path);
    }

    // Key.
    if (o.key.empty()) {
        hs.key = websocket::generate_key(ec);
        if (ec)
            return hs;
    }
    else if (!websocket::is_valid_key(o.key)) {
        ec = make_error_code(handshake_error::invalid_websocket_key);
        return hs;
    }
    else {
        hs.key = o.key;
    }

    auto& h = hs.request.headers;
    h.add("Host", o.host_header);
    h.add("Upgrade", "websocket");
    h.add("Connection", "Upgrade");
    h.add("Sec-WebSocket-Key", hs.key);
    h.add("Sec-WebSocket-Version", "13");
    h.add("Sec-WebSocket-Protocol", format_offer(make_offer(d.subprotocol_prefix, hs.offered, o.offer.value_or(d.offer))));
    if (!o.user_agent.empty()) {
        if (!policy::detail::is_header_value(o.user_agent)) {
            ec = make_error_code(handshake_error::invalid_header_value);
            return hs;
        }
        h.add("User-Agent", o.user_agent);
    }

    // Custom headers: gathered apart first, so each can be judged before anything is merged.
    http::fields custom;
    headers.apply(custom, o.host.empty() ? std::string_view(o.host_header) : std::string_view(o.host), ec);
    if (ec)
        return hs;
    for (const auto& f : custom) {
        if (detail::is_handshake_header(f.name) || (!o.user_agent.empty() && detail::iequals(f.name, "User-Agent"))) {
            ec = make_error_code(handshake_error::reserved_header);
            return hs;
        }
        if (placement.uses_header(f.name)) {
            ec = make_error_code(handshake_error::token_header_clash);
            return hs;
        }
    }

    placement.place(token, hs.request, ec);
    if (ec)
        return hs;
    for (const auto& f : custom)
        h.add(f.name, f.value);
    ec.clear();
    return hs;
}

template <class TokenPlacement, class HeaderPolicy>
client_handshake build_handshake_request(const client_handshake_options& o, std::string_view token,
                                         const TokenPlacement& placement, const HeaderPolicy& headers)
{
    return throw_on_error("build_handshake_request", [&](std::error_code& ec) {
        return build_handshake_request(o, token, placement, headers, ec);
    });
}

/// Builds the request with the dialect's default token placement and no custom headers.
inline client_handshake build_handshake_request(const client_handshake_options& o, std::string_view token,
                                                std::error_code& ec)
{
    const dialect& d = o.dialect ? *o.dialect : dialects::mongodb_pbs;
    return build_handshake_request(o, token, policy::default_token_placement(d), policy::no_headers{}, ec);
}

inline client_handshake build_handshake_request(const client_handshake_options& o, std::string_view token)
{
    return throw_on_error("build_handshake_request",
                          [&](std::error_code& ec) { return build_handshake_request(o, token, ec); });
}

} // namespace realmwire

#endif
