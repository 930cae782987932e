#ifndef REALMWIRE_WEBSOCKET_ENCODER_HPP
#define REALMWIRE_WEBSOCKET_ENCODER_HPP

// RFC 6455 frame encoder. Appends whole frames to a caller's std::string (so a caller that reuses its
// buffer does not allocate once it has grown). A client-role encoder masks every frame with a fresh
// key; a server-role encoder never masks.

#include "realmwire/error.hpp"
#include "realmwire/websocket/close_code.hpp"
#include "realmwire/websocket/detail/utf8.hpp"
#include "realmwire/websocket/frame.hpp"
#include "realmwire/websocket/mask.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <system_error>

namespace realmwire::websocket {

/// Appends one frame: header, then `payload`, masked with `key` when given.
inline void encode_frame(std::string& out, opcode op, std::string_view payload, bool fin = true,
                         std::optional<mask_key> key = std::nullopt)
{
    frame_header h;
    h.fin = fin;
    h.op = op;
    h.masked = key.has_value();
    if (key)
        h.key = *key;
    h.payload_length = payload.size();
    std::uint8_t head[max_frame_header_size];
    std::size_t n = write_frame_header(h, head);
    const std::size_t start = out.size();
    out.resize(start + n + payload.size());
    char* p = out.data() + start;
    std::memcpy(p, head, n);
    if (!payload.empty())
        std::memcpy(p + n, payload.data(), payload.size());
    if (key)
        apply_mask(p + n, payload.size(), *key);
}

/// The close frame payload: code (big-endian) then reason. Checks what the decoder checks, so an
/// encoder never produces what a peer must refuse.
inline std::string close_payload(std::uint16_t code, std::string_view reason, std::error_code& ec)
{
    ec.clear();
    if (!is_valid_wire_close_code(code)) {
        ec = websocket_error::bad_close_code;
        return {};
    }
    if (reason.size() > max_control_payload - 2) {
        ec = websocket_error::payload_too_big;
        return {};
    }
    if (!realmwire::detail::is_valid_utf8_text(reason)) {
        ec = websocket_error::invalid_utf8;
        return {};
    }
    std::string p;
    p.reserve(2 + reason.size());
    p.push_back(static_cast<char>(code >> 8));
    p.push_back(static_cast<char>(code & 0xFF));
    p.append(reason);
    return p;
}

class encoder {
public:
    /// `keys` supplies mask keys for a client; by default a per-encoder PRNG seeded from
    /// std::random_device (RFC 6455 §10.3 asks only that keys be unpredictable to scripts on the
    /// path, not cryptographically strong). Tests pass a fixed source.
    explicit encoder(role self, std::function<mask_key()> keys = {}) : role_(self), keys_(std::move(keys))
    {
        if (role_ == role::client && !keys_) {
            std::random_device rd;
            rng_.seed((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
        }
    }

    role self() const noexcept { return role_; }

    /// A whole message as one frame (how every Realm sync message travels).
    void message(std::string& out, std::string_view payload, opcode op = opcode::binary)
    {
        encode_frame(out, op, payload, true, next_key());
    }

    /// One fragment of a message: the first has op text/binary, the rest op continuation; fin on the last.
    void fragment(std::string& out, opcode op, std::string_view payload, bool fin)
    {
        encode_frame(out, op, payload, fin, next_key());
    }

    void ping(std::string& out, std::string_view payload, std::error_code& ec) { control(out, opcode::ping, payload, ec); }
    void ping(std::string& out, std::string_view payload = {})
    {
        throw_on_error("websocket ping", [&](std::error_code& ec) { ping(out, payload, ec); });
    }
    void pong(std::string& out, std::string_view payload, std::error_code& ec) { control(out, opcode::pong, payload, ec); }
    void pong(std::string& out, std::string_view payload = {})
    {
        throw_on_error("websocket pong", [&](std::error_code& ec) { pong(out, payload, ec); });
    }

    /// A close frame with a code and a UTF-8 reason of at most 123 bytes.
    void close(std::string& out, std::uint16_t code, std::string_view reason, std::error_code& ec)
    {
        std::string p = close_payload(code, reason, ec);
        if (!ec)
            encode_frame(out, opcode::close, p, true, next_key());
    }
    void close(std::string& out, std::uint16_t code, std::string_view reason = {})
    {
        throw_on_error("websocket close", [&](std::error_code& ec) { close(out, code, reason, ec); });
    }
    void close(std::string& out, close_code code, std::string_view reason = {})
    {
        close(out, static_cast<std::uint16_t>(code), reason);
    }
    /// A close frame without a status code (empty payload).
    void close_empty(std::string& out) { encode_frame(out, opcode::close, {}, true, next_key()); }

private:
    void control(std::string& out, opcode op, std::string_view payload, std::error_code& ec)
    {
        ec.clear();
        if (payload.size() > max_control_payload) {
            ec = websocket_error::payload_too_big;
            return;
        }
        encode_frame(out, op, payload, true, next_key());
    }

    std::optional<mask_key> next_key()
    {
        if (role_ != role::client)
            return std::nullopt;
        if (keys_)
            return keys_();
        std::uint32_t v = static_cast<std::uint32_t>(rng_());
        return mask_key{static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8),
                        static_cast<std::uint8_t>(v >> 16), static_cast<std::uint8_t>(v >> 24)};
    }

    role role_;
    std::function<mask_key()> keys_;
    std::mt19937_64 rng_;
};

} // namespace realmwire::websocket

#endif
