#ifndef REALMWIRE_DIALECT_VERSION_RANGE_HPP
#define REALMWIRE_DIALECT_VERSION_RANGE_HPP

// Protocol version ranges and how a client writes them in its Sec-WebSocket-Protocol offer. They are
// part of what a dialect *is* (dialect.hpp) and what the subprotocol code negotiates
// (handshake/subprotocol.hpp); they live here so that handshake/ can build on dialect/ without
// dialect/ reaching back up into handshake/.

namespace realmwire {

/// An inclusive range of protocol versions.
struct version_range {
    int min = 0;
    int max = 0;

    constexpr bool valid() const noexcept { return min >= 0 && min <= max; }
    constexpr bool contains(int v) const noexcept { return v >= min && v <= max; }
    friend constexpr bool operator==(version_range a, version_range b) noexcept
    {
        return a.min == b.min && a.max == b.max;
    }
    friend constexpr bool operator!=(version_range a, version_range b) noexcept { return !(a == b); }
};

/// How a client writes its offer.
enum class offer_style {
    descending, ///< `<p><max>, <p><max-1>, ..., <p><min>` (realm-core since dd21dc744, 2020-12)
    range,      ///< one element `<p><min>-<max>` (realm-core 2020-05 .. 2020-12)
};

} // namespace realmwire

#endif
