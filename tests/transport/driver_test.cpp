#include "realmwire/driver/websocket_client.hpp"

#include "realmwire/driver/websocket_server.hpp"
#include "realmwire/transport/connect.hpp"
#include "realmwire/transport/memory.hpp"
#include "transport/squid.hpp"
#include "transport/support.hpp"
#include "transport/ws_support.hpp"

#include <catch2/catch.hpp>
#include "../support/skip.hpp"

#include <asio/io_context.hpp>

using namespace realmwire;
using namespace realmwire::transport;
using namespace std::chrono_literals;

namespace {

std::shared_ptr<rw_test::ws_client> connect_ws(asio::io_context& ioc, connect_options o, std::error_code& ec,
                                               handshake_result* result = nullptr, connector* cptr = nullptr)
{
    connector local(ioc.get_executor());
    connector& c = cptr ? *cptr : local;
    bool done = false;
    any_transport t;
    c.async_connect(o, [&](std::error_code e, any_transport tr) {
        ec = e;
        t = std::move(tr);
        done = true;
    });
    REQUIRE(rw_test::run_until(ioc, [&] { return done; }));
    if (ec)
        return nullptr;
    auto ws = std::make_shared<rw_test::ws_client>(std::move(t));
    done = false;
    ws->async_handshake(rw_test::make_handshake(authority(o.host, o.port)), [&](std::error_code e, handshake_result r) {
        ec = e;
        if (result)
            *result = r;
        done = true;
    });
    REQUIRE(rw_test::run_until(ioc, [&] { return done; }));
    return ws;
}

void check_echo(asio::io_context& ioc, std::shared_ptr<rw_test::ws_client> ws)
{
    auto x = std::make_shared<rw_test::ws_exchange<rw_test::ws_client>>(ws, rw_test::sample_payloads());
    x->start();
    REQUIRE(rw_test::run_until(ioc, [&] { return x->done; }));
    CHECK_FALSE(x->error);
    CHECK(x->echoes == x->payloads);
}

void check_close(asio::io_context& ioc, std::shared_ptr<rw_test::ws_client> ws, rw_test::ws_echo_stats& stats)
{
    bool closed = false;
    driver::ws_message got;
    ws->async_close(4002, "bye", [](std::error_code) {});
    ws->async_receive([&](std::error_code ec, driver::ws_message m) {
        CHECK_FALSE(ec);
        got = m;
        closed = true;
    });
    REQUIRE(rw_test::run_until(ioc, [&] { return closed && !stats.closes.empty(); }));
    CHECK(got.kind == websocket::event_kind::close);
    CHECK(got.close_code == 4002); // the server echoed our code
    CHECK(stats.closes.back().close_code == 4002);
    CHECK(stats.closes.back().payload == "bye");
}

/// Echo and close over ws to `ws_port`, then over wss (test CA, host "localhost") to `wss_port`; `o`
/// carries whatever else the route needs (a proxy). Returns the options as left for the wss leg.
connect_options echo_over_ws_then_wss(asio::io_context& ioc, connect_options o, std::uint16_t ws_port,
                                      std::uint16_t wss_port, const std::string& ca,
                                      rw_test::ws_echo_stats& stats)
{
    std::error_code ec;
    o.host = "127.0.0.1";
    o.port = ws_port;
    auto ws = connect_ws(ioc, o, ec);
    REQUIRE_FALSE(ec);
    check_echo(ioc, ws);
    check_close(ioc, ws, stats);

    o.host = "localhost";
    o.port = wss_port;
    o.tls = true;
    o.tls_opts.ca_file = ca;
    ws = connect_ws(ioc, o, ec);
    REQUIRE_FALSE(ec);
    check_echo(ioc, ws);
    check_close(ioc, ws, stats);
    return o;
}

} // namespace

TEST_CASE("driver: handshake, binary echo and closing handshake over a chunked memory pipe")
{
    asio::io_context ioc;
    memory_pipe_options chunky;
    chunky.max_read_chunk = 5;
    auto [a, b] = make_memory_pipe(ioc.get_executor(), chunky, chunky);
    auto stats = std::make_shared<rw_test::ws_echo_stats>();
    rw_test::ws_echo(stats)(any_transport(std::move(b)));
    auto ws = std::make_shared<rw_test::ws_client>(any_transport(std::move(a)));
    std::error_code ec;
    handshake_result r;
    bool done = false;
    ws->async_handshake(rw_test::make_handshake("sync.example"), [&](std::error_code e, handshake_result res) {
        ec = e;
        r = res;
        done = true;
    });
    REQUIRE(rw_test::run_until(ioc, [&] { return done; }));
    REQUIRE_FALSE(ec);
    CHECK(r.version == 14);
    CHECK(r.subprotocol == "com.mongodb.realm-sync#14");
    CHECK(stats->accepted == 1);
    check_echo(ioc, ws);
    check_close(ioc, ws, *stats);
}

TEST_CASE("driver: refusal carries status and the realm close code, upgrade timeout names its phase")
{
    asio::io_context ioc;
    SECTION("403 from the authorizer")
    {
        auto [a, b] = make_memory_pipe(ioc.get_executor());
        auto stats = std::make_shared<rw_test::ws_echo_stats>();
        acceptor_options opts;
        opts.authorize = [](const handshake_verdict&) { return make_error_code(handshake_error::forbidden); };
        rw_test::ws_echo(stats, opts)(any_transport(std::move(b)));
        auto ws = std::make_shared<rw_test::ws_client>(any_transport(std::move(a)));
        std::error_code ec;
        handshake_result r;
        bool done = false;
        ws->async_handshake(rw_test::make_handshake("h"), [&](std::error_code e, handshake_result res) {
            ec = e;
            r = res;
            done = true;
        });
        REQUIRE(rw_test::run_until(ioc, [&] { return done && stats->refused == 1; }));
        CHECK(ec == handshake_error::refused_forbidden);
        REQUIRE(r.refusal);
        CHECK(r.refusal->status == 403);
        CHECK(r.refusal->close_code == 4002);
        CHECK(websocket::reaction_for(static_cast<websocket::close_code>(r.refusal->close_code)).action ==
              websocket::client_action::log_out_user);
    }
    SECTION("silent server")
    {
        auto [a, b] = make_memory_pipe(ioc.get_executor());
        auto ws = std::make_shared<rw_test::ws_client>(any_transport(std::move(a)));
        std::error_code ec;
        bool done = false;
        ws->async_handshake(rw_test::make_handshake("h"), 100ms, [&](std::error_code e, handshake_result) {
            ec = e;
            done = true;
        });
        REQUIRE(rw_test::run_until(ioc, [&] { return done; }));
        CHECK(ec == transport_error::upgrade_timeout);
        CHECK(ec == condition::timeout);
    }
}

TEST_CASE("driver: idle timeout and protocol errors")
{
    asio::io_context ioc;
    SECTION("idle")
    {
        auto [a, b] = make_memory_pipe(ioc.get_executor());
        auto stats = std::make_shared<rw_test::ws_echo_stats>();
        rw_test::ws_echo(stats)(any_transport(std::move(b)));
        driver::websocket_options o;
        o.idle_timeout = 100ms;
        auto ws = std::make_shared<rw_test::ws_client>(any_transport(std::move(a)), o);
        bool done = false;
        ws->async_handshake(rw_test::make_handshake("h"), [&](std::error_code e, handshake_result) {
            REQUIRE_FALSE(e);
            done = true;
        });
        REQUIRE(rw_test::run_until(ioc, [&] { return done; }));
        std::error_code ec;
        done = false;
        ws->async_receive([&](std::error_code e, driver::ws_message) {
            ec = e;
            done = true;
        });
        REQUIRE(rw_test::run_until(ioc, [&] { return done; }));
        CHECK(ec == transport_error::idle_timeout);
    }
    SECTION("a server receiving an unmasked frame answers 1002 and fails with wrong_mask_bit")
    {
        auto [a, b] = make_memory_pipe(ioc.get_executor());
        auto stats = std::make_shared<rw_test::ws_echo_stats>();
        rw_test::ws_echo(stats)(any_transport(std::move(b)));
        any_transport raw(std::move(a));
        std::string req = rw_test::make_handshake("h").bytes();
        std::string frame;
        websocket::encode_frame(frame, websocket::opcode::binary, "unmasked"); // no mask: wrong for a client
        req += frame;
        raw.async_write(asio::buffer(req), [](std::error_code, std::size_t) {});
        std::string got;
        bool eof = false;
        std::function<void()> rd;
        char buf[512];
        rd = [&] {
            raw.async_read_some(asio::buffer(buf), [&](std::error_code ec, std::size_t n) {
                got.append(buf, n);
                if (ec) {
                    eof = true;
                    return;
                }
                rd();
            });
        };
        rd();
        REQUIRE(rw_test::run_until(ioc, [&] { return eof; }));
        CHECK(stats->last_error == websocket_error::wrong_mask_bit);
        auto end = got.find("\r\n\r\n");
        REQUIRE(end != std::string::npos);
        CHECK(got.substr(end + 4) == std::string("\x88\x02\x03\xEA", 4)); // close 1002, unmasked
    }
}

TEST_CASE("driver over real sockets: TCP and TLS loopback echo, wrong host name refused")
{
    rw_test::test_pki pki;
    asio::io_context ioc;
    std::error_code ec;
    auto stats = std::make_shared<rw_test::ws_echo_stats>();
    rw_test::test_server plain(ioc, rw_test::ws_echo(stats));
    auto sctx = make_server_tls_context(pki.server_cert, pki.server_key, ec);
    REQUIRE_FALSE(ec);
    rw_test::test_server secure(ioc, rw_test::ws_echo(stats), sctx);

    connect_options o = echo_over_ws_then_wss(ioc, {}, plain.port(), secure.port(), pki.ca, *stats);

    o.tls_opts.server_name = "evil.example";
    connector c(ioc.get_executor());
    connect_ws(ioc, o, ec, nullptr, &c);
    CHECK(ec == transport_error::tls_handshake_failed);
    CHECK(c.failure().phase == phase::tls);
    CHECK(stats->accepted == 2);
}

TEST_CASE("driver through a real squid: handshake and echo over ws and wss, wrong credentials get 407")
{
    if (!rw_test::squid_proxy::available()) {
        REALMWIRE_SKIP("squid not installed: skipped");
        return;
    }
    rw_test::test_pki pki;
    rw_test::squid_proxy squid("bob", "hunter2");
    asio::io_context ioc;
    std::error_code ec;
    auto stats = std::make_shared<rw_test::ws_echo_stats>();
    rw_test::test_server plain(ioc, rw_test::ws_echo(stats));
    auto sctx = make_server_tls_context(pki.server_cert, pki.server_key, ec);
    REQUIRE_FALSE(ec);
    rw_test::test_server secure(ioc, rw_test::ws_echo(stats), sctx);

    proxy_config p;
    p.host = "127.0.0.1";
    p.port = squid.port();
    p.auth = proxy_auth::basic("bob", "hunter2");
    connect_options via_squid;
    via_squid.proxy = p;
    connect_options o = echo_over_ws_then_wss(ioc, via_squid, plain.port(), secure.port(), pki.ca, *stats);

    o.proxy->auth = proxy_auth::basic("bob", "wrong");
    connector c(ioc.get_executor());
    connect_ws(ioc, o, ec, nullptr, &c);
    CHECK(ec == transport_error::proxy_auth_required);
    REQUIRE(c.failure().proxy_reply);
    CHECK(c.failure().proxy_reply->status == 407);
    CHECK(stats->accepted == 2);
    squid.stop();
}
