#include "realmwire/http/serializer.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace realmwire;
using namespace realmwire::http;

namespace {

request guide_request()
{
    request r;
    r.method = "GET";
    r.target = "/realm-sync/%2Fb920bd7068ef2b470ff4226e0e85716a%2Ffoo";
    r.headers.add("Host", "myROS.internal.com");
    r.headers.add("Upgrade", "websocket");
    r.headers.add("Connection", "Upgrade");
    r.headers.add("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==");
    r.headers.add("Sec-WebSocket-Version", "13");
    r.headers.add("Sec-WebSocket-Protocol", "io.realm.sync.22");
    r.headers.add("Authorization", "Realm-Access-Token version=1 token=\"t\"");
    return r;
}

} // namespace

TEST_CASE("the three header orders")
{
    request r = guide_request();
    CHECK(serialize(r) == "GET /realm-sync/%2Fb920bd7068ef2b470ff4226e0e85716a%2Ffoo HTTP/1.1\r\n"
                          "Host: myROS.internal.com\r\n"
                          "Upgrade: websocket\r\n"
                          "Connection: Upgrade\r\n"
                          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                          "Sec-WebSocket-Version: 13\r\n"
                          "Sec-WebSocket-Protocol: io.realm.sync.22\r\n"
                          "Authorization: Realm-Access-Token version=1 token=\"t\"\r\n"
                          "\r\n");
    // the proxy guide's example request: everything sorted, Host among the others
    CHECK(serialize(r, header_order::sorted) == "GET /realm-sync/%2Fb920bd7068ef2b470ff4226e0e85716a%2Ffoo HTTP/1.1\r\n"
                                                "Authorization: Realm-Access-Token version=1 token=\"t\"\r\n"
                                                "Connection: Upgrade\r\n"
                                                "Host: myROS.internal.com\r\n"
                                                "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                                "Sec-WebSocket-Protocol: io.realm.sync.22\r\n"
                                                "Sec-WebSocket-Version: 13\r\n"
                                                "Upgrade: websocket\r\n"
                                                "\r\n");
    // realm-core: Host first, then the rest sorted
    CHECK(serialize(r, header_order::realm_core) ==
          "GET /realm-sync/%2Fb920bd7068ef2b470ff4226e0e85716a%2Ffoo HTTP/1.1\r\n"
          "Host: myROS.internal.com\r\n"
          "Authorization: Realm-Access-Token version=1 token=\"t\"\r\n"
          "Connection: Upgrade\r\n"
          "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
          "Sec-WebSocket-Protocol: io.realm.sync.22\r\n"
          "Sec-WebSocket-Version: 13\r\n"
          "Upgrade: websocket\r\n"
          "\r\n");
}

TEST_CASE("sorting compares tolower() bytes as realm-core's map does, and is stable")
{
    request r;
    r.target = "/";
    r.headers.add("a_b", "1"); // '_' (0x5F) sorts before 'a' (0x61) once lowered
    r.headers.add("AA", "2");
    r.headers.add("x-z", "3");
    r.headers.add("X-A", "4");
    r.headers.add("x-a", "5");
    r.headers.add("A", "6");
    CHECK(serialize(r, header_order::sorted) ==
          "GET / HTTP/1.1\r\nA: 6\r\na_b: 1\r\nAA: 2\r\nX-A: 4\r\nx-a: 5\r\nx-z: 3\r\n\r\n");
    CHECK(http::detail::header_name_less("Sec-WebSocket-Key", "sec-websocket-protocol"));
    CHECK_FALSE(http::detail::header_name_less("HOST", "host"));
    CHECK(http::detail::header_name_less("Host", "Hostx"));
}

TEST_CASE("serialize_to appends, bodies go out as set")
{
    request r;
    r.method = "POST";
    r.target = "/auth";
    r.version_minor = 0;
    r.headers.add("Content-Length", "2");
    r.body = "{}";
    std::string out = "prefix|";
    serialize_to(out, r);
    CHECK(out == "prefix|POST /auth HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}");

    response s;
    s.status = 404;
    s.reason = "Not Found";
    s.headers.add("Content-Length", "3");
    s.body = "no\n";
    CHECK(serialize(s) == "HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno\n");
    s.reason.clear();
    s.status = 101;
    s.headers.clear();
    s.body.clear();
    CHECK(serialize(s) == "HTTP/1.1 101 \r\n\r\n");
}

TEST_CASE("nothing that would break the framing is written")
{
    struct row {
        request r;
        http_error error;
    };
    auto with = [](auto f) {
        request r;
        f(r);
        return r;
    };
    const row rows[] = {
        {with([](request& r) { r.method = ""; }), http_error::bad_method},
        {with([](request& r) { r.method = "G T"; }), http_error::bad_method},
        {with([](request& r) { r.target = ""; }), http_error::bad_target},
        {with([](request& r) { r.target = "/a b"; }), http_error::bad_target},
        {with([](request& r) { r.target = "/a\r\nX: y"; }), http_error::bad_target},
        {with([](request& r) { r.version_minor = 2; }), http_error::bad_version},
        {with([](request& r) { r.headers.add("Bad Name", "v"); }), http_error::bad_header_name},
        {with([](request& r) { r.headers.add("", "v"); }), http_error::bad_header_name},
        {with([](request& r) { r.headers.add("X", "a\r\nInjected: 1"); }), http_error::bad_header_value},
        {with([](request& r) { r.headers.add("X", std::string("a\0b", 3)); }), http_error::bad_header_value},
    };
    for (const auto& row : rows) {
        std::error_code ec;
        std::string out = "keep";
        serialize_to(out, row.r, header_order::as_set, ec);
        CHECK(ec == row.error);
        CHECK(out == "keep");
        CHECK(serialize(row.r, ec).empty());
        CHECK(ec == row.error);
        CHECK_THROWS_AS(serialize(row.r), system_error);
    }
    response s;
    std::error_code ec;
    s.status = 99;
    serialize(s, ec);
    CHECK(ec == http_error::bad_status);
    s.status = 200;
    s.reason = "O\nK";
    serialize(s, ec);
    CHECK(ec == http_error::bad_reason);
    s.reason = "OK";
    s.headers.add("X", "\x7F");
    serialize(s, ec);
    CHECK(ec == http_error::bad_header_value);
    CHECK_THROWS_AS(serialize(s), system_error);
}
