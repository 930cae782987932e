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
    static constexpr const char* unknown_message = "unknown websocket error";
    static constexpr condition unknown_condition = condition::protocol_violation;
    // clang-format off
    static constexpr error_row<websocket_error> rows[] = {
        {websocket_error::reserved_bits_set, "websocket frame has a reserved bit set", condition::protocol_violation},
        {websocket_error::bad_opcode, "websocket frame has an unknown opcode", condition::protocol_violation},
        {websocket_error::wrong_mask_bit, "websocket frame has the wrong mask bit for the sender's role", condition::protocol_violation},
        {websocket_error::fragmented_control, "websocket control frame is fragmented", condition::protocol_violation},
        {websocket_error::control_too_big, "websocket control frame payload exceeds 125 bytes", condition::protocol_violation},
        {websocket_error::bad_length, "websocket frame length has its upper 32 bits set", condition::protocol_violation},
        {websocket_error::unexpected_continuation, "websocket continuation frame without a message to continue", condition::protocol_violation},
        {websocket_error::expected_continuation, "websocket data frame in the middle of a fragmented message", condition::protocol_violation},
        {websocket_error::bad_close_payload, "websocket close frame payload of one byte", condition::protocol_violation},
        {websocket_error::bad_close_code, "websocket close code not allowed on the wire", condition::protocol_violation},
        {websocket_error::invalid_utf8, "websocket text or close reason is not valid UTF-8", condition::protocol_violation},
        {websocket_error::message_too_big, "websocket message exceeds the maximum message size", condition::limit_exceeded},
        {websocket_error::frame_after_close, "websocket data after the close frame", condition::protocol_violation},
        {websocket_error::payload_too_big, "websocket control payload too big to encode", condition::invalid_argument},
    };
    // clang-format on
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(websocket_error)

#endif
