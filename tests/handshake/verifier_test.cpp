#include "realmwire/handshake/verifier.hpp"

#include "realmwire/handshake/acceptor.hpp"

#include "handshake/support.hpp"

#include <catch2/catch.hpp>

using namespace realmwire;

namespace {

client_handshake vector_handshake(const std::string& name)
{
    std::string recorded = handshake_test::session(name, "c2s.http");
    client_handshake_options o;
    o.dialect = &dialects::mongodb_pbs;
    o.host_header = handshake_test::raw_header(recorded, "Host");
    o.key = handshake_test::raw_header(recorded, "Sec-WebSocket-Key");
    return build_handshake_request(o, handshake_test::admin_token());
}

std::string response_101(const std::string& key, const std::string& protocol)
{
    return "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: " +
           websocket::compute_accept_key(key) + "\r\nSec-WebSocket-Protocol: " + protocol +
           "\r\nUpgrade: websocket\r\n\r\n";
}

} // namespace

TEST_CASE("verifier: every recorded realm-core response is judged as realm-core's client judged it")
{
    for (const auto& name : handshake_test::session_names()) {
        INFO(name);
        auto hs = vector_handshake(name);
        std::string response = handshake_test::session(name, "s2c.http");
        std::size_t consumed = 0;
        auto r = verify_handshake_response(response, hs, {}, &consumed);
        CHECK(consumed == response.size());
        if (name == "e-wrong-prefix-404") {
            CHECK(r.ec == handshake_error::refused);
            REQUIRE(r.refusal);
            CHECK(r.refusal->status == 404);
            CHECK(r.refusal->reason == "Not Found");
            CHECK(r.refusal->close_code == 4405); // realm-core: websocket_fatal_error -> SyncConnectFailed
            CHECK(r.refusal->body == "Realm sync server\n\nPage not found\n");
            CHECK(r.refusal->headers.get("X-Appservices-Request-Id") == std::string_view("6b07af269d2a4001a1767b5a"));
            continue;
        }
        CHECK(r.ok());
        CHECK(r.version == (name == "d-max-protocol-10" ? 10 : 14));
        CHECK(r.subprotocol == "com.mongodb.realm-sync#" + std::to_string(r.version));
    }
    // Frames that follow the 101 in the same read are not the verifier's.
    auto hs = vector_handshake("a-write5");
    std::string stream = handshake_test::session("a-write5", "s2c.bin");
    std::size_t consumed = 0;
    auto r = verify_handshake_response(stream, hs, {}, &consumed);
    CHECK(r.ok());
    CHECK(consumed == handshake_test::session("a-write5", "s2c.http").size());
}

TEST_CASE("verifier: refusals map to realm-core's close codes")
{
    struct row {
        int status;
        int close_code;
        handshake_error ec;
    };
    for (auto r : {row{301, 4003, handshake_error::moved_permanently}, row{308, 4003, handshake_error::moved_permanently},
                   row{302, 4404, handshake_error::redirect}, row{307, 4404, handshake_error::redirect},
                   row{401, 4001, handshake_error::refused_unauthorized},
                   row{403, 4002, handshake_error::refused_forbidden}, row{500, 1011, handshake_error::server_error},
                   row{502, 1011, handshake_error::server_error}, row{503, 1011, handshake_error::server_error},
                   row{200, 4405, handshake_error::refused}, row{400, 4405, handshake_error::refused},
                   row{404, 4405, handshake_error::refused}, row{410, 4405, handshake_error::refused}}) {
        INFO(r.status);
        CHECK(refusal_close_code(r.status) == r.close_code);
        http::response resp;
        resp.status = r.status;
        resp.reason = "X";
        resp.headers.add("Server", "proxy");
        resp.body = std::string(10000, 'b');
        client_handshake hs;
        hs.key = "dGhlIHNhbXBsZSBub25jZQ==";
        auto res = verify_handshake_response(resp, hs);
        CHECK(res.ec == r.ec);
        REQUIRE(res.refusal);
        CHECK(res.refusal->close_code == r.close_code);
        CHECK(res.refusal->ec == r.ec);
        CHECK(res.refusal->body.size() == 8192);
        CHECK(res.refusal->body_truncated);
        CHECK(res.refusal->headers.get("Server") == std::string_view("proxy"));
    }
    // A body-less proxy refusal that ends with the connection (ROS: no Content-Length, socket.end()).
    client_handshake hs;
    hs.key = "dGhlIHNhbXBsZSBub25jZQ==";
    auto res = verify_handshake_response("HTTP/1.1 400 Bad Request\r\nServer: Realm-Object-Server/3.12.0\r\n\r\n", hs);
    REQUIRE(res.refusal);
    CHECK(res.refusal->status == 400);
    CHECK(res.refusal->body.empty());
}

TEST_CASE("verifier: a bad 101, each with its code")
{
    client_handshake_options o;
    o.host_header = "h";
    o.key = "dGhlIHNhbXBsZSBub25jZQ==";
    auto hs = build_handshake_request(o, "t");
    const std::string good = response_101(hs.key, "com.mongodb.realm-sync#12");
    auto r = verify_handshake_response(good, hs);
    REQUIRE(r.ok());
    CHECK(r.version == 12);

    auto replace = [&](const std::string& from, const std::string& to) {
        std::string s = good;
        auto pos = s.find(from);
        REQUIRE(pos != std::string::npos);
        s.replace(pos, from.size(), to);
        return verify_handshake_response(s, hs).ec;
    };
    CHECK(replace("HTTP/1.1 101", "HTTP/1.0 101") == handshake_error::bad_status_line);
    CHECK(replace("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n", "") == handshake_error::missing_accept);
    CHECK(replace("s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "s3pPLMBiTxaQ9kYGzzhZRbK+xOp=") == handshake_error::bad_accept);
    CHECK(replace("Sec-WebSocket-Protocol: com.mongodb.realm-sync#12\r\n", "") ==
          handshake_error::missing_protocol_in_response);
    CHECK(replace("com.mongodb.realm-sync#12", "com.mongodb.realm-sync/7") == handshake_error::bad_protocol_in_response);
    CHECK(replace("com.mongodb.realm-sync#12", "com.mongodb.realm-query-sync#12") ==
          handshake_error::bad_protocol_in_response);
    CHECK(replace("com.mongodb.realm-sync#12", "com.mongodb.realm-sync#15") == handshake_error::protocol_not_offered);
    CHECK(replace("com.mongodb.realm-sync#12", "com.mongodb.realm-sync#1") == handshake_error::protocol_not_offered);
    // realm-core does not look at Upgrade/Connection of the answer; realmwire can.
    std::string no_upgrade = good;
    no_upgrade.erase(no_upgrade.find("Upgrade: websocket\r\n"), 20);
    CHECK(verify_handshake_response(no_upgrade, hs).ok());
    verify_options strict;
    strict.check_upgrade_headers = true;
    CHECK(verify_handshake_response(no_upgrade, hs, strict).ec == handshake_error::missing_upgrade);

    CHECK(verify_handshake_response(good.substr(0, 30), hs).ec == handshake_error::incomplete_response);
    CHECK(verify_handshake_response("HTTP/1.1 101 OK\nX: y\n\n", hs).ec == http_error::bad_line_ending);
}

TEST_CASE("verifier: fed in chunks, frames after the 101 are left alone, EOF ends a length-less refusal")
{
    auto hs = vector_handshake("d-max-protocol-10");
    std::string stream = handshake_test::session("d-max-protocol-10", "s2c.bin");
    std::size_t head = handshake_test::session("d-max-protocol-10", "s2c.http").size();
    for (std::size_t chunk : {1u, 3u, 50u, 100000u}) {
        INFO(chunk);
        handshake_verifier ver(hs);
        std::size_t used = 0;
        while (!ver.done() && used < stream.size())
            used += ver.feed(std::string_view(stream).substr(used, chunk));
        REQUIRE(ver.done());
        CHECK(used == head);
        CHECK(ver.result().ok());
        CHECK(ver.result().version == 10);
    }
    handshake_verifier ros(hs);
    ros.feed("HTTP/1.1 503 Service Unavailable\r\nServer: Realm-Object-Server/3.12.2\r\n\r\npartial");
    CHECK_FALSE(ros.done());
    ros.finish_eof();
    REQUIRE(ros.done());
    REQUIRE(ros.result().refusal);
    CHECK(ros.result().refusal->close_code == 1011);
    CHECK(ros.result().refusal->body == "partial");
    CHECK(ros.result().ec == handshake_error::server_error);
}
