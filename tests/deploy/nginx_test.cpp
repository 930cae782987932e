// Deployment 1: nginx in front of the reference server (docs/deploy/nginx-prefix-rewrite.conf and
// nginx-prefix-passthrough.conf, run exactly as written): TLS terminated by nginx, the gateway's secret
// checked and stripped, X-Realm-Auth forwarded, /my/url/prefix rewritten (or passed through to a
// server that serves it), the WebSocket upgrade forwarded.
#include "realmwire/driver/probe.hpp"

#include "deploy/fixture.hpp"

#include <catch2/catch.hpp>
#include "../support/skip.hpp"

using namespace realmwire;
using namespace rw_deploy;

namespace {

struct nginx_deployment {
    const rw_test::test_pki& pki = test_certificates();
    const shared_keys& keys = test_keys();
    temp_dir data;
    std::unique_ptr<rf::server> srv;
    std::unique_ptr<nginx_instance> nginx;

    nginx_deployment(const std::string& conf, bool server_has_prefix)
    {
        rf::server_config c = server_config(data.str(), keys);
        if (server_has_prefix)
            c.url_prefixes = {client_prefix};
        srv = std::make_unique<rf::server>(c);
        srv->start();
        std::uint16_t port = free_port();
        nginx = std::make_unique<nginx_instance>(source_file("docs/deploy/" + conf),
                                                 std::map<std::string, std::string>{
                                                     {"LISTEN_PORT", std::to_string(port)},
                                                     {"UPSTREAM_PORT", std::to_string(srv->port())},
                                                     {"TLS_CERT", pki.server_cert},
                                                     {"TLS_KEY", pki.server_key},
                                                     {"PROXY_SECRET", proxy_secret}},
                                                 port);
    }
    ~nginx_deployment()
    {
        nginx.reset(); // stop nginx before the server it points at
        srv->stop();
    }
    std::string url() const { return "wss://localhost:" + std::to_string(nginx->port()); }
    rf::client_config client(const std::string& realm, const std::string& who)
    {
        rf::client_config c = seed_client(url(), realm, mint(*srv, who));
        c.tls.ca_file = pki.ca;
        return c;
    }
};

// One deployment, checked in sequence (starting nginx and the server once per variant keeps the
// suite fast); counters are compared as deltas.
void check_deployment(nginx_deployment& dep)
{
    const auto& st = dep.srv->stats();
    {
        INFO("two proxied clients sync through nginx (TLS, proxy secret, X-Realm-Auth, URL prefix)");
        auto r = sync_clients({dep.client("/shop/orders", "alice"), dep.client("/shop/orders", "bob")}, {{1, 4}, {100, 3}}, 7);
        REQUIRE(r[0].ok);
        REQUIRE(r[1].ok);
        CHECK(r[0].objects == r[1].objects);
        CHECK(r[0].items == 7);
        // nginx saw the prefix and the %2F-encoded path, and switched protocols.
        CHECK_THAT(dep.nginx->access_log(), Catch::Contains("GET /my/url/prefix/%2Fshop%2Forders HTTP/1.1\" 101"));
        CHECK(st.accepted.load() >= 2);
    }
    {
        INFO("a client without the gateway's secret is refused by nginx (401), the server never sees it");
        std::size_t accepted = st.accepted.load(), refused = st.refused_handshakes.load();
        rf::client_config c = dep.client("/shop/orders", "carol");
        c.headers.clear();
        auto r = sync_clients({c}, {{1, 1}}, 1, 5s);
        CHECK_FALSE(r[0].ok);
        CHECK(r[0].failure.http_status == 401);
        CHECK_THAT(r[0].failure.http_body, Catch::Contains("nginx"));
        CHECK(st.accepted.load() == accepted);
        CHECK(st.refused_handshakes.load() == refused);
    }
    {
        INFO("a client with the Realm token in the wrong header passes nginx and is refused by the server (400)");
        std::size_t refused = st.refused_handshakes.load();
        rf::client_config c = dep.client("/shop/orders", "dave");
        c.auth_header_name = "X-Realm-Token";
        auto r = sync_clients({c}, {{1, 1}}, 1, 5s);
        CHECK_FALSE(r[0].ok);
        CHECK(r[0].failure.http_status == 400);
        CHECK_THAT(r[0].failure.http_body,
                   Catch::Contains(make_error_code(handshake_error::token_in_wrong_header).message()));
        CHECK(st.refused_handshakes.load() == refused + 1);
    }
    {
        INFO("the probe walks every step through the gateway and BIND is answered");
        probe::probe_options o;
        o.server_url = dep.url();
        o.dialect = &dialects::legacy_ros;
        o.realm_path = "/shop/probe";
        o.url_prefix = client_prefix;
        o.auth_header_name = realm_header;
        o.headers = {"Authorization: " + proxy_secret};
        o.token = mint(*dep.srv, "erin");
        o.tls.ca_file = dep.pki.ca;
        probe::report r = probe::run_probe(o);
        CHECK(r.ok());
        CHECK(r.tls.ok());
        CHECK(r.tls_facts.verify_result == 0);
        CHECK(r.tls_facts.sni == "localhost");
        CHECK_THAT(r.tls_facts.subject, Catch::Contains("localhost"));
        CHECK(r.upgrade_facts.status == 101);
        CHECK(r.upgrade_facts.subprotocol_echoed);
        CHECK(r.upgrade_facts.subprotocol == "io.realm.sync.22");
        CHECK(r.bind_facts.answer == "ident");
        CHECK(r.bind_facts.client_file_ident != 0);
        CHECK(probe::diagnose(r).cause == probe::cause::none);
        // Server: nginx (the gateway's header wins over the upstream's).
        CHECK_THAT(std::string(r.upgrade_facts.headers.get("Server").value_or("")), Catch::Contains("nginx"));
    }
}

} // namespace

TEST_CASE("nginx rewrites /my/url/prefix to /realm-sync on the raw URI (docs/deploy/nginx-prefix-rewrite.conf)")
{
    if (!nginx_instance::available()) {
        REALMWIRE_SKIP("nginx not installed: skipped");
        return;
    }
    nginx_deployment dep("nginx-prefix-rewrite.conf", false);
    check_deployment(dep);
}

TEST_CASE("nginx passes /my/url/prefix through to a server configured with it (docs/deploy/nginx-prefix-passthrough.conf)")
{
    if (!nginx_instance::available()) {
        REALMWIRE_SKIP("nginx not installed: skipped");
        return;
    }
    nginx_deployment dep("nginx-prefix-passthrough.conf", true);
    check_deployment(dep);
}
