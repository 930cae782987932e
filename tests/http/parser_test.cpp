#include "realmwire/http/parser.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace realmwire;
using namespace realmwire::http;

namespace {

struct outcome {
    std::error_code ec;
    std::size_t offset = error_info::no_offset;
    std::size_t used = 0;
    bool done = false;
};

template <class Parser>
outcome run(Parser& p, std::string_view bytes, std::size_t step = 0)
{
    outcome o;
    if (step == 0)
        step = bytes.size() ? bytes.size() : 1;
    while (o.used < bytes.size() && !p.done()) {
        std::size_t n = std::min(step, bytes.size() - o.used);
        std::size_t k = p.feed(bytes.substr(o.used, n), o.ec);
        o.used += k;
        if (o.ec || k < n)
            break;
    }
    o.done = p.done();
    o.offset = p.where().offset;
    return o;
}

outcome req(std::string_view bytes, const parser_limits& l = {}, std::size_t step = 0)
{
    request_parser p(l);
    return run(p, bytes, step);
}

const std::string good_request = "GET /realm-sync HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n\r\n";

} // namespace

TEST_CASE("a request head, and the bytes after it stay with the caller")
{
    request_parser p;
    std::error_code ec;
    std::string bytes = good_request + "\x82\x05hello";
    CHECK(p.feed(bytes, ec) == good_request.size());
    CHECK_FALSE(ec);
    CHECK(p.head_done());
    CHECK(p.done());
    CHECK(p.get().method == "GET");
    CHECK(p.get().target == "/realm-sync");
    CHECK(p.get().version_minor == 1);
    CHECK(p.get().headers.size() == 2);
    CHECK(p.get().headers.get("upgrade") == std::optional<std::string_view>("websocket"));
    // a done parser consumes nothing more
    CHECK(p.feed("more", ec) == 0);
    CHECK_FALSE(ec);
    p.reset();
    CHECK_FALSE(p.done());
    CHECK(p.feed(good_request, ec) == good_request.size());
    CHECK(p.done());
}

TEST_CASE("values are trimmed, names keep their case, repeated fields are kept")
{
    request_parser p;
    std::error_code ec;
    std::string bytes = "GET * HTTP/1.0\r\nX-A:  \t v a l \t\r\nx-a:2\r\nEmpty:\r\n\r\n";
    CHECK(p.feed(bytes, ec) == bytes.size());
    REQUIRE(p.done());
    auto all = p.get().headers.get_all("X-A");
    REQUIRE(all.size() == 2);
    CHECK(std::string(all[0]) == "v a l");
    CHECK(std::string(all[1]) == "2");
    CHECK(p.get().headers.begin()[1].name == "x-a");
    CHECK(p.get().headers.get("empty") == std::optional<std::string_view>(""));
    CHECK(p.get().version_minor == 0);
    CHECK(p.get().target == "*");
}

TEST_CASE("request bodies: Content-Length and chunked")
{
    request_parser p;
    std::error_code ec;
    std::string bytes = "POST /auth HTTP/1.1\r\nContent-Length: 5\r\n\r\nhelloEXTRA";
    CHECK(p.feed(bytes, ec) == bytes.size() - 5);
    CHECK(p.done());
    CHECK(p.get().body == "hello");

    request_parser q;
    bytes = "POST /auth HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\nX";
    CHECK(q.feed(bytes, ec) == bytes.size() - 1);
    CHECK_FALSE(ec);
    CHECK(q.done());
    CHECK(q.get().body == "abc");

    // no length: no body (RFC 7230 §3.3.3)
    request_parser r;
    bytes = "POST / HTTP/1.1\r\n\r\nbody";
    CHECK(r.feed(bytes, ec) == bytes.size() - 4);
    CHECK(r.done());
}

TEST_CASE("response bodies: none for 1xx/204/304/HEAD/CONNECT 2xx, Content-Length, chunked, until EOF")
{
    std::error_code ec;
    for (const char* head : {"HTTP/1.1 101 Switching Protocols\r\nContent-Length: 10\r\n\r\n",
                             "HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n",
                             "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n"}) {
        INFO(head);
        response_parser p;
        std::string bytes = std::string(head) + "tail";
        CHECK(p.feed(bytes, ec) == bytes.size() - 4);
        CHECK(p.done());
        CHECK(p.get().body.empty());
    }
    {
        response_parser p;
        p.set_response_to_head(true);
        std::string bytes = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
        CHECK(p.feed(bytes, ec) == bytes.size());
        CHECK(p.done());
        p.reset();
        CHECK_FALSE(p.response_to_head());
    }
    {
        response_parser p;
        p.set_response_to_connect(true);
        std::string bytes = "HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x01";
        CHECK(p.feed(bytes, ec) == bytes.size() - 3);
        CHECK(p.done());
        // a refused CONNECT keeps its body
        response_parser q;
        q.set_response_to_connect(true);
        bytes = "HTTP/1.1 407 Proxy Authentication Required\r\nContent-Length: 2\r\n\r\nno";
        CHECK(q.feed(bytes, ec) == bytes.size());
        CHECK(q.done());
        CHECK(q.get().body == "no");
    }
    {
        response_parser p;
        std::string bytes = "HTTP/1.1 502 Bad Gateway\r\nTransfer-Encoding: Chunked\r\n\r\n"
                            "5;ext=1\r\nhello\r\n1 ; a=\"b\"\r\n!\r\n0\r\nX-Trailer: t\r\n\r\nrest";
        CHECK(p.feed(bytes, ec) == bytes.size() - 4);
        CHECK_FALSE(ec);
        CHECK(p.done());
        CHECK(p.get().body == "hello!");
        CHECK_FALSE(p.get().headers.contains("X-Trailer")); // trailers are checked and dropped
    }
    {
        response_parser p;
        std::string bytes = "HTTP/1.1 503 Service Unavailable\r\nServer: x\r\n\r\nbody until close";
        CHECK(p.feed(bytes, ec) == bytes.size());
        CHECK_FALSE(p.done());
        CHECK(p.body_until_eof());
        p.finish_eof(ec);
        CHECK_FALSE(ec);
        CHECK(p.done());
        CHECK(p.get().body == "body until close");
    }
    {
        // ROS's refusal: no body, no length, connection closed
        response_parser p;
        std::string bytes = "HTTP/1.1 400 Bad Request\r\nServer: Realm-Object-Server/3.12.0\r\n\r\n";
        CHECK(p.feed(bytes, ec) == bytes.size());
        p.finish_eof(ec);
        CHECK_FALSE(ec);
        CHECK(p.done());
        CHECK(p.get().status == 400);
    }
}

TEST_CASE("status line variants")
{
    response_parser p;
    std::error_code ec;
    std::string bytes = "HTTP/1.0 200\r\nContent-Length: 0\r\n\r\n"; // no reason (realm-core accepts it)
    CHECK(p.feed(bytes, ec) == bytes.size());
    CHECK(p.done());
    CHECK(p.get().status == 200);
    CHECK(p.get().reason.empty());
    CHECK(p.get().version_minor == 0);
    response_parser q;
    bytes = "HTTP/1.1 599 \r\nContent-Length: 0\r\n\r\n";
    CHECK(q.feed(bytes, ec) == bytes.size());
    CHECK(q.get().status == 599);
}

TEST_CASE("finish_eof inside a message is unexpected_eof")
{
    for (std::string partial : {std::string(""), std::string("GET / HTTP/1.1\r\nHost"),
                                std::string("POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nab")}) {
        INFO(partial);
        request_parser p;
        std::error_code ec;
        p.feed(partial, ec);
        p.finish_eof(ec);
        CHECK(ec == http_error::unexpected_eof);
        CHECK(p.where().offset == partial.size());
        CHECK(p.failed());
    }
    response_parser r;
    std::error_code ec;
    r.feed("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nab", ec);
    r.finish_eof(ec);
    CHECK(ec == http_error::unexpected_eof);
    CHECK_THROWS_AS(r.finish_eof(), system_error);
}

TEST_CASE("every request error has its own code and offset, whole and byte by byte")
{
    struct row {
        std::string bytes;
        http_error error;
        std::size_t offset;
    };
    const std::string crlf = "\r\n";
    const row rows[] = {
        {"G@T / HTTP/1.1\r\n\r\n", http_error::bad_method, 1},
        {" / HTTP/1.1\r\n\r\n", http_error::bad_method, 0},
        {"GET\r\n\r\n", http_error::bad_method, 3},
        {"GET  / HTTP/1.1\r\n\r\n", http_error::bad_target, 4},
        {"GET /a\x01 HTTP/1.1\r\n\r\n", http_error::bad_target, 6},
        {"GET /\xC3\xA9 HTTP/1.1\r\n\r\n", http_error::bad_target, 5},
        {"GET /\r\n\r\n", http_error::bad_target, 5},
        {"GET / HTTP/1.2\r\n\r\n", http_error::bad_version, 6},
        {"GET / HTTP/1.1 \r\n\r\n", http_error::bad_version, 6},
        {"GET / http/1.1\r\n\r\n", http_error::bad_version, 6},
        {"GET / HTTP/2\r\n\r\n", http_error::bad_version, 6},
        {"GET / HTTP/1.1\n\r\n", http_error::bad_line_ending, 14},
        {"GET / HTTP/1.1\rX\r\n", http_error::bad_line_ending, 14},
        {"GET / HTTP/1.1\r\nHost: h\n\r\n", http_error::bad_line_ending, 23},
        {"GET / HTTP/1.1\r\nHost: h\r\n\n", http_error::bad_line_ending, 25},
        {"GET / HTTP/1.1\r\nHost: h\r\n\r\r\n", http_error::bad_line_ending, 25},
        {"\r\nGET / HTTP/1.1\r\n\r\n", http_error::bad_method, 0},
        {"GET / HTTP/1.1\r\n h: v\r\n\r\n", http_error::obs_fold, 16},
        {"GET / HTTP/1.1\r\nA: b\r\n  folded\r\n\r\n", http_error::obs_fold, 22},
        {"GET / HTTP/1.1\r\nHost : h\r\n\r\n", http_error::whitespace_before_colon, 20},
        {"GET / HTTP/1.1\r\nHo st: h\r\n\r\n", http_error::bad_header_name, 18},
        {"GET / HTTP/1.1\r\nHo(st: h\r\n\r\n", http_error::bad_header_name, 18},
        {"GET / HTTP/1.1\r\n: h\r\n\r\n", http_error::bad_header_name, 16},
        {"GET / HTTP/1.1\r\nHost\r\n\r\n", http_error::missing_colon, 20},
        {"GET / HTTP/1.1\r\nHost: a\x01" "b\r\n\r\n", http_error::bad_header_value, 23},
        {"GET / HTTP/1.1\r\nHost: a\x7F\r\n\r\n", http_error::bad_header_value, 23},
        {std::string("GET / HTTP/1.1\r\nHost: a\0b\r\n\r\n", 30), http_error::bad_header_value, 23},
        {"POST / HTTP/1.1\r\nContent-Length: 1x\r\n\r\n", http_error::bad_content_length, 33},
        {"POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", http_error::bad_content_length, 33},
        {"POST / HTTP/1.1\r\nContent-Length: \r\n\r\n", http_error::bad_content_length, 33},
        {"POST / HTTP/1.1\r\nContent-Length: 1, 1\r\n\r\n", http_error::bad_content_length, 33},
        {"POST / HTTP/1.1\r\nContent-Length: 99999999999999999999\r\n\r\n", http_error::bad_content_length, 33},
        {"POST / HTTP/1.1\r\nContent-Length: 1\r\ncontent-length: 1\r\n\r\n", http_error::duplicate_content_length,
         36},
        {"POST / HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
         http_error::content_length_with_chunked, 36},
        {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 1\r\n\r\n",
         http_error::content_length_with_chunked, 45},
        {"POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", http_error::unsupported_transfer_encoding,
         36},
        {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
         http_error::unsupported_transfer_encoding, 64},
        {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nx\r\n", http_error::bad_chunk_size, 47},
        {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", http_error::bad_chunk_size, 47},
        {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1x\r\n", http_error::bad_chunk_size, 48},
        {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1 \r\n", http_error::bad_chunk_size, 48},
        {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1;\x01\r\n", http_error::bad_chunk_size, 49},
        {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\naX", http_error::bad_chunk_terminator, 51},
        {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1\r\na\rX", http_error::bad_chunk_terminator, 52},
        {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nBad Trailer\r\n\r\n",
         http_error::bad_header_name, 53},
        {"POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n", http_error::body_too_large,
         62},
    };
    for (const auto& r : rows) {
        INFO(r.bytes);
        for (std::size_t step : {std::size_t(0), std::size_t(1), std::size_t(2), std::size_t(7)}) {
            INFO(step);
            outcome o = req(r.bytes, {}, step);
            CHECK(o.ec == r.error);
            CHECK(o.offset == r.offset);
            CHECK_FALSE(o.done);
        }
    }
}

TEST_CASE("every response error has its own code and offset")
{
    struct row {
        std::string bytes;
        http_error error;
        std::size_t offset;
    };
    const row rows[] = {
        {"HTTP/1.2 101 Switching\r\n\r\n", http_error::bad_version, 0},
        {"HTTP/1.1x101 Switching\r\n\r\n", http_error::bad_version, 0},
        {"ICY 200 OK\r\n\r\n", http_error::bad_version, 0},
        {"HTTP/1.1 10 Short\r\n\r\n", http_error::bad_status, 9},
        {"HTTP/1.1 1011 Long\r\n\r\n", http_error::bad_status, 9},
        {"HTTP/1.1 099 Low\r\n\r\n", http_error::bad_status, 9},
        {"HTTP/1.1 abc Letters\r\n\r\n", http_error::bad_status, 9},
        {"HTTP/1.1 \r\n\r\n", http_error::bad_status, 9},
        {"HTTP/1.1 200 O\x01K\r\n\r\n", http_error::bad_reason, 14},
        {"HTTP/1.1 101 Switching Protocols\r\nSec-WebSocket-Accept : x\r\n\r\n",
         http_error::whitespace_before_colon, 54},
        {"HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n", http_error::unexpected_eof, 0},
    };
    for (const auto& r : rows) {
        INFO(r.bytes);
        for (std::size_t step : {std::size_t(0), std::size_t(1), std::size_t(3)}) {
            response_parser p;
            outcome o = run(p, r.bytes, step);
            if (r.error == http_error::unexpected_eof) {
                CHECK_FALSE(o.ec);
                p.finish_eof(o.ec);
                CHECK(o.ec == r.error);
                CHECK(p.where().offset == r.bytes.size());
                continue;
            }
            CHECK(o.ec == r.error);
            CHECK(o.offset == r.offset);
        }
    }
}

TEST_CASE("after an error the parser stays failed and says where, also in the exception")
{
    request_parser p;
    std::error_code ec;
    p.feed("GET / HTTP/1.1\r\nBad Name: x\r\n", ec);
    CHECK(ec == http_error::bad_header_name);
    CHECK(p.where().offset == 19);
    CHECK(std::string(p.where().field) == "header");
    CHECK(p.feed("more", ec) == 0);
    CHECK(ec == http_error::bad_header_name);
    CHECK(make_error_code(http_error::bad_header_name) == condition::malformed_input);
    request_parser q;
    try {
        q.feed("GET / HTTP/1.1\r\n\x01: v\r\n");
        FAIL("no throw");
    }
    catch (const system_error& e) {
        CHECK(e.code() == http_error::bad_header_name);
        CHECK(e.info().offset == 16);
    }
}

TEST_CASE("every limit is exact")
{
    std::error_code ec;
    SECTION("start line")
    {
        parser_limits l;
        l.max_start_line = 16; // "GET /abcdef HTTP/1.1" is 20
        std::string ok = "GET /abc HTTP/1.1\r\n\r\n"; // 17
        l.max_start_line = 17;
        CHECK(req(ok, l).done);
        l.max_start_line = 16;
        outcome o = req(ok, l);
        CHECK(o.ec == http_error::start_line_too_long);
        CHECK(o.offset == 16);
        CHECK(req(ok, l, 1).offset == 16);
        CHECK(make_error_code(http_error::start_line_too_long) == condition::limit_exceeded);
    }
    SECTION("header line")
    {
        parser_limits l;
        std::string head = "GET / HTTP/1.1\r\n";
        std::string line = "X-Long: " + std::string(92, 'v'); // 100 bytes
        l.max_header_line = 100;
        CHECK(req(head + line + "\r\n\r\n", l).done);
        l.max_header_line = 99;
        outcome o = req(head + line + "\r\n\r\n", l);
        CHECK(o.ec == http_error::header_line_too_long);
        CHECK(o.offset == head.size() + 99);
    }
    SECTION("header count")
    {
        parser_limits l;
        l.max_header_count = 3;
        std::string head = "GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\n";
        CHECK(req(head + "\r\n", l).done);
        outcome o = req(head + "D: 4\r\n\r\n", l);
        CHECK(o.ec == http_error::too_many_headers);
        CHECK(o.offset == head.size());
    }
    SECTION("head size")
    {
        std::string head = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
        parser_limits l;
        l.max_head_size = head.size();
        CHECK(req(head + "x", l).used == head.size());
        l.max_head_size = head.size() - 1;
        outcome o = req(head, l);
        CHECK(o.ec == http_error::head_too_large);
        CHECK(o.offset == head.size() - 1);
        CHECK(req(head, l, 1).offset == head.size() - 1);
        CHECK(req(head, l, 5).offset == head.size() - 1);
    }
    SECTION("body size: Content-Length, chunked, until EOF")
    {
        parser_limits l;
        l.max_body_size = 4;
        CHECK(req("POST / HTTP/1.1\r\nContent-Length: 4\r\n\r\nabcd", l).done);
        outcome o = req("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde", l);
        CHECK(o.ec == http_error::body_too_large);
        CHECK(o.offset == 33);
        std::string chunked = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
        CHECK(req(chunked + "2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n", l).done);
        o = req(chunked + "2\r\nab\r\n3\r\ncde\r\n0\r\n\r\n", l);
        CHECK(o.ec == http_error::body_too_large);
        CHECK(o.offset == chunked.size() + 7);
        std::string eof = "HTTP/1.1 200 OK\r\n\r\n";
        response_parser p(l);
        CHECK(p.feed(eof + "abcd", ec) == eof.size() + 4);
        CHECK_FALSE(ec);
        CHECK(p.feed("e", ec) == 0);
        CHECK(ec == http_error::body_too_large);
        CHECK(p.where().offset == eof.size() + 4);
        CHECK(p.get().body == "abcd");
    }
    SECTION("chunk-size lines and trailers")
    {
        std::string chunked = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
        // chunk-size lines obey max_header_line; the head's longest line is 26 bytes
        parser_limits l;
        l.max_header_line = 26;
        std::string ext26 = "1;" + std::string(24, 'e'); // exactly 26 bytes
        CHECK(req(chunked + ext26 + "\r\nx\r\n0\r\n\r\n", l).done);
        outcome o = req(chunked + ext26 + "e\r\nx\r\n0\r\n\r\n", l);
        CHECK(o.ec == http_error::chunk_line_too_long);
        CHECK(o.offset == chunked.size() + 26);
        CHECK(req(chunked + ext26 + "e\r\nx\r\n0\r\n\r\n", l, 1).offset == chunked.size() + 26);
        // trailer fields are counted on their own against max_header_count
        parser_limits t;
        t.max_header_count = 1;
        CHECK(req(chunked + "0\r\nA: 1\r\n\r\n", t).done);
        o = req(chunked + "0\r\nA: 1\r\nB: 2\r\n\r\n", t);
        CHECK(o.ec == http_error::too_many_headers);
        CHECK(o.offset == chunked.size() + 3 + 6);
        // and the trailer section's size, on its own, against max_head_size
        parser_limits h;
        h.max_head_size = chunked.size(); // 47: the head fits exactly
        std::string trailer = "X: " + std::string(40, 'v') + "\r\n\r\n"; // 47 bytes too
        CHECK(trailer.size() == chunked.size());
        CHECK(req(chunked + "0\r\n" + trailer, h).done);
        o = req(chunked + "0\r\nX: v" + trailer.substr(3), h); // 48 bytes
        CHECK(o.ec == http_error::head_too_large);
        CHECK(o.offset == chunked.size() + 3 + 47);
    }
}
