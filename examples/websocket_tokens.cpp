// One operation, three completion tokens: a WebSocket upgrade over a raw asio::ip::tcp::socket,
// completed with a callback, with asio::use_future (io_context on its own thread) and, when compiled as
// C++20, with co_await and asio::use_awaitable. The server end is the same each time. Exit status 0 on
// success. (The library is C++17; only the coroutine part needs C++20.)
#include <realmwire/transport.hpp>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/use_future.hpp>
#if defined(ASIO_HAS_CO_AWAIT) // C++20 with a compiler and library Asio knows how to await with
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/use_awaitable.hpp>
#endif

#include <cstdio>
#include <memory>
#include <thread>

using namespace realmwire;
using tcp = asio::ip::tcp;
using client_t = driver::websocket_client<tcp::socket>;
using server_t = driver::websocket_server<tcp::socket>;

namespace {

client_handshake upgrade_request()
{
    client_handshake_options hs;
    hs.dialect = &dialects::mongodb_pbs;
    hs.host_header = "127.0.0.1";
    return build_handshake_request(hs, "access-token");
}

// A connected pair on loopback; the server end answers one upgrade.
std::shared_ptr<client_t> connect_pair(asio::io_context& ioc, std::shared_ptr<server_t>& server)
{
    tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    tcp::socket c(ioc);
    c.connect(acceptor.local_endpoint());
    server = std::make_shared<server_t>(acceptor.accept());
    server->async_accept(acceptor_options{}, [](std::error_code, const handshake_verdict&) {});
    return std::make_shared<client_t>(std::move(c));
}

bool with_callback()
{
    asio::io_context ioc;
    std::shared_ptr<server_t> server;
    auto ws = connect_pair(ioc, server);
    bool ok = false;
    // [callback]
    ws->async_handshake(upgrade_request(), [&](std::error_code ec, handshake_result r) {
        ok = !ec && r.ok();
    });
    ioc.run();
    // [callback]
    return ok;
}

bool with_future()
{
    asio::io_context ioc;
    std::shared_ptr<server_t> server;
    auto ws = connect_pair(ioc, server);
    // [future]
    std::future<handshake_result> f = ws->async_handshake(upgrade_request(), asio::use_future);
    std::thread runner([&] { ioc.run(); });
    bool ok = false;
    try {
        ok = f.get().ok(); // an error arrives as std::system_error
    }
    catch (const std::system_error& e) {
        std::printf("upgrade failed: %s\n", e.what());
    }
    runner.join();
    // [future]
    return ok;
}

#if defined(ASIO_HAS_CO_AWAIT)
bool with_coroutine()
{
    asio::io_context ioc;
    std::shared_ptr<server_t> server;
    auto ws = connect_pair(ioc, server);
    bool ok = false;
    // [coroutine]
    asio::co_spawn(ioc, [&]() -> asio::awaitable<void> {
        client_handshake request = upgrade_request();
        handshake_result r = co_await ws->async_handshake(std::move(request), asio::use_awaitable);
        ok = r.ok();
    }, asio::detached);
    ioc.run();
    // [coroutine]
    return ok;
}
#endif

} // namespace

int main()
{
    bool ok = with_callback() && with_future();
#if defined(ASIO_HAS_CO_AWAIT)
    ok = ok && with_coroutine();
#endif
    std::printf("%s\n", ok ? "three tokens: ok" : "failed");
    return ok ? 0 : 1;
}
