#ifndef REALMWIRE_DETAIL_SCAN_HPP
#define REALMWIRE_DETAIL_SCAN_HPP

// Byte-class searches for the HTTP parser's hot loops, 16 bytes per step. Each returns the index of the
// first byte of the class in [p, p + n), or n. SSE2 (part of every x86-64) when available, a byte loop
// otherwise and for the tail; tests/http/scan_test.cpp checks every byte value at every position against
// the byte definitions.

#include "realmwire/config.hpp"
#include "realmwire/detail/ascii.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#define REALMWIRE_SCAN_SSE2 1
#endif

namespace realmwire::detail {

/// tchar (RFC 7230 token characters) as a table: one load instead of a switch per byte.
struct tchar_table {
    bool v[256] = {};
    constexpr tchar_table()
    {
        for (int c = '0'; c <= '9'; ++c)
            v[c] = true;
        for (int c = 'a'; c <= 'z'; ++c)
            v[c] = true;
        for (int c = 'A'; c <= 'Z'; ++c)
            v[c] = true;
        const char extra[] = "!#$%&'*+-.^_`|~";
        for (std::size_t i = 0; i + 1 < sizeof extra; ++i)
            v[static_cast<unsigned char>(extra[i])] = true;
    }
};
inline constexpr tchar_table tchars{};

REALMWIRE_ALWAYS_INLINE bool is_tchar_fast(char c) noexcept { return tchars.v[static_cast<unsigned char>(c)]; }

/// Scalar reference forms (also the tails of the vector loops).
REALMWIRE_ALWAYS_INLINE bool is_cr_or_lf(char c) noexcept { return c == '\r' || c == '\n'; }
/// Control characters and DEL: what may not appear in a field value (HTAB included here; the caller
/// lets HTAB through).
REALMWIRE_ALWAYS_INLINE bool is_ctl(char c) noexcept
{
    auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7F;
}
/// Not visible ASCII: what may not appear in a request-target (SP, controls, DEL, non-ASCII).
REALMWIRE_ALWAYS_INLINE bool is_not_vchar(char c) noexcept
{
    auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u >= 0x7F;
}

#if REALMWIRE_SCAN_SSE2
namespace scan_detail {
REALMWIRE_ALWAYS_INLINE std::size_t first_bit(unsigned mask) noexcept
{
    return static_cast<std::size_t>(__builtin_ctz(mask));
}
} // namespace scan_detail
#endif

/// First CR or LF.
inline std::size_t find_cr_or_lf(const char* p, std::size_t n) noexcept
{
    std::size_t i = 0;
#if REALMWIRE_SCAN_SSE2
    const __m128i cr = _mm_set1_epi8('\r');
    const __m128i lf = _mm_set1_epi8('\n');
    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        unsigned m = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(x, cr), _mm_cmpeq_epi8(x, lf))));
        if (m)
            return i + scan_detail::first_bit(m);
    }
#endif
    for (; i < n; ++i) {
        if (is_cr_or_lf(p[i]))
            return i;
    }
    return n;
}

/// First control character or DEL (bytes 0x00-0x1F and 0x7F; obs-text 0x80-0xFF is not one).
inline std::size_t find_ctl(const char* p, std::size_t n) noexcept
{
    std::size_t i = 0;
#if REALMWIRE_SCAN_SSE2
    const __m128i top = _mm_set1_epi8(0x1F);
    const __m128i del = _mm_set1_epi8(0x7F);
    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        __m128i low = _mm_cmpeq_epi8(_mm_max_epu8(x, top), top); // x <= 0x1F, unsigned
        unsigned m = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(low, _mm_cmpeq_epi8(x, del))));
        if (m)
            return i + scan_detail::first_bit(m);
    }
#endif
    for (; i < n; ++i) {
        if (is_ctl(p[i]))
            return i;
    }
    return n;
}

/// First byte that is not visible ASCII (0x00-0x20 or 0x7F-0xFF).
inline std::size_t find_not_vchar(const char* p, std::size_t n) noexcept
{
    std::size_t i = 0;
#if REALMWIRE_SCAN_SSE2
    const __m128i space = _mm_set1_epi8(0x20);
    const __m128i tilde = _mm_set1_epi8(0x7E);
    for (; i + 16 <= n; i += 16) {
        __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
        __m128i low = _mm_cmpeq_epi8(_mm_max_epu8(x, space), space);  // x <= 0x20
        __m128i high = _mm_cmpeq_epi8(_mm_min_epu8(x, tilde), tilde);  // x >= 0x7E ...
        high = _mm_andnot_si128(_mm_cmpeq_epi8(x, tilde), high);       // ... but not 0x7E itself
        unsigned m = static_cast<unsigned>(_mm_movemask_epi8(_mm_or_si128(low, high)));
        if (m)
            return i + scan_detail::first_bit(m);
    }
#endif
    for (; i < n; ++i) {
        if (is_not_vchar(p[i]))
            return i;
    }
    return n;
}

/// First byte that is not a tchar (a field name or a method ends there).
inline std::size_t find_not_tchar(const char* p, std::size_t n) noexcept
{
    std::size_t i = 0;
    // Names are short: unrolled table lookups beat a vector class test here.
    for (; i + 4 <= n; i += 4) {
        if (!is_tchar_fast(p[i]))
            return i;
        if (!is_tchar_fast(p[i + 1]))
            return i + 1;
        if (!is_tchar_fast(p[i + 2]))
            return i + 2;
        if (!is_tchar_fast(p[i + 3]))
            return i + 3;
    }
    for (; i < n; ++i) {
        if (!is_tchar_fast(p[i]))
            return i;
    }
    return n;
}

/// ASCII case-insensitive equality, 8 bytes per step: each word has its A-Z bytes turned to a-z
/// (bytes >= 0x80 and every other byte left alone), then the words are compared. Same answers as
/// iequals in ascii.hpp (tests/http/scan_test.cpp checks every byte pair).
REALMWIRE_ALWAYS_INLINE std::uint64_t ascii_lower_word(std::uint64_t x) noexcept
{
    constexpr std::uint64_t ones = 0x0101010101010101ull;
    constexpr std::uint64_t highs = 0x8080808080808080ull;
    const std::uint64_t low7 = x & ~highs;
    const std::uint64_t above_z = low7 + ones * (0x7F - 'Z'); // high bit set where byte > 'Z'
    const std::uint64_t from_a = low7 + ones * (0x80 - 'A');  // high bit set where byte >= 'A'
    const std::uint64_t upper = (from_a & ~above_z) & ~x & highs;
    return x | (upper >> 2);
}

inline bool iequals_fast(std::string_view a, std::string_view b) noexcept
{
    const std::size_t n = a.size();
    if (n != b.size())
        return false;
    std::size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        std::uint64_t x;
        std::uint64_t y;
        std::memcpy(&x, a.data() + i, 8);
        std::memcpy(&y, b.data() + i, 8);
        if (x != y && ascii_lower_word(x) != ascii_lower_word(y))
            return false;
    }
    for (; i < n; ++i) {
        char x = a[i];
        char y = b[i];
        if (x != y && to_lower(x) != to_lower(y))
            return false;
    }
    return true;
}

} // namespace realmwire::detail

#endif
