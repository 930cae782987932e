#ifndef REALMWIRE_DETAIL_UTF8_HPP
#define REALMWIRE_DETAIL_UTF8_HPP

// Strict UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF), the one
// validator behind both changeset strings and WebSocket text/close reasons. ASCII runs, by far the common
// case in both, go a word at a time: 16 bytes per step, the tail as one overlapping word (or two
// overlapping halves for strings under 8 bytes), so an ASCII string costs a few loads and no per-byte branch.
//
// Text that is not all ASCII (names and values in any other script) went byte by byte, with a branch
// per character that random text mispredicts: about a sixth of a changeset decode's time on realm-core's
// own test changesets. On x86-64 such text of 16 bytes and more is now checked 16 bytes per step with
// three nibble lookups (SSSE3 pshufb, chosen once at run time, compiled by a function attribute only, as
// the WebSocket masking loops are); the byte loop runs only to find where invalid text goes wrong.
// REALMWIRE_NO_RUNTIME_SIMD leaves the byte loop alone everywhere.

#include "realmwire/config.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(REALMWIRE_NO_RUNTIME_SIMD)
#include <immintrin.h>
#define REALMWIRE_UTF8_SIMD 1
#endif

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

#ifdef REALMWIRE_UTF8_SIMD
namespace utf8_simd {

// Every rule of RFC 3629 but one is a rule about two neighbouring bytes: the byte before (p) and this one
// (c). Each such rule is a product "p's high nibble in A, p's low nibble in B, c's high nibble in C", so
// it gets one bit, set in the entries A, B and C of three 16-entry tables; a pair breaks a rule exactly
// when the three looked-up bytes share a bit. The rule that is not about pairs: the second and third
// byte after a 3-byte lead and the second to fourth after a 4-byte lead must be continuations. The pair
// tables flag every "continuation after continuation" (bit 7); that flag must be set exactly where a
// 3/4-byte lead stands two or three bytes back, so the two are XORed.
enum : std::uint8_t {
    too_short = 1 << 0,     ///< a lead byte, then no continuation
    too_long = 1 << 1,      ///< an ASCII byte, then a continuation
    overlong_3 = 1 << 2,    ///< E0, then 80..9F
    too_large = 1 << 3,     ///< F4, then 90..BF; F5..FF, then 90..BF
    surrogate = 1 << 4,     ///< ED, then A0..BF
    overlong_2 = 1 << 5,    ///< C0 or C1, then anything
    overlong_4_or_big = 1 << 6, ///< F0, then 80..8F; F5..FF, then 80..8F
    two_continuations = 1 << 7, ///< a continuation, then a continuation
};

/// Entry = the rules a previous byte with this high nibble can break.
alignas(16) inline constexpr std::uint8_t by_prev_high[16] = {
    too_long, too_long, too_long, too_long, too_long, too_long, too_long, too_long, // 0..7: ASCII
    two_continuations, two_continuations, two_continuations, two_continuations,     // 8..B
    too_short | overlong_2,                                                        // C
    too_short,                                                                     // D
    too_short | overlong_3 | surrogate,                                            // E
    too_short | too_large | overlong_4_or_big,                                     // F
};
/// Entry = the rules a previous byte with this low nibble can break (the first three do not depend on it).
inline constexpr std::uint8_t any_low = too_short | too_long | two_continuations;
alignas(16) inline constexpr std::uint8_t by_prev_low[16] = {
    any_low | overlong_2 | overlong_3 | overlong_4_or_big,  // 0: C0, E0, F0
    any_low | overlong_2,                                   // 1: C1
    any_low, any_low,                                       // 2, 3
    any_low | too_large,                                    // 4: F4
    any_low | too_large | overlong_4_or_big,                // 5: F5
    any_low | too_large | overlong_4_or_big,                // 6
    any_low | too_large | overlong_4_or_big,                // 7
    any_low | too_large | overlong_4_or_big,                // 8
    any_low | too_large | overlong_4_or_big,                // 9
    any_low | too_large | overlong_4_or_big,                // A
    any_low | too_large | overlong_4_or_big,                // B
    any_low | too_large | overlong_4_or_big,                // C
    any_low | too_large | overlong_4_or_big | surrogate,    // D: ED, FD
    any_low | too_large | overlong_4_or_big,                // E
    any_low | too_large | overlong_4_or_big,                // F
};
/// Entry = the rules this byte's high nibble completes.
alignas(16) inline constexpr std::uint8_t by_this_high[16] = {
    too_short | overlong_2, too_short | overlong_2, too_short | overlong_2, too_short | overlong_2, // 0..7
    too_short | overlong_2, too_short | overlong_2, too_short | overlong_2, too_short | overlong_2,
    too_long | two_continuations | overlong_2 | overlong_3 | overlong_4_or_big, // 8
    too_long | two_continuations | overlong_2 | overlong_3 | too_large,         // 9
    too_long | two_continuations | overlong_2 | too_large | surrogate,          // A
    too_long | two_continuations | overlong_2 | too_large | surrogate,          // B
    too_short | overlong_2, too_short | overlong_2, too_short | overlong_2, too_short | overlong_2, // C..F
};
/// Shuffle masks for the last r bytes of a string loaded as its last 16: entry 16 - r moves them down to
/// lanes 0..r-1 and zeroes the rest (0x80 selects zero).
alignas(16) inline constexpr std::uint8_t tail_shuffle[32] = {
    0,    1,    2,    3,    4,    5,    6,    7,    8,    9,    10,   11,   12,   13,   14,   15,
    0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80};

/// The rules `cur` breaks, given the 16 bytes before it (`prev`): zero when none.
__attribute__((target("ssse3"))) inline __m128i block_errors(__m128i prev, __m128i cur) noexcept
{
    const __m128i low_nibble = _mm_set1_epi8(0x0F);
    const __m128i prev1 = _mm_alignr_epi8(cur, prev, 15);
    const __m128i t1 = _mm_shuffle_epi8(_mm_load_si128(reinterpret_cast<const __m128i*>(by_prev_high)),
                                        _mm_and_si128(_mm_srli_epi16(prev1, 4), low_nibble));
    const __m128i t2 = _mm_shuffle_epi8(_mm_load_si128(reinterpret_cast<const __m128i*>(by_prev_low)),
                                        _mm_and_si128(prev1, low_nibble));
    const __m128i t3 = _mm_shuffle_epi8(_mm_load_si128(reinterpret_cast<const __m128i*>(by_this_high)),
                                        _mm_and_si128(_mm_srli_epi16(cur, 4), low_nibble));
    const __m128i pairs = _mm_and_si128(_mm_and_si128(t1, t2), t3);
    // Bit 7 where a 3-byte lead (E0..FF) is two back or a 4-byte lead (F0..FF) three back: saturating
    // subtraction leaves bit 7 set exactly for bytes at or above those bounds.
    const __m128i third = _mm_subs_epu8(_mm_alignr_epi8(cur, prev, 14), _mm_set1_epi8(static_cast<char>(0xE0 - 0x80)));
    const __m128i fourth = _mm_subs_epu8(_mm_alignr_epi8(cur, prev, 13), _mm_set1_epi8(static_cast<char>(0xF0 - 0x80)));
    const __m128i must_continue = _mm_and_si128(_mm_or_si128(third, fourth), _mm_set1_epi8(static_cast<char>(0x80)));
    return _mm_xor_si128(pairs, must_continue);
}

/// True when the `n` >= 16 bytes at `s`, preceded by ASCII (or nothing), are valid UTF-8. A sequence cut
/// off at the end is caught because the last block is followed by zeros (ASCII) in its lanes past the end
/// (or by one more block of zeros when the string ends on a block boundary).
__attribute__((target("ssse3"))) inline bool valid_16(const std::uint8_t* s, std::size_t n) noexcept
{
    __m128i prev = _mm_setzero_si128();
    __m128i errors = _mm_setzero_si128();
    std::size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m128i cur = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + i));
        errors = _mm_or_si128(errors, block_errors(prev, cur));
        prev = cur;
    }
    // The last n - i (0..15) bytes, from one load of the string's last 16 (n >= 16: always inside it).
    const __m128i last = _mm_loadu_si128(reinterpret_cast<const __m128i*>(s + n - 16));
    const __m128i tail = _mm_shuffle_epi8(
        last, _mm_loadu_si128(reinterpret_cast<const __m128i*>(tail_shuffle + 16 - (n - i))));
    errors = _mm_or_si128(errors, block_errors(prev, tail));
    return _mm_movemask_epi8(_mm_cmpeq_epi8(errors, _mm_setzero_si128())) == 0xFFFF;
}

inline bool available() noexcept
{
    static const bool ssse3 = __builtin_cpu_supports("ssse3");
    return ssse3;
}

} // namespace utf8_simd
#endif

/// Returns the offset of the first byte of the first invalid sequence, or `n` when all is valid (the
/// byte loop: what the vector check falls back to, and the reference the tests compare it with).
inline std::size_t utf8_invalid_at_bytewise(const std::uint8_t* s, std::size_t n, std::size_t i = 0) noexcept
{
    constexpr std::uint64_t high = 0x8080808080808080ull;
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

/// Returns the offset of the first byte of the first invalid sequence, or `n` when all is valid.
inline std::size_t utf8_invalid_at(const std::uint8_t* s, std::size_t n) noexcept
{
    const std::size_t i = utf8_ascii_prefix(s, n);
#ifdef REALMWIRE_UTF8_SIMD
    // Everything before i is ASCII, so the vector check can start there with nothing carried over.
    // Shorter text stays with the byte loop: copying it into a padded block cost more than it saved.
    if (n - i >= 16 && utf8_simd::available() && utf8_simd::valid_16(s + i, n - i))
        return n;
#endif
    return utf8_invalid_at_bytewise(s, n, i);
}

inline bool is_valid_utf8_text(std::string_view s) noexcept
{
    return utf8_invalid_at(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()) == s.size();
}

} // namespace realmwire::detail

#endif
