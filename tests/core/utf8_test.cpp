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

namespace {

/// Checks `s` (n >= 16 bytes, the vector check's domain) three ways: the dispatching validator, the byte
/// loop and RFC 3629 must agree on validity, and the first two on the offset; where the CPU has the
/// vector check, it is also asked directly.
void check_long(const std::uint8_t* s, std::size_t n)
{
    const std::size_t at = realmwire::detail::utf8_invalid_at(s, n);
    const std::size_t bytewise = realmwire::detail::utf8_invalid_at_bytewise(s, n);
    const bool valid = reference_valid(s, n);
    bool agree = at == bytewise && (at == n) == valid;
#ifdef REALMWIRE_UTF8_SIMD
    agree = agree && realmwire::detail::utf8_simd::valid_16(s, n) == valid;
#endif
    if (!agree) {
        std::string hex;
        for (std::size_t k = 0; k < n; ++k) {
            const char digits[] = "0123456789abcdef";
            hex += digits[s[k] >> 4];
            hex += digits[s[k] & 15];
        }
        INFO("bytes " << hex << " dispatch " << at << " bytewise " << bytewise << " rfc " << valid);
        FAIL("UTF-8 validators disagree");
    }
}

} // namespace

TEST_CASE("utf8: the 16-byte vector check agrees with RFC 3629 at every place in a block")
{
#ifdef REALMWIRE_UTF8_SIMD
    // Where this runs on x86-64 the vector check must really be there (SSSE3 is in every x86-64 CPU of
    // the last fifteen years), or the cases below would test only the byte loop.
    REQUIRE(realmwire::detail::utf8_simd::available());
#endif
    std::uint8_t buf[40];
    const auto fill = [&] {
        for (std::size_t k = 0; k < sizeof buf; ++k)
            buf[k] = static_cast<std::uint8_t>('a' + k % 26);
    };
    // Every byte pair at the places that matter in a 40-byte string: the start, both sides of the first
    // block boundary, inside the second block, the tail and the end.
    for (std::size_t pos : {0, 1, 13, 14, 15, 16, 30, 38}) {
        for (std::uint32_t v = 0; v < 65536; ++v) {
            fill();
            buf[pos] = static_cast<std::uint8_t>(v >> 8);
            buf[pos + 1] = static_cast<std::uint8_t>(v);
            check_long(buf, sizeof buf);
            check_long(buf, pos + 2 >= 16 ? pos + 2 : 16); // the pair last: a cut-off sequence at the end
        }
    }
    // Every 3-byte sequence from a lead at or above E0, across the block boundary and at the end.
    for (std::size_t pos : {14, 37}) {
        for (std::uint32_t v = 0xE00000; v < 0x1000000; ++v) {
            fill();
            buf[pos] = static_cast<std::uint8_t>(v >> 16);
            buf[pos + 1] = static_cast<std::uint8_t>(v >> 8);
            buf[pos + 2] = static_cast<std::uint8_t>(v);
            check_long(buf, sizeof buf);
        }
    }
    // 4-byte leads (and the bytes above them) with every second byte and the edges of the other two.
    const std::uint8_t edges[] = {0x00, 0x41, 0x7F, 0x80, 0x8F, 0x90, 0x9F, 0xA0, 0xBF, 0xC0, 0xE0, 0xF0, 0xFF};
    for (std::size_t pos : {13, 36}) {
        for (std::uint32_t lead = 0xF0; lead <= 0xFF; ++lead) {
            for (std::uint32_t second = 0; second < 256; ++second) {
                for (std::uint8_t third : edges) {
                    for (std::uint8_t fourth : edges) {
                        fill();
                        buf[pos] = static_cast<std::uint8_t>(lead);
                        buf[pos + 1] = static_cast<std::uint8_t>(second);
                        buf[pos + 2] = third;
                        buf[pos + 3] = fourth;
                        check_long(buf, sizeof buf);
                    }
                }
            }
        }
    }
}

TEST_CASE("utf8: long mixed text, valid and damaged, through the vector check")
{
    // Text in several scripts (2-, 3- and 4-byte sequences) of growing length; then each byte in turn
    // replaced by a stray continuation, a lead or an ASCII letter.
    const std::string piece = "na\xC3\xAFve \xE2\x82\xAC\xE6\x97\xA5\xE6\x9C\xAC \xF0\x9F\x98\x80 \xD0\xB4\xD0\xB0 ";
    std::string text;
    while (text.size() < 300)
        text += piece;
    for (std::size_t n = 16; n <= text.size(); n += 7) {
        std::string s = text.substr(0, n);
        check_long(reinterpret_cast<const std::uint8_t*>(s.data()), s.size());
        for (std::size_t k = 0; k < s.size(); ++k) {
            for (char replacement : {'\x80', '\xE2', '\xF0', 'x'}) {
                std::string bad = s;
                bad[k] = replacement;
                check_long(reinterpret_cast<const std::uint8_t*>(bad.data()), bad.size());
            }
        }
    }
}
