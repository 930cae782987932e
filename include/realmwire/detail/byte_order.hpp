#ifndef REALMWIRE_DETAIL_BYTE_ORDER_HPP
#define REALMWIRE_DETAIL_BYTE_ORDER_HPP

// Fixed-width little-endian fields: the changeset format's float and double payloads (little_endian
// converts both ways: a byte swap on big-endian hosts, nothing on little-endian ones), and the u64
// fields of the reference stores' log records.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
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

/// Appends `v` as 8 little-endian bytes (the reference stores' log records).
inline void append_u64_le(std::string& out, std::uint64_t v)
{
    for (int i = 0; i < 8; ++i)
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
}

/// Reads 8 little-endian bytes from the front of `in` and drops them; false when fewer are left.
inline bool take_u64_le(std::string_view& in, std::uint64_t& v) noexcept
{
    if (in.size() < 8)
        return false;
    v = 0;
    for (std::size_t i = 0; i < 8; ++i)
        v |= static_cast<std::uint64_t>(static_cast<unsigned char>(in[i])) << (8 * i);
    in.remove_prefix(8);
    return true;
}

} // namespace realmwire::detail

#endif
