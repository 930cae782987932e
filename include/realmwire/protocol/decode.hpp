#ifndef REALMWIRE_PROTOCOL_DECODE_HPP
#define REALMWIRE_PROTOCOL_DECODE_HPP

// Sans-I/O decoders: one WebSocket message in, one message view out. Zero-copy (views into the
// input), no allocation, never throws in the error_code form.
//
// Strictness (realm-core's client parser, or stricter where noted):
// * the type word is followed by one SP; every field by exactly one SP, the last by LF; no CR;
// * integers are plain decimal, range-checked for the field's type (unsigned fields take no '-');
//   leading zeros are rejected unless decode_options::allow_leading_zeros (realm-core accepts them,
//   never writes them); booleans are 0 or 1 (realm-core: any integer);
// * declared body sizes must match the bytes present exactly (no truncation, no leftover bytes;
//   realm-core checks leftovers only on the client side and never bounds a DOWNLOAD's compressed size);
// * UPLOAD/DOWNLOAD entry headers are validated as part of decoding an uncompressed body; a
//   compressed body is checked for its sizes here and inflated with decompress_body()
//   (realmwire/protocol/compression.hpp).
// Every error maps onto a realm-core ProtocolError code with to_protocol_error_code().

#include "realmwire/error.hpp"
#include "realmwire/errors/message.hpp"
#include "realmwire/protocol/detail/field_reader.hpp"
#include "realmwire/protocol/limits.hpp"
#include "realmwire/protocol/messages.hpp"
#include "realmwire/protocol/protocol_error.hpp"

#include <cstdint>
#include <cstring>
#include <limits>
#include <string_view>
#include <system_error>

namespace realmwire::protocol {

namespace detail {

class message_parser {
public:
    message_parser(std::string_view msg, const decode_options& opts, std::error_code& ec, error_info* info) noexcept
        : msg_(msg), opts_(opts), ec_(ec), info_(info), fields_({}, opts.allow_leading_zeros), body_reader_({}, true)
    {
    }

    /// Splits off the type word and locates the head. False on error.
    bool start(std::string_view& type) noexcept
    {
        ec_.clear();
        if (msg_.empty())
            return fail(message_error::empty_message, 0, "");
        if (msg_.size() > opts_.limits.max_message_size)
            return fail(message_error::message_too_long, 0, "");
        std::size_t scan = msg_.size() < opts_.limits.max_head_size ? msg_.size() : opts_.limits.max_head_size;
        const void* lf = std::memchr(msg_.data(), '\n', scan);
        if (!lf) {
            if (msg_.size() >= opts_.limits.max_head_size)
                return fail(message_error::head_too_long, scan, "");
            return fail(message_error::truncated_head, msg_.size(), "");
        }
        std::size_t lf_pos = static_cast<std::size_t>(static_cast<const char*>(lf) - msg_.data());
        std::string_view head = msg_.substr(0, lf_pos + 1);
        std::size_t sp = head.find(' ');
        if (sp == std::string_view::npos)
            return fail(message_error::missing_field, lf_pos, "type");
        if (sp == 0)
            return fail(message_error::bad_delimiter, 0, "type");
        type = head.substr(0, sp);
        head_base_ = sp + 1;
        fields_ = field_reader(head.substr(sp + 1), opts_.allow_leading_zeros);
        body_base_ = lf_pos + 1;
        body_ = msg_.substr(lf_pos + 1);
        body_reader_ = field_reader(body_, true);
        return true;
    }

    bool unknown_type() noexcept { return fail(message_error::unknown_message_type, 0, "type"); }

    bool u64(std::uint64_t& v, const char* field, std::uint64_t max = std::numeric_limits<std::uint64_t>::max(),
             char term = ' ') noexcept
    {
        if (fields_.read_u64(v, term, max))
            return true;
        return fail(fields_.error(), head_base_ + fields_.offset(), field);
    }
    bool last_u64(std::uint64_t& v, const char* field, std::uint64_t max = std::numeric_limits<std::uint64_t>::max()) noexcept
    {
        return u64(v, field, max, '\n');
    }
    bool i64(std::int64_t& v, const char* field, char term = ' ') noexcept
    {
        if (fields_.read_i64(v, term))
            return true;
        return fail(fields_.error(), head_base_ + fields_.offset(), field);
    }
    /// Non-negative int64 (realm-core types these as int64; a negative value is never meaningful).
    bool nonneg_i64(std::int64_t& v, const char* field, char term = ' ') noexcept
    {
        std::uint64_t u = 0;
        if (!u64(u, field, max_int64_field, term))
            return false;
        v = static_cast<std::int64_t>(u);
        return true;
    }
    bool boolean(bool& v, const char* field, char term = ' ') noexcept
    {
        if (fields_.read_bool(v, term))
            return true;
        return fail(fields_.error(), head_base_ + fields_.offset(), field);
    }
    bool dbl(double& v, const char* field, char term = ' ') noexcept
    {
        if (fields_.read_double(v, term))
            return true;
        return fail(fields_.error(), head_base_ + fields_.offset(), field);
    }
    bool error_code_field(int& v, const char* field) noexcept
    {
        std::uint64_t u = 0;
        if (!u64(u, field, static_cast<std::uint64_t>(std::numeric_limits<int>::max())))
            return false;
        v = static_cast<int>(u);
        return true;
    }

    /// The next `n` body bytes.
    bool bytes(std::string_view& out, std::uint64_t n, const char* field) noexcept
    {
        if (body_reader_.read_bytes(out, n))
            return true;
        return fail(message_error::body_truncated, body_base_ + body_reader_.offset(), field);
    }
    /// Everything the head declared has been read: nothing may remain.
    bool finish() noexcept
    {
        if (!body_reader_.at_end())
            return fail(message_error::leftover_data, body_base_ + body_reader_.offset(), "");
        return true;
    }

    std::string_view body() const noexcept { return body_; }
    std::size_t body_base() const noexcept { return body_base_; }
    const decode_options& options() const noexcept { return opts_; }

    bool fail(message_error e, std::size_t offset, const char* field) noexcept
    {
        ec_ = e;
        if (info_) {
            info_->offset = offset;
            info_->field = field;
        }
        return false;
    }
    bool fail(const std::error_code& e, std::size_t offset, const char* field) noexcept
    {
        ec_ = e;
        if (info_) {
            info_->offset = offset;
            info_->field = field;
        }
        return false;
    }

private:
    std::string_view msg_;
    const decode_options& opts_;
    std::error_code& ec_;
    error_info* info_;
    field_reader fields_;
    field_reader body_reader_;
    std::string_view body_{};
    std::size_t head_base_ = 0;
    std::size_t body_base_ = 0;
};

// UPLOAD and DOWNLOAD share the body rule: is_body_compressed, uncompressed size, compressed size.
template <class Message>
bool read_body(message_parser& p, Message& m) noexcept
{
    std::string_view body = p.body();
    if (m.is_body_compressed) {
        if (m.compressed_body_size > body.size())
            return p.fail(message_error::body_truncated, p.body_base() + body.size(), "compressed_body_size");
        if (m.compressed_body_size < body.size())
            return p.fail(message_error::leftover_data, p.body_base() + m.compressed_body_size, "compressed_body_size");
        if (m.uncompressed_body_size > p.options().limits.max_decompressed_size)
            return p.fail(message_error::decompressed_size_limit, 0, "uncompressed_body_size");
        m.body = body;
        return true;
    }
    if (m.compressed_body_size != 0)
        return p.fail(message_error::inconsistent_body_sizes, 0, "compressed_body_size");
    if (m.uncompressed_body_size > body.size())
        return p.fail(message_error::body_truncated, p.body_base() + body.size(), "uncompressed_body_size");
    if (m.uncompressed_body_size < body.size())
        return p.fail(message_error::leftover_data, p.body_base() + m.uncompressed_body_size, "uncompressed_body_size");
    m.body = body;
    std::error_code ec;
    std::size_t off = 0;
    m.entries = decltype(m.entries)::parse(body, ec, p.options().allow_leading_zeros, &off);
    if (ec)
        return p.fail(ec, p.body_base() + off, "entries");
    return true;
}

inline bool parse_sized(message_parser& p, std::uint64_t& size, const char* field, char term) noexcept
{
    return p.u64(size, field, std::numeric_limits<std::uint64_t>::max(), term);
}

// MARK, JSON_ERROR and TEST_COMMAND have the same layout in both directions; each decoder tries
// its own types first and ends here.
template <class Message>
Message decode_shared(message_parser& p, std::string_view type) noexcept
{
    if (type == "mark") {
        mark_message m;
        if (p.u64(m.session_ident, "session_ident") && p.last_u64(m.request_ident, "request_ident") && p.finish())
            return m;
        return {};
    }
    if (type == "json_error") {
        json_error_message m;
        std::uint64_t size = 0;
        if (p.error_code_field(m.error_code, "error_code") && parse_sized(p, size, "body_size", ' ') &&
            p.last_u64(m.session_ident, "session_ident") && p.bytes(m.json, size, "body") && p.finish())
            return m;
        return {};
    }
    if (type == "test_command") {
        test_command_message m;
        std::uint64_t size = 0;
        if (p.u64(m.session_ident, "session_ident") && p.u64(m.request_ident, "request_ident") &&
            parse_sized(p, size, "body_size", '\n') && p.bytes(m.body, size, "body") && p.finish())
            return m;
        return {};
    }
    p.unknown_type();
    return {};
}

} // namespace detail

/// Decodes one client→server message.
inline client_message decode_client_message(std::string_view msg, const decode_options& opts, std::error_code& ec,
                                            error_info* info = nullptr) noexcept
{
    detail::message_parser p(msg, opts, ec, info);
    std::string_view type;
    if (!p.start(type))
        return {};
    const auto& lim = opts.limits;
    if (type == "upload") {
        upload_message m;
        if (p.u64(m.session_ident, "session_ident") && p.boolean(m.is_body_compressed, "is_body_compressed") &&
            p.u64(m.uncompressed_body_size, "uncompressed_body_size") &&
            p.u64(m.compressed_body_size, "compressed_body_size") &&
            p.u64(m.progress_client_version, "progress_client_version") &&
            p.u64(m.progress_server_version, "progress_server_version") &&
            p.last_u64(m.locked_server_version, "locked_server_version") && detail::read_body(p, m))
            return m;
        return {};
    }
    if (type == "ping") {
        ping_message m;
        if (p.u64(m.timestamp, "timestamp", max_int64_field) && p.last_u64(m.rtt, "rtt", max_int64_field) && p.finish())
            return m;
        return {};
    }
    if (type == "bind") {
        bind_message m;
        std::uint64_t path_size = 0, token_size = 0;
        if (!p.u64(m.session_ident, "session_ident") || !p.u64(path_size, "path_size") ||
            !p.u64(token_size, "signed_user_token_size") ||
            !p.boolean(m.need_client_file_ident, "need_client_file_ident") ||
            !p.boolean(m.is_subserver, "is_subserver", '\n'))
            return {};
        std::uint64_t min_path = opts.mode == sync_mode::flx ? 0 : lim.min_bind_path_size;
        if (path_size < min_path || path_size > lim.max_bind_path_size) {
            p.fail(message_error::bind_path_size, 0, "path_size");
            return {};
        }
        if (token_size > lim.max_token_size) {
            p.fail(message_error::token_too_long, 0, "signed_user_token_size");
            return {};
        }
        if (p.bytes(m.path, path_size, "path") && p.bytes(m.signed_user_token, token_size, "signed_user_token") &&
            p.finish())
            return m;
        return {};
    }
    if (type == "ident") {
        client_ident_message m;
        bool flx = opts.mode == sync_mode::flx;
        char t = flx ? ' ' : '\n';
        if (!p.u64(m.session_ident, "session_ident") || !p.u64(m.client_file_ident, "client_file_ident") ||
            !p.i64(m.client_file_ident_salt, "client_file_ident_salt") ||
            !p.u64(m.download_server_version, "download_server_version") ||
            !p.u64(m.download_client_version, "download_client_version") ||
            !p.u64(m.latest_server_version, "latest_server_version") ||
            !p.i64(m.latest_server_version_salt, "latest_server_version_salt", t))
            return {};
        if (flx) {
            std::uint64_t size = 0;
            m.has_query = true;
            if (!p.nonneg_i64(m.query_version, "query_version") || !detail::parse_sized(p, size, "query_size", '\n') ||
                !p.bytes(m.query, size, "query"))
                return {};
        }
        if (p.finish())
            return m;
        return {};
    }
    if (type == "unbind") {
        unbind_message m;
        if (p.last_u64(m.session_ident, "session_ident") && p.finish())
            return m;
        return {};
    }
    if (type == "query") {
        query_message m;
        std::uint64_t size = 0;
        if (p.u64(m.session_ident, "session_ident") && p.nonneg_i64(m.query_version, "query_version") &&
            detail::parse_sized(p, size, "query_size", '\n') && p.bytes(m.query, size, "query") && p.finish())
            return m;
        return {};
    }
    if (type == "refresh") {
        refresh_message m;
        std::uint64_t size = 0;
        if (!p.u64(m.session_ident, "session_ident") || !detail::parse_sized(p, size, "signed_user_token_size", '\n'))
            return {};
        if (size > lim.max_token_size) {
            p.fail(message_error::token_too_long, 0, "signed_user_token_size");
            return {};
        }
        if (p.bytes(m.signed_user_token, size, "signed_user_token") && p.finish())
            return m;
        return {};
    }
    return detail::decode_shared<client_message>(p, type);
}

/// Decodes one server→client message.
inline server_message decode_server_message(std::string_view msg, const decode_options& opts, std::error_code& ec,
                                            error_info* info = nullptr) noexcept
{
    detail::message_parser p(msg, opts, ec, info);
    std::string_view type;
    if (!p.start(type))
        return {};
    if (type == "download") {
        download_message m;
        if (!p.u64(m.session_ident, "session_ident") || !p.u64(m.download_server_version, "download_server_version") ||
            !p.u64(m.download_client_version, "download_client_version") ||
            !p.u64(m.latest_server_version, "latest_server_version") ||
            !p.i64(m.latest_server_version_salt, "latest_server_version_salt") ||
            !p.u64(m.upload_client_version, "upload_client_version") ||
            !p.u64(m.upload_server_version, "upload_server_version"))
            return {};
        if (opts.mode == sync_mode::flx) {
            std::uint64_t batch = 0;
            std::uint64_t max_batch = opts.protocol_version >= 14 ? 2 : 1;
            if (!p.nonneg_i64(m.query_version, "query_version") || !p.u64(batch, "batch_state", max_batch))
                return {};
            m.batch = static_cast<batch_state>(batch);
            if (opts.protocol_version >= 12) {
                m.form = download_form::flx;
                if (!p.dbl(m.progress_estimate, "progress_estimate"))
                    return {};
            }
            else {
                m.form = download_form::flx_downloadable_bytes;
                if (!p.u64(m.downloadable_bytes, "downloadable_bytes", max_int64_field))
                    return {};
            }
        }
        else {
            m.form = download_form::pbs;
            if (!p.u64(m.downloadable_bytes, "downloadable_bytes", max_int64_field))
                return {};
        }
        if (p.boolean(m.is_body_compressed, "is_body_compressed") &&
            p.u64(m.uncompressed_body_size, "uncompressed_body_size") &&
            p.last_u64(m.compressed_body_size, "compressed_body_size") && detail::read_body(p, m))
            return m;
        return {};
    }
    if (type == "pong") {
        pong_message m;
        if (p.last_u64(m.timestamp, "timestamp", max_int64_field) && p.finish())
            return m;
        return {};
    }
    if (type == "ident") {
        server_ident_message m;
        if (p.u64(m.session_ident, "session_ident") && p.u64(m.client_file_ident, "client_file_ident") &&
            p.i64(m.client_file_ident_salt, "client_file_ident_salt", '\n') && p.finish())
            return m;
        return {};
    }
    if (type == "unbound") {
        unbound_message m;
        if (p.last_u64(m.session_ident, "session_ident") && p.finish())
            return m;
        return {};
    }
    if (type == "error") {
        error_message m;
        std::uint64_t size = 0;
        if (!p.error_code_field(m.error_code, "error_code") || !detail::parse_sized(p, size, "message_size", ' ') ||
            !p.boolean(m.try_again, "try_again") || !p.last_u64(m.session_ident, "session_ident"))
            return {};
        if (!opts.allow_unknown_error_codes && !is_known_protocol_error(m.error_code)) {
            p.fail(message_error::unknown_error_code, 6, "error_code");
            return {};
        }
        if (p.bytes(m.message, size, "message") && p.finish())
            return m;
        return {};
    }
    if (type == "log_message") {
        log_message m;
        std::uint64_t size = 0;
        if (p.u64(m.session_ident, "session_ident") && detail::parse_sized(p, size, "body_size", '\n') &&
            p.bytes(m.json, size, "body") && p.finish())
            return m;
        return {};
    }
    if (type == "query_error") {
        query_error_message m;
        std::uint64_t size = 0;
        if (p.error_code_field(m.error_code, "error_code") && detail::parse_sized(p, size, "message_size", ' ') &&
            p.u64(m.session_ident, "session_ident") && p.nonneg_i64(m.query_version, "query_version", '\n') &&
            p.bytes(m.message, size, "message") && p.finish())
            return m;
        return {};
    }
    return detail::decode_shared<server_message>(p, type);
}

/// Throwing forms (realmwire::system_error carrying the error_info).
inline client_message decode_client_message(std::string_view msg, const decode_options& opts = {})
{
    return throw_on_error("decode client message", [&](std::error_code& ec, error_info* info) {
        return decode_client_message(msg, opts, ec, info);
    });
}
inline server_message decode_server_message(std::string_view msg, const decode_options& opts = {})
{
    return throw_on_error("decode server message", [&](std::error_code& ec, error_info* info) {
        return decode_server_message(msg, opts, ec, info);
    });
}

} // namespace realmwire::protocol

#endif
