#ifndef REALMWIRE_WEBSOCKET_FRAME_HPP
#define REALMWIRE_WEBSOCKET_FRAME_HPP

// RFC 6455 §5.2 frame vocabulary: opcodes, the role of an endpoint (which decides the mask bit), and
// the frame header with its writer. Sans-I/O: bytes only.

#include "realmwire/websocket/mask.hpp"

#include <cstddef>
#include <cstdint>

namespace realmwire::websocket {

/// Which side of the connection we are. Clients mask every frame they send and require unmasked frames
/// from the server; servers the reverse (RFC 6455 §5.1, realm-core websocket.cpp:430-433).
enum class role { client, server };

enum class opcode : std::uint8_t {
    continuation = 0x0,
    text = 0x1,
    binary = 0x2,
    close = 0x8,
    ping = 0x9,
    pong = 0xA,
};

/// Only these six are accepted (realm-core websocket.hpp:86); everything else is bad_opcode.
constexpr bool is_known_opcode(unsigned op) noexcept
{
    return op <= 0x2 || (op >= 0x8 && op <= 0xA);
}
constexpr bool is_control(opcode op) noexcept { return (static_cast<unsigned>(op) & 0x8) != 0; }

/// Largest payload of a control frame (RFC 6455 §5.5).
constexpr std::size_t max_control_payload = 125;
/// Largest possible frame header: 2 + 8 (length) + 4 (mask key).
constexpr std::size_t max_frame_header_size = 14;

struct frame_header {
    bool fin = true;
    opcode op = opcode::binary;
    bool masked = false;
    mask_key key{};
    std::uint64_t payload_length = 0;
};

/// Size of the header write_frame_header() produces for `h`.
constexpr std::size_t frame_header_size(const frame_header& h) noexcept
{
    std::size_t n = 2;
    if (h.payload_length > 0xFFFF)
        n += 8;
    else if (h.payload_length > 125)
        n += 2;
    return n + (h.masked ? 4 : 0);
}

/// Writes `h` in its minimal encoding to `out` (room for max_frame_header_size bytes); returns the
/// number of bytes written. RSV bits are always zero: realmwire negotiates no extension.
inline std::size_t write_frame_header(const frame_header& h, std::uint8_t* out) noexcept
{
    std::size_t n = 0;
    out[n++] = static_cast<std::uint8_t>((h.fin ? 0x80 : 0x00) | static_cast<std::uint8_t>(h.op));
    const std::uint8_t mask_bit = h.masked ? 0x80 : 0x00;
    if (h.payload_length <= 125) {
        out[n++] = static_cast<std::uint8_t>(mask_bit | h.payload_length);
    }
    else if (h.payload_length <= 0xFFFF) {
        out[n++] = static_cast<std::uint8_t>(mask_bit | 126);
        out[n++] = static_cast<std::uint8_t>(h.payload_length >> 8);
        out[n++] = static_cast<std::uint8_t>(h.payload_length);
    }
    else {
        out[n++] = static_cast<std::uint8_t>(mask_bit | 127);
        for (int shift = 56; shift >= 0; shift -= 8)
            out[n++] = static_cast<std::uint8_t>(h.payload_length >> shift);
    }
    if (h.masked) {
        for (auto b : h.key)
            out[n++] = b;
    }
    return n;
}

} // namespace realmwire::websocket

#endif
