#include "realmwire/transport/connect.hpp"

#include "transport/support.hpp"

#include <catch2/catch.hpp>

#include <asio/io_context.hpp>

#include <string>

using namespace realmwire;
using namespace realmwire::transport;
using namespace std::chrono_literals;

namespace {

struct outcome {
    bool done = false;
    std::error_code ec;
    any_transport t;
};

outcome connect(asio::io_context& ioc, connector& c, connect_options o)
{
    outcome out;
    c.async_connect(std::move(o), [&](std::error_code ec, any_transport t) {
        out.ec = ec;
        out.t = std::move(t);
        out.done = true;
    });
    REQUIRE(rw_test::run_until(ioc, [&] { return out.done; }));
    return out;
}

std::string echo_through(asio::io_context& ioc, any_transport& t, std::string data)
{
    auto check = std::make_shared<rw_test::echo_check>(t, std::move(data));
    check->start();
    REQUIRE(rw_test::run_until(ioc, [&] { return check->finished; }));
    CHECK_FALSE(check->error);
    return check->result;
}

} // namespace

TEST_CASE("connector: plain TCP to a loopback echo server")
{
    asio::io_context ioc;
    rw_test::test_server server(ioc, rw_test::echo());
    connector c(ioc.get_executor());
    connect_options o;
    o.host = "127.0.0.1";
    o.port = server.port();
    auto r = connect(ioc, c, o);
    REQUIRE_FALSE(r.ec);
    REQUIRE(r.t.target<tcp_transport>() != nullptr);
    CHECK(echo_through(ioc, r.t, "over tcp") == "over tcp");
    r.t.close();
}

TEST_CASE("connector: TLS with the test CA, host name verified, wrong name and wrong CA refused")
{
    rw_test::test_pki pki;
    asio::io_context ioc;
    std::error_code ec;
    auto sctx = make_server_tls_context(pki.server_cert, pki.server_key, ec);
    REQUIRE_FALSE(ec);
    rw_test::test_server server(ioc, rw_test::echo(), sctx);
    connector c(ioc.get_executor());
    connect_options o;
    o.host = "localhost";
    o.port = server.port();
    o.tls = true;
    o.tls_opts.ca_file = pki.ca;

    SECTION("right name")
    {
        auto r = connect(ioc, c, o);
        REQUIRE_FALSE(r.ec);
        CHECK(echo_through(ioc, r.t, std::string(70000, 's')) == std::string(70000, 's'));
        r.t.close();
    }
    SECTION("IP literal in the certificate's SAN")
    {
        o.host = "127.0.0.1";
        auto r = connect(ioc, c, o);
        REQUIRE_FALSE(r.ec);
        CHECK(echo_through(ioc, r.t, "ip") == "ip");
        r.t.close();
    }
    SECTION("wrong host name is refused")
    {
        o.tls_opts.server_name = "not-localhost.example";
        auto r = connect(ioc, c, o);
        CHECK(r.ec == transport_error::tls_handshake_failed);
        CHECK(r.ec == condition::transport_failed);
        CHECK(c.failure().phase == phase::tls);
        CHECK(c.failure().cause.category() == asio::error::get_ssl_category());
        CHECK(c.failure().describe().rfind("tls: ", 0) == 0);
        CHECK_FALSE(r.t);
    }
    SECTION("unknown CA is refused; explicit opt-out accepts it")
    {
        o.tls_opts.ca_file = pki.other_ca;
        auto r = connect(ioc, c, o);
        CHECK(r.ec == transport_error::tls_handshake_failed);
        o.tls_opts.verify_peer = false;
        r = connect(ioc, c, o);
        REQUIRE_FALSE(r.ec);
        CHECK(echo_through(ioc, r.t, "insecure") == "insecure");
        r.t.close();
    }
}

TEST_CASE("connector: every phase names its failure")
{
    asio::io_context ioc;
    connector c(ioc.get_executor());
    connect_options o;
    o.timeouts.resolve = 5s;

    SECTION("connect refused")
    {
        // Bind and close to find a port nobody listens on.
        std::uint16_t port;
        {
            asio::ip::tcp::acceptor a(ioc, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
            port = a.local_endpoint().port();
        }
        o.host = "127.0.0.1";
        o.port = port;
        auto r = connect(ioc, c, o);
        CHECK(r.ec == transport_error::connect_failed);
        CHECK(c.failure().phase == phase::connect);
        CHECK(c.failure().cause == asio::error::connection_refused);
    }
    SECTION("resolve failure")
    {
        o.host = "no-such-host.invalid";
        o.port = 80;
        auto r = connect(ioc, c, o);
        CHECK(c.failure().phase == phase::resolve);
        CHECK((r.ec == transport_error::resolve_failed || r.ec == transport_error::resolve_timeout));
    }
    SECTION("TLS timeout: the server accepts TCP and never speaks")
    {
        std::vector<any_transport> held;
        rw_test::test_server silent(ioc, [&](any_transport t) { held.push_back(std::move(t)); });
        o.host = "127.0.0.1";
        o.port = silent.port();
        o.tls = true;
        o.timeouts.tls = 200ms;
        auto start = std::chrono::steady_clock::now();
        auto r = connect(ioc, c, o);
        CHECK(r.ec == transport_error::tls_timeout);
        CHECK(r.ec == condition::timeout);
        CHECK(c.failure().phase == phase::tls);
        CHECK(std::chrono::steady_clock::now() - start < 5s);
    }
    SECTION("proxy timeout: the proxy accepts and never answers")
    {
        std::vector<any_transport> held;
        rw_test::test_server silent(ioc, [&](any_transport t) { held.push_back(std::move(t)); });
        o.host = "sync.example";
        o.port = 443;
        proxy_config p;
        p.host = "127.0.0.1";
        p.port = silent.port();
        o.proxy = p;
        o.timeouts.proxy = 200ms;
        auto r = connect(ioc, c, o);
        CHECK(r.ec == transport_error::proxy_timeout);
        CHECK(c.failure().phase == phase::proxy);
    }
}
