// Helpers for the /auth attack tests: a reference server on loopback with a temporary data directory,
// plain HTTP requests to its /auth, a raw WebSocket sync connection that measures PING→PONG round trips,
// and a good client that logs in and syncs.
#ifndef REALMWIRE_TESTS_SECURITY_AUTH_SUPPORT_HPP
#define REALMWIRE_TESTS_SECURITY_AUTH_SUPPORT_HPP

#include "realmwire/auth/client.hpp"
#include "realmwire/driver/http_client.hpp"
#include "realmwire/driver/websocket_client.hpp"
#include "realmwire/reference/client.hpp"
#include "realmwire/reference/server.hpp"
#include "realmwire/transport/connect.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <vector>

namespace rw_sec {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using clock = std::chrono::steady_clock;

struct temp_dir {
    fs::path path;
    temp_dir()
    {
        std::random_device rd;
        path = fs::temp_directory_path() / ("realmwire-sec-" + std::to_string(rd()) + std::to_string(rd()));
        fs::create_directories(path);
    }
    ~temp_dir()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    temp_dir(const temp_dir&) = delete;
    temp_dir& operator=(const temp_dir&) = delete;
    std::string str() const { return path.string(); }
};

/// A reference server on 127.0.0.1 with its data in a temporary directory; stopped by the destructor.
struct running_server {
    temp_dir dir;
    std::unique_ptr<realmwire::reference::server> srv;

    explicit running_server(realmwire::reference::server_config cfg = {}, bool in_memory = false)
    {
        if (!in_memory)
            cfg.data_dir = dir.str() + "/data";
        srv = std::make_unique<realmwire::reference::server>(std::move(cfg));
        srv->start();
    }
    ~running_server() { srv->stop(); }
    std::uint16_t port() const { return srv->port(); }
    realmwire::auth::auth_client_policy policy() const
    {
        realmwire::auth::auth_client_policy p;
        p.host = "127.0.0.1:" + std::to_string(port());
        return p;
    }
    realmwire::http::response send(const realmwire::http::request& r) const
    {
        realmwire::driver::http_client_options o;
        o.connect_timeout = 5s;
        o.request_timeout = 20s;
        return realmwire::driver::http_request({"127.0.0.1", port(), false}, r, o);
    }
    realmwire::http::response post(const std::string& body) const
    {
        realmwire::http::request r;
        r.method = "POST";
        r.target = "/auth";
        r.headers.set("Host", policy().host);
        r.headers.set("Content-Type", "application/json");
        r.body = body;
        return send(r);
    }
    realmwire::http::response login(const std::string& user, const std::string& password,
                                    std::optional<bool> reg = std::nullopt) const
    {
        return send(realmwire::auth::make_login_request(policy(), realmwire::auth::credentials::password(user, password, reg)));
    }
};

/// The HTTP status and ROS problem code of an answer (code 0 when there is none).
inline std::pair<int, int> status_code(const realmwire::http::response& r)
{
    return {r.status, r.status == 200 ? 0 : realmwire::auth::parse_problem(r).code};
}

inline std::string problem_type(const realmwire::http::response& r)
{
    return realmwire::auth::parse_problem(r).type;
}

inline bool run_until(asio::io_context& ioc, const std::function<bool()>& done, std::chrono::milliseconds limit)
{
    auto deadline = clock::now() + limit;
    ioc.restart();
    while (!done() && clock::now() < deadline) {
        ioc.run_for(10ms);
        ioc.restart();
    }
    return done();
}

/// A good client: an access token for `path` from the refresh token, then one write synced through the
/// server and read back by the server's history. Returns true when the write was synced.
inline bool sync_once(running_server& s, const std::string& refresh_token, const std::string& path)
{
    using namespace realmwire;
    auto at = auth::parse_refresh_response(
        s.send(auth::make_refresh_request(s.policy(), refresh_token, std::string_view(path))));
    asio::io_context ioc;
    reference::object_store store;
    reference::client_config c;
    c.server_url = "ws://127.0.0.1:" + std::to_string(s.port());
    c.dialect = &dialects::mongodb_pbs;
    c.realm_path = at.data.path.value_or(path);
    c.token = at.token;
    c.reconnect = false;
    store.put_items({{1, std::string("good")}});
    auto cl = std::make_shared<reference::client>(ioc, c, store);
    cl->start();
    bool ok = reference::client::run_until(ioc, [&] { return cl->synced() || cl->failed(); }, 10s);
    bool synced = ok && cl->synced() && !cl->failed();
    cl->stop();
    reference::client::run_until(ioc, [] { return false; }, 20ms);
    return synced;
}

/// A raw sync WebSocket that sends PING and times each PONG (the server answers on its I/O thread).
class ping_probe {
public:
    using ws_t = realmwire::driver::websocket_client<realmwire::transport::any_transport>;

    ping_probe(std::uint16_t port, const std::string& token)
    {
        std::error_code ec = connect(port, token);
        INFO("sync upgrade: " << ec.message());
        REQUIRE_FALSE(ec);
    }

    /// What the sync upgrade with `token` ended in (no error: the server accepted it).
    static std::error_code try_upgrade(std::uint16_t port, const std::string& token)
    {
        ping_probe p;
        return p.connect(port, token);
    }

    /// One PING → PONG round trip; a negative duration when no PONG came within `limit`.
    std::chrono::microseconds once(std::chrono::milliseconds limit = 5s)
    {
        const auto t0 = clock::now();
        const std::string msg = "ping " + std::to_string(++seq_) + " 0\n";
        bool got = false;
        bool failed = false;
        ws_->async_send(msg, [&](std::error_code e) {
            if (e)
                failed = true;
        });
        std::function<void()> receive = [&] {
            ws_->async_receive([&](std::error_code e, realmwire::driver::ws_message m) {
                if (e) {
                    failed = true;
                    return;
                }
                if (m.payload.rfind("pong " + std::to_string(seq_), 0) == 0)
                    got = true;
                else
                    receive(); // e.g. the LOG_MESSAGE sent on connect
            });
        };
        receive();
        if (!run_until(ioc_, [&] { return got || failed; }, limit) || !got)
            return std::chrono::microseconds(-1);
        return std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - t0);
    }

private:
    ping_probe() = default;

    std::error_code connect(std::uint16_t port, const std::string& token)
    {
        using namespace realmwire;
        transport::connector c(ioc_.get_executor());
        transport::connect_options o;
        o.host = "127.0.0.1";
        o.port = port;
        bool done = false;
        std::error_code ec;
        transport::any_transport t;
        c.async_connect(o, [&](std::error_code e, transport::any_transport tr) {
            ec = e;
            t = std::move(tr);
            done = true;
        });
        if (!run_until(ioc_, [&] { return done; }, 5s))
            return make_error_code(std::errc::timed_out);
        if (ec)
            return ec;
        ws_ = std::make_shared<ws_t>(std::move(t));
        client_handshake_options ho;
        ho.dialect = &dialects::mongodb_pbs;
        ho.host_header = "127.0.0.1:" + std::to_string(port);
        done = false;
        ws_->async_handshake(build_handshake_request(ho, token), [&](std::error_code e, handshake_result) {
            ec = e;
            done = true;
        });
        if (!run_until(ioc_, [&] { return done; }, 5s))
            return make_error_code(std::errc::timed_out);
        return ec;
    }

    asio::io_context ioc_;
    std::shared_ptr<ws_t> ws_;
    std::uint64_t seq_ = 0;
};

template <class T>
T median(std::vector<T> v)
{
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
}

} // namespace rw_sec

#endif
