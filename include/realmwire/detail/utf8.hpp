#ifndef REALMWIRE_DETAIL_UTF8_HPP
#define REALMWIRE_DETAIL_UTF8_HPP

// Strict UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), the one
// validator behind both changeset strings and WebSocket text/close reasons. ASCII runs, by far the common
// case in both, go a word at a time: 16 bytes per step, the tail as one overlapping word (or two
// overlapping halves for strings under 8 bytes), so an ASCII string costs a few loads and no per-byte branch.

#include "realmwire/config.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace realmwire::detail {

REALMWIRE_ALWAYS_INLINE std::uint64_t load_u64(const std::uint8_t* p) noexcept
{
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
}
REALMWIRE_ALWAYS_INLINE std::uint32_t load_u32(const std::uint8_t* p) noexcept
{
    std::uint32_t w;
    std::memcpy(&w, p, 4);
    return w;
}

/// Offset where the leading run of ASCII bytes may end: `n` when all `n` bytes are ASCII, otherwise a
/// position at or before the first non-ASCII byte (the exact check resumes from there).
REALMWIRE_ALWAYS_INLINE std::size_t utf8_ascii_prefix(const std::uint8_t* s, std::size_t n) noexcept
{
    constexpr std::uint64_t high = 0x8080808080808080ull;
    if (n >= 8) {
        std::size_t i = 0;
        for (; i + 16 <= n; i += 16) {
            if ((load_u64(s + i) | load_u64(s + i + 8)) & high)
                return i;
        }
        if (i + 8 <= n) {
            if (load_u64(s + i) & high)
                return i;
            i += 8;
        }
        if (i == n)
            return n;
        return (load_u64(s + n - 8) & high) ? i : n; // the tail, overlapping bytes already checked
    }
    if (n >= 4)
        return ((load_u32(s) | load_u32(s + n - 4)) & 0x80808080u) ? 0 : n;
    unsigned acc = 0;
    for (std::size_t i = 0; i < n; ++i)
        acc |= s[i];
    return acc < 0x80 ? n : 0;
}

/// Index (0-7) of the first byte in memory order whose bit 7 is set in `w & 0x8080...` (non-zero).
REALMWIRE_ALWAYS_INLINE std::size_t first_high_byte(std::uint64_t high_bits) noexcept
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return static_cast<std::size_t>(__builtin_clzll(high_bits)) / 8;
#else
    return static_cast<std::size_t>(__builtin_ctzll(high_bits)) / 8;
#endif
}

/// Returns the offset of the first byte of the first invalid sequence, or `n` when all is valid.
inline std::size_t utf8_invalid_at(const std::uint8_t* s, std::size_t n) noexcept
{
    constexpr std::uint64_t high = 0x8080808080808080ull;
    std::size_t i = utf8_ascii_prefix(s, n);
    while (i < n) {
        std::uint8_t c = s[i];
        if (c < 0x80) {
            // An ASCII run between multi-byte sequences: jump to its end a word at a time.
            if (n - i >= 8) {
                std::uint64_t w = load_u64(s + i) & high;
                i += w ? first_high_byte(w) : 8;
                continue;
            }
            if (n >= 8) {
                // Fewer than 8 bytes left: the last word of the string, without the bytes before i
                // (already checked, and maybe non-ASCII themselves).
                std::uint64_t w = load_u64(s + n - 8) & high;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
                w &= ~std::uint64_t(0) >> (8 * (8 - (n - i)));
#else
                w &= ~std::uint64_t(0) << (8 * (8 - (n - i)));
#endif
                if (!w)
                    return n;
                i = n - 8 + first_high_byte(w);
                continue;
            }
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

inline bool is_valid_utf8_text(std::string_view s) noexcept
{
    return utf8_invalid_at(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()) == s.size();
}

} // namespace realmwire::detail

#endif
