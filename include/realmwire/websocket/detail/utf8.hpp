#ifndef REALMWIRE_WEBSOCKET_DETAIL_UTF8_HPP
#define REALMWIRE_WEBSOCKET_DETAIL_UTF8_HPP

// Strict UTF-8 validation (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
// Needed for text messages and close reasons (RFC 6455 §8.1 → close code 1007).

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace realmwire::detail {

inline bool is_valid_utf8_text(std::string_view s) noexcept
{
    const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
    const auto* end = p + s.size();
    while (p < end) {
        // ASCII runs are the common case: skip them eight bytes at a time.
        while (end - p >= 8) {
            std::uint64_t w;
            std::memcpy(&w, p, 8);
            if (w & 0x8080808080808080ull)
                break;
            p += 8;
        }
        if (p == end)
            break;
        std::uint8_t c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        std::size_t n;
        std::uint8_t lo = 0x80, hi = 0xBF; // allowed range of the second byte
        if (c >= 0xC2 && c <= 0xDF)
            n = 1;
        else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            if (c == 0xE0)
                lo = 0xA0; // overlong
            else if (c == 0xED)
                hi = 0x9F; // surrogates
        }
        else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            if (c == 0xF0)
                lo = 0x90; // overlong
            else if (c == 0xF4)
                hi = 0x8F; // above U+10FFFF
        }
        else
            return false;
        if (static_cast<std::size_t>(end - p) <= n)
            return false;
        if (p[1] < lo || p[1] > hi)
            return false;
        for (std::size_t i = 2; i <= n; ++i) {
            if ((p[i] & 0xC0) != 0x80)
                return false;
        }
        p += n + 1;
    }
    return true;
}

} // namespace realmwire::detail

#endif
