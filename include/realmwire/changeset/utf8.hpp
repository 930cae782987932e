#ifndef REALMWIRE_CHANGESET_UTF8_HPP
#define REALMWIRE_CHANGESET_UTF8_HPP

// Strict UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), with an
// 8-bytes-at-a-time ASCII fast path because nearly every string in a changeset is ASCII.

#include "realmwire/config.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace realmwire::changeset::detail {

/// Returns the offset of the first byte of the first invalid sequence, or `n` when all is valid.
inline std::size_t utf8_invalid_at(const std::uint8_t* s, std::size_t n) noexcept
{
    std::size_t i = 0;
    while (i < n) {
        if (i + 8 <= n) {
            std::uint64_t w;
            std::memcpy(&w, s + i, 8);
            if ((w & 0x8080808080808080ull) == 0) {
                i += 8;
                continue;
            }
        }
        std::uint8_t c = s[i];
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
            return i;
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

inline bool is_valid_utf8(const char* s, std::size_t n) noexcept
{
    return utf8_invalid_at(reinterpret_cast<const std::uint8_t*>(s), n) == n;
}

} // namespace realmwire::changeset::detail

#endif
