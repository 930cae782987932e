#ifndef REALMWIRE_WEBSOCKET_MASK_HPP
#define REALMWIRE_WEBSOCKET_MASK_HPP

// RFC 6455 §5.3 masking: payload[i] ^= key[(offset + i) % 4]. Masking and unmasking are the same
// operation. Every byte a client sends and a server receives goes through here, so it runs at memory
// speed: 64 bytes per iteration with SSE2 (or 8-byte words without it) and a scalar tail, and no
// branch per byte.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#define REALMWIRE_WEBSOCKET_MASK_SSE2 1
#endif

namespace realmwire::websocket {

/// The four mask bytes in wire order.
using mask_key = std::array<std::uint8_t, 4>;

/// XORs `size` bytes at `data` with `key`, starting at position `offset` of the key cycle (the number
/// of payload bytes of this frame already processed), and returns the offset for the next call, so a
/// frame's payload can be unmasked chunk by chunk as it arrives.
inline std::size_t apply_mask(std::uint8_t* data, std::size_t size, const mask_key& key, std::size_t offset = 0) noexcept
{
    // The key rotated so that byte 0 of `data` lines up with key[offset % 4], repeated to 8 bytes.
    std::uint8_t rot[8];
    for (std::size_t i = 0; i < 8; ++i)
        rot[i] = key[(offset + i) & 3];
    std::size_t i = 0;
#ifdef REALMWIRE_WEBSOCKET_MASK_SSE2
    if (size >= 64) {
        std::uint8_t rot16[16];
        std::memcpy(rot16, rot, 8);
        std::memcpy(rot16 + 8, rot, 8);
        const __m128i k = _mm_loadu_si128(reinterpret_cast<const __m128i*>(rot16));
        for (; i + 64 <= size; i += 64) {
            auto* p = reinterpret_cast<__m128i*>(data + i);
            __m128i a = _mm_loadu_si128(p);
            __m128i b = _mm_loadu_si128(p + 1);
            __m128i c = _mm_loadu_si128(p + 2);
            __m128i d = _mm_loadu_si128(p + 3);
            _mm_storeu_si128(p, _mm_xor_si128(a, k));
            _mm_storeu_si128(p + 1, _mm_xor_si128(b, k));
            _mm_storeu_si128(p + 2, _mm_xor_si128(c, k));
            _mm_storeu_si128(p + 3, _mm_xor_si128(d, k));
        }
    }
#endif
    std::uint64_t k64;
    std::memcpy(&k64, rot, 8);
    for (; i + 8 <= size; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, data + i, 8);
        w ^= k64;
        std::memcpy(data + i, &w, 8);
    }
    // i is a multiple of 8 here, so the key cycle restarts at rot[0].
    for (std::size_t j = 0; i < size; ++i, ++j)
        data[i] ^= rot[j];
    return (offset + size) & 3;
}

/// Same, for char buffers.
inline std::size_t apply_mask(char* data, std::size_t size, const mask_key& key, std::size_t offset = 0) noexcept
{
    return apply_mask(reinterpret_cast<std::uint8_t*>(data), size, key, offset);
}

/// The byte-at-a-time reference, kept for tests and the fuzz oracle.
inline std::size_t apply_mask_reference(std::uint8_t* data, std::size_t size, const mask_key& key,
                                        std::size_t offset = 0) noexcept
{
    for (std::size_t i = 0; i < size; ++i)
        data[i] ^= key[(offset + i) & 3];
    return (offset + size) & 3;
}

} // namespace realmwire::websocket

#endif
