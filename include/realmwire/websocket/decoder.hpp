#ifndef REALMWIRE_WEBSOCKET_DECODER_HPP
#define REALMWIRE_WEBSOCKET_DECODER_HPP

// Incremental RFC 6455 frame decoder, fed arbitrary chunks (a network may cut anywhere, including
// inside a header). It checks what realm-core's websocket.cpp checks — RSV bits zero (no extensions),
// known opcodes, the mask bit required by the sender's role, control frames FIN and ≤ 125 bytes,
// 64-bit lengths below 4 GiB, continuation rules — plus what RFC 6455 requires of close frames (valid
// code, UTF-8 reason) and UTF-8 text. Fragmented messages are reassembled; control frames may arrive
// between fragments. A message over `max_message_size` fails with message_too_big (close code 1009)
// as soon as its header announces it, before any payload is buffered.
//
// Usage:
//     websocket::decoder d(websocket::role::client);
//     while (!in.empty()) {
//         std::size_t n = d.feed(in, ec);   // stops right after each complete event
//         in.remove_prefix(n);
//         if (ec) { send close with websocket::close_code_for(ec); break; }
//         if (d.has_event()) handle(d.event());   // views valid until the next feed()
//     }

#include "realmwire/error.hpp"
#include "realmwire/websocket/close_code.hpp"
#include "realmwire/websocket/detail/utf8.hpp"
#include "realmwire/websocket/frame.hpp"
#include "realmwire/websocket/mask.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <system_error>

namespace realmwire::websocket {

struct decoder_limits {
    /// Largest reassembled message accepted (payload bytes). realm-core has no WebSocket-level limit;
    /// 64 MiB comfortably holds a 16 MiB DOWNLOAD batch after decompression headroom.
    std::size_t max_message_size = 64 * 1024 * 1024;
    /// Refuse text messages that are not UTF-8 (1007). Close reasons are always checked.
    bool validate_text_utf8 = true;
    /// Message buffer capacity kept between messages; a larger buffer (after a big message) is
    /// freed when the next feed() starts, so one big message does not pin its size for the rest of
    /// the connection. The default keeps everything (no allocation in steady state).
    std::size_t keep_buffer_bytes = static_cast<std::size_t>(-1);
};

enum class event_kind : std::uint8_t { none, text, binary, ping, pong, close };

struct decoder_event {
    event_kind kind = event_kind::none;
    std::string_view payload{}; ///< message, ping/pong payload, or close reason
    std::uint16_t close_code = 0; ///< for close: the code, or 1005 (no_status) when the frame had none
};

class decoder {
public:
    /// `self` is *our* role: a client decoder requires unmasked frames, a server decoder masked ones.
    explicit decoder(role self, decoder_limits limits = {}) : role_(self), limits_(limits) {}

    /// Consumes bytes of `in` up to and including the end of the next complete event (message, ping,
    /// pong, close) and returns how many it consumed. Consumes everything if no event completes. After
    /// an error every call returns 0 with the same error; after a close event, any further byte is
    /// frame_after_close.
    std::size_t feed(std::string_view in, std::error_code& ec)
    {
        ec.clear();
        if (error_) {
            ec = error_;
            return 0;
        }
        if (event_.kind != event_kind::none) {
            if (event_.kind == event_kind::text || event_.kind == event_kind::binary) {
                message_.clear(); // keeps capacity: steady state does not allocate
                if (message_.capacity() > limits_.keep_buffer_bytes)
                    std::string().swap(message_);
            }
            event_ = {};
        }
        std::size_t used = 0;
        while (used < in.size() && event_.kind == event_kind::none) {
            if (closed_)
                return fail(ec, websocket_error::frame_after_close, used);
            if (state_ == state::header) {
                used += read_header(in.substr(used), ec);
                if (ec)
                    return used;
            }
            else {
                used += read_payload(in.substr(used), ec);
                if (ec)
                    return used;
            }
        }
        return used;
    }
    std::size_t feed(std::string_view in)
    {
        return throw_on_error("websocket decode", [&](std::error_code& ec) { return feed(in, ec); });
    }

    bool has_event() const noexcept { return event_.kind != event_kind::none; }
    const decoder_event& event() const noexcept { return event_; }
    /// True between the first and the last frame of a fragmented message.
    bool in_message() const noexcept { return in_message_; }
    bool closed() const noexcept { return closed_; }
    std::error_code error() const noexcept { return error_; }
    const decoder_limits& limits() const noexcept { return limits_; }

private:
    enum class state { header, payload };

    std::size_t fail(std::error_code& ec, websocket_error e, std::size_t used)
    {
        error_ = e;
        ec = error_;
        return used;
    }

    std::size_t read_header(std::string_view in, std::error_code& ec)
    {
        std::size_t used = 0;
        while (used < in.size()) {
            hdr_[hdr_len_++] = static_cast<std::uint8_t>(in[used++]);
            if (hdr_len_ == 2) {
                if (!check_first_two(ec))
                    return used;
            }
            if (hdr_len_ >= 2 && hdr_len_ == hdr_need_) {
                if (!begin_payload(ec))
                    return used;
                // An empty payload completes the frame with its header.
                if (remaining_ == 0)
                    finish_frame(ec);
                return used;
            }
        }
        return used;
    }

    bool check_first_two(std::error_code& ec)
    {
        const std::uint8_t b0 = hdr_[0], b1 = hdr_[1];
        if (b0 & 0x70) {
            fail(ec, websocket_error::reserved_bits_set, 0);
            return false;
        }
        const unsigned op = b0 & 0x0F;
        if (!is_known_opcode(op)) {
            fail(ec, websocket_error::bad_opcode, 0);
            return false;
        }
        const bool masked = (b1 & 0x80) != 0;
        if (masked != (role_ == role::server)) {
            fail(ec, websocket_error::wrong_mask_bit, 0);
            return false;
        }
        fin_ = (b0 & 0x80) != 0;
        op_ = static_cast<opcode>(op);
        masked_ = masked;
        const unsigned len7 = b1 & 0x7F;
        if (is_control(op_)) {
            if (!fin_) {
                fail(ec, websocket_error::fragmented_control, 0);
                return false;
            }
            if (len7 > max_control_payload) {
                fail(ec, websocket_error::control_too_big, 0);
                return false;
            }
        }
        else if (op_ == opcode::continuation) {
            if (!in_message_) {
                fail(ec, websocket_error::unexpected_continuation, 0);
                return false;
            }
        }
        else if (in_message_) {
            fail(ec, websocket_error::expected_continuation, 0);
            return false;
        }
        hdr_need_ = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + (masked ? 4 : 0);
        return true;
    }

    bool begin_payload(std::error_code& ec)
    {
        const unsigned len7 = hdr_[1] & 0x7F;
        std::size_t pos = 2;
        std::uint64_t len = len7;
        if (len7 == 126) {
            len = (std::uint64_t{hdr_[2]} << 8) | hdr_[3];
            pos = 4;
        }
        else if (len7 == 127) {
            len = 0;
            for (std::size_t i = 0; i < 8; ++i)
                len = (len << 8) | hdr_[2 + i];
            pos = 10;
            // realm-core refuses lengths of 4 GiB and more (websocket.cpp:498-504).
            if (len >> 32) {
                fail(ec, websocket_error::bad_length, 0);
                return false;
            }
        }
        if (masked_)
            std::memcpy(key_.data(), hdr_ + pos, 4);
        key_offset_ = 0;
        remaining_ = len;
        if (is_control(op_)) {
            control_len_ = 0;
        }
        else {
            // message_.size() never exceeds the limit, so the subtraction cannot wrap.
            if (len > limits_.max_message_size - message_.size()) {
                fail(ec, websocket_error::message_too_big, 0);
                return false;
            }
            if (op_ != opcode::continuation)
                message_op_ = op_;
            message_.reserve(message_.size() + static_cast<std::size_t>(len));
        }
        state_ = state::payload;
        hdr_len_ = 0;
        hdr_need_ = 2;
        return true;
    }

    std::size_t read_payload(std::string_view in, std::error_code& ec)
    {
        const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, in.size()));
        char* dst;
        if (is_control(op_)) {
            dst = control_ + control_len_;
            control_len_ += n;
        }
        else {
            const std::size_t at = message_.size();
            message_.resize(at + n);
            dst = message_.data() + at;
        }
        if (n) {
            std::memcpy(dst, in.data(), n);
            if (masked_)
                key_offset_ = apply_mask(dst, n, key_, key_offset_);
        }
        remaining_ -= n;
        if (remaining_ == 0)
            finish_frame(ec);
        return n;
    }

    void finish_frame(std::error_code& ec)
    {
        state_ = state::header;
        switch (op_) {
            case opcode::ping: event_ = {event_kind::ping, {control_, control_len_}, 0}; return;
            case opcode::pong: event_ = {event_kind::pong, {control_, control_len_}, 0}; return;
            case opcode::close: finish_close(ec); return;
            default: break;
        }
        if (!fin_) {
            in_message_ = true;
            return;
        }
        in_message_ = false;
        if (message_op_ == opcode::text && limits_.validate_text_utf8 && !realmwire::detail::is_valid_utf8_text(message_)) {
            fail(ec, websocket_error::invalid_utf8, 0);
            return;
        }
        event_ = {message_op_ == opcode::text ? event_kind::text : event_kind::binary, message_, 0};
    }

    void finish_close(std::error_code& ec)
    {
        closed_ = true;
        if (control_len_ == 0) {
            event_ = {event_kind::close, {}, static_cast<std::uint16_t>(close_code::no_status)};
            return;
        }
        if (control_len_ == 1) {
            fail(ec, websocket_error::bad_close_payload, 0);
            return;
        }
        const auto code = static_cast<std::uint16_t>((static_cast<std::uint8_t>(control_[0]) << 8) |
                                                     static_cast<std::uint8_t>(control_[1]));
        if (!is_valid_wire_close_code(code)) {
            fail(ec, websocket_error::bad_close_code, 0);
            return;
        }
        std::string_view reason(control_ + 2, control_len_ - 2);
        if (!realmwire::detail::is_valid_utf8_text(reason)) {
            fail(ec, websocket_error::invalid_utf8, 0);
            return;
        }
        event_ = {event_kind::close, reason, code};
    }

    role role_;
    decoder_limits limits_;
    state state_ = state::header;
    std::uint8_t hdr_[max_frame_header_size]{};
    std::size_t hdr_len_ = 0;
    std::size_t hdr_need_ = 2;
    bool fin_ = false;
    bool masked_ = false;
    opcode op_ = opcode::binary;
    opcode message_op_ = opcode::binary;
    mask_key key_{};
    std::size_t key_offset_ = 0;
    std::uint64_t remaining_ = 0;
    bool in_message_ = false;
    bool closed_ = false;
    std::string message_;
    char control_[max_control_payload]{};
    std::size_t control_len_ = 0;
    decoder_event event_{};
    std::error_code error_{};
};

} // namespace realmwire::websocket

#endif
