#ifndef REALMWIRE_CHANGESET_INTEGER_CODEC_HPP
#define REALMWIRE_CHANGESET_INTEGER_CODEC_HPP

// realm-core's changeset integer codec (docs/protocol.md): little-endian 7-bit groups with bit 7 as the
// continuation flag, and in the LAST byte bit 6 as the sign flag and bits 0-5 as the top magnitude bits.
// A negative v is stored as the magnitude ~v plus the sign flag. This is NOT (S)LEB128: -1 is `40`,
// not `7F`.
//
// The encoder writes exactly what realm-core writes. The decoder accepts exactly the byte strings that
// realm-core's encoder can produce for the field's type and nothing else: it rejects over-long forms
// (realm-core accepts `80 00` as 0), a sign flag on unsigned fields (realm-core turns `41` into ~1),
// and values that do not fit the type.

#include "realmwire/config.hpp"
#include "realmwire/errors/changeset.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

namespace realmwire::changeset {

/// Largest encoding of a 64-bit value (realm-core's max_bytes for int64/uint64).
inline constexpr std::size_t max_varint_size = 10;

/// Bytes realm-core allows for T: ceil((1 + digits(T)) / 7).
template <class T>
constexpr std::size_t varint_max_bytes() noexcept
{
    return (1 + std::numeric_limits<T>::digits + 6) / 7;
}

/// Writes `v` at `out` (room for max_varint_size bytes) and returns the byte count.
template <class T>
REALMWIRE_ALWAYS_INLINE std::size_t encode_varint(T v, char* out) noexcept
{
    static_assert(std::is_integral_v<T> && sizeof(T) <= 8, "encode_varint takes integers of at most 64 bits");
    std::uint64_t m;
    std::uint8_t sign = 0;
    if constexpr (std::is_signed_v<T>) {
        if (v < 0) {
            m = static_cast<std::uint64_t>(~static_cast<std::int64_t>(v));
            sign = 0x40;
        }
        else {
            m = static_cast<std::uint64_t>(v);
        }
    }
    else {
        m = static_cast<std::uint64_t>(v);
    }
    std::size_t n = 0;
    while ((m >> 6) != 0) {
        out[n++] = static_cast<char>(0x80 | (m & 0x7F));
        m >>= 7;
    }
    out[n++] = static_cast<char>(sign | m);
    return n;
}

/// Appends the encoding of `v` to `out`.
template <class T>
void append_varint(std::string& out, T v)
{
    char buf[max_varint_size];
    out.append(buf, encode_varint(v, buf));
}

/// The raw result of reading one varint: magnitude and sign flag, before the type check.
struct varint_raw {
    std::uint64_t magnitude = 0; ///< up to 64 bits
    bool negative = false;       ///< the sign flag of the last byte
};

namespace detail {

/// Reads one strictly-canonical varint of at most 10 bytes from [p, end). On success advances p and
/// returns {}; on failure leaves p at the failing byte and returns the error. The magnitude is checked to
/// fit in 64 bits here; narrower types are checked by the callers.
REALMWIRE_ALWAYS_INLINE changeset_error read_varint_raw(const std::uint8_t*& p, const std::uint8_t* end,
                                                        varint_raw& out) noexcept
{
    if (REALMWIRE_LIKELY(p != end)) {
        std::uint8_t b = *p;
        if (REALMWIRE_LIKELY(b < 0x80)) { // the common one-byte case
            out.magnitude = b & 0x3F;
            out.negative = (b & 0x40) != 0;
            ++p;
            return changeset_error{};
        }
    }
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    if (end - p >= 8) {
        // Up to 8 bytes from one load, without a branch per byte: the first byte with bit 7 clear ends
        // the number; the 7-bit groups are packed by three shift-and-or steps. 9- and 10-byte forms
        // (magnitudes of 2^55 and up) take the loop below.
        std::uint64_t w;
        std::memcpy(&w, p, 8);
        const std::uint64_t stops = ~w & 0x8080808080808080ull;
        if (stops != 0) {
            const unsigned last = static_cast<unsigned>(__builtin_ctzll(stops)) >> 3; // index 0..7
            const unsigned shift = 8 * last;
            // Over-long (as below): the last byte's 6 magnitude bits are 0 and the byte before it
            // had its bit 6 free.
            if (last > 0 && ((w >> shift) & 0x3F) == 0 && ((w >> (shift - 2)) & 1) == 0)
                return changeset_error::varint_non_minimal;
            const bool negative = ((w >> (shift + 6)) & 1) != 0;
            std::uint64_t x = w & (~std::uint64_t(0) >> (56 - shift)) & 0x7F7F7F7F7F7F7F7Full;
            x &= ~(std::uint64_t(0x40) << shift); // the sign flag is not magnitude
            x = (x & 0x007F007F007F007Full) | ((x & 0x7F007F007F007F00ull) >> 1);
            x = (x & 0x00003FFF00003FFFull) | ((x & 0x3FFF00003FFF0000ull) >> 2);
            x = (x & 0x000000000FFFFFFFull) | ((x & 0x0FFFFFFF00000000ull) >> 4);
            out.magnitude = x;
            out.negative = negative;
            p += last + 1;
            return changeset_error{};
        }
    }
#endif
    const std::uint8_t* q = p;
    std::uint64_t m = 0;
    std::uint8_t prev = 0;
    for (unsigned i = 0; i < max_varint_size; ++i) {
        if (q == end)
            return changeset_error::truncated;
        std::uint8_t b = *q++;
        if (b & 0x80) {
            if (i == max_varint_size - 1)
                return changeset_error::varint_too_long;
            m |= std::uint64_t(b & 0x7F) << (7 * i);
            prev = b;
            continue;
        }
        std::uint64_t f = b & 0x3F;
        // Over-long: the final group adds nothing and the previous group's bit 6 was free, so the
        // encoder would have stopped one byte earlier.
        if (i > 0 && f == 0 && (prev & 0x40) == 0)
            return changeset_error::varint_non_minimal;
        if (i == 9 && f > 1) // 9*7 = 63 bits so far; one more bit fits in 64
            return changeset_error::varint_overflow;
        m |= f << (7 * i);
        out.magnitude = m;
        out.negative = (b & 0x40) != 0;
        p = q;
        return changeset_error{};
    }
    return changeset_error::varint_too_long; // unreachable: the loop returns on byte 10
}

} // namespace detail

namespace detail {

/// The general case of decode_varint (more than one byte, or a sign flag): out of line, so the inline
/// fast paths stay a handful of instructions at every call site.
template <class T>
changeset_error decode_varint_slow(const std::uint8_t*& p, const std::uint8_t* end, T& value) noexcept
{
    const std::uint8_t* start = p;
    varint_raw r;
    if (auto e = read_varint_raw(p, end, r); e != changeset_error{})
        return e;
    if constexpr (std::is_signed_v<T>) {
        // magnitude m means m (positive) or -m-1 (negative): both need m <= max(T).
        if (r.magnitude > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) {
            p = start;
            return changeset_error::varint_overflow;
        }
        value = r.negative ? static_cast<T>(-static_cast<std::int64_t>(r.magnitude) - 1) : static_cast<T>(r.magnitude);
    }
    else {
        if (r.negative) {
            p = start;
            return changeset_error::varint_sign_on_unsigned;
        }
        if (r.magnitude > static_cast<std::uint64_t>(std::numeric_limits<T>::max())) {
            p = start;
            return changeset_error::varint_overflow;
        }
        value = static_cast<T>(r.magnitude);
    }
    return changeset_error{};
}

} // namespace detail

/// Decodes one varint as type T from [p, end) under the strict rules. On success advances p.
template <class T>
REALMWIRE_ALWAYS_INLINE changeset_error decode_varint(const std::uint8_t*& p, const std::uint8_t* end, T& value) noexcept
{
    static_assert(std::is_integral_v<T> && sizeof(T) <= 8, "decode_varint takes integers of at most 64 bits");
    if (REALMWIRE_LIKELY(end - p >= 2)) {
        // Nearly every integer of a changeset (tags, string indexes, lengths, types, small values) is
        // one byte 0..63: a value that fits every type, always minimal, no sign. Next most common: two
        // bytes with a positive result below 2^13, minimal unless the second byte adds nothing.
        const std::uint8_t b0 = p[0];
        if (REALMWIRE_LIKELY(b0 < 0x40)) {
            value = static_cast<T>(b0);
            ++p;
            return changeset_error{};
        }
        const std::uint8_t b1 = p[1];
        if constexpr (std::numeric_limits<T>::digits >= 13) {
            if (b0 >= 0x80 && b1 < 0x40 && (b1 != 0 || (b0 & 0x40) != 0)) {
                value = static_cast<T>((b0 & 0x7F) | (unsigned(b1) << 7));
                p += 2;
                return changeset_error{};
            }
        }
    }
    return detail::decode_varint_slow(p, end, value);
}

/// Convenience form over a buffer: decodes one varint from the start of `bytes` and reports how many
/// bytes it took.
template <class T>
std::error_code decode_varint(std::string_view bytes, T& value, std::size_t& consumed) noexcept
{
    auto begin = reinterpret_cast<const std::uint8_t*>(bytes.data());
    auto p = begin;
    if (auto e = decode_varint(p, begin + bytes.size(), value); e != changeset_error{})
        return e;
    consumed = static_cast<std::size_t>(p - begin);
    return {};
}

// ---- Bid128 coefficient varint (Decimal128's 113-bit coefficient) ----

/// A 128-bit unsigned integer, w[0] low, w[1] high.
struct uint128 {
    std::uint64_t lo = 0;
    std::uint64_t hi = 0;
    friend bool operator==(const uint128& a, const uint128& b) noexcept { return a.lo == b.lo && a.hi == b.hi; }
    friend bool operator!=(const uint128& a, const uint128& b) noexcept { return !(a == b); }
};

/// Writes the Bid128 varint of `v` (up to 19 bytes for a full 128-bit value; 17 for a valid coefficient).
inline std::size_t encode_bid128_varint(uint128 v, char* out) noexcept
{
    std::size_t n = 0;
    while ((v.lo >> 6) != 0 || v.hi != 0) {
        out[n++] = static_cast<char>(0x80 | (v.lo & 0x7F));
        v.lo = (v.lo >> 7) | (v.hi << 57);
        v.hi >>= 7;
    }
    out[n++] = static_cast<char>(v.lo);
    return n;
}

/// Strict decoding of a Decimal128 coefficient: canonical form only (the last byte below 64, no
/// over-long form), at most 17 bytes, and the value below 2^113 (the BID128 coefficient width).
inline changeset_error decode_bid128_varint(const std::uint8_t*& p, const std::uint8_t* end, uint128& v) noexcept
{
    const std::uint8_t* q = p;
    uint128 r;
    std::uint8_t prev = 0;
    for (unsigned i = 0; i < 17; ++i) {
        if (q == end)
            return changeset_error::truncated;
        std::uint8_t b = *q++;
        std::uint64_t g = b & 0x7F;
        unsigned shift = 7 * i;
        if (b & 0x80) {
            if (shift < 64) {
                r.lo |= g << shift;
                if (shift > 57)
                    r.hi |= g >> (64 - shift);
            }
            else {
                r.hi |= g << (shift - 64);
            }
            prev = b;
            continue;
        }
        // Last byte: realm-core's encoder leaves bit 6 clear, and stops as soon as the rest fits.
        if (b & 0x40)
            return changeset_error::decimal_coefficient_invalid;
        if (i > 0 && b == 0 && (prev & 0x40) == 0)
            return changeset_error::decimal_coefficient_invalid;
        if (shift < 64) {
            r.lo |= g << shift;
            if (shift > 57)
                r.hi |= g >> (64 - shift);
        }
        else {
            if (shift - 64 >= 49 || (g << (shift - 64)) >= (std::uint64_t(1) << 49))
                return changeset_error::decimal_coefficient_invalid;
            r.hi |= g << (shift - 64);
        }
        if (r.hi >= (std::uint64_t(1) << 49))
            return changeset_error::decimal_coefficient_invalid;
        v = r;
        p = q;
        return changeset_error{};
    }
    return changeset_error::decimal_coefficient_invalid;
}

} // namespace realmwire::changeset

#endif
