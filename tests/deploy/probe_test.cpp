// The probe against deliberately misconfigured nginx instances (tests/deploy/conf/nginx-broken.conf
// with one location body per mistake), each diagnosis asserted; plus the classifier on hand-made
// reports and the `realmwire probe` tool's output and exit codes.
#include "realmwire/driver/probe.hpp"

#include "deploy/fixture.hpp"

#include <catch2/catch.hpp>
#include "../support/skip.hpp"
#include "../support/tool_process.hpp"

#include <asio/write.hpp>

#include <array>
#include <cstdio>

using namespace realmwire;
using namespace rw_deploy;

namespace {

const std::string upgrade_lines = "            proxy_http_version 1.1;\n"
                                  "            proxy_set_header Upgrade $http_upgrade;\n"
                                  "            proxy_set_header Connection $connection_upgrade;\n";
const std::string good_location = "            proxy_pass http://realm_sync$realm_sync_uri;\n" + upgrade_lines;

struct broken_gateway {
    const shared_keys& keys = test_keys();
    temp_dir data;
    std::unique_ptr<rf::server> srv;
    std::unique_ptr<nginx_instance> nginx;

    explicit broken_gateway(const std::string& location_body, bool upstream_down = false)
    {
        srv = std::make_unique<rf::server>(server_config(data.str(), keys));
        srv->start();
        std::uint16_t port = free_port();
        std::uint16_t upstream = upstream_down ? free_port() : srv->port();
        nginx = std::make_unique<nginx_instance>(source_file("tests/deploy/conf/nginx-broken.conf"),
                                                 std::map<std::string, std::string>{
                                                     {"LISTEN_PORT", std::to_string(port)},
                                                     {"UPSTREAM_PORT", std::to_string(upstream)},
                                                     {"LOCATION_BODY", location_body}},
                                                 port);
    }
    ~broken_gateway()
    {
        nginx.reset();
        srv->stop();
    }
    probe::probe_options options()
    {
        probe::probe_options o;
        o.server_url = "ws://127.0.0.1:" + std::to_string(nginx->port());
        o.dialect = &dialects::legacy_ros;
        o.realm_path = "/abc/foo";
        o.url_prefix = client_prefix;
        o.auth_header_name = realm_header;
        o.token = mint(*srv, "alice");
        return o;
    }
};

probe::diagnosis probe_through(const std::string& location_body, probe::report* out = nullptr, bool upstream_down = false)
{
    broken_gateway g(location_body, upstream_down);
    probe::report r = probe::run_probe(g.options());
    if (out)
        *out = r;
    return probe::diagnose(r);
}

/// Status of a plain HTTP/1.0 GET (what nginx sends upstream by default), straight to a port.
int plain_get_status(std::uint16_t port, const std::string& target)
{
    asio::io_context ioc;
    asio::ip::tcp::socket s(ioc);
    s.connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    std::string req = "GET " + target + " HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n";
    asio::write(s, asio::buffer(req));
    std::string got;
    std::array<char, 1024> buf{};
    std::error_code ec;
    while (got.find("\r\n") == std::string::npos) {
        std::size_t n = s.read_some(asio::buffer(buf), ec);
        if (ec)
            break;
        got.append(buf.data(), n);
    }
    // "HTTP/1.1 400 Bad Request"
    return got.size() > 12 ? std::atoi(got.substr(9, 3).c_str()) : 0;
}

std::string run_tool(const std::string& args, int& status)
{
    auto r = rw_tool_test::run_tool_shell(args);
    status = r.status;
    return r.output;
}

} // namespace

TEST_CASE("probe: the correctly configured gateway passes every step (control case)")
{
    if (!nginx_instance::available()) {
        REALMWIRE_SKIP("nginx not installed: skipped");
        return;
    }
    probe::report r;
    auto d = probe_through(good_location, &r);
    CHECK(d.cause == probe::cause::none);
    CHECK(r.ok());
    CHECK(r.request.target == "/my/url/prefix/%2Fabc%2Ffoo");
    CHECK(r.request.token_header == realm_header);
}

TEST_CASE("probe: nginx strips the token header X-Realm-Auth")
{
    if (!nginx_instance::available()) {
        REALMWIRE_SKIP("nginx not installed: skipped");
        return;
    }
    probe::report r;
    auto d = probe_through(good_location + "            proxy_set_header X-Realm-Auth \"\";\n", &r);
    CHECK(d.cause == probe::cause::token_header_stripped);
    CHECK(d.step == probe::step_kind::upgrade);
    CHECK(d.hop == "gateway");
    CHECK_THAT(d.summary, Catch::Contains("X-Realm-Auth"));
    CHECK(r.upgrade_facts.status == 400);
    CHECK_FALSE(r.upgrade_facts.subprotocol_echoed);
}

TEST_CASE("probe: nginx does not rewrite the URL prefix")
{
    if (!nginx_instance::available()) {
        REALMWIRE_SKIP("nginx not installed: skipped");
        return;
    }
    probe::report r;
    auto d = probe_through("            proxy_pass http://realm_sync;\n" + upgrade_lines, &r);
    CHECK(d.cause == probe::cause::prefix_not_rewritten);
    CHECK(r.upgrade_facts.status == 404);
    CHECK_THAT(d.summary, Catch::Contains("/my/url/prefix"));
}

TEST_CASE("probe: nginx does not forward the WebSocket upgrade")
{
    if (!nginx_instance::available()) {
        REALMWIRE_SKIP("nginx not installed: skipped");
        return;
    }
    SECTION("no proxy_http_version 1.1 / Upgrade / Connection: the server sees a plain HTTP/1.0 GET")
    {
        // The server must say what it missed: a 400 naming Upgrade / HTTP/1.1 (realmwire's acceptor).
        // A server that answers such a GET with its generic 404 (as ROS did) makes this mistake look
        // exactly like an unrewritten prefix; then there is nothing for the probe to tell apart.
        broken_gateway direct(good_location);
        int status = plain_get_status(direct.srv->port(), "/realm-sync/%2Fabc%2Ffoo");
        REQUIRE(status == 400);
        probe::report r;
        auto d = probe_through("            proxy_pass http://realm_sync$realm_sync_uri;\n", &r);
        CHECK(d.cause == probe::cause::upgrade_not_forwarded);
        CHECK(r.upgrade_facts.status != 101);
        CHECK_THAT(d.advice, Catch::Contains("proxy_set_header Upgrade"));
    }
    SECTION("a catch-all location answers 200 itself (an SPA fallback)")
    {
        probe::report r;
        auto d = probe_through("            default_type text/html;\n            return 200 \"<html>app</html>\";\n", &r);
        CHECK(d.cause == probe::cause::upgrade_not_forwarded);
        CHECK(r.upgrade_facts.status == 200);
        CHECK_FALSE(r.upgrade_facts.subprotocol_echoed);
    }
}

TEST_CASE("probe: nginx decodes %2F in the realm path (proxy_pass with a URI part)")
{
    if (!nginx_instance::available()) {
        REALMWIRE_SKIP("nginx not installed: skipped");
        return;
    }
    probe::report r;
    auto d = probe_through("            proxy_pass http://realm_sync/realm-sync;\n" + upgrade_lines, &r);
    CHECK(d.cause == probe::cause::encoded_slash_decoded);
    CHECK(r.upgrade_facts.status == 400);
    CHECK_THAT(d.advice, Catch::Contains("$request_uri"));
}

TEST_CASE("probe: the upstream behind nginx is down (502)")
{
    if (!nginx_instance::available()) {
        REALMWIRE_SKIP("nginx not installed: skipped");
        return;
    }
    probe::report r;
    auto d = probe_through(good_location, &r, true);
    CHECK(d.cause == probe::cause::gateway_error);
    CHECK(r.upgrade_facts.status == 502);
    CHECK_THAT(d.summary, Catch::Contains("nginx"));
}

TEST_CASE("probe: nothing listens (connection refused) and a bad URL")
{
    probe::probe_options o;
    o.server_url = "ws://127.0.0.1:" + std::to_string(free_port());
    o.token = "t";
    probe::report r = probe::run_probe(o);
    CHECK(r.dns.ok());
    CHECK(r.tcp.failed());
    CHECK(r.tcp.ec == transport_error::connect_failed);
    CHECK(probe::diagnose(r).cause == probe::cause::tcp_refused);
    CHECK_FALSE(r.upgrade_facts.sent);

    o.server_url = "ftp://127.0.0.1:1/x";
    r = probe::run_probe(o);
    CHECK(r.url.failed());
    CHECK(probe::diagnose(r).cause == probe::cause::bad_url);
}

TEST_CASE("probe: classifier rules on hand-made reports")
{
    probe::report r;
    r.request.host = "sync.example.com";
    r.request.port = 443;
    r.request.url_prefix = "/realm-sync";
    r.request.default_prefix = "/realm-sync";
    r.request.target = "/realm-sync/%2Fabc%2Ffoo";
    r.request.token_header = "Authorization";
    r.url.status = r.dns.status = r.tcp.status = probe::step_status::ok;
    r.upgrade.status = probe::step_status::failed;
    auto& u = r.upgrade_facts;
    u.sent = true;

    SECTION("503 from the sync server itself is not blamed on a gateway")
    {
        u.status = 503;
        u.headers.set("Server", "Realm-Object-Server/3.12.0");
        auto d = probe::diagnose(r);
        CHECK(d.cause == probe::cause::server_unavailable);
        CHECK(d.hop == "server");
    }
    SECTION("503 from HAProxy (no Server header, HTML body) is a gateway error")
    {
        u.status = 503;
        u.body = "<html><body><h1>503 Service Unavailable</h1>\nNo server is available to handle this request.\n";
        CHECK(probe::diagnose(r).cause == probe::cause::gateway_error);
    }
    SECTION("404 under the default prefix: no sync route")
    {
        u.status = 404;
        CHECK(probe::diagnose(r).cause == probe::cause::no_sync_route);
    }
    SECTION("426 Upgrade Required")
    {
        u.status = 426;
        CHECK(probe::diagnose(r).cause == probe::cause::upgrade_not_forwarded);
    }
    SECTION("the token is missing and it travelled in the query: the query was dropped")
    {
        r.request.token_header.clear();
        r.request.token_query_param = "baas_at";
        u.status = 401;
        u.body = make_error_code(handshake_error::missing_token).message() + "\n";
        CHECK(probe::diagnose(r).cause == probe::cause::token_query_stripped);
    }
    SECTION("401 with another reason: the token itself was refused")
    {
        u.status = 401;
        u.body = "access token refused\n";
        CHECK(probe::diagnose(r).cause == probe::cause::unauthorized);
    }
    SECTION("101 without a subprotocol")
    {
        u.status = 101;
        CHECK(probe::diagnose(r).cause == probe::cause::subprotocol_not_echoed);
    }
    SECTION("no common version")
    {
        u.status = 400;
        u.body = "Protocol version negotiation failed: No version supported by both client and server.\n";
        CHECK(probe::diagnose(r).cause == probe::cause::protocol_mismatch);
        u.body = make_error_code(handshake_error::no_common_version).message();
        CHECK(probe::diagnose(r).cause == probe::cause::protocol_mismatch);
        u.body = "something else\n";
        CHECK(probe::diagnose(r).cause == probe::cause::refused_other);
        u.body = make_error_code(handshake_error::missing_subprotocol).message();
        CHECK(probe::diagnose(r).cause == probe::cause::protocol_mismatch);
    }
    SECTION("a proxy 407, with and without credentials")
    {
        r.upgrade.status = probe::step_status::not_run;
        r.request.proxy = "proxy:3128";
        r.proxy.status = probe::step_status::failed;
        r.proxy_facts.status = 407;
        auto d = probe::diagnose(r);
        CHECK(d.cause == probe::cause::proxy_auth_required);
        CHECK_THAT(d.summary, Catch::Contains("none were given"));
        r.request.proxy_auth = true;
        CHECK_THAT(probe::diagnose(r).summary, Catch::Contains("refused"));
        r.proxy_facts.status = 403;
        CHECK(probe::diagnose(r).cause == probe::cause::proxy_refused);
    }
    SECTION("BIND refused with 206")
    {
        r.upgrade.status = probe::step_status::ok;
        r.bind.status = probe::step_status::failed;
        r.bind_facts.error_code = 206;
        r.bind_facts.message = "Permission denied";
        auto d = probe::diagnose(r);
        CHECK(d.cause == probe::cause::bind_refused);
        CHECK(d.step == probe::step_kind::bind);
    }
}

TEST_CASE("probe tool: prints the steps and the diagnosis, exit 1 on a broken route, 2 on usage")
{
    if (!nginx_instance::available()) {
        REALMWIRE_SKIP("nginx not installed: skipped");
        return;
    }
    broken_gateway g(good_location + "            proxy_set_header X-Realm-Auth \"\";\n");
    auto o = g.options();
    int status = 0;
    std::string out = run_tool("probe --server " + o.server_url + " --path /abc/foo --dialect legacy_ros --url-prefix " +
                                   client_prefix + " --auth-header-name X-Realm-Auth --token '" + o.token + "'",
                               status);
    CHECK(status == 1);
    CHECK_THAT(out, Catch::Contains("[ok  ] tcp"));
    CHECK_THAT(out, Catch::Contains("[FAIL] upgrade"));
    CHECK_THAT(out, Catch::Contains("diagnosis: token_header_stripped"));
    CHECK_THAT(out, Catch::Contains("subprotocol NOT echoed"));
    CHECK(out.find(o.token) == std::string::npos); // never printed

    out = run_tool("probe --server " + o.server_url, status);
    CHECK(status == 2);
}
