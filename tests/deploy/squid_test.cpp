// Deployment 3: squid as the client's outbound CONNECT proxy with Basic auth (docs/deploy/squid.conf)
// combined with nginx on the server side (docs/deploy/nginx-prefix-rewrite.conf): client → squid →
// (tunnel) → nginx (TLS, proxy secret, prefix rewrite) → reference server.
#include "realmwire/driver/probe.hpp"

#include "deploy/fixture.hpp"

#include <catch2/catch.hpp>
#include "../support/skip.hpp"

using namespace realmwire;
using namespace rw_deploy;

TEST_CASE("squid (CONNECT, Basic auth) on the way out, nginx in front of the server")
{
    if (!squid_instance::available() || !nginx_instance::available()) {
        REALMWIRE_SKIP("squid or nginx not installed: skipped");
        return;
    }
    const rw_test::test_pki& pki = test_certificates();
    const shared_keys& keys = test_keys();
    temp_dir data;
    rf::server srv(server_config(data.str(), keys));
    srv.start();
    std::uint16_t nginx_port = free_port();
    nginx_instance nginx(source_file("docs/deploy/nginx-prefix-rewrite.conf"),
                         {{"LISTEN_PORT", std::to_string(nginx_port)},
                          {"UPSTREAM_PORT", std::to_string(srv.port())},
                          {"TLS_CERT", pki.server_cert},
                          {"TLS_KEY", pki.server_key},
                          {"PROXY_SECRET", proxy_secret}},
                         nginx_port);
    squid_instance squid(source_file("docs/deploy/squid.conf"), "egress", "egress-pass", free_port());
    const std::string url = "wss://localhost:" + std::to_string(nginx_port);
    transport::proxy_config proxy;
    proxy.host = "127.0.0.1";
    proxy.port = squid.port();
    proxy.auth = transport::proxy_auth::basic("egress", "egress-pass");

    auto client = [&](const std::string& who, const transport::proxy_config& p) {
        rf::client_config c = seed_client(url, "/corp/notes", mint(srv, who));
        c.tls.ca_file = pki.ca;
        c.proxy = p;
        return c;
    };

    {
        INFO("two proxied clients sync through squid and nginx");
        auto r = sync_clients({client("alice", proxy), client("bob", proxy)}, {{1, 2}, {20, 2}}, 4);
        REQUIRE(r[0].ok);
        REQUIRE(r[1].ok);
        CHECK(r[0].objects == r[1].objects);
        // squid saw only the tunnel, never the path or the token.
        std::string log = squid.access_log();
        CHECK_THAT(log, Catch::Contains("CONNECT localhost:" + std::to_string(nginx_port)));
        CHECK_THAT(log, Catch::Contains("egress"));
        CHECK(log.find("realm-sync") == std::string::npos);
        CHECK(log.find("prefix") == std::string::npos);
        CHECK_THAT(nginx.access_log(), Catch::Contains("GET /my/url/prefix/%2Fcorp%2Fnotes HTTP/1.1\" 101"));
    }
    {
        INFO("wrong proxy credentials: squid answers 407, the client reports the proxy phase");
        std::size_t accepted = srv.stats().accepted.load();
        transport::proxy_config bad = proxy;
        bad.auth = transport::proxy_auth::basic("egress", "wrong");
        rf::client_config c = client("carol", bad);
        c.reconnect = false;
        auto r = sync_clients({c}, {{1, 1}}, 1, 5s);
        CHECK_FALSE(r[0].ok);
        CHECK_THAT(r[0].failure.what, Catch::Contains("407"));
        CHECK(srv.stats().accepted.load() == accepted);
    }
    {
        INFO("the probe reports the CONNECT step, TLS through the tunnel, and its diagnosis");
        probe::probe_options o;
        o.server_url = url;
        o.dialect = &dialects::legacy_ros;
        o.realm_path = "/corp/probe";
        o.url_prefix = client_prefix;
        o.auth_header_name = realm_header;
        o.headers = {"Authorization: " + proxy_secret};
        o.token = mint(srv, "dave");
        o.tls.ca_file = pki.ca;
        o.proxy = proxy;
        probe::report r = probe::run_probe(o);
        CHECK(r.ok());
        CHECK(r.proxy.ok());
        CHECK(r.proxy_facts.status == 200);
        CHECK(r.dns_facts.name == "127.0.0.1"); // the proxy's name is what the client resolves
        CHECK(r.tls_facts.verified_name == "localhost");

        o.proxy->auth = transport::proxy_auth::basic("egress", "wrong");
        r = probe::run_probe(o);
        CHECK(r.proxy.failed());
        CHECK(r.proxy_facts.status == 407);
        auto d = probe::diagnose(r);
        CHECK(d.cause == probe::cause::proxy_auth_required);
        CHECK(d.hop == "proxy");

        o.proxy->auth = {};
        r = probe::run_probe(o);
        CHECK(probe::diagnose(r).cause == probe::cause::proxy_auth_required);
        CHECK_THAT(probe::diagnose(r).summary, Catch::Contains("none were given"));
    }
    {
        INFO("the probe names TLS trouble behind the tunnel: untrusted CA, wrong host name");
        probe::probe_options o;
        o.server_url = url;
        o.dialect = &dialects::legacy_ros;
        o.realm_path = "/corp/probe";
        o.url_prefix = client_prefix;
        o.auth_header_name = realm_header;
        o.token = mint(srv, "erin");
        o.proxy = proxy;
        o.tls.ca_file = pki.other_ca;
        probe::report r = probe::run_probe(o);
        CHECK(r.tls.failed());
        CHECK(probe::diagnose(r).cause == probe::cause::tls_untrusted);
        CHECK_THAT(r.tls_facts.subject, Catch::Contains("localhost"));

        o.tls.ca_file = pki.ca;
        o.tls.server_name = "sync.example.com";
        r = probe::run_probe(o);
        CHECK(r.tls.failed());
        auto d = probe::diagnose(r);
        CHECK(d.cause == probe::cause::tls_name_mismatch);
        CHECK_THAT(d.summary, Catch::Contains("DNS:localhost"));
    }
}
