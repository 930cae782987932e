#ifndef REALMWIRE_ERRORS_MESSAGE_HPP
#define REALMWIRE_ERRORS_MESSAGE_HPP

// Errors of the sync message codec (realmwire/protocol/). Each one maps onto the code a realm-core
// peer would answer with in an ERROR message (see to_protocol_error_code), so a server built on the
// codec can reply 102 / 103 / 110 / 111 / 112 without a table of its own.

#include "realmwire/error.hpp"

namespace realmwire {

enum class message_error {
    // --- the head line (ProtocolError 103 bad_syntax unless noted) ---------------------------------
    empty_message = 1,      ///< zero bytes
    unknown_message_type,   ///< a well-formed type word this direction does not know (102 unknown_message)
    truncated_head,         ///< no LF terminates the head line
    head_too_long,          ///< no LF within limits.max_head_size bytes
    message_too_long,       ///< the whole message exceeds limits.max_message_size
    bad_delimiter,          ///< a byte other than the one SP or LF the grammar wants (double space, CR, tab, ...)
    missing_field,          ///< LF where the grammar wants another field
    extra_field,            ///< SP where the grammar wants the terminating LF
    bad_integer,            ///< a field that does not start with a digit
    negative_value,         ///< '-' in a field whose type is unsigned
    leading_zero,           ///< a number written with a leading zero (realm-core never writes one)
    integer_overflow,       ///< more digits than the field's type holds
    value_out_of_range,     ///< a number outside the field's domain (bool 0|1, batch_state 0..2, ...)
    bad_float,              ///< the FLX progress estimate is not a finite, non-negative decimal number
    unknown_error_code,     ///< ERROR carries a code that is not a ProtocolError (realm-core: bad_error_code)
    // --- sizes and bodies (103) ------------------------------------------------------------------------
    body_truncated,          ///< the head declares more body bytes than the message has
    leftover_data,           ///< bytes remain after everything the head declares
    inconsistent_body_sizes, ///< uncompressed message with compressed_body_size != 0
    bind_path_size,          ///< BIND path/data size outside [min, limits.max_bind_path_size]
    token_too_long,          ///< BIND/REFRESH token longer than limits.max_token_size
    // --- compression (110 bad_decompression) -----------------------------------------------------------
    decompression_failed,        ///< zlib rejected the stream (corrupt, truncated, trailing bytes, dictionary)
    decompressed_size_mismatch,  ///< the stream inflates to a size other than the declared one
    decompressed_size_limit,     ///< the declared size exceeds limits.max_decompressed_size
    compression_failed,          ///< zlib could not compress (encoder side; out of memory)
    // --- changeset entries of UPLOAD/DOWNLOAD ------------------------------------------------------------
    bad_changeset_header,    ///< an entry header does not follow the grammar (111 bad_changeset_header_syntax)
    bad_changeset_size,      ///< an entry's changeset_size exceeds the bytes left in the body (112)
    zero_server_version,     ///< a DOWNLOAD entry with server_version 0 (111)
    // --- JSON bodies (JSON_ERROR, LOG_MESSAGE, FLX BIND data; 103) ------------------------------------
    json_syntax,             ///< the body is not one JSON value
    json_not_object,         ///< the body is JSON but not an object
    json_missing_key,        ///< a required key is absent (error_info::field names it)
    json_wrong_type,         ///< a key has the wrong JSON type (error_info::field names it)
    json_bad_value,          ///< a key has a value outside its domain (unknown log level, empty partitionQuery, ...)
    // --- encoder misuse ----------------------------------------------------------------------------------
    invalid_message,         ///< a value that cannot be encoded (sizes disagree with the body, ...)
};

template <>
struct error_enum_traits<message_error> {
    static constexpr const char* category_name = "realmwire.message";
    static constexpr const char* unknown_message = "unknown message error";
    static constexpr condition unknown_condition = condition::malformed_input;
    // clang-format off
    static constexpr error_row<message_error> rows[] = {
        {message_error::empty_message, "empty sync message", condition::malformed_input},
        {message_error::unknown_message_type, "unknown sync message type", condition::unsupported},
        {message_error::truncated_head, "sync message head is not terminated by LF", condition::malformed_input},
        {message_error::head_too_long, "sync message head exceeds the head size limit", condition::limit_exceeded},
        {message_error::message_too_long, "sync message exceeds the message size limit", condition::limit_exceeded},
        {message_error::bad_delimiter, "unexpected byte where a single space or LF was expected", condition::malformed_input},
        {message_error::missing_field, "sync message head has too few fields", condition::malformed_input},
        {message_error::extra_field, "sync message head has too many fields", condition::malformed_input},
        {message_error::bad_integer, "sync message field is not a decimal number", condition::malformed_input},
        {message_error::negative_value, "negative value in an unsigned field", condition::malformed_input},
        {message_error::leading_zero, "number with a leading zero", condition::malformed_input},
        {message_error::integer_overflow, "number too large for the field's type", condition::malformed_input},
        {message_error::value_out_of_range, "number outside the field's domain", condition::malformed_input},
        {message_error::bad_float, "bad progress estimate", condition::malformed_input},
        {message_error::unknown_error_code, "ERROR message with an unknown error code", condition::malformed_input},
        {message_error::body_truncated, "declared body sizes exceed the message", condition::malformed_input},
        {message_error::leftover_data, "bytes left over after the declared body", condition::malformed_input},
        {message_error::inconsistent_body_sizes, "compressed body size set on an uncompressed body", condition::malformed_input},
        {message_error::bind_path_size, "BIND path size outside the allowed range", condition::limit_exceeded},
        {message_error::token_too_long, "token exceeds the token size limit", condition::limit_exceeded},
        {message_error::decompression_failed, "body decompression failed", condition::malformed_input},
        {message_error::decompressed_size_mismatch, "body decompressed to a size other than declared", condition::malformed_input},
        {message_error::decompressed_size_limit, "declared decompressed size exceeds the limit", condition::limit_exceeded},
        {message_error::compression_failed, "body compression failed", condition::invalid_argument},
        {message_error::bad_changeset_header, "bad changeset entry header syntax", condition::malformed_input},
        {message_error::bad_changeset_size, "changeset size exceeds the remaining body", condition::malformed_input},
        {message_error::zero_server_version, "DOWNLOAD changeset with server version 0", condition::malformed_input},
        {message_error::json_syntax, "message body is not valid JSON", condition::malformed_input},
        {message_error::json_not_object, "message body is not a JSON object", condition::malformed_input},
        {message_error::json_missing_key, "required JSON key is missing", condition::malformed_input},
        {message_error::json_wrong_type, "JSON key has the wrong type", condition::malformed_input},
        {message_error::json_bad_value, "JSON key has a value outside its domain", condition::malformed_input},
        {message_error::invalid_message, "message value cannot be encoded", condition::invalid_argument},
    };
    // clang-format on
};

/// The realm-core ProtocolError code a peer reports for this decode error: 102 unknown_message,
/// 103 bad_syntax, 110 bad_decompression, 111 bad_changeset_header_syntax, 112 bad_changeset_size.
/// (Limits map to 103 because that is what realm-core's server sends for an oversized BIND path.)
/// Encoder-side errors map to 101 other_error.
constexpr int to_protocol_error_code(message_error e) noexcept
{
    switch (e) {
        case message_error::unknown_message_type: return 102;
        case message_error::decompression_failed:
        case message_error::decompressed_size_mismatch:
        case message_error::decompressed_size_limit: return 110;
        case message_error::bad_changeset_header:
        case message_error::zero_server_version: return 111;
        case message_error::bad_changeset_size: return 112;
        case message_error::compression_failed:
        case message_error::invalid_message: return 101;
        default: return 103;
    }
}

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(message_error)

namespace realmwire {
/// Same as above for an error_code; 101 (other_error) for codes of other categories.
inline int to_protocol_error_code(const std::error_code& ec) noexcept
{
    if (ec.category() == error_category_for<message_error>())
        return to_protocol_error_code(static_cast<message_error>(ec.value()));
    return 101;
}
} // namespace realmwire

#endif
