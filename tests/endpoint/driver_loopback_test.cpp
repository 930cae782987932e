#include "realmwire/driver/sync_client.hpp"

#include "realmwire/driver/sync_server.hpp"
#include "realmwire/driver/websocket_server.hpp"
#include "realmwire/transport/memory.hpp"
#include "realmwire/transport/tcp.hpp"

#include "memory_backend.hpp"

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include <catch2/catch.hpp>

#include <memory>

using namespace realmwire_test;
namespace rd = realmwire::driver;
namespace rt = realmwire::transport;
using realmwire::endpoint::client_event;
using realmwire::endpoint::client_event_type;

namespace {

using server_ws = rd::websocket_server<rt::any_transport>;
using client_ws = rd::websocket_client<rt::any_transport>;

/// Upgrades `t` and hands it to the sync server.
void accept_into(rd::sync_server& server, rt::any_transport t)
{
    auto ws = std::make_shared<server_ws>(std::move(t));
    ws->async_accept(realmwire::acceptor_options{}, [ws, &server](std::error_code ec, const realmwire::handshake_verdict& v) {
        if (ec)
            return;
        server_connection_config c;
        c.dialect = v.dialect->id;
        c.protocol_version = v.version;
        c.handshake_token = v.token;
        server.serve(ws, std::move(c));
    });
}

realmwire::client_handshake_options handshake_options()
{
    realmwire::client_handshake_options o;
    o.dialect = &realmwire::dialects::mongodb_pbs;
    o.host_header = "127.0.0.1";
    return o;
}

/// Two clients on one server: A writes, B reads everything; both end with every changeset.
void run_two_clients(asio::io_context& ioc, rd::sync_server& server, rd::connect_function<client_ws> connect,
                     std::function<void()> on_done = {})
{
    memory_store sa, sb;
    client_connection_config cfg;
    cfg.token = "token";
    auto a = std::make_shared<rd::sync_client<client_ws>>(ioc.get_executor(), cfg, connect);
    auto b = std::make_shared<rd::sync_client<client_ws>>(ioc.get_executor(), cfg, connect);
    std::uint64_t ia = 0, ib = 0;
    bool done = false;
    std::vector<std::string> errors;
    a->on_event = [&](const client_event& e) {
        if (e.type == client_event_type::error)
            errors.push_back("A: " + e.message);
        if (e.type == client_event_type::upload_complete)
            b->post([&](client_connection& c) { c.request_download_completion(ib); });
    };
    b->on_event = [&](const client_event& e) {
        if (e.type == client_event_type::error)
            errors.push_back("B: " + e.message);
        if (e.type == client_event_type::download_complete) {
            done = true;
            if (on_done)
                on_done(); // e.g. stop accepting, so run_for returns at once
            a->stop();
            b->stop();
            server.stop();
        }
    };
    b->post([&](client_connection& c) { ib = c.add_session({"/loop", &sb, {}}); });
    a->post([&](client_connection& c) {
        ia = c.add_session({"/loop", &sa, {}});
        for (int i = 0; i < 20; ++i)
            sa.write("changeset-" + std::to_string(i) + std::string(200, 'x'));
        c.notify_local_changes(ia);
        c.request_upload_completion(ia);
    });
    a->start();
    b->start();
    ioc.run_for(std::chrono::seconds(20));
    for (const auto& e : errors)
        UNSCOPED_INFO(e);
    CHECK(errors.empty());
    REQUIRE(done);
    REQUIRE(sb.downloaded.size() == 20);
    CHECK(sb.downloaded[0].rfind("changeset-0", 0) == 0);
    CHECK(sb.downloaded[19].rfind("changeset-19", 0) == 0);
    CHECK(sa.downloaded.empty()); // A never gets its own changesets back
}

} // namespace

TEST_CASE("drivers: two clients sync over the memory transport")
{
    asio::io_context ioc;
    memory_backend backend;
    rd::sync_server server(backend);
    auto connect = [&](const std::string& token, std::function<void(rd::connect_result<client_ws>)> done) {
        auto [a, b] = rt::make_memory_pipe(ioc.get_executor());
        accept_into(server, rt::any_transport(std::move(b)));
        auto ws = std::make_shared<client_ws>(rt::any_transport(std::move(a)));
        ws->async_handshake(realmwire::build_handshake_request(handshake_options(), token),
                            [ws, done](std::error_code ec, realmwire::handshake_result r) {
                                rd::connect_result<client_ws> res;
                                res.ec = ec;
                                if (!ec) {
                                    res.channel = ws;
                                    res.protocol_version = r.version;
                                }
                                done(std::move(res));
                            });
    };
    run_two_clients(ioc, server, connect);
    CHECK(backend.realms["/loop"].history.size() == 20);
}

TEST_CASE("drivers: two clients sync over TCP on 127.0.0.1")
{
    asio::io_context ioc;
    memory_backend backend;
    rd::sync_server server(backend);
    asio::ip::tcp::acceptor acceptor(ioc, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    std::function<void()> accept_loop = [&] {
        acceptor.async_accept([&](std::error_code ec, asio::ip::tcp::socket s) {
            if (ec)
                return;
            server.accept(rt::tcp_transport(std::move(s)), realmwire::acceptor_options{});
            accept_loop();
        });
    };
    accept_loop();
    rt::connect_options co;
    co.host = "127.0.0.1";
    co.port = acceptor.local_endpoint().port();
    auto hs = handshake_options();
    hs.host_header = "127.0.0.1:" + std::to_string(co.port);
    run_two_clients(ioc, server, rd::websocket_connector(ioc.get_executor(), co, hs), [&] { acceptor.close(); });
    CHECK(backend.realms["/loop"].history.size() == 20);
}

TEST_CASE("drivers: the client reconnects after the server drops it, nothing duplicated")
{
    asio::io_context ioc;
    memory_backend backend;
    rd::sync_server server(backend);
    std::vector<std::shared_ptr<client_ws>> made;
    int attempts = 0;
    auto connect = [&](const std::string& token, std::function<void(rd::connect_result<client_ws>)> done) {
        ++attempts;
        auto [a, b] = rt::make_memory_pipe(ioc.get_executor());
        accept_into(server, rt::any_transport(std::move(b)));
        auto ws = std::make_shared<client_ws>(rt::any_transport(std::move(a)));
        made.push_back(ws);
        ws->async_handshake(realmwire::build_handshake_request(handshake_options(), token),
                            [ws, done](std::error_code ec, realmwire::handshake_result r) {
                                rd::connect_result<client_ws> res;
                                res.ec = ec;
                                if (!ec) {
                                    res.channel = ws;
                                    res.protocol_version = r.version;
                                }
                                done(std::move(res));
                            });
    };
    memory_store st;
    client_connection_config cfg;
    cfg.token = "token";
    cfg.reconnect_backoff.initial = std::chrono::milliseconds(50);
    auto c = std::make_shared<rd::sync_client<client_ws>>(ioc.get_executor(), cfg, connect);
    std::uint64_t id = 0;
    int uploads_done = 0;
    bool dropped = false;
    c->on_event = [&](const client_event& e) {
        if (e.type == client_event_type::upload_complete) {
            ++uploads_done;
            if (!dropped) {
                dropped = true;
                server.stop(); // every server connection goes away
                c->post([&](client_connection& cc) {
                    st.write("second");
                    cc.notify_local_changes(id);
                    cc.request_upload_completion(id);
                });
            }
            else {
                c->stop();
                server.stop();
            }
        }
    };
    c->post([&](client_connection& cc) {
        id = cc.add_session({"/r", &st, {}});
        st.write("first");
        cc.notify_local_changes(id);
        cc.request_upload_completion(id);
    });
    c->start();
    ioc.run_for(std::chrono::seconds(20));
    CHECK(uploads_done == 2);
    CHECK(attempts >= 2);
    auto& h = backend.realms["/r"].history;
    REQUIRE(h.size() == 2);
    CHECK(h[0].changeset == "first");
    CHECK(h[1].changeset == "second");
}

TEST_CASE("drivers: a client that never finishes its handshake is dropped after the handshake timeout")
{
    asio::io_context ioc;
    memory_backend backend;
    std::error_code closed_with;
    int closed = 0;
    rd::sync_server_options opts;
    opts.on_closed = [&](std::uint64_t id, std::error_code ec) {
        CHECK(id == 0);
        closed_with = ec;
        ++closed;
    };
    rd::sync_server server(backend, opts);
    auto [a, b] = rt::make_memory_pipe(ioc.get_executor());
    auto start = std::chrono::steady_clock::now();
    server.accept(rt::any_transport(std::move(b)), realmwire::acceptor_options{}, {}, std::chrono::milliseconds(100));
    ioc.run_for(std::chrono::seconds(5));
    CHECK(closed == 1);
    CHECK(closed_with == realmwire::transport_error::upgrade_timeout);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
    CHECK(server.connection_count() == 0);
    (void)a;
}

TEST_CASE("driver: a sync client whose pending async_sync handler owns it is freed with its io_context")
{
    // The connect never completes, so the wait stays parked in the client; the handler owns the client.
    // Only the io_context's end can break that cycle (as Asio does for the operations it holds).
    memory_store st;
    std::weak_ptr<rd::sync_client<client_ws>> watch;
    {
        asio::io_context ioc;
        auto work = asio::make_work_guard(ioc); // poll() must not stop the context between the steps
        rd::connect_function<client_ws> never = [](const std::string&, std::function<void(rd::connect_result<client_ws>)>) {};
        client_connection_config cfg;
        cfg.token = "token";
        auto c = std::make_shared<rd::sync_client<client_ws>>(ioc.get_executor(), cfg, never);
        std::uint64_t id = 0;
        c->post([&](client_connection& cc) { id = cc.add_session({"/parked", &st, {}}); });
        ioc.poll();
        REQUIRE(id != 0);
        auto called = std::make_shared<std::error_code>();
        c->async_sync(id, [c, called](std::error_code ec) { *called = ec ? ec : make_error_code(std::errc::io_error); });
        ioc.poll();
        INFO(called->message());
        REQUIRE_FALSE(*called); // still waiting
        watch = c;
        c.reset();
        REQUIRE_FALSE(watch.expired());
    }
    CHECK(watch.expired());
}
