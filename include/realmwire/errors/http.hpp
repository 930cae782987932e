#ifndef REALMWIRE_ERRORS_HTTP_HPP
#define REALMWIRE_ERRORS_HTTP_HPP

#include "realmwire/error.hpp"

namespace realmwire {

/// What the HTTP/1.x parsers (and the serializer's checks) found wrong. Each limit has its own code.
enum class http_error {
    bad_method = 1,              ///< the method is empty or not an RFC 7230 token
    bad_target,                  ///< the request-target is empty or holds a space, control or non-ASCII byte
    bad_version,                 ///< not `HTTP/1.0` or `HTTP/1.1`
    bad_status,                  ///< the status code is not three digits in 100..999
    bad_reason,                  ///< the reason phrase holds a control character
    bad_line_ending,             ///< a bare LF, or a CR not followed by LF
    start_line_too_long,         ///< request/status line longer than parser_limits::max_start_line
    header_line_too_long,        ///< a header line longer than parser_limits::max_header_line
    too_many_headers,            ///< more fields than parser_limits::max_header_count
    head_too_large,              ///< the head is larger than parser_limits::max_head_size
    bad_header_name,             ///< an empty field name or one with a non-token character
    missing_colon,               ///< a header line without ':'
    whitespace_before_colon,     ///< `Name : value` (RFC 7230 §3.2.4 says reject)
    obs_fold,                    ///< a line starting with whitespace (obsolete line folding)
    bad_header_value,            ///< a control character (other than HTAB) in a field value
    bad_content_length,          ///< Content-Length is not a plain decimal number
    duplicate_content_length,    ///< Content-Length given twice
    content_length_with_chunked, ///< both Content-Length and Transfer-Encoding (request smuggling)
    unsupported_transfer_encoding, ///< a Transfer-Encoding other than a single `chunked`
    body_too_large,              ///< the body is larger than parser_limits::max_body_size
    bad_chunk_size,              ///< a chunk-size line that is not hex digits [; extensions]
    chunk_line_too_long,         ///< a chunk-size line longer than parser_limits::max_header_line
    bad_chunk_terminator,        ///< chunk data not followed by CRLF
    unexpected_eof,              ///< the stream ended inside a message
};

template <>
struct error_enum_traits<http_error> {
    static constexpr const char* category_name = "realmwire.http";
    static constexpr const char* unknown_message = "unknown http error";
    static constexpr condition unknown_condition = condition::malformed_input;
    // clang-format off
    static constexpr error_row<http_error> rows[] = {
        {http_error::bad_method, "bad HTTP method", condition::malformed_input},
        {http_error::bad_target, "bad HTTP request-target", condition::malformed_input},
        {http_error::bad_version, "HTTP version is not HTTP/1.0 or HTTP/1.1", condition::unsupported},
        {http_error::bad_status, "bad HTTP status code", condition::malformed_input},
        {http_error::bad_reason, "bad HTTP reason phrase", condition::malformed_input},
        {http_error::bad_line_ending, "HTTP line does not end with CR LF", condition::malformed_input},
        {http_error::start_line_too_long, "HTTP start line is too long", condition::limit_exceeded},
        {http_error::header_line_too_long, "HTTP header line is too long", condition::limit_exceeded},
        {http_error::too_many_headers, "too many HTTP header fields", condition::limit_exceeded},
        {http_error::head_too_large, "HTTP head is too large", condition::limit_exceeded},
        {http_error::bad_header_name, "bad HTTP header field name", condition::malformed_input},
        {http_error::missing_colon, "HTTP header line has no ':'", condition::malformed_input},
        {http_error::whitespace_before_colon, "whitespace between HTTP header name and ':'", condition::malformed_input},
        {http_error::obs_fold, "obsolete HTTP header line folding", condition::malformed_input},
        {http_error::bad_header_value, "control character in an HTTP header value", condition::malformed_input},
        {http_error::bad_content_length, "bad Content-Length", condition::malformed_input},
        {http_error::duplicate_content_length, "Content-Length given more than once", condition::malformed_input},
        {http_error::content_length_with_chunked, "both Content-Length and Transfer-Encoding", condition::malformed_input},
        {http_error::unsupported_transfer_encoding, "unsupported Transfer-Encoding", condition::unsupported},
        {http_error::body_too_large, "HTTP body is too large", condition::limit_exceeded},
        {http_error::bad_chunk_size, "bad chunk size line", condition::malformed_input},
        {http_error::chunk_line_too_long, "chunk size line is too long", condition::limit_exceeded},
        {http_error::bad_chunk_terminator, "chunk data not followed by CR LF", condition::malformed_input},
        {http_error::unexpected_eof, "stream ended inside an HTTP message", condition::malformed_input},
    };
    // clang-format on
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(http_error)

#endif
