#ifndef REALMWIRE_ERRORS_WEBSOCKET_HPP
#define REALMWIRE_ERRORS_WEBSOCKET_HPP

// Errors of the WebSocket frame layer (RFC 6455 §5, with the checks realm-core's
// network/websocket.cpp applies). Every error names the close code a peer should send when it
// hits it: websocket::close_code_for(e) in websocket/close_code.hpp.

#include "realmwire/error.hpp"

namespace realmwire {

enum class websocket_error {
    reserved_bits_set = 1,   ///< RSV1/2/3 set: no extension is ever negotiated                      (1002)
    bad_opcode,              ///< opcode other than 0, 1, 2, 8, 9, 10                                  (1002)
    wrong_mask_bit,          ///< a client frame without a mask, or a server frame with one            (1002)
    fragmented_control,      ///< a control frame without FIN                                          (1002)
    control_too_big,         ///< a control frame with more than 125 payload bytes                     (1002)
    bad_length,              ///< a 64-bit length with any of its upper 32 bits set                    (1002)
    unexpected_continuation, ///< a continuation frame with no fragmented message in progress          (1002)
    expected_continuation,   ///< a new text/binary frame while a fragmented message is in progress    (1002)
    bad_close_payload,       ///< a close frame with a 1-byte payload                                  (1002)
    bad_close_code,          ///< a close code that may not appear on the wire (RFC 6455 §7.4)       (1002)
    invalid_utf8,            ///< a text message or close reason that is not UTF-8                     (1007)
    message_too_big,         ///< the message exceeds the configured maximum                           (1009)
    frame_after_close,       ///< bytes after the peer's close frame                                   (1002)
    payload_too_big,         ///< encoder: a control payload over 125 bytes or a close reason over 123
};

template <>
struct error_enum_traits<websocket_error> {
    static constexpr const char* category_name = "realmwire.websocket";
    static const char* message(websocket_error e) noexcept
    {
        switch (e) {
            case websocket_error::reserved_bits_set: return "websocket frame has a reserved bit set";
            case websocket_error::bad_opcode: return "websocket frame has an unknown opcode";
            case websocket_error::wrong_mask_bit: return "websocket frame has the wrong mask bit for the sender's role";
            case websocket_error::fragmented_control: return "websocket control frame is fragmented";
            case websocket_error::control_too_big: return "websocket control frame payload exceeds 125 bytes";
            case websocket_error::bad_length: return "websocket frame length has its upper 32 bits set";
            case websocket_error::unexpected_continuation: return "websocket continuation frame without a message to continue";
            case websocket_error::expected_continuation: return "websocket data frame in the middle of a fragmented message";
            case websocket_error::bad_close_payload: return "websocket close frame payload of one byte";
            case websocket_error::bad_close_code: return "websocket close code not allowed on the wire";
            case websocket_error::invalid_utf8: return "websocket text or close reason is not valid UTF-8";
            case websocket_error::message_too_big: return "websocket message exceeds the maximum message size";
            case websocket_error::frame_after_close: return "websocket data after the close frame";
            case websocket_error::payload_too_big: return "websocket control payload too big to encode";
        }
        return "unknown websocket error";
    }
    static condition to_condition(websocket_error e) noexcept
    {
        switch (e) {
            case websocket_error::message_too_big: return condition::limit_exceeded;
            case websocket_error::payload_too_big: return condition::invalid_argument;
            default: return condition::protocol_violation;
        }
    }
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(websocket_error)

#endif
