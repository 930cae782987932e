#include "realmwire/websocket/mask.hpp"

#include "realmwire/websocket/close_code.hpp"
#include "realmwire/websocket/detail/utf8.hpp"

#include <catch2/catch.hpp>

#include <vector>

using namespace realmwire::websocket;

TEST_CASE("fast masking equals the byte-at-a-time reference at every size, offset and alignment")
{
    const mask_key key{0x37, 0xfa, 0x21, 0x3d};
    std::vector<std::uint8_t> base(2400);
    for (std::size_t i = 0; i < base.size(); ++i)
        base[i] = static_cast<std::uint8_t>(i * 13 + 5);
    for (std::size_t align = 0; align < 8; ++align) {
        // Up to 2,391 bytes: the AVX2/AVX-512 loops (from 512 bytes, where the CPU has them), their
        // SSE2, word and byte tails.
        for (std::size_t size : {0u, 1u, 3u, 7u, 8u, 9u, 15u, 16u, 63u, 64u, 65u, 127u, 128u, 200u, 291u, 511u, 512u,
                                 513u, 575u, 640u, 767u, 768u, 1000u, 1023u, 1024u, 1279u, 2047u, 2391u}) {
            for (std::size_t offset = 0; offset < 4; ++offset) {
                auto fast = base;
                auto ref = base;
                auto o1 = apply_mask(fast.data() + align, size, key, offset);
                auto o2 = apply_mask_reference(ref.data() + align, size, key, offset);
                REQUIRE(o1 == o2);
                REQUIRE(fast == ref);
            }
        }
    }
}

#ifdef REALMWIRE_WEBSOCKET_MASK_WIDE
TEST_CASE("the wide masking loops are what the CPU offers")
{
    const int level = mask_detail::wide_level();
    const int want = __builtin_cpu_supports("avx512f") ? 2 : __builtin_cpu_supports("avx2") ? 1 : 0;
    CHECK(level == want);
    UNSCOPED_INFO("wide masking level " << level);
}
#endif

TEST_CASE("masking in pieces equals masking at once, and masking twice is the identity")
{
    const mask_key key{1, 2, 0x80, 0xFF};
    std::vector<std::uint8_t> data(1000, 0xAA), whole = data;
    apply_mask(whole.data(), whole.size(), key);
    std::size_t off = 0, pos = 0;
    for (std::size_t piece : {1u, 2u, 77u, 3u, 500u, 417u}) {
        off = apply_mask(data.data() + pos, piece, key, off);
        pos += piece;
    }
    CHECK(data == whole);
    apply_mask(data.data(), data.size(), key);
    CHECK(data == std::vector<std::uint8_t>(1000, 0xAA));
}

TEST_CASE("close codes: wire validity, realm-core mapping, client reactions")
{
    CHECK(is_valid_wire_close_code(1000));
    CHECK(is_valid_wire_close_code(4001));
    CHECK(is_valid_wire_close_code(3000));
    CHECK_FALSE(is_valid_wire_close_code(1005));
    CHECK_FALSE(is_valid_wire_close_code(1006));
    CHECK_FALSE(is_valid_wire_close_code(1015));
    CHECK_FALSE(is_valid_wire_close_code(5000));
    CHECK(realm_close_code_from_wire(4001) == close_code::unauthorized);
    CHECK(realm_close_code_from_wire(4400) == close_code::policy_violation); // local-only codes never from a peer
    CHECK(realm_close_code_from_wire(3000) == close_code::policy_violation);
    CHECK(realm_close_code_from_wire(1009) == close_code::message_too_big);

    CHECK(reaction_for(close_code::unauthorized).action == client_action::refresh_user);
    CHECK_FALSE(reaction_for(close_code::unauthorized).fatal);
    CHECK(reaction_for(close_code::forbidden).action == client_action::log_out_user);
    CHECK(reaction_for(close_code::forbidden).fatal);
    CHECK(reaction_for(close_code::moved_permanently).action == client_action::refresh_location);
    CHECK(reaction_for(close_code::message_too_big).action == client_action::client_reset);
    CHECK(reaction_for(close_code::protocol_error).action == client_action::protocol_violation);
    CHECK(reaction_for(close_code::internal_error).action == client_action::reconnect);
    CHECK(std::string(to_string(close_code::forbidden)) == "forbidden");
}

TEST_CASE("UTF-8 validation")
{
    auto is_valid_utf8 = [](std::string_view s) { return realmwire::detail::is_valid_utf8_text(s); };
    CHECK(is_valid_utf8(""));
    CHECK(is_valid_utf8("plain ascii that is longer than eight bytes"));
    CHECK(is_valid_utf8("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"));
    CHECK(is_valid_utf8("\xF4\x8F\xBF\xBF"));
    CHECK_FALSE(is_valid_utf8("\xC1\xBF"));         // overlong
    CHECK_FALSE(is_valid_utf8("\xE0\x9F\xBF"));     // overlong
    CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));     // surrogate
    CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80")); // > U+10FFFF
    CHECK_FALSE(is_valid_utf8("\xF5\x80\x80\x80"));
    CHECK_FALSE(is_valid_utf8("abc\xC3"));          // truncated
    CHECK_FALSE(is_valid_utf8("\xE2\x82"));
    CHECK_FALSE(is_valid_utf8("\x80"));
    CHECK_FALSE(is_valid_utf8("\xC3\x28"));
}
