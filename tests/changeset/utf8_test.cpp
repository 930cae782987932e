#include "realmwire/changeset/utf8.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace {

// The byte-at-a-time definition (RFC 3629) the word-at-a-time validator must agree with.
std::size_t reference_invalid_at(const std::uint8_t* s, std::size_t n)
{
    std::size_t i = 0;
    while (i < n) {
        std::uint8_t c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len;
        std::uint8_t lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            lo = c == 0xE0 ? 0xA0 : 0x80;
            hi = c == 0xED ? 0x9F : 0xBF;
        }
        else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            lo = c == 0xF0 ? 0x90 : 0x80;
            hi = c == 0xF4 ? 0x8F : 0xBF;
        }
        else
            return i;
        if (n - i < len || s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (std::size_t k = 2; k < len; ++k) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        }
        i += len;
    }
    return n;
}

} // namespace

TEST_CASE("changeset UTF-8: the word-at-a-time validator agrees with the byte definition")
{
    // Strings of 0..70 bytes built from ASCII runs, valid 2/3/4-byte sequences, edge sequences
    // (overlong, surrogate, above U+10FFFF) and stray bytes, so every position relative to the 8- and
    // 16-byte steps and the overlapping tails is exercised, valid and invalid.
    const std::vector<std::string> pieces = {
        "a", "abcdefg", "0123456789abcdef", " ", "\xC3\xA9", "\xE2\x82\xAC", "\xF0\x9F\x98\x80", "\xED\x9F\xBF",
        "\xEF\xBF\xBF", "\xF4\x8F\xBF\xBF", "\xC0\x80", "\xE0\x80\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "\x80",
        "\xFF", "\xC3", "\xE2\x82", "\xF0\x9F\x98", "\x7F", std::string(1, '\0')};
    std::uint64_t state = 0x9E3779B97F4A7C15ull;
    auto next = [&] {
        state = state * 6364136223846793005ull + 1442695040888963407ull;
        return static_cast<std::size_t>(state >> 33);
    };
    std::size_t invalid = 0;
    for (int round = 0; round < 20000; ++round) {
        std::string s;
        const std::size_t target = next() % 71;
        while (s.size() < target) {
            // mostly ASCII, as in real changesets
            const std::string& p = pieces[next() % 3 == 0 ? next() % pieces.size() : next() % 4];
            s += p;
        }
        const auto* b = reinterpret_cast<const std::uint8_t*>(s.data());
        const std::size_t want = reference_invalid_at(b, s.size());
        invalid += want != s.size();
        if (realmwire::changeset::detail::utf8_invalid_at(b, s.size()) != want) {
            INFO("round " << round << " size " << s.size());
            REQUIRE(realmwire::changeset::detail::utf8_invalid_at(b, s.size()) == want);
        }
    }
    CHECK(invalid > 1000);   // both outcomes well covered
    CHECK(invalid < 19000);
}
