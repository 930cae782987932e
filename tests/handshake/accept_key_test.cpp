#include "realmwire/websocket/accept_key.hpp"

#include "handshake/support.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

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

TEST_CASE("accept key: the buffer form equals the string form, also across threads and long keys")
{
    // The digest context is per thread and reused: a second thread and keys longer than one SHA-1
    // block must give the same answers as the first call.
    std::vector<std::string> keys = {"dGhlIHNhbXBsZSBub25jZQ==", "AAECAwQFBgcICQoLDA0ODw==", "", "x",
                                      std::string(200, 'k')};
    std::vector<std::string> first;
    for (const auto& k : keys) {
        websocket::accept_key_buffer b;
        REQUIRE(websocket::compute_accept_key(k, b));
        first.emplace_back(b.data(), b.size());
        CHECK(websocket::compute_accept_key(k) == first.back());
        CHECK(websocket::check_accept_key(k, first.back()));
    }
    CHECK(first[0] == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    std::vector<std::string> other;
    std::thread t([&] {
        for (const auto& k : keys)
            other.push_back(websocket::compute_accept_key(k));
    });
    t.join();
    CHECK(other == first);
}

#if __has_include(<boost/beast/websocket/detail/hybi13.hpp>)
#include <boost/beast/websocket/detail/hybi13.hpp>

TEST_CASE("accept key: the same as Boost.Beast's for many keys")
{
    // Beast is the benchmarks' baseline: both must compute the same value for the comparison to mean
    // anything (and Beast's SHA-1 is an independent implementation to check OpenSSL's use against).
    std::string key(24, 'A');
    for (int i = 0; i < 500; ++i) {
        std::array<unsigned char, websocket::key_bytes> raw{};
        for (std::size_t j = 0; j < raw.size(); ++j)
            raw[j] = static_cast<unsigned char>(i * 31 + static_cast<int>(j) * 17);
        key = websocket::make_key(raw);
        boost::beast::websocket::detail::sec_ws_accept_type beast;
        boost::beast::websocket::detail::make_sec_ws_accept(beast, key);
        websocket::accept_key_buffer ours;
        REQUIRE(websocket::compute_accept_key(key, ours));
        REQUIRE(std::string_view(ours.data(), ours.size()) == std::string_view(beast.data(), beast.size()));
    }
}
#endif
