#include "realmwire/transport/connect.hpp"

#include "transport/squid.hpp"
#include "transport/support.hpp"

#include <catch2/catch.hpp>
#include "../support/skip.hpp"

using namespace realmwire;
using namespace realmwire::transport;

TEST_CASE("real squid with Basic auth: right credentials tunnel, wrong ones get the 407 error")
{
    if (!rw_test::squid_proxy::available()) {
        REALMWIRE_SKIP("squid not installed: skipped");
        return;
    }
    rw_test::squid_proxy squid("alice", "s3cret");
    asio::io_context ioc;
    rw_test::test_server server(ioc, rw_test::echo());

    auto attempt = [&](proxy_auth auth, connector& c) {
        connect_options o;
        o.host = "127.0.0.1";
        o.port = server.port();
        proxy_config p;
        p.host = "127.0.0.1";
        p.port = squid.port();
        p.auth = std::move(auth);
        o.proxy = p;
        std::pair<std::error_code, any_transport> out;
        bool done = false;
        c.async_connect(o, [&](std::error_code ec, any_transport t) {
            out = {ec, std::move(t)};
            done = true;
        });
        REQUIRE(rw_test::run_until(ioc, [&] { return done; }));
        return out;
    };

    connector good(ioc.get_executor());
    auto [ec, t] = attempt(proxy_auth::basic("alice", "s3cret"), good);
    REQUIRE_FALSE(ec);
    auto check = std::make_shared<rw_test::echo_check>(t, std::string(100000, 'w'));
    check->start();
    REQUIRE(rw_test::run_until(ioc, [&] { return check->finished; }));
    CHECK(check->result == check->data);
    t.close();
    CHECK(server.accepted == 1);

    for (auto auth : {proxy_auth::basic("alice", "wrong"), proxy_auth{}}) {
        connector bad(ioc.get_executor());
        auto [ec2, t2] = attempt(auth, bad);
        CHECK(ec2 == transport_error::proxy_auth_required);
        REQUIRE(bad.failure().proxy_reply);
        CHECK(bad.failure().proxy_reply->status == 407);
        CHECK(bad.failure().proxy_reply->headers.get("Proxy-Authenticate").value_or("").find("Basic realm=\"realmwire-test\"") == 0);
        CHECK(bad.failure().phase == phase::proxy);
    }
    CHECK(server.accepted == 1);
    squid.stop();
}
