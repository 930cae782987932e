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
    static const char* message(http_error e) noexcept
    {
        switch (e) {
            case http_error::bad_method: return "bad HTTP method";
            case http_error::bad_target: return "bad HTTP request-target";
            case http_error::bad_version: return "HTTP version is not HTTP/1.0 or HTTP/1.1";
            case http_error::bad_status: return "bad HTTP status code";
            case http_error::bad_reason: return "bad HTTP reason phrase";
            case http_error::bad_line_ending: return "HTTP line does not end with CR LF";
            case http_error::start_line_too_long: return "HTTP start line is too long";
            case http_error::header_line_too_long: return "HTTP header line is too long";
            case http_error::too_many_headers: return "too many HTTP header fields";
            case http_error::head_too_large: return "HTTP head is too large";
            case http_error::bad_header_name: return "bad HTTP header field name";
            case http_error::missing_colon: return "HTTP header line has no ':'";
            case http_error::whitespace_before_colon: return "whitespace between HTTP header name and ':'";
            case http_error::obs_fold: return "obsolete HTTP header line folding";
            case http_error::bad_header_value: return "control character in an HTTP header value";
            case http_error::bad_content_length: return "bad Content-Length";
            case http_error::duplicate_content_length: return "Content-Length given more than once";
            case http_error::content_length_with_chunked: return "both Content-Length and Transfer-Encoding";
            case http_error::unsupported_transfer_encoding: return "unsupported Transfer-Encoding";
            case http_error::body_too_large: return "HTTP body is too large";
            case http_error::bad_chunk_size: return "bad chunk size line";
            case http_error::chunk_line_too_long: return "chunk size line is too long";
            case http_error::bad_chunk_terminator: return "chunk data not followed by CR LF";
            case http_error::unexpected_eof: return "stream ended inside an HTTP message";
        }
        return "unknown http error";
    }
    static condition to_condition(http_error e) noexcept
    {
        switch (e) {
            case http_error::start_line_too_long:
            case http_error::header_line_too_long:
            case http_error::too_many_headers:
            case http_error::head_too_large:
            case http_error::body_too_large:
            case http_error::chunk_line_too_long:
                return condition::limit_exceeded;
            case http_error::bad_version:
            case http_error::unsupported_transfer_encoding:
                return condition::unsupported;
            default:
                return condition::malformed_input;
        }
    }
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(http_error)

#endif
