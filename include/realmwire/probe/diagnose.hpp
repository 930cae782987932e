#ifndef REALMWIRE_PROBE_DIAGNOSE_HPP
#define REALMWIRE_PROBE_DIAGNOSE_HPP

// The probe's judgement: from a report (probe/report.hpp) to the likely cause, in plain words, with
// the hop that most likely caused it and what to change. Sans-I/O and deterministic, so every rule is
// tested on hand-made reports as well as against real, deliberately misconfigured nginx instances
// (tests/deploy/).
//
// The rules read what the probe SENT (prefix, token header, `%2F` in the path) beside what came
// back (status, Server header, body). Bodies are recognised by the refusal texts of realmwire's own
// acceptor (the handshake_error / path_error messages), realm-core's server and ROS's sync proxy;
// ROS answered its refusals without a body, so behind ROS the diagnosis falls back to the status.
//
// | cause                      | evidence                                                                |
// |----------------------------|-------------------------------------------------------------------------|
// | token_header_stripped      | the server says "access token not provided" although the probe sent it  |
// | token_in_wrong_header      | the server found a token in another header than the one it reads        |
// | prefix_not_rewritten       | 404 for a request under a custom prefix                                  |
// | no_sync_route              | 404 under the dialect's default prefix                                   |
// | upgrade_not_forwarded      | 2xx, 426, or a 400 saying Upgrade/Connection/HTTP/1.1 is missing         |
// | encoded_slash_decoded      | the server saw a raw '/' where the probe sent `%2F`                      |
// | gateway_error              | 502/503/504 from something that is not the sync server                   |
// | server_unavailable         | 5xx from the sync server itself                                          |
// | ... and the DNS/TCP/proxy/TLS/subprotocol/BIND causes listed in `cause`.

#include "realmwire/error.hpp"
#include "realmwire/errors/handshake.hpp"
#include "realmwire/errors/path.hpp"
#include "realmwire/errors/transport.hpp"
#include "realmwire/detail/ascii.hpp"
#include "realmwire/probe/report.hpp"

#include <string>
#include <string_view>

namespace realmwire::probe {

enum class cause {
    none,                     ///< everything passed, BIND was answered
    bad_url,                  ///< the server URL does not parse
    dns_failed,               ///< the host name does not resolve
    tcp_refused,              ///< nothing listens there (or a firewall rejects)
    tcp_timeout,              ///< no answer to SYN (a firewall drops)
    proxy_auth_required,      ///< the CONNECT proxy wants (other) credentials: 407
    proxy_refused,            ///< the CONNECT proxy refused the tunnel (ACL, port, upstream)
    proxy_broken,             ///< the proxy's reply is not HTTP, or it timed out
    tls_untrusted,            ///< the certificate chain is not trusted (give the CA)
    tls_name_mismatch,        ///< the certificate is for another host name
    tls_not_tls,              ///< the port does not speak TLS (plain HTTP?)
    tls_failed,               ///< another TLS failure
    token_header_stripped,    ///< a hop removed the header carrying the Realm token
    token_query_stripped,     ///< a hop removed the query string carrying the token
    token_in_wrong_header,    ///< client and server disagree on the token header's name
    token_malformed,          ///< the token header arrived, but not as `Realm-Access-Token ...` / `Bearer ...`
    prefix_not_rewritten,     ///< the custom URL prefix reached a server that does not serve it
    no_sync_route,            ///< no sync endpoint at this path at all
    upgrade_not_forwarded,    ///< the WebSocket upgrade was answered or dropped as plain HTTP
    encoded_slash_decoded,    ///< a gateway decoded `%2F` in the realm path into '/'
    gateway_error,            ///< a gateway answered 502/503/504: it could not reach the server
    server_unavailable,       ///< the sync server itself answered 5xx
    unauthorized,             ///< the token was refused (signature, key, expiry): 401
    forbidden,                ///< access refused: 403
    protocol_mismatch,        ///< no common protocol version / dialect
    subprotocol_not_echoed,   ///< 101 without Sec-WebSocket-Protocol (a hop dropped or rewrote it)
    bad_upgrade_answer,       ///< 101 with a wrong Sec-WebSocket-Accept or an unoffered version
    upgrade_timeout,          ///< nobody answered the upgrade in time
    refused_other,            ///< another refusal of the upgrade
    bind_refused,             ///< the server answered BIND with an error
    bind_no_answer,           ///< the connection closed or went silent after BIND
};

constexpr const char* to_string(cause c) noexcept
{
    switch (c) {
        case cause::none: return "none";
        case cause::bad_url: return "bad_url";
        case cause::dns_failed: return "dns_failed";
        case cause::tcp_refused: return "tcp_refused";
        case cause::tcp_timeout: return "tcp_timeout";
        case cause::proxy_auth_required: return "proxy_auth_required";
        case cause::proxy_refused: return "proxy_refused";
        case cause::proxy_broken: return "proxy_broken";
        case cause::tls_untrusted: return "tls_untrusted";
        case cause::tls_name_mismatch: return "tls_name_mismatch";
        case cause::tls_not_tls: return "tls_not_tls";
        case cause::tls_failed: return "tls_failed";
        case cause::token_header_stripped: return "token_header_stripped";
        case cause::token_query_stripped: return "token_query_stripped";
        case cause::token_in_wrong_header: return "token_in_wrong_header";
        case cause::token_malformed: return "token_malformed";
        case cause::prefix_not_rewritten: return "prefix_not_rewritten";
        case cause::no_sync_route: return "no_sync_route";
        case cause::upgrade_not_forwarded: return "upgrade_not_forwarded";
        case cause::encoded_slash_decoded: return "encoded_slash_decoded";
        case cause::gateway_error: return "gateway_error";
        case cause::server_unavailable: return "server_unavailable";
        case cause::unauthorized: return "unauthorized";
        case cause::forbidden: return "forbidden";
        case cause::protocol_mismatch: return "protocol_mismatch";
        case cause::subprotocol_not_echoed: return "subprotocol_not_echoed";
        case cause::bad_upgrade_answer: return "bad_upgrade_answer";
        case cause::upgrade_timeout: return "upgrade_timeout";
        case cause::refused_other: return "refused_other";
        case cause::bind_refused: return "bind_refused";
        case cause::bind_no_answer: return "bind_no_answer";
    }
    return "?";
}

struct diagnosis {
    enum cause cause = cause::none;
    step_kind step = step_kind::url; ///< the step where it showed
    std::string hop;                 ///< "network", "proxy", "gateway", "server", "client"
    std::string summary;             ///< the likely cause, one sentence
    std::string advice;              ///< what to change
};

namespace detail {

inline bool contains_icase(std::string_view hay, std::string_view needle) noexcept
{
    if (needle.empty())
        return true;
    for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i) {
        if (realmwire::detail::iequals(hay.substr(i, needle.size()), needle))
            return true;
    }
    return false;
}

inline bool body_says(const upgrade_info& u, handshake_error e)
{
    return contains_icase(u.body, make_error_code(e).message());
}

/// Whether the answer came from a realm sync server (realmwire, realm-core, ROS) rather than a gateway.
inline bool from_sync_server(const upgrade_info& u)
{
    auto s = u.headers.get("Server");
    if (!s)
        return contains_icase(u.body, "Realm sync server");
    return contains_icase(*s, "realmwire") || contains_icase(*s, "RealmSync") || contains_icase(*s, "Realm-Object-Server");
}

inline std::string server_name(const upgrade_info& u)
{
    auto s = u.headers.get("Server");
    return s ? std::string(*s) : std::string("no Server header");
}

} // namespace detail

/// The likely cause of what the report shows.
inline diagnosis diagnose(const report& r)
{
    diagnosis d;
    auto set = [&](enum cause c, step_kind k, std::string hop, std::string summary, std::string advice) {
        d.cause = c;
        d.step = k;
        d.hop = std::move(hop);
        d.summary = std::move(summary);
        d.advice = std::move(advice);
        return d;
    };
    const auto& q = r.request;
    const std::string where = q.host + ":" + std::to_string(q.port);

    if (r.url.failed())
        return set(cause::bad_url, step_kind::url, "client", "the server URL is not usable: " + r.url.detail,
                   "use ws://, wss://, realm:// or realms://host[:port][/path]");
    if (r.dns.failed())
        return set(cause::dns_failed, step_kind::dns, "network",
                   "the name " + r.dns_facts.name + " does not resolve" + (r.dns.timed_out ? " (DNS timed out)" : ""),
                   "check the host name and the resolver" + std::string(q.proxy.empty() ? "" : " (this is the proxy's name)"));
    if (r.tcp.failed()) {
        std::string target = q.proxy.empty() ? "the server " + where : "the proxy " + q.proxy;
        if (r.tcp.timed_out)
            return set(cause::tcp_timeout, step_kind::tcp, "network", "no answer from " + target + ": a firewall drops the packets or the host is down",
                       "open the port on the firewall, or check the address");
        return set(cause::tcp_refused, step_kind::tcp, q.proxy.empty() ? "server" : "proxy",
                   "nothing accepts connections at " + target + " (connection refused)",
                   "start the service or correct the port");
    }
    if (r.proxy.failed()) {
        const auto& p = r.proxy_facts;
        if (p.status == 407)
            return set(cause::proxy_auth_required, step_kind::proxy, "proxy",
                       std::string("the CONNECT proxy wants credentials (407 Proxy Authentication Required)") +
                           (q.proxy_auth ? ": the ones given were refused" : ": none were given"),
                       "give --proxy http://user:password@host:port");
        if (p.status != 0)
            return set(cause::proxy_refused, step_kind::proxy, "proxy",
                       "the CONNECT proxy refused the tunnel to " + where + " with " + std::to_string(p.status) + " " + p.reason,
                       "allow CONNECT to this host and port in the proxy's ACL (squid: Safe_ports/SSL_ports)");
        return set(cause::proxy_broken, step_kind::proxy, "proxy",
                   r.proxy.timed_out ? "the proxy did not answer CONNECT in time" : "the proxy's answer to CONNECT is not HTTP",
                   "check that --proxy names an HTTP proxy that supports CONNECT");
    }
    if (r.tls.failed()) {
        const auto& t = r.tls_facts;
        // X509_V_ERR_HOSTNAME_MISMATCH = 62, X509_V_ERR_IP_ADDRESS_MISMATCH = 64
        if (t.verify_result == 62 || t.verify_result == 64) {
            std::string names;
            for (const auto& n : t.names)
                names += (names.empty() ? "" : ", ") + n;
            return set(cause::tls_name_mismatch, step_kind::tls, "server",
                       "the certificate is not for " + t.verified_name + " (it names " + (names.empty() ? t.subject : names) + ")",
                       "connect with a name the certificate lists, or fix the certificate's subjectAltName");
        }
        if (t.verify_result != 0)
            return set(cause::tls_untrusted, step_kind::tls, "server",
                       "the server certificate is not trusted: " + t.verify_error + " (issuer " + t.issuer + ")",
                       "give the issuing CA with --ca, or install the full chain on the server");
        if (t.subject.empty() && detail::contains_icase(r.tls.cause.message(), "wrong version number"))
            return set(cause::tls_not_tls, step_kind::tls, "server", "the port does not speak TLS (it looks like plain HTTP)",
                       "use ws:// / realm:// for this port, or the TLS port");
        return set(cause::tls_failed, step_kind::tls, "server", "the TLS handshake failed: " + r.tls.cause.message(),
                   "check the server's TLS setup");
    }
    if (r.upgrade.failed()) {
        const auto& u = r.upgrade_facts;
        const bool custom_prefix = !q.url_prefix.empty() && q.url_prefix != q.default_prefix;
        const bool sent_slash = detail::contains_icase(q.target, "%2F");
        if (u.status == 0)
            return set(cause::upgrade_timeout, step_kind::upgrade, "gateway",
                       r.upgrade.timed_out ? "nobody answered the upgrade request in time"
                                           : "the connection closed without an answer to the upgrade request",
                       "a hop in between may drop requests it does not understand; check its logs");
        if (u.status == 101) {
            if (!u.subprotocol_echoed)
                return set(cause::subprotocol_not_echoed, step_kind::upgrade, "gateway",
                           "the upgrade succeeded, but no Sec-WebSocket-Protocol came back: a hop dropped or answered the subprotocol itself",
                           "forward Sec-WebSocket-Protocol both ways unchanged");
            return set(cause::bad_upgrade_answer, step_kind::upgrade, "gateway",
                       "the 101 answer does not match the request (" + r.upgrade.ec.message() + ")",
                       "a hop answered the upgrade itself or rewrote its headers; forward it unchanged");
        }
        // Evidence in the body first: it names the check that failed.
        if (detail::body_says(u, handshake_error::token_in_wrong_header))
            return set(cause::token_in_wrong_header, step_kind::upgrade, "client",
                       "the server found a token in a header it does not read; the client sends it in " +
                           (q.token_header.empty() ? std::string("the query") : q.token_header),
                       "use the same token header name on the client (authorizationHeaderName) and the server");
        if (detail::body_says(u, handshake_error::missing_token) ||
            detail::contains_icase(u.body, "Authorization header was not provided")) {
            if (!q.token_header.empty())
                return set(cause::token_header_stripped, step_kind::upgrade, "gateway",
                           "the token header " + q.token_header + " was sent but did not reach the server: a proxy in between strips it",
                           "let the proxy forward " + q.token_header + " untouched (nginx forwards custom headers unless "
                           "proxy_set_header sets them to \"\"; names with '_' need underscores_in_headers on)");
            return set(cause::token_query_stripped, step_kind::upgrade, "gateway",
                       "the token in ?" + q.token_query_param + "= did not reach the server: a hop drops the query string",
                       "forward the request URI with its query (nginx: proxy_pass without a URI part, or $request_uri)");
        }
        if (detail::body_says(u, handshake_error::malformed_token_header))
            return set(cause::token_malformed, step_kind::upgrade, "gateway",
                       "the token header arrived, but not in the form the server expects",
                       "check that no hop rewrites " + q.token_header + " and that client and server use the same dialect");
        if (sent_slash && (detail::contains_icase(u.body, make_error_code(path_error::unencoded_character).message()) ||
                           detail::contains_icase(u.body, make_error_code(path_error::empty_segment).message())))
            return set(cause::encoded_slash_decoded, step_kind::upgrade, "gateway",
                       "the realm path was sent as one %2F-encoded segment, but the server saw raw '/': a gateway decoded %2F",
                       "pass the path through unchanged (nginx: proxy_pass without a URI part, or with $request_uri; "
                       "never rewrite on the decoded $uri)");
        if ((u.status >= 200 && u.status < 300) || u.status == 426 || detail::body_says(u, handshake_error::missing_upgrade) ||
            detail::body_says(u, handshake_error::missing_connection_upgrade) || detail::body_says(u, handshake_error::bad_http_version))
            return set(cause::upgrade_not_forwarded, step_kind::upgrade, "gateway",
                       "the WebSocket upgrade was not forwarded: the answer was " + std::to_string(u.status) + " " + u.reason +
                           " instead of 101 (" + detail::server_name(u) + ")",
                       "forward the upgrade (nginx: proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; "
                       "proxy_set_header Connection \"upgrade\")");
        if (u.status == 502 || u.status == 503 || u.status == 504) {
            if (detail::from_sync_server(u))
                return set(cause::server_unavailable, step_kind::upgrade, "server",
                           "the sync server itself answered " + std::to_string(u.status) + " (" + detail::server_name(u) + ")",
                           "the server is starting, stopping or overloaded; retry, and check its log");
            return set(cause::gateway_error, step_kind::upgrade, "gateway",
                       "a gateway (" + detail::server_name(u) + ") answered " + std::to_string(u.status) + " " + u.reason +
                           ": it could not reach the sync server behind it",
                       "check that the upstream server runs and that the gateway's upstream address and port are right");
        }
        if (u.status >= 500)
            return set(cause::server_unavailable, step_kind::upgrade, detail::from_sync_server(u) ? "server" : "gateway",
                       "the upgrade failed with " + std::to_string(u.status) + " " + u.reason + " (" + detail::server_name(u) + ")",
                       "check the server's log");
        if (u.status == 404) {
            if (custom_prefix)
                return set(cause::prefix_not_rewritten, step_kind::upgrade, "gateway",
                           "no sync endpoint at " + q.url_prefix + "/...: the URL prefix reached a server that does not serve it "
                           "(the gateway does not rewrite it to " + q.default_prefix + ")",
                           "rewrite " + q.url_prefix + "/ to the server's prefix in the gateway (keeping the raw URI), or "
                           "configure the server with --url-prefix " + q.url_prefix);
            return set(cause::no_sync_route, step_kind::upgrade, detail::from_sync_server(u) ? "server" : "gateway",
                       "no sync endpoint at " + q.default_prefix + " (" + std::to_string(u.status) + " from " + detail::server_name(u) + ")" +
                           (sent_slash ? "; ROS also answers 404 when a gateway decoded %2F" : ""),
                       "check the gateway's location for the sync path and the server's prefix");
        }
        if (u.status == 401)
            return set(cause::unauthorized, step_kind::upgrade, "server",
                       "the token was refused (401): bad signature, a different key pair, or expired",
                       "get a fresh token from the auth server this sync server trusts");
        if (u.status == 403)
            return set(cause::forbidden, step_kind::upgrade, "server", "access refused (403)",
                       "the user has no access to this realm");
        if (detail::body_says(u, handshake_error::no_common_version) || detail::body_says(u, handshake_error::missing_subprotocol) ||
            detail::contains_icase(u.body, "Protocol version negotiation failed") ||
            detail::contains_icase(u.body, "REALM_SYNC_PROTOCOL_MISMATCH"))
            return set(cause::protocol_mismatch, step_kind::upgrade, "server",
                       "client and server share no protocol version (dialect " + q.dialect + ")",
                       "pick a --dialect the server accepts");
        return set(cause::refused_other, step_kind::upgrade, detail::from_sync_server(u) ? "server" : "gateway",
                   "the upgrade was refused with " + std::to_string(u.status) + " " + u.reason +
                       (u.body.empty() ? std::string() : ": " + u.body.substr(0, u.body.find('\n'))),
                   "see the body and the server's log");
    }
    if (r.bind.failed()) {
        const auto& b = r.bind_facts;
        if (b.error_code != 0)
            return set(cause::bind_refused, step_kind::bind, "server",
                       "the server refused BIND with error " + std::to_string(b.error_code) + ": " + b.message,
                       b.error_code == 203 ? "the token's signature or identity is not accepted"
                       : b.error_code == 202 ? "the token expired; refresh it"
                       : b.error_code == 206 ? "the user has no access to " + q.realm_path
                                             : "see the server's log");
        return set(cause::bind_no_answer, step_kind::bind, "gateway",
                   b.close_code ? "the WebSocket was closed after BIND with code " + std::to_string(b.close_code) + " " + b.close_reason
                                : "no answer to BIND: " + r.bind.detail,
                   "a proxy with a short idle or read timeout may cut WebSockets; raise it (nginx: proxy_read_timeout)");
    }
    if (r.bind.ok())
        return set(cause::none, step_kind::bind, "", "every step passed: the server answered BIND with " + r.bind_facts.answer, "");
    return set(cause::none, step_kind::url, "", "the probe did not finish", "");
}

} // namespace realmwire::probe

#endif
