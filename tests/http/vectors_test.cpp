#include "realmwire/http/parser.hpp"

#include "realmwire/http/serializer.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using namespace realmwire;
using namespace realmwire::http;

namespace {

std::string read_vector(const std::string& name)
{
    std::ifstream in(std::string(REALMWIRE_VECTORS_DIR) + "/sessions/" + name, std::ios::binary);
    REQUIRE(in);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

const std::vector<std::string> sessions = {"a-write5",          "b-download5",        "c-download-compressed",
                                           "c-upload-compressed", "d-max-protocol-10", "e-wrong-prefix-404",
                                           "f-bad-bind-path"};

/// Feeds `bytes` in pieces of `step` bytes until the parser is done or fails; returns bytes consumed.
template <class Parser>
std::size_t feed_steps(Parser& p, std::string_view bytes, std::size_t step, std::error_code& ec)
{
    std::size_t used = 0;
    while (used < bytes.size() && !p.done()) {
        std::size_t n = std::min(step, bytes.size() - used);
        std::size_t k = p.feed(bytes.substr(used, n), ec);
        used += k;
        if (ec || k < n)
            break;
    }
    return used;
}

} // namespace

TEST_CASE("every recorded upgrade request parses and re-serializes byte for byte")
{
    for (const auto& name : sessions) {
        INFO(name);
        std::string bytes = read_vector(name + ".c2s.http");
        request_parser p;
        std::error_code ec;
        CHECK(p.feed(bytes, ec) == bytes.size());
        REQUIRE_FALSE(ec);
        REQUIRE(p.done());
        const request& req = p.get();
        CHECK(req.method == "GET");
        CHECK(req.version_minor == 1);
        CHECK(req.target.rfind(name == "e-wrong-prefix-404" ? "/wrong?baas_at=" : "/realm-sync?baas_at=", 0) == 0);
        CHECK(std::string(req.headers.get("host")->substr(0, 10)) == "127.0.0.1:");
        CHECK(req.headers.get("Sec-WebSocket-Version") == std::optional<std::string_view>("13"));
        CHECK(req.body.empty());
        // The recorded order is realm-core's: Host first, the rest sorted case-insensitively.
        CHECK(serialize(req) == bytes);
        CHECK(serialize(req, header_order::realm_core) == bytes);
        if (name == "a-write5") {
            CHECK(req.headers.get("X-Realm-Auth")->rfind("Bearer eyJ", 0) == 0);
            CHECK(req.headers.get("X-Proxy-Token") == std::optional<std::string_view>("abc"));
        }
        // The raw capture continues with WebSocket frames: the parser stops at the end of the head.
        std::string stream = read_vector(name + ".c2s.bin");
        request_parser q;
        CHECK(q.feed(stream, ec) == bytes.size());
        CHECK_FALSE(ec);
        CHECK(q.done());
        CHECK(serialize(q.release()) == bytes);
    }
}

TEST_CASE("every recorded response parses and re-serializes byte for byte")
{
    for (const auto& name : sessions) {
        INFO(name);
        std::string bytes = read_vector(name + ".s2c.http");
        std::string stream = read_vector(name + ".s2c.bin");
        response_parser p;
        std::error_code ec;
        CHECK(p.feed(stream, ec) == bytes.size()); // stops before the first WebSocket frame
        REQUIRE_FALSE(ec);
        REQUIRE(p.done());
        const response& res = p.get();
        CHECK(serialize(res) == bytes);
        if (name == "e-wrong-prefix-404") {
            CHECK(res.status == 404);
            CHECK(res.reason == "Not Found");
            CHECK(res.body == "Realm sync server\n\nPage not found\n");
            CHECK(res.headers.get("Connection") == std::optional<std::string_view>("close"));
        }
        else {
            CHECK(res.status == 101);
            CHECK(res.reason == "Switching Protocols");
            CHECK(res.body.empty());
            CHECK(res.headers.get("sec-websocket-protocol")->rfind("com.mongodb.realm-sync#", 0) == 0);
        }
    }
}

TEST_CASE("fed in chunks of every size, the vectors parse exactly as when fed whole")
{
    for (const auto& name : sessions) {
        INFO(name);
        std::string req_stream = read_vector(name + ".c2s.bin");
        std::string res_stream = read_vector(name + ".s2c.bin");
        request_parser whole_req;
        response_parser whole_res;
        std::error_code ec;
        std::size_t req_used = whole_req.feed(req_stream, ec);
        REQUIRE_FALSE(ec);
        std::size_t res_used = whole_res.feed(res_stream, ec);
        REQUIRE_FALSE(ec);
        for (std::size_t step = 1; step <= 64; ++step) {
            INFO(step);
            request_parser a;
            CHECK(feed_steps(a, req_stream, step, ec) == req_used);
            CHECK_FALSE(ec);
            CHECK(a.done());
            CHECK(serialize(a.get()) == serialize(whole_req.get()));
            response_parser b;
            CHECK(feed_steps(b, res_stream, step, ec) == res_used);
            CHECK_FALSE(ec);
            CHECK(b.done());
            CHECK(serialize(b.get()) == serialize(whole_res.get()));
        }
    }
}
