#ifndef REALMWIRE_DETAIL_BYTE_ORDER_HPP
#define REALMWIRE_DETAIL_BYTE_ORDER_HPP

// Fixed-width little-endian fields (the changeset format's float and double payloads). The same
// function converts both ways: a byte swap on big-endian hosts, nothing on little-endian ones.

#include <cstdint>
#include <type_traits>

namespace realmwire::detail {

template <class T>
constexpr T little_endian(T v) noexcept
{
    static_assert(std::is_same<T, std::uint32_t>::value || std::is_same<T, std::uint64_t>::value,
                  "little_endian takes the bits of a float (uint32_t) or a double (uint64_t)");
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    if constexpr (sizeof(T) == 4)
        return __builtin_bswap32(v);
    else
        return __builtin_bswap64(v);
#else
    return v;
#endif
}

} // namespace realmwire::detail

#endif
