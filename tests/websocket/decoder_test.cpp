#include "realmwire/websocket/decoder.hpp"

#include "realmwire/websocket/encoder.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace realmwire;
using namespace realmwire::websocket;

namespace {

struct seen {
    event_kind kind;
    std::string payload;
    std::uint16_t code;
    bool operator==(const seen& o) const { return kind == o.kind && payload == o.payload && code == o.code; }
};

std::string bytes(std::initializer_list<int> b)
{
    std::string s;
    for (int c : b)
        s.push_back(static_cast<char>(c));
    return s;
}

// Feeds `wire` in chunks of `chunk` bytes; returns the events and the first error.
std::vector<seen> decode(role self, std::string_view wire, std::size_t chunk, std::error_code& ec,
                         decoder_limits limits = {})
{
    decoder d(self, limits);
    std::vector<seen> out;
    while (!wire.empty()) {
        std::string_view piece = wire.substr(0, std::min(chunk, wire.size()));
        while (!piece.empty()) {
            std::size_t n = d.feed(piece, ec);
            REQUIRE(n <= piece.size());
            if (ec)
                return out;
            piece.remove_prefix(n);
            if (d.has_event())
                out.push_back({d.event().kind, std::string(d.event().payload), d.event().close_code});
            else
                REQUIRE(piece.empty()); // no event: everything was consumed
        }
        wire.remove_prefix(std::min(chunk, wire.size()));
    }
    return out;
}

// Decodes with every chunk size 1..n and checks that all cuts agree.
std::vector<seen> decode_all_cuts(role self, std::string_view wire, std::error_code& ec, decoder_limits limits = {})
{
    auto whole = decode(self, wire, wire.size() + 1, ec, limits);
    auto first_ec = ec;
    for (std::size_t c : {1, 2, 3, 5, 7, 13}) {
        std::error_code ec2;
        auto cut = decode(self, wire, c, ec2, limits);
        CHECK(cut == whole);
        CHECK(ec2 == first_ec);
    }
    ec = first_ec;
    return whole;
}

} // namespace

TEST_CASE("RFC 6455 5.7: single-frame unmasked text")
{
    std::error_code ec;
    auto ev = decode_all_cuts(role::client, bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}), ec);
    REQUIRE_FALSE(ec);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0] == seen{event_kind::text, "Hello", 0});
}

TEST_CASE("RFC 6455 5.7: single-frame masked text")
{
    std::error_code ec;
    auto ev = decode_all_cuts(role::server,
                              bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}), ec);
    REQUIRE_FALSE(ec);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0] == seen{event_kind::text, "Hello", 0});
}

TEST_CASE("RFC 6455 5.7: fragmented unmasked text")
{
    std::error_code ec;
    auto ev = decode_all_cuts(role::client, bytes({0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f}), ec);
    REQUIRE_FALSE(ec);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0] == seen{event_kind::text, "Hello", 0});
}

TEST_CASE("RFC 6455 5.7: unmasked ping and masked pong")
{
    std::error_code ec;
    auto ev = decode_all_cuts(role::client, bytes({0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}), ec);
    REQUIRE_FALSE(ec);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0] == seen{event_kind::ping, "Hello", 0});
    ev = decode_all_cuts(role::server, bytes({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}), ec);
    REQUIRE_FALSE(ec);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0] == seen{event_kind::pong, "Hello", 0});
}

TEST_CASE("RFC 6455 5.7: 256 bytes and 64 KiB binary in one unmasked frame")
{
    std::string payload256(256, '\0');
    for (std::size_t i = 0; i < payload256.size(); ++i)
        payload256[i] = static_cast<char>(i * 7);
    std::string wire = bytes({0x82, 0x7E, 0x01, 0x00}) + payload256;
    std::error_code ec;
    auto ev = decode_all_cuts(role::client, wire, ec);
    REQUIRE_FALSE(ec);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0] == seen{event_kind::binary, payload256, 0});

    std::string payload64k(65536, 'x');
    wire = bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0}) + payload64k;
    ev = decode(role::client, wire, 1000, ec);
    REQUIRE_FALSE(ec);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0] == seen{event_kind::binary, payload64k, 0});
}

TEST_CASE("encoder reproduces the RFC 6455 5.7 frames byte for byte")
{
    std::string out;
    encode_frame(out, opcode::text, "Hello");
    CHECK(out == bytes({0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
    out.clear();
    encode_frame(out, opcode::text, "Hello", true, mask_key{0x37, 0xfa, 0x21, 0x3d});
    CHECK(out == bytes({0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
    out.clear();
    encode_frame(out, opcode::text, "Hel", false);
    encode_frame(out, opcode::continuation, "lo", true);
    CHECK(out == bytes({0x01, 0x03, 0x48, 0x65, 0x6c, 0x80, 0x02, 0x6c, 0x6f}));
    out.clear();
    encode_frame(out, opcode::ping, "Hello");
    CHECK(out == bytes({0x89, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f}));
    out.clear();
    encode_frame(out, opcode::pong, "Hello", true, mask_key{0x37, 0xfa, 0x21, 0x3d});
    CHECK(out == bytes({0x8a, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58}));
    out.clear();
    encode_frame(out, opcode::binary, std::string(256, 'a'));
    CHECK(out.substr(0, 4) == bytes({0x82, 0x7E, 0x01, 0x00}));
    CHECK(out.size() == 260);
    out.clear();
    encode_frame(out, opcode::binary, std::string(65536, 'a'));
    CHECK(out.substr(0, 10) == bytes({0x82, 0x7F, 0, 0, 0, 0, 0, 1, 0, 0}));
    CHECK(out.size() == 65546);
}

TEST_CASE("length encodings at their boundaries round-trip in both roles")
{
    for (role sender : {role::client, role::server}) {
        encoder enc(sender);
        role receiver = sender == role::client ? role::server : role::client;
        for (std::size_t n : {0u, 1u, 125u, 126u, 127u, 65535u, 65536u, 70000u}) {
            std::string payload(n, '\0');
            for (std::size_t i = 0; i < n; ++i)
                payload[i] = static_cast<char>((i * 31) ^ (i >> 8));
            std::string wire;
            enc.message(wire, payload);
            if (sender == role::client && n >= 4)
                CHECK(wire.substr(wire.size() - n) != payload); // masked on the wire
            std::error_code ec;
            auto ev = decode(receiver, wire, 4096, ec);
            REQUIRE_FALSE(ec);
            REQUIRE(ev.size() == 1);
            CHECK(ev[0].kind == event_kind::binary);
            CHECK(ev[0].payload == payload);
        }
    }
}

TEST_CASE("fragmented message with control frames interleaved")
{
    encoder enc(role::client, [] { return mask_key{1, 2, 3, 4}; });
    std::string wire;
    enc.fragment(wire, opcode::binary, "abc", false);
    enc.ping(wire, "p1");
    enc.fragment(wire, opcode::continuation, "", false);
    enc.pong(wire, "p2");
    enc.fragment(wire, opcode::continuation, "defg", false);
    enc.ping(wire, "");
    enc.fragment(wire, opcode::continuation, "h", true);
    enc.message(wire, "next", opcode::text);
    enc.close(wire, close_code::normal, "bye");
    std::error_code ec;
    auto ev = decode_all_cuts(role::server, wire, ec);
    REQUIRE_FALSE(ec);
    std::vector<seen> want{{event_kind::ping, "p1", 0},      {event_kind::pong, "p2", 0},
                           {event_kind::ping, "", 0},        {event_kind::binary, "abcdefgh", 0},
                           {event_kind::text, "next", 0},    {event_kind::close, "bye", 1000}};
    CHECK(ev == want);
}

TEST_CASE("close frames: empty, with code, with reason")
{
    std::error_code ec;
    auto ev = decode_all_cuts(role::client, bytes({0x88, 0x00}), ec);
    REQUIRE_FALSE(ec);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0] == seen{event_kind::close, "", 1005});
    ev = decode_all_cuts(role::client, bytes({0x88, 0x02, 0x0F, 0xA1}), ec); // 4001
    REQUIRE_FALSE(ec);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0] == seen{event_kind::close, "", 4001});
    std::string wire;
    encoder(role::server).close(wire, close_code::moved_permanently, "gone \xC3\xA9");
    ev = decode_all_cuts(role::client, wire, ec);
    REQUIRE_FALSE(ec);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0] == seen{event_kind::close, "gone \xC3\xA9", 4003});
}

namespace {
void expect_error(role self, const std::string& wire, websocket_error want, close_code code,
                  decoder_limits limits = {})
{
    std::error_code ec;
    decode_all_cuts(self, wire, ec, limits);
    CHECK(ec == want);
    CHECK(close_code_for(static_cast<websocket_error>(ec.value())) == code);
    // The decoder stays failed.
    decoder d(self, limits);
    std::error_code ec2;
    std::string_view in = wire;
    while (!in.empty() && !ec2) {
        in.remove_prefix(d.feed(in, ec2));
    }
    CHECK(ec2 == want);
    CHECK(d.feed("x", ec2) == 0);
    CHECK(ec2 == want);
}
} // namespace

TEST_CASE("protocol errors, each with its code")
{
    SECTION("RSV bits")
    {
        for (int rsv : {0x40, 0x20, 0x10})
            expect_error(role::client, bytes({0x82 | rsv, 0x00}), websocket_error::reserved_bits_set,
                         close_code::protocol_error);
    }
    SECTION("unknown opcodes")
    {
        for (int op : {3, 4, 5, 6, 7, 0xB, 0xC, 0xD, 0xE, 0xF})
            expect_error(role::client, bytes({0x80 | op, 0x00}), websocket_error::bad_opcode, close_code::protocol_error);
    }
    SECTION("mask bit by role")
    {
        expect_error(role::client, bytes({0x82, 0x80, 1, 2, 3, 4}), websocket_error::wrong_mask_bit,
                     close_code::protocol_error);
        expect_error(role::server, bytes({0x82, 0x00}), websocket_error::wrong_mask_bit, close_code::protocol_error);
    }
    SECTION("control frames")
    {
        expect_error(role::client, bytes({0x09, 0x00}), websocket_error::fragmented_control, close_code::protocol_error);
        expect_error(role::client, bytes({0x89, 126, 0, 126}), websocket_error::control_too_big,
                     close_code::protocol_error);
        expect_error(role::client, bytes({0x88, 127, 0, 0, 0, 0, 0, 0, 0, 1}), websocket_error::control_too_big,
                     close_code::protocol_error);
        // 125 is fine
        std::error_code ec;
        auto ev = decode(role::client, bytes({0x89, 125}) + std::string(125, 'p'), 9, ec);
        CHECK_FALSE(ec);
        CHECK(ev.size() == 1);
    }
    SECTION("64-bit length of 4 GiB or more (realm-core)")
    {
        expect_error(role::client, bytes({0x82, 127, 0, 0, 0, 1, 0, 0, 0, 0}), websocket_error::bad_length,
                     close_code::protocol_error);
        expect_error(role::client, bytes({0x82, 127, 0x80, 0, 0, 0, 0, 0, 0, 0}), websocket_error::bad_length,
                     close_code::protocol_error);
    }
    SECTION("continuation rules")
    {
        expect_error(role::client, bytes({0x80, 0x01, 'a'}), websocket_error::unexpected_continuation,
                     close_code::protocol_error);
        expect_error(role::client, bytes({0x02, 0x01, 'a', 0x82, 0x01, 'b'}), websocket_error::expected_continuation,
                     close_code::protocol_error);
        expect_error(role::client, bytes({0x01, 0x01, 'a', 0x81, 0x01, 'b'}), websocket_error::expected_continuation,
                     close_code::protocol_error);
    }
    SECTION("close payloads")
    {
        expect_error(role::client, bytes({0x88, 0x01, 0x03}), websocket_error::bad_close_payload,
                     close_code::protocol_error);
        for (int code : {0, 999, 1004, 1005, 1006, 1015, 1016, 2999, 5000, 65535})
            expect_error(role::client, bytes({0x88, 0x02, code >> 8, code & 0xFF}), websocket_error::bad_close_code,
                         close_code::protocol_error);
        expect_error(role::client, bytes({0x88, 0x04, 0x03, 0xE8, 0xC3, 0x28}), websocket_error::invalid_utf8,
                     close_code::invalid_payload);
    }
    SECTION("text must be UTF-8, across fragments too")
    {
        expect_error(role::client, bytes({0x81, 0x02, 0xC0, 0x80}), websocket_error::invalid_utf8,
                     close_code::invalid_payload);
        expect_error(role::client, bytes({0x81, 0x03, 0xED, 0xA0, 0x80}), websocket_error::invalid_utf8,
                     close_code::invalid_payload);
        // A code point split over two fragments is fine.
        std::error_code ec;
        auto ev = decode(role::client, bytes({0x01, 0x01, 0xC3, 0x80, 0x01, 0xA9}), 100, ec);
        REQUIRE_FALSE(ec);
        REQUIRE(ev.size() == 1);
        CHECK(ev[0].payload == "\xC3\xA9");
        // Binary is never checked.
        ev = decode(role::client, bytes({0x82, 0x02, 0xC0, 0x80}), 100, ec);
        CHECK_FALSE(ec);
    }
    SECTION("data after close")
    {
        expect_error(role::client, bytes({0x88, 0x00, 0x82, 0x00}), websocket_error::frame_after_close,
                     close_code::protocol_error);
    }
}

TEST_CASE("oversized messages fail with 1009 before their payload is buffered")
{
    decoder_limits limits;
    limits.max_message_size = 100;
    // one frame over the limit
    expect_error(role::client, bytes({0x82, 101}), websocket_error::message_too_big, close_code::message_too_big, limits);
    // a 4 GiB - 1 announcement with a small limit: refused at the header, no allocation
    expect_error(role::client, bytes({0x82, 127, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF}), websocket_error::message_too_big,
                 close_code::message_too_big, limits);
    // fragments that add up to more than the limit
    std::string wire;
    encode_frame(wire, opcode::binary, std::string(60, 'a'), false);
    encode_frame(wire, opcode::continuation, std::string(41, 'b'), true);
    expect_error(role::client, wire, websocket_error::message_too_big, close_code::message_too_big, limits);
    // exactly the limit passes
    wire.clear();
    encode_frame(wire, opcode::binary, std::string(60, 'a'), false);
    encode_frame(wire, opcode::continuation, std::string(40, 'b'), true);
    std::error_code ec;
    auto ev = decode(role::client, wire, 7, ec, limits);
    CHECK_FALSE(ec);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].payload.size() == 100);
    CHECK(make_error_code(websocket_error::message_too_big) == condition::limit_exceeded);
}

TEST_CASE("encoder refuses what a peer must refuse")
{
    encoder enc(role::server);
    std::string out;
    std::error_code ec;
    enc.ping(out, std::string(126, 'x'), ec);
    CHECK(ec == websocket_error::payload_too_big);
    enc.close(out, 1005, "", ec);
    CHECK(ec == websocket_error::bad_close_code);
    enc.close(out, 1000, std::string(124, 'x'), ec);
    CHECK(ec == websocket_error::payload_too_big);
    enc.close(out, 1000, "\xFF", ec);
    CHECK(ec == websocket_error::invalid_utf8);
    CHECK(out.empty());
    CHECK_THROWS_AS(enc.close(out, std::uint16_t{999}), realmwire::system_error);
    enc.close(out, 1000, std::string(123, 'x'), ec);
    CHECK_FALSE(ec);
    CHECK(out.size() == 2 + 125);
}

TEST_CASE("client encoder masks with fresh keys, server encoder never masks")
{
    encoder client(role::client);
    std::string a, b;
    client.message(a, "same payload");
    client.message(b, "same payload");
    CHECK((static_cast<unsigned char>(a[1]) & 0x80) != 0);
    CHECK(a != b); // different keys (probability of a clash: 2^-32)
    encoder server(role::server);
    std::string c;
    server.message(c, "same payload");
    CHECK((static_cast<unsigned char>(c[1]) & 0x80) == 0);
    CHECK(c.substr(2) == "same payload");
}
