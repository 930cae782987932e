#ifndef REALMWIRE_HTTP_PARSER_HPP
#define REALMWIRE_HTTP_PARSER_HPP

// Incremental HTTP/1.x parsers for handshakes: request_parser (server side) and response_parser
// (client side, also for answers of HTTP proxies and gateways).
//
// Feed bytes as they arrive, in chunks of any size; the result (message, error code, error offset)
// is the same however the stream is cut. feed() consumes at most up to the end of ONE message and
// returns how many bytes it used, so whatever follows (the first WebSocket frame after a 101, the
// tunnel after a CONNECT 200) stays with the caller.
//
// Strict where handshakes meet proxies: every line ends with CR LF; field names are tokens; obsolete
// line folding, whitespace before ':', control characters in values, duplicate Content-Length, and
// Content-Length together with Transfer-Encoding are errors; Transfer-Encoding may only be `chunked`.
// Every limit is explicit (parser_limits) and exact: a value equal to the limit is accepted, one byte
// more is an error. Never throws on bad input; memory is bounded by the limits.

#include "realmwire/detail/ascii.hpp"
#include "realmwire/detail/scan.hpp"
#include "realmwire/error.hpp"
#include "realmwire/http/message.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace realmwire::http {

/// Limits of the parsers. Line lengths exclude the CR LF; the head size includes every byte of the
/// start line, the header lines and the empty line that ends them.
struct parser_limits {
    std::size_t max_start_line = 8192;   ///< request line / status line
    std::size_t max_header_line = 8192;  ///< one header line (realm-core reads at most 8192); also chunk-size lines
    std::size_t max_header_count = 100;  ///< header fields (and, separately, trailer fields)
    std::size_t max_head_size = 16384;   ///< whole head (and, separately, the trailer section)
    std::size_t max_body_size = 1 << 20; ///< decoded body bytes
};

namespace detail {

// The ASCII helpers (is_tchar, is_digit, iequals, parse_decimal, ...) live in realmwire::detail.
using namespace ::realmwire::detail;

/// Bytes allowed in a field value (RFC 7230 field-content): HTAB, SP, VCHAR, obs-text.
constexpr bool is_field_value_char(char c) noexcept
{
    auto u = static_cast<unsigned char>(c);
    return c == '\t' || (u >= 0x20 && u != 0x7F);
}

/// Bytes allowed in a request-target: visible ASCII.
constexpr bool is_target_char(char c) noexcept
{
    auto u = static_cast<unsigned char>(c);
    return u > 0x20 && u < 0x7F;
}

/// The state machine shared by request_parser and response_parser.
template <bool IsRequest>
class basic_parser {
public:
    using message_type = std::conditional_t<IsRequest, request, response>;

    explicit basic_parser(const parser_limits& limits = {}) : limits_(limits) {}
    // Spelled out: the protected destructor would otherwise leave the class copy-only.
    basic_parser(const basic_parser&) = default;
    basic_parser(basic_parser&&) = default;
    basic_parser& operator=(const basic_parser&) = default;
    basic_parser& operator=(basic_parser&&) = default;

    /// Feeds the next bytes of the stream. Returns how many were consumed (fewer than given only when
    /// the message ended, or at an error). After an error every call returns 0 with the same error.
    std::size_t feed(std::string_view in, std::error_code& ec)
    {
        if (state_ == state::failed) {
            ec = error_;
            return 0;
        }
        ec.clear();
        std::size_t i = 0;
        while (i < in.size() && state_ != state::done && state_ != state::failed) {
            switch (state_) {
                case state::start_line:
                case state::headers:
                case state::chunk_size:
                case state::trailers:
                    i = take_line(in, i);
                    break;
                case state::body_length:
                case state::chunk_data:
                    i = take_counted(in, i);
                    break;
                case state::chunk_crlf: {
                    char want = crlf_seen_ == 0 ? '\r' : '\n';
                    if (in[i] != want) {
                        fail(http_error::bad_chunk_terminator, i, "chunk");
                        break;
                    }
                    ++i;
                    if (++crlf_seen_ == 2)
                        state_ = state::chunk_size;
                    break;
                }
                case state::body_eof: {
                    std::size_t room = limits_.max_body_size - msg_.body.size();
                    std::size_t n = in.size() - i;
                    if (n > room) {
                        msg_.body.append(in.data() + i, room);
                        fail(http_error::body_too_large, i + room, "body");
                        i += room;
                        break;
                    }
                    msg_.body.append(in.data() + i, n);
                    i += n;
                    break;
                }
                case state::done:
                case state::failed:
                    break;
            }
        }
        total_ += i;
        if (state_ == state::failed)
            ec = error_;
        return i;
    }

    /// Throwing form of feed().
    std::size_t feed(std::string_view in)
    {
        std::error_code ec;
        std::size_t n = feed(in, ec);
        if (ec)
            throw_error(ec, IsRequest ? "http::request_parser" : "http::response_parser", where_);
        return n;
    }

    /// The peer closed the stream. Completes a response whose body runs until EOF; anywhere else
    /// inside a message (or before any byte) it is unexpected_eof.
    void finish_eof(std::error_code& ec)
    {
        if (state_ == state::failed) {
            ec = error_;
            return;
        }
        ec.clear();
        if (state_ == state::done)
            return;
        if (state_ == state::body_eof) {
            state_ = state::done;
            return;
        }
        state_ = state::failed;
        error_ = make_error_code(http_error::unexpected_eof);
        where_.offset = total_;
        where_.field = "eof";
        ec = error_;
    }

    void finish_eof()
    {
        std::error_code ec;
        finish_eof(ec);
        if (ec)
            throw_error(ec, IsRequest ? "http::request_parser" : "http::response_parser", where_);
    }

    /// The whole message (head and body) has been parsed.
    bool done() const noexcept { return state_ == state::done; }
    /// The head (start line and fields) has been parsed; the body may still be coming.
    bool head_done() const noexcept { return head_done_; }
    /// True after an error (see where()).
    bool failed() const noexcept { return state_ == state::failed; }
    /// True when a response body is being read until the stream ends (no length, not chunked).
    bool body_until_eof() const noexcept { return state_ == state::body_eof; }

    const message_type& get() const noexcept { return msg_; }
    /// Moves the message out. The parser keeps its state: call reset() before the next message.
    message_type release() { return std::move(msg_); }

    /// Where the error was found: offset in the whole stream fed since construction/reset().
    error_info where() const noexcept { return where_; }
    /// Bytes consumed since construction/reset().
    std::uint64_t consumed() const noexcept { return total_; }

    const parser_limits& limits() const noexcept { return limits_; }

    /// Ready for a new message; keeps the limits.
    void reset() { *this = basic_parser(limits_); }

protected:
    ~basic_parser() = default;

    bool to_head_ = false;    // response_parser only: the request was HEAD
    bool to_connect_ = false; // response_parser only: the request was CONNECT

private:
    /// Whether the message has no body whatever its fields say (RFC 7230 §3.3.3 rule 1).
    bool no_body() const noexcept
    {
        if constexpr (IsRequest) {
            return false;
        }
        else {
            int s = msg_.status;
            return (s >= 100 && s < 200) || s == 204 || s == 304 || to_head_ || (to_connect_ && s >= 200 && s < 300);
        }
    }

    enum class state {
        start_line,
        headers,
        body_length,
        body_eof,
        chunk_size,
        chunk_data,
        chunk_crlf,
        trailers,
        done,
        failed,
    };

    void fail(http_error e, std::size_t index_in_chunk, std::string_view field)
    {
        // Offsets are absolute: total_ is the count consumed before this feed() call.
        fail_at(e, total_ + index_in_chunk, field);
    }
    void fail_at(http_error e, std::uint64_t offset, std::string_view field)
    {
        state_ = state::failed;
        error_ = make_error_code(e);
        where_.offset = static_cast<std::size_t>(offset);
        where_.field = field;
    }

    /// Takes up to remaining_ body bytes (a Content-Length body or one chunk's data) from in[i...].
    std::size_t take_counted(std::string_view in, std::size_t i)
    {
        std::size_t available = in.size() - i;
        std::size_t n = remaining_ < available ? static_cast<std::size_t>(remaining_) : available;
        msg_.body.append(in.data() + i, n);
        remaining_ -= n;
        if (remaining_ == 0) {
            if (state_ == state::chunk_data) {
                state_ = state::chunk_crlf;
                crlf_seen_ = 0;
            }
            else {
                state_ = state::done;
            }
        }
        return i + n;
    }

    std::size_t line_limit() const noexcept
    {
        switch (state_) {
            case state::start_line: return limits_.max_start_line;
            default: return limits_.max_header_line;
        }
    }
    http_error line_too_long_error() const noexcept
    {
        switch (state_) {
            case state::start_line: return http_error::start_line_too_long;
            case state::chunk_size: return http_error::chunk_line_too_long;
            default: return http_error::header_line_too_long;
        }
    }
    std::size_t section_limit() const noexcept
    {
        return (state_ == state::chunk_size) ? static_cast<std::size_t>(-1) : limits_.max_head_size;
    }

    /// Scans one line (maybe partially) starting at in[i]; processes it when its LF arrives.
    std::size_t take_line(std::string_view in, std::size_t i)
    {
        const std::size_t begin = i;
        const std::size_t limit = line_limit();
        const std::size_t section_limit_v = section_limit();
        while (i < in.size()) {
            if (!cr_seen_) {
                // Fast path: skip the run of ordinary bytes that no limit can stop. It ends at a CR or
                // LF, at the first byte over a limit, or at the end of the chunk; that byte then goes
                // through the per-byte checks below, in the same order as every other byte.
                std::size_t cap = in.size() - i;
                cap = std::min(cap, limit - line_len_);
                cap = std::min(cap, section_limit_v - section_bytes_);
                // One pass finds the line's end and proves the line free of control bytes: the scan stops
                // at any of them (CR and LF included); one that is not CR or LF goes through the checks
                // below and marks the line, so parse_field re-checks only marked lines.
                std::size_t n = find_ctl(in.data() + i, cap);
                i += n;
                line_len_ += n;
                section_bytes_ += n;
                if (i == in.size())
                    break;
            }
            if (section_bytes_ == section_limit_v) {
                fail(http_error::head_too_large, i, state_ == state::trailers ? "trailer" : "head");
                return i;
            }
            char c = in[i];
            if (cr_seen_) {
                if (c != '\n') {
                    // the offending byte is the lone CR just before this one (maybe in the last chunk)
                    fail_at(http_error::bad_line_ending, total_ + i - 1, "line");
                    return i;
                }
                ++i;
                ++section_bytes_;
                // complete: the content is line_ + in[begin, i-2] (the CR may be in line_)
                std::string_view line;
                if (line_.empty()) {
                    line = in.substr(begin, i - 2 - begin);
                }
                else {
                    line_.append(in.data() + begin, i - 1 - begin); // up to (excluding) LF
                    line_.pop_back();                               // the CR
                    line = line_;
                }
                const std::uint64_t line_offset = total_ + i - line_len_ - 2;
                cr_seen_ = false;
                line_len_ = 0;
                process_line(line, line_offset);
                line_.clear();
                line_has_ctl_ = false;
                return i;
            }
            if (c == '\r') {
                cr_seen_ = true;
            }
            else if (c == '\n') {
                fail(http_error::bad_line_ending, i, "line");
                return i;
            }
            else {
                if (line_len_ == limit) {
                    fail(line_too_long_error(), i, "line");
                    return i;
                }
                ++line_len_;
                if (is_ctl(c))
                    line_has_ctl_ = true;
            }
            ++i;
            ++section_bytes_;
        }
        // the chunk ended inside the line: keep its bytes
        line_.append(in.data() + begin, i - begin);
        return i;
    }

    void process_line(std::string_view line, std::uint64_t offset)
    {
        switch (state_) {
            case state::start_line:
                if (parse_start_line(line, offset))
                    state_ = state::headers;
                break;
            case state::headers:
                if (line.empty())
                    end_of_head();
                else
                    parse_field(line, offset, false);
                break;
            case state::chunk_size: parse_chunk_size(line, offset); break;
            case state::trailers:
                if (line.empty())
                    state_ = state::done;
                else
                    parse_field(line, offset, true);
                break;
            default: break;
        }
    }

    static bool parse_version(std::string_view v, int& minor) noexcept
    {
        if (v == "HTTP/1.1") {
            minor = 1;
            return true;
        }
        if (v == "HTTP/1.0") {
            minor = 0;
            return true;
        }
        return false;
    }

    bool parse_start_line(std::string_view line, std::uint64_t offset)
    {
        if constexpr (IsRequest) {
            std::size_t sp1 = find_not_tchar(line.data(), line.size());
            if (sp1 < line.size() && line[sp1] != ' ') {
                fail_at(http_error::bad_method, offset + sp1, "method");
                return false;
            }
            if (sp1 == 0 || sp1 == line.size()) {
                fail_at(http_error::bad_method, offset + sp1, "method");
                return false;
            }
            std::size_t t = sp1 + 1;
            // The target ends at the first byte that is not visible ASCII: the SP before the version,
            // or a byte that has no place in a target.
            std::size_t sp2 = t + find_not_vchar(line.data() + t, line.size() - t);
            if (sp2 < line.size() && line[sp2] != ' ') {
                fail_at(http_error::bad_target, offset + sp2, "target");
                return false;
            }
            if (sp2 == t || sp2 == line.size()) {
                fail_at(http_error::bad_target, offset + sp2, "target");
                return false;
            }
            int minor = 1;
            if (!parse_version(line.substr(sp2 + 1), minor)) {
                fail_at(http_error::bad_version, offset + sp2 + 1, "version");
                return false;
            }
            msg_.method.assign(line.data(), sp1);
            msg_.target.assign(line.data() + t, sp2 - t);
            msg_.version_minor = minor;
            return true;
        }
        else {
            int minor = 1;
            if (line.size() < 8 || !parse_version(line.substr(0, 8), minor) ||
                (line.size() > 8 && line[8] != ' ')) {
                fail_at(http_error::bad_version, offset, "version");
                return false;
            }
            std::string_view rest = line.substr(line.size() > 8 ? 9 : 8);
            std::uint64_t status_offset = offset + 9;
            int status = 0;
            if (rest.size() < 3 || !is_digit(rest[0]) || !is_digit(rest[1]) || !is_digit(rest[2]) ||
                (rest.size() > 3 && rest[3] != ' ')) {
                fail_at(http_error::bad_status, status_offset, "status");
                return false;
            }
            status = (rest[0] - '0') * 100 + (rest[1] - '0') * 10 + (rest[2] - '0');
            if (status < 100) {
                fail_at(http_error::bad_status, status_offset, "status");
                return false;
            }
            std::string_view reason = rest.size() > 3 ? rest.substr(4) : std::string_view{};
            for (std::size_t k = 0; k < reason.size(); ++k) {
                if (!is_field_value_char(reason[k])) {
                    fail_at(http_error::bad_reason, status_offset + 4 + k, "reason");
                    return false;
                }
            }
            msg_.version_minor = minor;
            msg_.status = status;
            msg_.reason.assign(reason.data(), reason.size());
            return true;
        }
    }

    void parse_field(std::string_view line, std::uint64_t offset, bool trailer)
    {
        const char* field_kind = trailer ? "trailer" : "header";
        if (is_ows(line[0])) {
            fail_at(http_error::obs_fold, offset, field_kind);
            return;
        }
        std::size_t colon = find_not_tchar(line.data(), line.size());
        if (colon < line.size() && line[colon] != ':') {
            if (is_ows(line[colon])) {
                // `Name : v` or `Na me: v`: whitespace is never part of a name
                std::size_t k = colon;
                while (k < line.size() && is_ows(line[k]))
                    ++k;
                if (k < line.size() && line[k] == ':')
                    fail_at(http_error::whitespace_before_colon, offset + colon, field_kind);
                else
                    fail_at(http_error::bad_header_name, offset + colon, field_kind);
                return;
            }
            fail_at(http_error::bad_header_name, offset + colon, field_kind);
            return;
        }
        if (colon == line.size()) {
            fail_at(http_error::missing_colon, offset + colon, field_kind);
            return;
        }
        if (colon == 0) {
            fail_at(http_error::bad_header_name, offset, field_kind);
            return;
        }
        for (std::size_t k = colon + 1; line_has_ctl_ && k < line.size(); ++k) {
            k += find_ctl(line.data() + k, line.size() - k); // HTAB is the one control byte allowed
            if (k < line.size() && line[k] != '\t') {
                fail_at(http_error::bad_header_value, offset + k, field_kind);
                return;
            }
        }
        if (++field_count_ > limits_.max_header_count) {
            fail_at(http_error::too_many_headers, offset, field_kind);
            return;
        }
        std::string_view name = line.substr(0, colon);
        std::string_view value = trim_ows(line.substr(colon + 1));
        if (trailer)
            return; // validated and dropped: a trailer never changes the framing or the head's fields
        if (msg_.headers.empty())
            msg_.headers.reserve(16); // one allocation for a handshake's fields, not four
        std::size_t value_offset = static_cast<std::size_t>(value.data() - line.data());
        if (iequals(name, "Content-Length")) {
            if (content_length_ >= 0) {
                fail_at(http_error::duplicate_content_length, offset, "Content-Length");
                return;
            }
            std::uint64_t n = 0;
            if (!parse_decimal<std::uint64_t>(value, n, std::uint64_t(1) << 62)) {
                fail_at(http_error::bad_content_length, offset + value_offset, "Content-Length");
                return;
            }
            if (chunked_) {
                fail_at(http_error::content_length_with_chunked, offset, "Content-Length");
                return;
            }
            content_length_ = static_cast<std::int64_t>(n);
            content_length_offset_ = offset + value_offset;
        }
        else if (iequals(name, "Transfer-Encoding")) {
            if (chunked_ || !iequals(value, "chunked")) {
                fail_at(http_error::unsupported_transfer_encoding, offset + value_offset, "Transfer-Encoding");
                return;
            }
            if (content_length_ >= 0) {
                fail_at(http_error::content_length_with_chunked, offset, "Transfer-Encoding");
                return;
            }
            chunked_ = true;
        }
        msg_.headers.add(name, value);
    }

    void end_of_head()
    {
        head_done_ = true;
        section_bytes_ = 0;
        field_count_ = 0;
        if (no_body()) {
            state_ = state::done;
            return;
        }
        if (chunked_) {
            state_ = state::chunk_size;
            return;
        }
        if (content_length_ >= 0) {
            auto n = static_cast<std::uint64_t>(content_length_);
            if (n > limits_.max_body_size) {
                fail_at(http_error::body_too_large, content_length_offset_, "Content-Length");
                return;
            }
            remaining_ = n;
            state_ = n == 0 ? state::done : state::body_length;
            if (n)
                msg_.body.reserve(static_cast<std::size_t>(n));
            return;
        }
        state_ = IsRequest ? state::done : state::body_eof;
    }

    void parse_chunk_size(std::string_view line, std::uint64_t offset)
    {
        std::size_t k = 0;
        std::uint64_t size = 0;
        while (k < line.size() && is_hex_digit(line[k])) {
            if (size > (std::uint64_t(1) << 56)) {
                fail_at(http_error::body_too_large, offset + k, "chunk");
                return;
            }
            size = size * 16 + static_cast<std::uint64_t>(hex_value(line[k]));
            ++k;
        }
        if (k == 0) {
            fail_at(http_error::bad_chunk_size, offset, "chunk");
            return;
        }
        // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] ): accepted, not interpreted,
        // but it must start with ';' (after optional whitespace) and hold only value characters.
        std::size_t e = k;
        while (e < line.size() && is_ows(line[e]))
            ++e;
        if (e < line.size()) {
            if (line[e] != ';') {
                fail_at(http_error::bad_chunk_size, offset + e, "chunk");
                return;
            }
            for (std::size_t x = e; x < line.size(); ++x) {
                if (!is_field_value_char(line[x])) {
                    fail_at(http_error::bad_chunk_size, offset + x, "chunk");
                    return;
                }
            }
        }
        else if (e != k) {
            fail_at(http_error::bad_chunk_size, offset + k, "chunk"); // trailing whitespace, no extension
            return;
        }
        if (size > limits_.max_body_size - msg_.body.size()) {
            fail_at(http_error::body_too_large, offset, "chunk");
            return;
        }
        if (size == 0) {
            state_ = state::trailers;
            section_bytes_ = 0;
            field_count_ = 0;
            return;
        }
        remaining_ = size;
        state_ = state::chunk_data;
    }

    parser_limits limits_;
    message_type msg_;

private:
    state state_ = state::start_line;
    std::error_code error_;
    error_info where_;
    std::uint64_t total_ = 0;       // bytes consumed before the current feed() call (after it: total)
    std::string line_;              // a line cut by a chunk boundary (raw bytes, CR included)
    std::size_t line_len_ = 0;      // content bytes of the current line (CR LF excluded)
    bool cr_seen_ = false;
    bool line_has_ctl_ = false;     // the current line holds a control byte other than CR/LF (HTAB too)
    std::size_t section_bytes_ = 0; // bytes of the head (or trailer section) so far
    std::size_t field_count_ = 0;
    std::uint64_t remaining_ = 0;
    int crlf_seen_ = 0;
    bool head_done_ = false;
    std::int64_t content_length_ = -1;
    std::uint64_t content_length_offset_ = 0;
    bool chunked_ = false; // Transfer-Encoding seen (only `chunked` is accepted)
};

} // namespace detail

/// Parses an HTTP/1.x request (the server side of a handshake). A request without Content-Length or
/// Transfer-Encoding has no body (RFC 7230 §3.3.3).
class request_parser : public detail::basic_parser<true> {
public:
    explicit request_parser(const parser_limits& limits = {}) : basic_parser(limits) {}
};

/// Parses an HTTP/1.x response. No body for 1xx, 204 and 304, for a response to HEAD, and for a 2xx
/// response to CONNECT (the tunnel starts right after the head); a response with neither
/// Content-Length nor chunked runs until the stream ends: call finish_eof() then.
class response_parser : public detail::basic_parser<false> {
public:
    explicit response_parser(const parser_limits& limits = {}) : basic_parser(limits) {}

    /// The request was HEAD: no body follows, whatever the fields say. Cleared by reset().
    void set_response_to_head(bool v) noexcept { to_head_ = v; }
    /// The request was CONNECT: a 2xx ends with its head. Cleared by reset().
    void set_response_to_connect(bool v) noexcept { to_connect_ = v; }
    bool response_to_head() const noexcept { return to_head_; }
    bool response_to_connect() const noexcept { return to_connect_; }

};

} // namespace realmwire::http

#endif
