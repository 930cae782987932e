#include "realmwire/url.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace realmwire;

namespace {

std::error_code parse_error(std::string_view url, std::size_t* offset = nullptr, const url_options& o = {})
{
    std::error_code ec;
    error_info info;
    parse_server_url(url, ec, o, &info);
    if (offset)
        *offset = info.offset;
    return ec;
}

} // namespace

TEST_CASE("the proxy guide's URL: realms with the default-port hack")
{
    server_url u = parse_server_url("realms://myROS.internal.com/~/foo");
    CHECK(u.scheme == url_scheme::realms);
    CHECK(u.tls());
    CHECK(u.host == "myROS.internal.com");
    CHECK_FALSE(u.host_is_ipv6);
    CHECK(u.port == 443);
    CHECK(u.default_port());
    CHECK(u.host_header() == "myROS.internal.com");
    CHECK(u.path == "/~/foo");
}

TEST_CASE("default ports for every scheme, with and without realm-core's port hack")
{
    url_options no_hack;
    no_hack.enable_default_port_hack = false;
    struct row {
        const char* url;
        url_scheme scheme;
        std::uint16_t hack_port, plain_port;
        bool tls;
    };
    const row rows[] = {
        {"realm://h", url_scheme::realm, 80, 7800, false}, {"realms://h", url_scheme::realms, 443, 7801, true},
        {"ws://h", url_scheme::ws, 80, 80, false},          {"wss://h", url_scheme::wss, 443, 443, true},
        {"http://h", url_scheme::http, 80, 80, false},      {"https://h", url_scheme::https, 443, 443, true},
    };
    for (const auto& r : rows) {
        INFO(r.url);
        server_url a = parse_server_url(r.url);
        server_url b = parse_server_url(r.url, no_hack);
        CHECK(a.scheme == r.scheme);
        CHECK(a.port == r.hack_port);
        CHECK(b.port == r.plain_port);
        CHECK(a.tls() == r.tls);
        CHECK(a.path == "");
        CHECK(a.host_header() == "h");
    }
    // Without the hack realm:/realms: keep 7800/7801 in Host, as realm-core's socket provider does.
    CHECK(parse_server_url("realm://h", no_hack).host_header() == "h:7800");
    CHECK(parse_server_url("realms://h/x", no_hack).host_header() == "h:7801");
}

TEST_CASE("explicit ports, the path as the URL prefix, IPv6 literals")
{
    server_url u = parse_server_url("wss://sync.example.com:8443/my/url/prefix");
    CHECK(u.port == 8443);
    CHECK_FALSE(u.default_port());
    CHECK(u.host_header() == "sync.example.com:8443");
    CHECK(u.path == "/my/url/prefix");
    CHECK(u.to_string() == "wss://sync.example.com:8443/my/url/prefix");

    CHECK(parse_server_url("ws://127.0.0.1:34905").host_header() == "127.0.0.1:34905");
    CHECK(parse_server_url("ws://h:80/").host_header() == "h");
    CHECK(parse_server_url("ws://h:80/").path == "/");
    CHECK(parse_server_url("ws://h:/x").port == 80); // empty port = default (RFC 3986, realm-core)
    CHECK(parse_server_url("ws://h:0080").port == 80);
    CHECK(parse_server_url("ws://h:65535").port == 65535);
    CHECK(parse_server_url("WSS://H").scheme == url_scheme::wss);

    server_url v6 = parse_server_url("ws://[::1]:9090/realm-sync");
    CHECK(v6.host == "::1");
    CHECK(v6.host_is_ipv6);
    CHECK(v6.port == 9090);
    CHECK(v6.host_header() == "[::1]:9090");
    CHECK(v6.to_string() == "ws://[::1]:9090/realm-sync");
    CHECK(parse_server_url("wss://[fe80::1:2]").host_header() == "[fe80::1:2]");
    for (auto ok : {"::", "::1", "1::", "1:2:3:4:5:6:7:8", "1::8", "::ffff:192.0.2.1", "1:2:3:4:5:6:1.2.3.4",
                    "2001:DB8::a:b"}) {
        INFO(ok);
        CHECK_FALSE(parse_error(std::string("ws://[") + ok + "]"));
    }
}

TEST_CASE("to_string parses back to the same value")
{
    url_options no_hack;
    no_hack.enable_default_port_hack = false;
    for (auto s : {"realm://h", "realms://h:7801/a/b", "ws://[::1]", "wss://x.y:1/p%20q", "https://auth.example"}) {
        for (const auto& o : {url_options{}, no_hack}) {
            INFO(s);
            server_url u = parse_server_url(s, o);
            CHECK(parse_server_url(u.to_string(), o) == u);
        }
    }
    CHECK(parse_server_url("realm://h").to_string() == "realm://h:80");
    CHECK(parse_server_url("wss://h:443").to_string() == "wss://h");
}

TEST_CASE("a bare ? or # is dropped as realm-core's canonicalize() does")
{
    CHECK(parse_server_url("ws://h/p?").path == "/p");
    CHECK(parse_server_url("ws://h/p#").path == "/p");
    CHECK(parse_server_url("ws://h?#").path == "");
}

TEST_CASE("every URL error has its own code and offset")
{
    struct row {
        const char* url;
        url_error error;
        std::size_t offset;
    };
    const row rows[] = {
        {"", url_error::empty, 0},
        {"ws://h/a b", url_error::invalid_character, 8},
        {"ws://h/\x7F", url_error::invalid_character, 7},
        {"ws://h\xC3\xA9", url_error::invalid_character, 6},
        {"//host/path", url_error::missing_scheme, 0},
        {"host", url_error::missing_scheme, 0},
        {"1ws://h", url_error::missing_scheme, 0},
        {"w_s://h", url_error::missing_scheme, 1},
        {"ftp://h", url_error::unsupported_scheme, 0},
        {"wsx://h", url_error::unsupported_scheme, 0},
        {"ws:h", url_error::missing_authority, 3},
        {"ws:/h", url_error::missing_authority, 3},
        {"ws://user:pw@h", url_error::userinfo_not_allowed, 12},
        {"ws://@h", url_error::userinfo_not_allowed, 5},
        {"ws://", url_error::empty_host, 5},
        {"ws:///x", url_error::empty_host, 5},
        {"ws://:80/x", url_error::empty_host, 5},
        {"ws://h%41/", url_error::invalid_host, 6},
        {"ws://a:b:80", url_error::invalid_port, 7},
        {"ws://[::1", url_error::invalid_ipv6, 5},
        {"ws://[::1::2]", url_error::invalid_ipv6, 6},
        {"ws://[1:2:3:4:5:6:7:8:9]", url_error::invalid_ipv6, 6},
        {"ws://[1:2:3:4:5:6:7]", url_error::invalid_ipv6, 6},
        {"ws://[12345::]", url_error::invalid_ipv6, 6},
        {"ws://[::1.2.3.256]", url_error::invalid_ipv6, 6},
        {"ws://[::01.2.3.4]", url_error::invalid_ipv6, 6},
        {"ws://[:1]", url_error::invalid_ipv6, 6},
        {"ws://[1:]", url_error::invalid_ipv6, 6},
        {"ws://[]", url_error::invalid_ipv6, 6},
        {"ws://[v1.x]", url_error::invalid_ipv6, 6},
        {"ws://[::1]x", url_error::invalid_host, 10},
        {"ws://h:0", url_error::invalid_port, 7},
        {"ws://h:65536", url_error::invalid_port, 7},
        {"ws://h:+80", url_error::invalid_port, 7},
        {"ws://h:8x", url_error::invalid_port, 7},
        {"ws://[::1]:-1", url_error::invalid_port, 11},
        {"ws://h/a%2", url_error::invalid_path, 8},
        {"ws://h/a%zz", url_error::invalid_path, 8},
        {"ws://h/a\"b", url_error::invalid_path, 8},
        {"ws://h/a{b}", url_error::invalid_path, 8},
        {"ws://h/p?baas_at=x", url_error::query_not_allowed, 8},
        {"ws://h?x", url_error::query_not_allowed, 6},
        {"ws://h/p#frag", url_error::fragment_not_allowed, 8},
        {"ws://h/p?#f", url_error::fragment_not_allowed, 9},
    };
    for (const auto& r : rows) {
        INFO(r.url);
        std::size_t offset = 0;
        CHECK(parse_error(r.url, &offset) == r.error);
        CHECK(offset == r.offset);
    }
}

TEST_CASE("URL limits and scheme switches")
{
    url_options o;
    o.max_length = 10;
    CHECK_FALSE(parse_error("ws://h/678", nullptr, o));
    CHECK(parse_error("ws://h/6789", nullptr, o) == url_error::too_long);
    CHECK(make_error_code(url_error::too_long) == condition::limit_exceeded);
    CHECK(make_error_code(url_error::unsupported_scheme) == condition::unsupported);

    url_options sync_only;
    sync_only.allow_http_schemes = false;
    CHECK(parse_error("https://h", nullptr, sync_only) == url_error::unsupported_scheme);
    CHECK_FALSE(parse_error("realms://h", nullptr, sync_only));
    url_options http_only;
    http_only.allow_sync_schemes = false;
    CHECK(parse_error("wss://h", nullptr, http_only) == url_error::unsupported_scheme);
    CHECK_FALSE(parse_error("http://h", nullptr, http_only));

    try {
        parse_server_url("ws://h:99999");
        FAIL("no throw");
    }
    catch (const system_error& e) {
        CHECK(e.code() == url_error::invalid_port);
        CHECK(e.info().offset == 7);
    }
}
