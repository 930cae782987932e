#ifndef REALMWIRE_DETAIL_UTF8_HPP
#define REALMWIRE_DETAIL_UTF8_HPP

// Strict UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), the one
// validator behind both changeset strings and WebSocket text/close reasons. ASCII runs, by far the common
// case in both, are skipped eight bytes at a time.

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace realmwire::detail {

/// The offset of the first byte of the first invalid sequence, or `n` when all of it is valid.
inline std::size_t utf8_invalid_at(const std::uint8_t* s, std::size_t n) noexcept
{
    std::size_t i = 0;
    while (i < n) {
        if (n - i >= 8) {
            std::uint64_t w;
            std::memcpy(&w, s + i, 8);
            if ((w & 0x8080808080808080ull) == 0) {
                i += 8;
                continue;
            }
        }
        const std::uint8_t c = s[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t len;
        std::uint8_t lo = 0x80, hi = 0xBF; // allowed range of the second byte
        if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0)
                lo = 0xA0; // overlong
            else if (c == 0xED)
                hi = 0x9F; // surrogates
        }
        else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0)
                lo = 0x90; // overlong
            else if (c == 0xF4)
                hi = 0x8F; // above U+10FFFF
        }
        else
            return i; // a continuation byte first, C0/C1 (always overlong), or F5..FF
        if (n - i < len)
            return i;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return i;
        for (std::size_t k = 2; k < len; ++k) {
            if ((s[i + k] & 0xC0) != 0x80)
                return i;
        }
        i += len;
    }
    return n;
}

inline bool is_valid_utf8_text(std::string_view s) noexcept
{
    return utf8_invalid_at(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()) == s.size();
}

} // namespace realmwire::detail

#endif
