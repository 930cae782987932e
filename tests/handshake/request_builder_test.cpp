#include "realmwire/handshake/request_builder.hpp"

#include "handshake/support.hpp"

#include <catch2/catch.hpp>

using namespace realmwire;

namespace {

const std::string rfc_key = "dGhlIHNhbXBsZSBub25jZQ==";

client_handshake_options guide_options()
{
    client_handshake_options o;
    o.dialect = &dialects::legacy_ros;
    o.host_header = "myROS.internal.com";
    o.realm_path = "/b920bd7068ef2b470ff4226e0e85716a/foo";
    o.key = rfc_key;
    o.order = http::header_order::sorted;
    return o;
}

} // namespace

TEST_CASE("request builder: the proxy guide's request byte for byte (docs.realm.io proxy example)")
{
    auto hs = build_handshake_request(guide_options(), "...");
    CHECK(hs.bytes() == handshake_test::guide_request);
    CHECK(hs.key == rfc_key);
    CHECK(hs.offered == version_range{22, 22});
}

TEST_CASE("request builder: the proxy guide's request with X-Realm-Auth and a proxy's own Authorization")
{
    policy::custom_headers custom;
    custom.add("Authorization", "Bearer proxy-token-123");
    auto hs = build_handshake_request(guide_options(), "...",
                                      policy::header_token{"X-Realm-Auth", token_scheme::realm_access_token}, custom);
    CHECK(hs.bytes() == "GET /realm-sync/%2Fb920bd7068ef2b470ff4226e0e85716a%2Ffoo HTTP/1.1\r\n"
                        "Authorization: Bearer proxy-token-123\r\n"
                        "Connection: Upgrade\r\n"
                        "Host: myROS.internal.com\r\n"
                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                        "Sec-WebSocket-Protocol: io.realm.sync.22\r\n"
                        "Sec-WebSocket-Version: 13\r\n"
                        "Upgrade: websocket\r\n"
                        "X-Realm-Auth: Realm-Access-Token version=1 token=\"...\"\r\n"
                        "\r\n");
}

TEST_CASE("request builder: the proxy guide's request with urlPrefix /my/url/prefix")
{
    auto o = guide_options();
    o.url_prefix = "/my/url/prefix";
    auto hs = build_handshake_request(o, "...");
    std::string bytes = hs.bytes();
    CHECK(bytes.rfind("GET /my/url/prefix/%2Fb920bd7068ef2b470ff4226e0e85716a%2Ffoo HTTP/1.1\r\n"
                      "Authorization: Realm-Access-Token version=1 token=\"...\"\r\n",
                      0) == 0);
    CHECK(bytes.find("Host: myROS.internal.com\r\n") != std::string::npos);
}

TEST_CASE("request builder: from a server URL, per dialect")
{
    client_handshake_options o;
    o.dialect = &dialects::legacy_ros;
    o.key = rfc_key;
    apply_server_url(o, parse_server_url("realm://myROS.internal.com/b920bd7068ef2b470ff4226e0e85716a/foo"));
    CHECK(o.host_header == "myROS.internal.com");
    CHECK(o.realm_path == "/b920bd7068ef2b470ff4226e0e85716a/foo");
    CHECK(o.url_prefix.empty());

    client_handshake_options m;
    m.dialect = &dialects::mongodb_flx;
    apply_server_url(m, parse_server_url("wss://ws.example.com:8443/api/client/v2.0/app/x/realm-sync"));
    CHECK(m.host_header == "ws.example.com:8443");
    CHECK(m.host == "ws.example.com");
    CHECK(m.url_prefix == "/api/client/v2.0/app/x/realm-sync");
    m.key = rfc_key;
    auto hs = build_handshake_request(m, "eyJ.x.y");
    CHECK(hs.request.target == "/api/client/v2.0/app/x/realm-sync?baas_at=eyJ.x.y");
    CHECK(hs.request.headers.get("Sec-WebSocket-Protocol")->substr(0, 33) == "com.mongodb.realm-query-sync#14, ");

    // realm-core's order: Host first, the rest sorted case-insensitively.
    std::string bytes = hs.bytes();
    CHECK(bytes.find("HTTP/1.1\r\nHost: ws.example.com:8443\r\nConnection: Upgrade\r\nSec-WebSocket-Key") !=
          std::string::npos);
}

TEST_CASE("request builder: every session vector's request rebuilt byte for byte")
{
    const std::string token = handshake_test::admin_token();
    for (const auto& name : handshake_test::session_names()) {
        INFO(name);
        std::string recorded = handshake_test::session(name, "c2s.http");
        client_handshake_options o;
        o.dialect = &dialects::mongodb_pbs;
        o.host_header = handshake_test::raw_header(recorded, "Host"); // the relay's port, chosen at run time
        o.key = handshake_test::raw_header(recorded, "Sec-WebSocket-Key"); // random per run
        o.user_agent = "rc-sync-client/14.14.0";
        o.order = http::header_order::realm_core;
        if (name == "e-wrong-prefix-404")
            o.url_prefix = "/wrong"; // --service-identifier /wrong
        client_handshake hs;
        if (name == "a-write5") {
            // --send-auth-header --auth-header-name X-Realm-Auth --header 'X-Proxy-Token: abc'
            policy::custom_headers custom;
            custom.add("X-Proxy-Token", "abc");
            hs = build_handshake_request(
                o, token, policy::both(policy::query_token{}, policy::header_token{"X-Realm-Auth", token_scheme::bearer}),
                custom);
        }
        else {
            hs = build_handshake_request(o, token);
        }
        CHECK(hs.bytes() == recorded);
    }
}

TEST_CASE("request builder: configuration errors, each with its code")
{
    auto o = guide_options();
    std::error_code ec;

    SECTION("custom header clashing with the token header")
    {
        policy::custom_headers custom;
        custom.add("authorization", "x");
        build_handshake_request(o, "t", policy::default_token_placement(*o.dialect), custom, ec);
        CHECK(ec == handshake_error::token_header_clash);
    }
    SECTION("custom header replacing a handshake header")
    {
        for (auto name : {"Host", "upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Protocol",
                          "Sec-WebSocket-Version"}) {
            policy::custom_headers custom;
            custom.add(name, "x");
            build_handshake_request(o, "t", policy::default_token_placement(*o.dialect), custom, ec);
            CHECK(ec == handshake_error::reserved_header);
        }
        o.user_agent = "me/1";
        policy::custom_headers ua;
        ua.add("User-Agent", "other/2");
        build_handshake_request(o, "t", policy::default_token_placement(*o.dialect), ua, ec);
        CHECK(ec == handshake_error::reserved_header);
    }
    SECTION("bad inputs")
    {
        build_handshake_request(o, "", ec);
        CHECK(ec == handshake_error::empty_token);
        o.url_prefix = "no-slash";
        build_handshake_request(o, "t", ec);
        CHECK(ec == handshake_error::invalid_url_prefix);
        o.url_prefix.clear();
        o.realm_path.clear();
        build_handshake_request(o, "t", ec);
        CHECK(ec == handshake_error::missing_realm_path);
        o.realm_path = "/a/b.realm";
        build_handshake_request(o, "t", ec);
        CHECK(ec == path_error::reserved_suffix);
        o.realm_path = "/~/tasks";
        build_handshake_request(o, "t", ec);
        CHECK(ec == path_error::unexpanded_user_segment); // `~` needs the user id
        o.user_id = "u1";
        CHECK(build_handshake_request(o, "t", ec).request.target == "/realm-sync/%2Fu1%2Ftasks");
        CHECK_FALSE(ec);
        o.realm_path = "/a/b";
        o.key = "short";
        build_handshake_request(o, "t", ec);
        CHECK(ec == handshake_error::invalid_websocket_key);
        o.key.clear();
        auto hs = build_handshake_request(o, "t", ec);
        CHECK_FALSE(ec);
        CHECK(websocket::is_valid_key(hs.key));
        o.versions = version_range{5, 2};
        build_handshake_request(o, "t", ec);
        CHECK(ec == handshake_error::invalid_version_range);
        CHECK_THROWS_AS(build_handshake_request(o, "t"), realmwire::system_error);
    }
}

namespace {
// docs/handshake.md's own dialect, written field by field from mongodb_pbs.
constexpr dialect behind_gateway = [] {
    dialect d = dialects::mongodb_pbs;
    d.name = "pbs_behind_gateway";
    d.token_at = token_location::header;
    d.token_header = "X-Realm-Auth";
    d.scheme = token_scheme::raw;
    return d;
}();
} // namespace

TEST_CASE("request builder: a dialect of the user's own, named field by field, moves the token to its header")
{
    static_assert(behind_gateway.subprotocol_prefix == dialects::mongodb_pbs.subprotocol_prefix);
    client_handshake_options o;
    o.dialect = &behind_gateway;
    o.host_header = "sync.example.com";
    o.key = rfc_key;
    auto hs = build_handshake_request(o, "tok123");
    const std::string bytes = hs.bytes();
    CHECK(bytes.rfind("GET /realm-sync HTTP/1.1\r\n", 0) == 0); // no ?baas_at=
    CHECK(bytes.find("X-Realm-Auth: tok123\r\n") != std::string::npos);
    CHECK(bytes.find("Sec-WebSocket-Protocol: com.mongodb.realm-sync#14, ") != std::string::npos);
    CHECK(bytes.find("baas_at") == std::string::npos);
}
