#ifndef REALMWIRE_WEBSOCKET_MASK_HPP
#define REALMWIRE_WEBSOCKET_MASK_HPP

// RFC 6455 §5.3 masking: payload[i] ^= key[(offset + i) % 4]. Masking and unmasking are the same
// operation. Every byte a client sends and a server receives goes through here, so it runs at memory
// speed: 64 bytes per iteration with SSE2 (or 8-byte words without it) and a scalar tail, and no
// branch per byte. On x86-64 with GCC or clang, large buffers go through an AVX-512 (256 bytes per
// iteration, from a 64-byte boundary) or AVX2 (128) loop when the CPU has it, chosen once at run time
// (__builtin_cpu_supports); the code is compiled for those instruction sets by function attributes
// only, so the program runs on any x86-64 and no global -m flag is needed.

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#define REALMWIRE_WEBSOCKET_MASK_SSE2 1
#endif

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(REALMWIRE_NO_RUNTIME_SIMD)
#include <immintrin.h>
#define REALMWIRE_WEBSOCKET_MASK_WIDE 1
#endif

namespace realmwire::websocket {

/// The four mask bytes in wire order.
using mask_key = std::array<std::uint8_t, 4>;

namespace mask_detail {

#ifdef REALMWIRE_WEBSOCKET_MASK_WIDE
// `key8` is the key rotated to byte 0 of `data`, repeated to 8 bytes; `size` a multiple of the step.
__attribute__((target("avx2"))) inline void xor_avx2(std::uint8_t* data, std::size_t size, std::uint64_t key8) noexcept
{
    const __m256i k = _mm256_set1_epi64x(static_cast<long long>(key8));
    for (std::size_t i = 0; i < size; i += 128) {
        auto* p = reinterpret_cast<__m256i*>(data + i);
        __m256i a = _mm256_loadu_si256(p);
        __m256i b = _mm256_loadu_si256(p + 1);
        __m256i c = _mm256_loadu_si256(p + 2);
        __m256i d = _mm256_loadu_si256(p + 3);
        _mm256_storeu_si256(p, _mm256_xor_si256(a, k));
        _mm256_storeu_si256(p + 1, _mm256_xor_si256(b, k));
        _mm256_storeu_si256(p + 2, _mm256_xor_si256(c, k));
        _mm256_storeu_si256(p + 3, _mm256_xor_si256(d, k));
    }
}

__attribute__((target("avx512f"))) inline void xor_avx512(std::uint8_t* data, std::size_t size, std::uint64_t key8) noexcept
{
    const __m512i k = _mm512_set1_epi64(static_cast<long long>(key8));
    for (std::size_t i = 0; i < size; i += 256) {
        std::uint8_t* p = data + i;
        __m512i a = _mm512_loadu_si512(p);
        __m512i b = _mm512_loadu_si512(p + 64);
        __m512i c = _mm512_loadu_si512(p + 128);
        __m512i d = _mm512_loadu_si512(p + 192);
        _mm512_storeu_si512(p, _mm512_xor_si512(a, k));
        _mm512_storeu_si512(p + 64, _mm512_xor_si512(b, k));
        _mm512_storeu_si512(p + 128, _mm512_xor_si512(c, k));
        _mm512_storeu_si512(p + 192, _mm512_xor_si512(d, k));
    }
}

/// 2 = AVX-512F, 1 = AVX2, 0 = neither; asked of the CPU once.
inline int wide_level() noexcept
{
    static const int level = __builtin_cpu_supports("avx512f") ? 2 : __builtin_cpu_supports("avx2") ? 1 : 0;
    return level;
}
#endif

} // namespace mask_detail

/// The byte-at-a-time reference, kept for tests and the fuzz oracle (and for the few bytes before an
/// aligned wide loop).
inline std::size_t apply_mask_reference(std::uint8_t* data, std::size_t size, const mask_key& key,
                                        std::size_t offset = 0) noexcept
{
    for (std::size_t i = 0; i < size; ++i)
        data[i] ^= key[(offset + i) & 3];
    return (offset + size) & 3;
}

namespace mask_detail {
/// The key rotated so that byte 0 of the data lines up with key[offset % 4], repeated to 8 bytes.
inline void rotate_key(const mask_key& key, std::size_t offset, std::uint8_t (&out)[8]) noexcept
{
    for (std::size_t i = 0; i < 8; ++i)
        out[i] = key[(offset + i) & 3];
}
} // namespace mask_detail

/// XORs `size` bytes at `data` with `key`, starting at position `offset` of the key cycle (the number
/// of payload bytes of this frame already processed), and returns the offset for the next call, so a
/// frame's payload can be unmasked chunk by chunk as it arrives.
inline std::size_t apply_mask(std::uint8_t* data, std::size_t size, const mask_key& key, std::size_t offset = 0) noexcept
{
#ifdef REALMWIRE_WEBSOCKET_MASK_WIDE
    // Wide loops only where they pay for the dispatch: frames of a few hundred bytes and more. The
    // bytes before the first 64-byte boundary are done one by one, so the wide loads and stores never
    // straddle a cache line (unaligned, the AVX-512 loop ran at 0.6x of its aligned speed).
    if (size >= 512) {
        if (const int level = mask_detail::wide_level(); level != 0) {
            const std::size_t head = static_cast<std::size_t>(0 - reinterpret_cast<std::uintptr_t>(data)) & 63;
            offset = apply_mask_reference(data, head, key, offset);
            data += head;
            size -= head;
            std::uint8_t rot8[8];
            mask_detail::rotate_key(key, offset, rot8);
            std::uint64_t key8;
            std::memcpy(&key8, rot8, 8);
            const std::size_t step = level == 2 ? 256 : 128;
            const std::size_t body = size & ~(step - 1);
            if (level == 2)
                mask_detail::xor_avx512(data, body, key8);
            else
                mask_detail::xor_avx2(data, body, key8);
            // body is a multiple of 4: the key offset is unchanged; the rest below.
            data += body;
            size -= body;
        }
    }
#endif
    std::uint8_t rot[8];
    mask_detail::rotate_key(key, offset, rot);
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

} // namespace realmwire::websocket

#endif
