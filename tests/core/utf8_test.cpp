// The one UTF-8 validator (detail/utf8.hpp) and the names the changeset and WebSocket code use for it.
#include "realmwire/changeset/utf8.hpp"
#include "realmwire/detail/utf8.hpp"
#include "realmwire/websocket/detail/utf8.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

namespace {

/// RFC 3629 written out as code points, independent of the validator's byte-range tables.
bool reference_valid(const std::uint8_t* s, std::size_t n)
{
    std::size_t i = 0;
    while (i < n) {
        std::uint32_t cp;
        std::size_t len;
        if (s[i] < 0x80) {
            cp = s[i];
            len = 1;
        }
        else if ((s[i] & 0xE0) == 0xC0) {
            cp = s[i] & 0x1F;
            len = 2;
        }
        else if ((s[i] & 0xF0) == 0xE0) {
            cp = s[i] & 0x0F;
            len = 3;
        }
        else if ((s[i] & 0xF8) == 0xF0) {
            cp = s[i] & 0x07;
            len = 4;
        }
        else
            return false;
        if (n - i < len)
            return false;
        for (std::size_t k = 1; k < len; ++k) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        const std::uint32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
        if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

} // namespace

TEST_CASE("utf8: one validator, every 1-, 2- and 3-byte input agrees with RFC 3629")
{
    std::uint8_t b[3];
    for (std::uint32_t v = 0; v < (1u << 24); ++v) {
        b[0] = static_cast<std::uint8_t>(v >> 16);
        b[1] = static_cast<std::uint8_t>(v >> 8);
        b[2] = static_cast<std::uint8_t>(v);
        for (std::size_t n = (v < 256 ? 1 : v < 65536 ? 2 : 3); n <= 3; n += 3) {
            const std::uint8_t* s = b + (3 - n);
            const bool ok = realmwire::detail::utf8_invalid_at(s, n) == n;
            if (ok != reference_valid(s, n)) {
                INFO("bytes " << std::hex << v << " length " << n);
                FAIL("validator and RFC 3629 disagree");
            }
        }
    }
}

TEST_CASE("utf8: the changeset and WebSocket names give the same answers and offsets")
{
    struct row {
        std::string bytes;
        std::size_t invalid_at; // == size when valid
    };
    const row rows[] = {
        {"", 0},
        {"plain ascii that is longer than eight bytes", 43},
        {"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 9},
        {"\xF4\x8F\xBF\xBF", 4},
        {"12345678\xC1\xBF", 8},       // overlong, after an ASCII word
        {"abc\xE0\x9F\xBF", 3},        // overlong 3-byte
        {"\xED\xA0\x80", 0},           // surrogate
        {"\xF4\x90\x80\x80", 0},       // above U+10FFFF
        {"\xF5\x80\x80\x80", 0},
        {"ok\xE2\x82", 2},             // truncated at the end
        {"\x80", 0},                   // continuation byte first
        {"\xF0\x9F\x98\x80xyz\xFF", 7},
    };
    for (const auto& r : rows) {
        INFO(r.bytes);
        const auto* s = reinterpret_cast<const std::uint8_t*>(r.bytes.data());
        CHECK(realmwire::detail::utf8_invalid_at(s, r.bytes.size()) == r.invalid_at);
        CHECK(realmwire::changeset::detail::utf8_invalid_at(s, r.bytes.size()) == r.invalid_at);
        const bool valid = r.invalid_at == r.bytes.size();
        CHECK(realmwire::detail::is_valid_utf8_text(r.bytes) == valid);
        CHECK(realmwire::changeset::detail::is_valid_utf8(r.bytes.data(), r.bytes.size()) == valid);
    }
}
