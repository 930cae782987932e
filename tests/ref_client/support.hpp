// Helpers for the reference client tests: a running reference server, a client on it, and loopback
// peers that accept TCP and never answer.
#ifndef REALMWIRE_TESTS_REF_CLIENT_SUPPORT_HPP
#define REALMWIRE_TESTS_REF_CLIENT_SUPPORT_HPP

#include "reference/support.hpp"

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include <memory>
#include <string>
#include <vector>

namespace rw_client_test {

using namespace rw_ref_test;
namespace rw = realmwire;

/// A reference server on 127.0.0.1 with its own data directory; stopped by the destructor.
struct running_server {
    temp_dir dir;
    std::unique_ptr<rw::reference::server> srv;
    running_server()
    {
        rw::reference::server_config cfg;
        cfg.data_dir = dir.str();
        srv = std::make_unique<rw::reference::server>(cfg);
        srv->start();
    }
    ~running_server() { srv->stop(); }
    std::string url() const { return "ws://127.0.0.1:" + std::to_string(srv->port()); }
    std::string token(const std::string& who) { return mint(srv->auth(), who); }
};

inline rw::reference::client_config config(running_server& s, const std::string& realm, const std::string& who)
{
    rw::reference::client_config c;
    c.server_url = s.url();
    c.realm_path = realm;
    c.token = s.token(who);
    c.reconnect_delay = std::chrono::milliseconds(50);
    return c;
}

/// Accepts TCP connections on 127.0.0.1 and never reads or writes: a server that hangs after accept.
struct silent_server {
    asio::ip::tcp::acceptor acceptor;
    std::vector<std::shared_ptr<asio::ip::tcp::socket>> held;
    explicit silent_server(asio::io_context& ioc)
        : acceptor(ioc, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0))
    {
        accept();
    }
    void accept()
    {
        auto s = std::make_shared<asio::ip::tcp::socket>(acceptor.get_executor());
        acceptor.async_accept(*s, [this, s](std::error_code ec) {
            if (ec)
                return;
            held.push_back(s);
            accept();
        });
    }
    std::uint16_t port() const { return acceptor.local_endpoint().port(); }
    ~silent_server()
    {
        std::error_code ignored;
        acceptor.close(ignored);
        for (auto& s : held)
            s->close(ignored);
    }
};

} // namespace rw_client_test

#endif
