// WebSocket driver helpers for tests: an echo server loop and a client that sends messages and
// collects the echoes.
#ifndef REALMWIRE_TESTS_TRANSPORT_WS_SUPPORT_HPP
#define REALMWIRE_TESTS_TRANSPORT_WS_SUPPORT_HPP

#include "realmwire/driver/websocket_client.hpp"
#include "realmwire/driver/websocket_server.hpp"
#include "realmwire/transport/any_transport.hpp"
#include "transport/support.hpp"

#include <memory>
#include <string>
#include <vector>

namespace rw_test {

using ws_server = realmwire::driver::websocket_server<realmwire::transport::any_transport>;
using ws_client = realmwire::driver::websocket_client<realmwire::transport::any_transport>;

/// Echoes every message; records accepted handshakes and the close it saw.
struct ws_echo_stats {
    int accepted = 0;
    int refused = 0;
    std::error_code last_error;
    std::vector<realmwire::driver::ws_message> closes;
};

template <class Server>
void ws_echo_loop(std::shared_ptr<Server> ws, std::shared_ptr<ws_echo_stats> stats)
{
    ws->async_receive([ws, stats](std::error_code ec, realmwire::driver::ws_message m) {
        if (ec) {
            stats->last_error = ec;
            return;
        }
        if (m.kind == realmwire::websocket::event_kind::close) {
            stats->closes.push_back(m);
            return;
        }
        ws->async_send(m.payload,
                       m.kind == realmwire::websocket::event_kind::text ? realmwire::websocket::opcode::text
                                                                        : realmwire::websocket::opcode::binary,
                       [](std::error_code) {});
        ws_echo_loop(ws, stats);
    });
}

/// accept_fn for test_server: runs the WebSocket server handshake then the echo loop.
inline test_server::accept_fn ws_echo(std::shared_ptr<ws_echo_stats> stats, realmwire::acceptor_options opts = {})
{
    return [stats, opts](realmwire::transport::any_transport t) {
        auto ws = std::make_shared<ws_server>(std::move(t));
        ws->async_accept(opts, [ws, stats](std::error_code ec, const realmwire::handshake_verdict&) {
            if (ec) {
                ++stats->refused;
                stats->last_error = ec;
                return;
            }
            ++stats->accepted;
            ws_echo_loop(ws, stats);
        });
    };
}

inline realmwire::client_handshake make_handshake(const std::string& host_header, const std::string& token = "tok")
{
    realmwire::client_handshake_options o;
    o.dialect = &realmwire::dialects::mongodb_pbs;
    o.host_header = host_header;
    return realmwire::build_handshake_request(o, token);
}

/// Sends each payload, then receives as many messages; `echoes` gets them in order.
template <class Client>
struct ws_exchange : std::enable_shared_from_this<ws_exchange<Client>> {
    ws_exchange(std::shared_ptr<Client> c, std::vector<std::string> p) : ws(std::move(c)), payloads(std::move(p)) {}
    void start()
    {
        for (const auto& p : payloads)
            ws->async_send(p, [self = this->shared_from_this()](std::error_code ec) {
                if (ec)
                    self->error = ec;
            });
        receive();
    }
    void receive()
    {
        if (echoes.size() == payloads.size()) {
            done = true;
            return;
        }
        ws->async_receive([self = this->shared_from_this()](std::error_code ec, realmwire::driver::ws_message m) {
            if (ec) {
                self->error = ec;
                self->done = true;
                return;
            }
            self->echoes.push_back(std::move(m.payload));
            self->receive();
        });
    }
    std::shared_ptr<Client> ws;
    std::vector<std::string> payloads;
    std::vector<std::string> echoes;
    std::error_code error;
    bool done = false;
};

inline std::vector<std::string> sample_payloads()
{
    std::vector<std::string> v;
    for (std::size_t n : {0u, 1u, 125u, 126u, 65535u, 65536u, 300000u}) {
        std::string s(n, '\0');
        for (std::size_t i = 0; i < n; ++i)
            s[i] = static_cast<char>((i * 7 + n) & 0xFF);
        v.push_back(std::move(s));
    }
    return v;
}

} // namespace rw_test

#endif
