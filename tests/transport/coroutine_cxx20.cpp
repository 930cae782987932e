// Built as C++20 (tests/transport/CMakeLists.txt): the WebSocket layer awaited with co_await and
// asio::use_awaitable, over real loopback TCP, with experimental::deferred and experimental::as_tuple
// mixed in. The library is C++17; only this test needs coroutines.
#include "realmwire/driver/websocket_client.hpp"
#include "realmwire/driver/websocket_server.hpp"
#include "transport/support.hpp"
#include "transport/ws_support.hpp"

#include <catch2/catch.hpp>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/awaitable_operators.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <string>
#include <vector>

using namespace realmwire;
using namespace std::chrono_literals;
using tcp = asio::ip::tcp;

TEST_CASE("coroutines: upgrade, messages and closing handshake over loopback TCP with co_await")
{
    asio::io_context ioc;
    tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    const auto endpoint = acceptor.local_endpoint();
    std::string server_error, client_error;
    bool server_done = false, client_done = false;
    int echoed = 0;

    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            tcp::socket s = co_await acceptor.async_accept(asio::use_awaitable);
            driver::websocket_server<tcp::socket> ws(std::move(s));
            // (named locals, not temporaries, inside co_await expressions: GCC 12 mishandles those)
            acceptor_options opts;
            handshake_verdict v = co_await ws.async_accept(std::move(opts), asio::use_awaitable);
            if (!v.accepted())
                throw std::runtime_error("not accepted");
            for (;;) {
                auto [ec, m] = co_await ws.async_receive(asio::experimental::as_tuple(asio::use_awaitable));
                if (ec || m.kind == websocket::event_kind::close)
                    break;
                co_await ws.async_send(m.payload, asio::use_awaitable);
                ++echoed;
            }
        },
        [&](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                }
                catch (const std::exception& x) {
                    server_error = x.what();
                }
            }
            server_done = true;
        });

    std::vector<std::string> sent = rw_test::sample_payloads(), got;
    driver::ws_message final_message;
    std::error_code after_close;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            tcp::socket c(ioc);
            co_await c.async_connect(endpoint, asio::use_awaitable);
            driver::websocket_client<tcp::socket> ws(std::move(c));
            client_handshake request = rw_test::make_handshake("h");
            handshake_result r = co_await ws.async_handshake(std::move(request), asio::use_awaitable);
            if (!r.ok())
                throw std::runtime_error("handshake");
            for (const auto& p : sent) {
                co_await ws.async_send(p, asio::use_awaitable);
                driver::ws_message m = co_await ws.async_receive(asio::use_awaitable);
                got.push_back(std::move(m.payload));
            }
            // deferred: build the operation first, await it later
            auto later = ws.async_send(std::string_view("deferred"), asio::experimental::deferred);
            co_await std::move(later)(asio::use_awaitable);
            got.push_back((co_await ws.async_receive(asio::use_awaitable)).payload);

            co_await ws.async_close(1000, "done", asio::use_awaitable);
            final_message = co_await ws.async_receive(asio::use_awaitable);
            try {
                co_await ws.async_receive(asio::use_awaitable); // errors arrive as system_error
            }
            catch (const std::system_error& e) {
                after_close = e.code();
            }
        },
        [&](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                }
                catch (const std::exception& x) {
                    client_error = x.what();
                }
            }
            client_done = true;
        });

    REQUIRE(rw_test::run_until(ioc, [&] { return server_done && client_done; }));
    CHECK(server_error.empty());
    CHECK(client_error.empty());
    sent.push_back("deferred");
    CHECK(got == sent);
    CHECK(echoed == static_cast<int>(sent.size()));
    CHECK(final_message.kind == websocket::event_kind::close);
    CHECK(final_message.close_code == 1000);
    CHECK(after_close == transport_error::closed);
}

TEST_CASE("coroutines: a receive raced against a timer with awaitable operators is cancelled and the connection closed")
{
    using namespace asio::experimental::awaitable_operators;
    asio::io_context ioc;
    tcp::acceptor acceptor(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    tcp::socket server_socket(ioc);
    tcp::socket client_socket(ioc);
    client_socket.connect(acceptor.local_endpoint());
    server_socket = acceptor.accept();
    driver::websocket_server<tcp::socket> server(std::move(server_socket));
    driver::websocket_client<tcp::socket> client(std::move(client_socket));
    bool timer_won = false, done = false;
    std::error_code peer;

    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            acceptor_options opts;
            co_await server.async_accept(std::move(opts), asio::use_awaitable);
            auto [ec, m] = co_await server.async_receive(asio::experimental::as_tuple(asio::use_awaitable));
            peer = ec;
        },
        asio::detached);
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            client_handshake request = rw_test::make_handshake("h");
            co_await client.async_handshake(std::move(request), asio::use_awaitable);
            asio::steady_timer t(ioc, 50ms);
            auto which = co_await (client.async_receive(asio::use_awaitable) || t.async_wait(asio::use_awaitable));
            timer_won = which.index() == 1;
        },
        [&](std::exception_ptr) { done = true; });
    REQUIRE(rw_test::run_until(ioc, [&] { return done && peer; }));
    CHECK(timer_won);
    CHECK_FALSE(client.next_layer().is_open());
    CHECK(peer == transport_error::closed);
}

// examples/websocket_tokens.cpp again, now with its coroutine part (docs/transports.md).
#define main realmwire_example_websocket_tokens_main
#include "../../examples/websocket_tokens.cpp"
#undef main

TEST_CASE("coroutines: examples/websocket_tokens.cpp runs all three tokens")
{
    static_assert(ASIO_HAS_CO_AWAIT + 0 == 1, "this binary is only built where Asio can co_await");
    CHECK(realmwire_example_websocket_tokens_main() == 0);
}
