#include "realmwire/websocket/accept_key.hpp"

#include "handshake/support.hpp"

#include <catch2/catch.hpp>

#include <cstring>

using namespace realmwire;

TEST_CASE("accept key: RFC 6455 section 1.3 example")
{
    CHECK(websocket::compute_accept_key("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    CHECK(websocket::check_accept_key("dGhlIHNhbXBsZSBub25jZQ==", "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="));
    CHECK_FALSE(websocket::check_accept_key("dGhlIHNhbXBsZSBub25jZQ==", "s3pPLMBiTxaQ9kYGzzhZRbK+xOp="));
}

TEST_CASE("accept key: every recorded realm-core 101 answers its request's key")
{
    for (const auto& name : handshake_test::session_names()) {
        if (name == "e-wrong-prefix-404")
            continue;
        INFO(name);
        std::string key = handshake_test::raw_header(handshake_test::session(name, "c2s.http"), "Sec-WebSocket-Key");
        std::string accept =
            handshake_test::raw_header(handshake_test::session(name, "s2c.http"), "Sec-WebSocket-Accept");
        REQUIRE(key.size() == 24);
        CHECK(websocket::is_valid_key(key));
        CHECK(websocket::compute_accept_key(key) == accept);
    }
}

TEST_CASE("accept key: keys from a caller-supplied source and from OpenSSL")
{
    int calls = 0;
    auto counting = [&](unsigned char* out, std::size_t n) {
        ++calls;
        for (std::size_t i = 0; i < n; ++i)
            out[i] = static_cast<unsigned char>(i);
    };
    std::string k = websocket::generate_key(counting);
    CHECK(calls == 1);
    CHECK(k == "AAECAwQFBgcICQoLDA0ODw==");
    CHECK(websocket::is_valid_key(k));

    std::error_code ec;
    auto failing = [](unsigned char*, std::size_t) { return false; };
    CHECK(websocket::generate_key(failing, ec).empty());
    CHECK(ec == handshake_error::random_failed);
    CHECK_THROWS_AS(websocket::generate_key(failing), realmwire::system_error);

    std::string a = websocket::generate_key();
    std::string b = websocket::generate_key();
    CHECK(websocket::is_valid_key(a));
    CHECK(a != b);

    static_assert(websocket::is_random_source<decltype(counting)>::value);
    static_assert(!websocket::is_random_source<int>::value);
}

TEST_CASE("accept key: key validation")
{
    CHECK(websocket::is_valid_key("dGhlIHNhbXBsZSBub25jZQ=="));
    CHECK_FALSE(websocket::is_valid_key(""));
    CHECK_FALSE(websocket::is_valid_key("dGhlIHNhbXBsZSBub25jZQ"));    // unpadded
    CHECK_FALSE(websocket::is_valid_key("dGhlIHNhbXBsZSBub25jZQ=")); // short
    CHECK_FALSE(websocket::is_valid_key("dGhlIHNhbXBsZSBub25jZ-=="));  // url alphabet
    CHECK_FALSE(websocket::is_valid_key("dGhlIHNhbXBsZSBub25jZQ=A"));
    CHECK_FALSE(websocket::is_valid_key("AAAAAAAAAAAAAAAAAAAAAAAAAAAA")); // 21 bytes
}
