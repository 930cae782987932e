#ifndef REALMWIRE_DRIVER_PROBE_HPP
#define REALMWIRE_DRIVER_PROBE_HPP

// The probe's I/O: performs the steps of opening a sync connection one at a time, each with its own
// timeout, and writes what it saw into a probe::report (probe/report.hpp); probe::diagnose() then
// names the likely cause. Unlike transport::connector, which stops at the first failure with one
// error code, each step here keeps its facts (addresses, the proxy's status, the certificate and
// its verification result, the upgrade's headers and body, the answer to BIND).
//
//     probe::probe_options o;
//     o.server_url = "wss://sync.example.com/my/url/prefix";
//     o.dialect = &dialects::legacy_ros; o.realm_path = "/abc/foo"; o.token = token;
//     o.auth_header_name = "X-Realm-Auth"; o.headers = {"Authorization: proxy-secret"};
//     probe::report r = probe::run_probe(o);
//     probe::diagnosis d = probe::diagnose(r);   // d.cause, d.summary, d.advice
//
// The BIND is sent with need_client_file_ident, so a server that accepts it allocates a client file
// identifier (one row in its history); the probe then closes the connection.

#include "realmwire/dialect/dialect.hpp"
#include "realmwire/driver/websocket_connection.hpp"
#include "realmwire/handshake/request_builder.hpp"
#include "realmwire/handshake/verifier.hpp"
#include "realmwire/http/parser.hpp"
#include "realmwire/policy/custom_headers.hpp"
#include "realmwire/policy/token_placement.hpp"
#include "realmwire/probe/diagnose.hpp"
#include "realmwire/probe/report.hpp"
#include "realmwire/protocol/decode.hpp"
#include "realmwire/protocol/encode.hpp"
#include "realmwire/transport/any_transport.hpp"
#include "realmwire/transport/http_connect.hpp"
#include "realmwire/transport/tcp.hpp"
#include "realmwire/transport/timeouts.hpp"
#include "realmwire/transport/tls.hpp"
#include "realmwire/url.hpp"

#include <asio/connect.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace realmwire::probe {

struct probe_options {
    std::string server_url;                       ///< ws://, wss://, realm://, realms://
    const realmwire::dialect* dialect = &dialects::mongodb_pbs; ///< as the reference client
    std::string realm_path = "/default";
    std::string url_prefix;                       ///< "" = from the URL or the dialect's default
    std::string auth_header_name;                 ///< "" = the dialect's
    std::vector<std::string> headers;             ///< "Name: value" custom headers
    std::string token;
    std::optional<transport::proxy_config> proxy;
    transport::tls_options tls;
    transport::timeouts timeouts = [] {
        transport::timeouts t;
        t.resolve = t.connect = t.proxy = t.tls = t.upgrade = std::chrono::milliseconds(5000);
        return t;
    }();
    std::chrono::milliseconds bind_timeout{5000}; ///< wait for the server's first answer to BIND
    std::string user_agent = "realmwire-probe";
};

namespace detail {

inline std::string x509_name(X509_NAME* n)
{
    if (!n)
        return {};
    char buf[512];
    X509_NAME_oneline(n, buf, sizeof buf);
    return buf;
}

/// Subject, issuer and subjectAltNames of a certificate.
inline void describe_certificate(X509* cert, tls_info& t)
{
    t.names.clear();
    t.subject = x509_name(X509_get_subject_name(cert));
    t.issuer = x509_name(X509_get_issuer_name(cert));
    auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    if (!sans)
        return;
    for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
        const GENERAL_NAME* g = sk_GENERAL_NAME_value(sans, i);
        if (g->type == GEN_DNS) {
            const unsigned char* p = ASN1_STRING_get0_data(g->d.dNSName);
            t.names.push_back("DNS:" + std::string(reinterpret_cast<const char*>(p),
                                                    static_cast<std::size_t>(ASN1_STRING_length(g->d.dNSName))));
        }
        else if (g->type == GEN_IPADD) {
            const unsigned char* p = ASN1_STRING_get0_data(g->d.iPAddress);
            int len = ASN1_STRING_length(g->d.iPAddress);
            std::string ip;
            if (len == 4) {
                for (int k = 0; k < 4; ++k)
                    ip += (k ? "." : "") + std::to_string(p[k]);
            }
            else {
                ip = "(IPv6)";
            }
            t.names.push_back("IP:" + ip);
        }
    }
    GENERAL_NAMES_free(sans);
}

inline int tls_info_index()
{
    static const int index = SSL_get_ex_new_index(0, nullptr, nullptr, nullptr, nullptr);
    return index;
}

/// Verification callback: records the leaf certificate even when verification fails (OpenSSL does
/// not keep the peer certificate of a failed handshake), and leaves the verdict to OpenSSL.
inline int record_leaf_certificate(int preverify_ok, X509_STORE_CTX* store)
{
    auto* ssl = static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    auto* t = ssl ? static_cast<tls_info*>(SSL_get_ex_data(ssl, tls_info_index())) : nullptr;
    if (t && X509_STORE_CTX_get_error_depth(store) == 0) {
        if (X509* cert = X509_STORE_CTX_get_current_cert(store))
            describe_certificate(cert, *t);
    }
    return preverify_ok;
}

inline void watch_certificate(SSL* ssl, tls_info& t)
{
    SSL_set_ex_data(ssl, tls_info_index(), &t);
    SSL_set_verify(ssl, SSL_get_verify_mode(ssl), record_leaf_certificate);
}

inline void read_certificate(SSL* ssl, tls_info& t)
{
    SSL_set_ex_data(ssl, tls_info_index(), nullptr);
    t.verify_result = SSL_get_verify_result(ssl);
    if (t.verify_result != X509_V_OK)
        t.verify_error = X509_verify_cert_error_string(t.verify_result);
    if (const char* v = SSL_get_version(ssl))
        t.protocol = v;
    if (X509* cert = SSL_get_peer_certificate(ssl)) {
        describe_certificate(cert, t);
        X509_free(cert);
    }
}

/// A websocket_connection that starts with the bytes that followed the 101.
class probe_websocket : public driver::websocket_connection<transport::any_transport> {
public:
    using base = driver::websocket_connection<transport::any_transport>;
    probe_websocket(transport::any_transport t, std::string_view initial) : base(std::move(t), websocket::role::client)
    {
        set_initial_bytes(initial);
    }
};

/// Runs one asynchronous step to completion or its timeout on a private io_context.
class step_runner {
public:
    explicit step_runner(asio::io_context& ioc) : ioc_(ioc) {}

    /// `start(done)` begins the operation and calls done() when it completes; `abort()` is called on
    /// timeout. Returns false on timeout.
    bool run(std::chrono::milliseconds limit, const std::function<void(std::function<void()>)>& start,
             const std::function<void()>& abort, double& ms)
    {
        auto t0 = std::chrono::steady_clock::now();
        auto finished = std::make_shared<bool>(false);
        start([finished] { *finished = true; });
        bool timed_out = false;
        auto deadline = t0 + (limit.count() > 0 ? limit : std::chrono::hours(24));
        while (!*finished) {
            if (std::chrono::steady_clock::now() >= deadline && !timed_out) {
                timed_out = true;
                abort();
                deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
            }
            else if (timed_out && std::chrono::steady_clock::now() >= deadline) {
                break; // the aborted operation did not even complete: give up on it
            }
            ioc_.restart();
            ioc_.run_for(std::chrono::milliseconds(10));
        }
        ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
        return !timed_out;
    }

private:
    asio::io_context& ioc_;
};

inline std::string redact_target(std::string target, std::string_view param)
{
    if (param.empty())
        return target;
    std::string key = std::string(param) + "=";
    std::size_t q = target.find('?');
    if (q == std::string::npos)
        return target;
    std::size_t at = target.find(key, q);
    if (at == std::string::npos)
        return target;
    std::size_t end = target.find('&', at);
    return target.substr(0, at + key.size()) + "<token>" + (end == std::string::npos ? "" : target.substr(end));
}

} // namespace detail

/// Runs every step it can and reports what it saw (never throws for network trouble).
inline report run_probe(const probe_options& o)
{
    report r;
    const dialect& d = o.dialect ? *o.dialect : dialects::mongodb_pbs;
    r.request.server_url = o.server_url;
    r.request.dialect = std::string(d.name);
    r.request.realm_path = o.realm_path;
    r.request.default_prefix = std::string(d.default_url_prefix);
    r.request.token_in_bind = d.token_in_bind;
    if (o.proxy) {
        r.request.proxy = transport::authority(o.proxy->host, o.proxy->port);
        r.request.proxy_auth = o.proxy->auth.kind != transport::proxy_auth::scheme::none;
    }

    // ---- url + request ----
    std::error_code ec;
    server_url url = parse_server_url(o.server_url, ec);
    client_handshake hs;
    if (!ec) {
        r.request.host = url.host;
        r.request.port = url.port;
        r.request.tls = url.tls();
        client_handshake_options ho;
        ho.dialect = &d;
        ho.url_prefix = o.url_prefix;
        if (d.realm_path_in_url)
            ho.realm_path = o.realm_path;
        apply_server_url(ho, url);
        ho.user_agent = o.user_agent;
        policy::custom_headers ch;
        for (const auto& line : o.headers) {
            ch.add_line(line, ec);
            if (ec)
                break;
        }
        if (!ec) {
            auto placement = policy::default_token_placement(d, o.auth_header_name);
            hs = build_handshake_request(ho, o.token, placement, ch, ec);
            r.request.url_prefix = ho.url_prefix.empty() ? std::string(d.default_url_prefix) : ho.url_prefix;
        }
    }
    if (ec) {
        r.url.status = step_status::failed;
        r.url.ec = ec;
        r.url.detail = ec.message();
        return r;
    }
    if (d.token_at == token_location::query) {
        r.request.token_query_param = std::string(d.token_query_param);
    }
    else {
        r.request.token_header = o.auth_header_name.empty() ? std::string(d.token_header) : o.auth_header_name;
    }
    r.request.target = detail::redact_target(hs.request.target, r.request.token_query_param);
    for (const auto& line : o.headers)
        r.request.custom_header_names.push_back(line.substr(0, line.find(':')));
    r.url.status = step_status::ok;
    r.url.detail = "GET " + r.request.target + " (" + r.request.dialect + ")";

    asio::io_context ioc;
    detail::step_runner run(ioc);

    // ---- dns ----
    const std::string& dial_host = o.proxy ? o.proxy->host : url.host;
    const std::uint16_t dial_port = o.proxy ? o.proxy->port : url.port;
    r.dns_facts.name = dial_host;
    asio::ip::tcp::resolver resolver(ioc);
    asio::ip::tcp::resolver::results_type endpoints;
    std::error_code step_ec;
    bool in_time = run.run(
        o.timeouts.resolve,
        [&](std::function<void()> done) {
            resolver.async_resolve(dial_host, std::to_string(dial_port),
                                   [&, done](std::error_code e, asio::ip::tcp::resolver::results_type res) {
                                       step_ec = e;
                                       endpoints = std::move(res);
                                       done();
                                   });
        },
        [&] { resolver.cancel(); }, r.dns.ms);
    if (!in_time || step_ec) {
        r.dns.status = step_status::failed;
        r.dns.timed_out = !in_time;
        r.dns.ec = in_time ? transport_error::resolve_failed : transport_error::resolve_timeout;
        r.dns.cause = step_ec;
        r.dns.detail = dial_host + ": " + (in_time ? step_ec.message() : "timed out");
        return r;
    }
    for (const auto& e : endpoints)
        r.dns_facts.addresses.push_back(e.endpoint().address().to_string());
    r.dns.status = step_status::ok;
    r.dns.detail = dial_host + " -> " + [&] {
        std::string s;
        for (const auto& a : r.dns_facts.addresses)
            s += (s.empty() ? "" : ", ") + a;
        return s;
    }();

    // ---- tcp ----
    asio::ip::tcp::socket sock(ioc);
    in_time = run.run(
        o.timeouts.connect,
        [&](std::function<void()> done) {
            asio::async_connect(sock, endpoints, [&, done](std::error_code e, const asio::ip::tcp::endpoint& ep) {
                step_ec = e;
                if (!e)
                    r.tcp_facts.peer = ep.address().to_string() + ":" + std::to_string(ep.port());
                done();
            });
        },
        [&] {
            std::error_code ignored;
            sock.close(ignored);
        },
        r.tcp.ms);
    if (!in_time || step_ec) {
        r.tcp.status = step_status::failed;
        r.tcp.timed_out = !in_time;
        r.tcp.ec = in_time ? transport_error::connect_failed : transport_error::connect_timeout;
        r.tcp.cause = step_ec;
        r.tcp.detail = transport::authority(dial_host, dial_port) + ": " + (in_time ? step_ec.message() : "timed out");
        return r;
    }
    r.tcp.status = step_status::ok;
    r.tcp.detail = "connected to " + r.tcp_facts.peer + (o.proxy ? " (the proxy)" : "");
    transport::any_transport cur(transport::tcp_transport(std::move(sock)));

    // ---- proxy CONNECT ----
    if (o.proxy) {
        http::response reply;
        std::error_code cause;
        in_time = run.run(
            o.timeouts.proxy,
            [&](std::function<void()> done) {
                transport::async_http_connect(cur, url.host, url.port, *o.proxy,
                                              [&, done](std::error_code e, http::response rep, std::error_code c) {
                                                  step_ec = e;
                                                  reply = std::move(rep);
                                                  cause = c;
                                                  done();
                                              });
            },
            [&] { cur.close(); }, r.proxy.ms);
        r.proxy_facts.status = reply.status;
        r.proxy_facts.reason = reply.reason;
        if (auto s = reply.headers.get("Server"))
            r.proxy_facts.server = std::string(*s);
        if (!in_time || step_ec) {
            r.proxy.status = step_status::failed;
            r.proxy.timed_out = !in_time;
            r.proxy.ec = in_time ? step_ec : std::error_code(transport_error::proxy_timeout);
            r.proxy.cause = cause;
            r.proxy.detail = "CONNECT " + transport::authority(url.host, url.port) + ": " +
                             (reply.status ? std::to_string(reply.status) + " " + reply.reason
                                           : (in_time ? r.proxy.ec.message() : std::string("timed out")));
            return r;
        }
        r.proxy.status = step_status::ok;
        r.proxy.detail = "CONNECT " + transport::authority(url.host, url.port) + ": " + std::to_string(reply.status) + " " + reply.reason;
    }

    // ---- tls ----
    if (url.tls()) {
        auto& t = r.tls_facts;
        t.verify_peer = o.tls.verify_peer;
        const std::string& name = o.tls.server_name.empty() ? url.host : o.tls.server_name;
        std::error_code addr_ec;
        (void)asio::ip::make_address(name, addr_ec);
        t.sni = addr_ec ? name : std::string();
        t.verified_name = o.tls.verify_peer && o.tls.verify_host_name ? name : std::string();
        auto ctx = transport::make_client_tls_context(o.tls, step_ec);
        std::optional<transport::tls_transport<transport::any_transport>> tls;
        if (!step_ec) {
            tls.emplace(std::move(cur), ctx);
            tls->set_client_host(url.host, o.tls, step_ec);
        }
        if (step_ec) {
            r.tls.status = step_status::failed;
            r.tls.ec = transport_error::tls_handshake_failed;
            r.tls.cause = step_ec;
            r.tls.detail = "TLS setup: " + step_ec.message();
            return r;
        }
        detail::watch_certificate(tls->stream().native_handle(), t);
        in_time = run.run(
            o.timeouts.tls,
            [&](std::function<void()> done) {
                tls->async_handshake(asio::ssl::stream_base::client, [&, done](std::error_code e) {
                    step_ec = e;
                    done();
                });
            },
            [&] { tls->close(); }, r.tls.ms);
        detail::read_certificate(tls->stream().native_handle(), t);
        if (!in_time || step_ec) {
            r.tls.status = step_status::failed;
            r.tls.timed_out = !in_time;
            r.tls.ec = in_time ? transport_error::tls_handshake_failed : transport_error::tls_timeout;
            r.tls.cause = step_ec;
            r.tls.detail = (in_time ? step_ec.message() : std::string("timed out")) +
                           (t.verify_error.empty() ? std::string() : " (" + t.verify_error + ")");
            return r;
        }
        r.tls.status = step_status::ok;
        r.tls.detail = t.protocol + ", certificate " + t.subject + " issued by " + t.issuer +
                       (t.verified_name.empty() ? ", NOT verified" : ", verified for " + t.verified_name);
        cur = transport::any_transport(std::move(*tls));
    }

    // ---- upgrade ----
    auto& u = r.upgrade_facts;
    std::string request_bytes = hs.bytes();
    http::response_parser parser(http::parser_limits{});
    std::string rest;
    std::vector<char> buf(16 * 1024);
    std::error_code io_ec, parse_ec;
    u.sent = true;
    // The read loop lives out here (not in a self-owning closure), so nothing outlives the probe.
    std::function<void()> read_more;
    std::function<void()> upgrade_done;
    read_more = [&] {
        cur.async_read_some(asio::buffer(buf), [&](std::error_code e, std::size_t n) {
            if (n) {
                std::size_t used = parser.feed(std::string_view(buf.data(), n), parse_ec);
                if (parse_ec)
                    return upgrade_done();
                if (parser.done()) {
                    rest.assign(buf.data() + used, n - used);
                    return upgrade_done();
                }
            }
            if (e == asio::error::eof) {
                parser.finish_eof(parse_ec);
                return upgrade_done();
            }
            if (e) {
                io_ec = e;
                return upgrade_done();
            }
            read_more();
        });
    };
    in_time = run.run(
        o.timeouts.upgrade,
        [&](std::function<void()> done) {
            upgrade_done = std::move(done);
            cur.async_write(asio::buffer(request_bytes), [&](std::error_code e, std::size_t) {
                if (e) {
                    io_ec = e;
                    return upgrade_done();
                }
                read_more();
            });
        },
        [&] { cur.close(); }, r.upgrade.ms);
    if (!parser.done()) {
        r.upgrade.status = step_status::failed;
        r.upgrade.timed_out = !in_time;
        r.upgrade.ec = !in_time ? std::error_code(transport_error::upgrade_timeout)
                       : parse_ec ? parse_ec
                                  : std::error_code(transport_error::upgrade_failed);
        r.upgrade.cause = io_ec;
        r.upgrade.detail = !in_time ? "no answer to the upgrade in time"
                                    : "no HTTP answer to the upgrade: " + (parse_ec ? parse_ec.message() : io_ec.message());
        cur.close();
        return r;
    }
    http::response resp = parser.release();
    u.status = resp.status;
    u.reason = resp.reason;
    u.headers = resp.headers;
    u.body = resp.body.substr(0, 8192);
    if (auto p = resp.headers.get("Sec-WebSocket-Protocol")) {
        u.subprotocol_echoed = !p->empty();
        u.subprotocol = std::string(*p);
    }
    handshake_result hr = verify_handshake_response(resp, hs);
    if (!hr.ok()) {
        if (hr.refusal)
            u.close_code = hr.refusal->close_code;
        r.upgrade.status = step_status::failed;
        r.upgrade.ec = hr.ec;
        r.upgrade.detail = std::to_string(resp.status) + " " + resp.reason + ": " + hr.ec.message();
        cur.close();
        return r;
    }
    u.version = hr.version;
    r.upgrade.status = step_status::ok;
    r.upgrade.detail = "101, subprotocol " + u.subprotocol;

    // ---- bind ----
    auto& b = r.bind_facts;
    auto ws = std::make_shared<detail::probe_websocket>(std::move(cur), rest);
    protocol::bind_message bm;
    bm.session_ident = 1;
    std::string flx = "{}";
    bm.path = d.id == dialect_id::mongodb_flx ? std::string_view(flx) : std::string_view(o.realm_path);
    if (d.token_in_bind)
        bm.signed_user_token = o.token;
    bm.need_client_file_ident = true;
    std::string bind_bytes;
    protocol::encode(bm, bind_bytes, step_ec);
    b.sent = true;
    driver::ws_message answer;
    std::error_code recv_ec;
    protocol::decode_options dopt;
    dopt.mode = d.id == dialect_id::mongodb_flx ? protocol::sync_mode::flx : protocol::sync_mode::pbs;
    dopt.allow_unknown_error_codes = true;
    // Servers may speak first or in between (LOG_MESSAGE on connect since protocol 10, PONG): the
    // answer to BIND is the first message that is none of those.
    std::function<void()> receive_next;
    std::function<void()> bind_done;
    receive_next = [&] {
        ws->async_receive([&](std::error_code e, driver::ws_message m) {
            recv_ec = e;
            answer = std::move(m);
            if (!e && answer.kind != websocket::event_kind::close) {
                std::error_code dec;
                protocol::server_message sm = protocol::decode_server_message(answer.payload, dopt, dec);
                if (!dec && (std::holds_alternative<protocol::log_message>(sm) ||
                             std::holds_alternative<protocol::pong_message>(sm))) {
                    ++b.messages_before_answer;
                    return receive_next();
                }
            }
            bind_done();
        });
    };
    in_time = run.run(
        o.bind_timeout,
        [&](std::function<void()> done) {
            bind_done = std::move(done);
            ws->async_send(bind_bytes, [](std::error_code) {});
            receive_next();
        },
        [&] { ws->close(); }, r.bind.ms);
    if (!in_time || recv_ec) {
        r.bind.status = step_status::failed;
        r.bind.timed_out = !in_time;
        r.bind.ec = in_time ? recv_ec : std::error_code(transport_error::idle_timeout);
        r.bind.detail = in_time ? "connection lost after BIND: " + recv_ec.message() : "no answer to BIND in time";
        ws->close();
        return r;
    }
    if (answer.kind == websocket::event_kind::close) {
        b.answer = "close";
        b.close_code = answer.close_code;
        b.close_reason = answer.payload.substr(0, 512);
        r.bind.status = step_status::failed;
        r.bind.detail = "the server closed the WebSocket with " + std::to_string(answer.close_code) + " " + b.close_reason;
        ws->close();
        return r;
    }
    std::error_code dec_ec;
    protocol::server_message sm = protocol::decode_server_message(answer.payload, dopt, dec_ec);
    if (dec_ec) {
        r.bind.status = step_status::failed;
        r.bind.ec = dec_ec;
        r.bind.detail = "the answer to BIND is not a sync message: " + dec_ec.message();
        ws->close();
        return r;
    }
    b.answer = std::string(protocol::message_name(sm));
    if (auto* id = std::get_if<protocol::server_ident_message>(&sm)) {
        b.client_file_ident = id->client_file_ident;
        r.bind.status = step_status::ok;
        r.bind.detail = "IDENT: client file " + std::to_string(id->client_file_ident);
    }
    else if (auto* em = std::get_if<protocol::error_message>(&sm)) {
        b.error_code = em->error_code;
        b.try_again = em->try_again;
        b.message = std::string(em->message.substr(0, 1024));
        r.bind.status = step_status::failed;
        r.bind.detail = "ERROR " + std::to_string(em->error_code) + ": " + b.message;
    }
    else if (auto* je = std::get_if<protocol::json_error_message>(&sm)) {
        b.error_code = je->error_code;
        b.message = std::string(je->json.substr(0, 1024));
        r.bind.status = step_status::failed;
        r.bind.detail = "JSON_ERROR " + std::to_string(je->error_code) + ": " + b.message;
    }
    else {
        r.bind.status = step_status::ok;
        r.bind.detail = "first answer: " + b.answer;
    }
    ws->close();
    ioc.restart();
    ioc.run_for(std::chrono::milliseconds(20)); // let the close complete
    return r;
}

} // namespace realmwire::probe

#endif
