#include "realmwire/driver/websocket_client.hpp"

#include "realmwire/driver/websocket_server.hpp"
#include "realmwire/transport/connect.hpp"
#include "transport/support.hpp"
#include "transport/ws_support.hpp"

#include <catch2/catch.hpp>
#include "../support/skip.hpp"

#include <asio/io_context.hpp>

#include <thread>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

using namespace realmwire;
using namespace realmwire::transport;

namespace {

const char* python = "/usr/bin/python3";
const std::string script = std::string(REALMWIRE_SOURCE_DIR) + "/tests/transport/ws_peer.py";

bool have_websockets()
{
    return ::access(python, X_OK) == 0 && std::system("/usr/bin/python3 -c 'import websockets' >/dev/null 2>&1") == 0;
}

// The Python peer as a child process; killed and reaped by the destructor if still running.
struct peer_process {
    pid_t pid = -1;
    int status = -1;
    peer_process(const std::string& mode, std::uint16_t port)
    {
        std::string p = std::to_string(port);
        const char* argv[] = {python, script.c_str(), mode.c_str(), p.c_str(), nullptr};
        REQUIRE(posix_spawn(&pid, python, nullptr, nullptr, const_cast<char* const*>(argv), environ) == 0);
    }
    bool exited()
    {
        if (pid > 0 && ::waitpid(pid, &status, WNOHANG) == pid)
            pid = -1;
        return pid <= 0;
    }
    int exit_code() const { return WIFEXITED(status) ? WEXITSTATUS(status) : -1; }
    ~peer_process()
    {
        if (pid > 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, &status, 0);
        }
    }
};

std::uint16_t free_port()
{
    asio::io_context ioc;
    asio::ip::tcp::acceptor a(ioc, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    return a.local_endpoint().port();
}

} // namespace

TEST_CASE("interop: realmwire client against Python websockets server (binary echo, masking checked by the peer)")
{
    if (!have_websockets()) {
        REALMWIRE_SKIP("python3-websockets not installed: skipped");
        return;
    }
    const auto port = free_port();
    peer_process peer("server", port);
    asio::io_context ioc;

    // Wait for the peer to listen.
    std::error_code ec;
    for (int i = 0; i < 100; ++i) {
        asio::ip::tcp::socket s(ioc);
        s.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port), ec);
        if (!ec)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    REQUIRE_FALSE(ec);
    // That probe connection was closed without a handshake; the peer ignores it.

    connector c(ioc.get_executor());
    connect_options o;
    o.host = "127.0.0.1";
    o.port = port;
    bool done = false;
    any_transport t;
    c.async_connect(o, [&](std::error_code e, any_transport tr) {
        ec = e;
        t = std::move(tr);
        done = true;
    });
    REQUIRE(rw_test::run_until(ioc, [&] { return done; }));
    REQUIRE_FALSE(ec);
    auto ws = std::make_shared<rw_test::ws_client>(std::move(t));
    done = false;
    handshake_result r;
    ws->async_handshake(rw_test::make_handshake(authority(o.host, o.port)), [&](std::error_code e, handshake_result res) {
        ec = e;
        r = res;
        done = true;
    });
    REQUIRE(rw_test::run_until(ioc, [&] { return done; }));
    REQUIRE_FALSE(ec);
    CHECK(r.subprotocol == "com.mongodb.realm-sync#14");

    auto x = std::make_shared<rw_test::ws_exchange<rw_test::ws_client>>(ws, rw_test::sample_payloads());
    x->start();
    REQUIRE(rw_test::run_until(ioc, [&] { return x->done; }));
    CHECK_FALSE(x->error);
    CHECK(x->echoes == x->payloads);

    bool closed = false;
    driver::ws_message m;
    ws->async_close(1000, "done", [](std::error_code) {});
    ws->async_receive([&](std::error_code e, driver::ws_message msg) {
        ec = e;
        m = msg;
        closed = true;
    });
    REQUIRE(rw_test::run_until(ioc, [&] { return closed; }));
    CHECK_FALSE(ec);
    CHECK(m.kind == websocket::event_kind::close);
    CHECK(m.close_code == 1000);
    REQUIRE(rw_test::run_until(ioc, [&] { return peer.exited(); }));
    CHECK(peer.exit_code() == 0); // the peer saw a clean 1000 close after all echoes
}

TEST_CASE("interop: Python websockets client against the realmwire server (echo, ping answered, close)")
{
    if (!have_websockets()) {
        REALMWIRE_SKIP("python3-websockets not installed: skipped");
        return;
    }
    asio::io_context ioc;
    auto stats = std::make_shared<rw_test::ws_echo_stats>();
    rw_test::test_server server(ioc, rw_test::ws_echo(stats));
    peer_process peer("client", server.port());
    REQUIRE(rw_test::run_until(ioc, [&] { return peer.exited(); }, std::chrono::seconds(60)));
    CHECK(peer.exit_code() == 0);
    CHECK(stats->accepted == 1);
    REQUIRE(stats->closes.size() == 1);
    CHECK(stats->closes[0].close_code == 1000);
    CHECK(stats->closes[0].payload == "done");
}
