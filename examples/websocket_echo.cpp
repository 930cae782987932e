// A Realm-sync WebSocket echo over TCP loopback, both ends in one program:
//   server: websocket_server over a tcp_transport accepted on 127.0.0.1 (any port)
//   client: connector (resolve → connect, with per-phase timeouts) → websocket_client → handshake
// then one binary message there and back and a closing handshake. Exit status 0 on success.
#include <realmwire/driver.hpp>
#include <realmwire/transport.hpp>

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include <cstdio>
#include <memory>
#include <string>

using namespace realmwire;

int main()
{
    asio::io_context ioc;
    int status = 1;

    // --- server: accept one connection, answer the upgrade, echo every message --------------------
    asio::ip::tcp::acceptor acceptor(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    using server_t = driver::websocket_server<transport::tcp_transport>;
    std::shared_ptr<server_t> server;
    acceptor.async_accept([&](std::error_code ec, asio::ip::tcp::socket s) {
        if (ec)
            return;
        server = std::make_shared<server_t>(transport::tcp_transport(std::move(s)));
        server->async_accept(acceptor_options{}, [&](std::error_code ec, const handshake_verdict&) {
            if (ec)
                return;
            // One echo; the closing handshake is answered inside the driver.
            server->async_receive([&](std::error_code ec, driver::ws_message m) {
                if (!ec)
                    server->async_send(m.payload, [](std::error_code) {});
                server->async_receive([](std::error_code, driver::ws_message) {});
            });
        });
    });

    // --- client ------------------------------------------------------------------------------------
    transport::connect_options opts;
    opts.host = "127.0.0.1";
    opts.port = acceptor.local_endpoint().port();
    opts.timeouts.connect = std::chrono::seconds(5);
    transport::connector connector(ioc.get_executor());
    using client_t = driver::websocket_client<transport::any_transport>;
    std::shared_ptr<client_t> client;

    connector.async_connect(opts, [&](std::error_code ec, transport::any_transport t) {
        if (ec) {
            std::printf("connect failed: %s\n", connector.failure().describe().c_str());
            return;
        }
        client = std::make_shared<client_t>(std::move(t));
        client_handshake_options hs;
        hs.dialect = &dialects::mongodb_pbs;
        hs.host_header = transport::authority(opts.host, opts.port);
        client->async_handshake(build_handshake_request(hs, "access-token"), [&](std::error_code ec, handshake_result r) {
            if (ec) {
                std::printf("upgrade failed: %s\n", ec.message().c_str());
                return;
            }
            std::printf("connected, subprotocol %s\n", r.subprotocol.c_str());
            client->async_send(std::string("\x01\x02\x03 binary", 10), [](std::error_code) {});
            client->async_receive([&](std::error_code ec, driver::ws_message m) {
                if (ec)
                    return;
                std::printf("echo: %zu bytes\n", m.payload.size());
                client->async_close(1000, "bye", [](std::error_code) {});
                client->async_receive([&](std::error_code ec, driver::ws_message m) {
                    if (!ec && m.kind == websocket::event_kind::close && m.close_code == 1000)
                        status = 0;
                    std::printf("closed with %u\n", unsigned(m.close_code));
                    acceptor.close();
                });
            });
        });
    });

    ioc.run_for(std::chrono::seconds(10));
    return status;
}
