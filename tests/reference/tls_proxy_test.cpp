#include "realmwire/reference/server.hpp"

#include "support.hpp"
#include "transport/squid.hpp"
#include "transport/support.hpp"

#include <catch2/catch.hpp>
#include "../support/skip.hpp"

using namespace realmwire;
using namespace rw_ref_test;

TEST_CASE("two clients sync in every dialect over TLS (wss) with a test CA")
{
    rw_test::test_pki pki;
    temp_dir dir;
    reference::server_config cfg;
    cfg.data_dir = dir.str();
    cfg.tls_cert_file = pki.server_cert;
    cfg.tls_key_file = pki.server_key;
    reference::server srv(cfg);
    srv.start();
    REQUIRE(srv.tls());
    // One server and CA for all dialects (sections would rebuild the PKI each time).
    for (const dialect* d : dialects::all) {
        INFO(d->name);
        auto r = sync_two(srv, *d, "wss", pki.ca);
        REQUIRE(r.a.size() == 8);
        CHECK(r.a == r.b);
    }
    // A client that does not trust the server's CA fails in the TLS phase, at once (no retry).
    auto t0 = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH(sync_two(srv, dialects::mongodb_pbs, "wss", pki.other_ca), Catch::Contains("tls"));
    CHECK(std::chrono::steady_clock::now() - t0 < 5s);
    srv.stop();
}

TEST_CASE("two clients sync in every dialect through a real squid (HTTP CONNECT, Basic proxy auth)")
{
    if (!rw_test::squid_proxy::available()) {
        REALMWIRE_SKIP("squid not installed: skipped");
        return;
    }
    rw_test::squid_proxy squid("proxyuser", "proxypass");
    temp_dir dir;
    reference::server_config cfg;
    cfg.data_dir = dir.str();
    reference::server srv(cfg);
    srv.start();
    transport::proxy_config p;
    p.host = "127.0.0.1";
    p.port = squid.port();
    p.auth = transport::proxy_auth::basic("proxyuser", "proxypass");
    // One squid for all dialects (it takes ~2 s to start).
    for (const dialect* d : dialects::all) {
        INFO(d->name);
        auto r = sync_two(srv, *d, "ws", {}, p);
        REQUIRE(r.a.size() == 8);
        CHECK(r.a == r.b);
    }
    // TLS inside the CONNECT tunnel is covered by the transport tests; here: wrong proxy credentials,
    // squid refuses the CONNECT with 407 and the client stops at once.
    transport::proxy_config bad = p;
    bad.auth = transport::proxy_auth::basic("proxyuser", "wrong");
    auto t0 = std::chrono::steady_clock::now();
    CHECK_THROWS_WITH(sync_two(srv, dialects::mongodb_pbs, "ws", {}, bad), Catch::Contains("407"));
    CHECK(std::chrono::steady_clock::now() - t0 < 5s);
    srv.stop();
}
