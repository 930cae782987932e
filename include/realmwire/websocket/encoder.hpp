#ifndef REALMWIRE_WEBSOCKET_ENCODER_HPP
#define REALMWIRE_WEBSOCKET_ENCODER_HPP

// RFC 6455 frame encoder. Appends whole frames to a caller's std::string (so a caller that reuses its
// buffer does not allocate once it has grown). A client-role encoder masks every frame with a fresh
// key; a server-role encoder never masks. The default keys come from OpenSSL's CSPRNG (RFC 6455 §5.3:
// "derived from a strong source of entropy"), drawn in batches so that a key costs a copy, not a call.

#include "realmwire/error.hpp"
#include "realmwire/websocket/close_code.hpp"
#include "realmwire/websocket/detail/utf8.hpp"
#include "realmwire/websocket/frame.hpp"
#include "realmwire/websocket/mask.hpp"

#include <openssl/rand.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
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

/// Mask keys from OpenSSL's CSPRNG (RAND_bytes), `batch` keys per call. A key is never reused and
/// never predictable from earlier ones; if the CSPRNG fails, next() throws rather than hand out a
/// weak key.
class csprng_mask_keys {
public:
    static constexpr std::size_t batch = 256;

    mask_key next()
    {
        if (used_ == batch) {
            if (RAND_bytes(pool_.data(), static_cast<int>(pool_.size())) != 1)
                throw_error(std::make_error_code(std::errc::resource_unavailable_try_again),
                            "websocket mask key: RAND_bytes failed"); // the hook under REALMWIRE_NO_EXCEPTIONS
            used_ = 0;
        }
        mask_key k;
        std::memcpy(k.data(), pool_.data() + used_ * k.size(), k.size());
        ++used_;
        return k;
    }

private:
    std::array<std::uint8_t, batch * sizeof(mask_key)> pool_{};
    std::size_t used_ = batch; // empty: the first next() fills the pool
};

class encoder {
public:
    /// `keys` supplies mask keys for a client; by default csprng_mask_keys (OpenSSL's RAND_bytes,
    /// batched). Tests pass a fixed source.
    explicit encoder(role self, std::function<mask_key()> keys = {}) : role_(self), keys_(std::move(keys)) {}

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
        return csprng_.next();
    }

    role role_;
    std::function<mask_key()> keys_;
    csprng_mask_keys csprng_;
};

} // namespace realmwire::websocket

#endif
