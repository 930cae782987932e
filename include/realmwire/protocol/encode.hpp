#ifndef REALMWIRE_PROTOCOL_ENCODE_HPP
#define REALMWIRE_PROTOCOL_ENCODE_HPP

// Encoders: a message value in, its bytes appended to a buffer out (plain decimal, single spaces,
// LF, as realm-core's writers produce them). Encoding a decoded message reproduces its bytes.
//
// UPLOAD/DOWNLOAD are written as they stand: `body` holds the wire body (compressed or not) and the
// size fields must agree with it. To build one from entries, append the entries to a body buffer
// (append_entry), then set_uncompressed_body() here, or compress_body() from
// realmwire/protocol/compression.hpp to apply realm-core's compression rule.

#include "realmwire/error.hpp"
#include "realmwire/errors/message.hpp"
#include "realmwire/protocol/detail/field_reader.hpp"
#include "realmwire/protocol/messages.hpp"

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>

namespace realmwire::protocol {

namespace detail {

template <class String>
class head_writer {
public:
    head_writer(String& out, std::string_view type) : out_(out) { out_.append(type.data(), type.size()); }
    head_writer& u(std::uint64_t v)
    {
        out_.push_back(' ');
        append_u64(out_, v);
        return *this;
    }
    head_writer& i(std::int64_t v)
    {
        out_.push_back(' ');
        append_i64(out_, v);
        return *this;
    }
    head_writer& b(bool v)
    {
        out_.push_back(' ');
        out_.push_back(v ? '1' : '0');
        return *this;
    }
    head_writer& d(double v)
    {
        out_.push_back(' ');
        append_double(out_, v);
        return *this;
    }
    head_writer& end()
    {
        out_.push_back('\n');
        return *this;
    }
    head_writer& raw(std::string_view s)
    {
        out_.append(s.data(), s.size());
        return *this;
    }

private:
    String& out_;
};

inline bool in_i64_domain(std::int64_t v) noexcept { return v >= 0; }

} // namespace detail

/// Sets the body of an UPLOAD/DOWNLOAD to `body` uncompressed (sizes included).
template <class Message>
void set_uncompressed_body(Message& m, std::string_view body) noexcept
{
    m.is_body_compressed = false;
    m.uncompressed_body_size = body.size();
    m.compressed_body_size = 0;
    m.body = body;
}

// --- one overload per message --------------------------------------------------------------------------
// All append to `out`; on error (a value the decoder would refuse) `out` is left unchanged.

template <class String>
void encode(const bind_message& m, String& out, std::error_code& ec)
{
    ec.clear();
    detail::head_writer<String>(out, m.name)
        .u(m.session_ident).u(m.path.size()).u(m.signed_user_token.size()).b(m.need_client_file_ident)
        .b(m.is_subserver).end().raw(m.path).raw(m.signed_user_token);
}

template <class String>
void encode(const client_ident_message& m, String& out, std::error_code& ec)
{
    ec.clear();
    if (m.has_query && !detail::in_i64_domain(m.query_version)) {
        ec = message_error::invalid_message;
        return;
    }
    detail::head_writer<String> w(out, m.name);
    w.u(m.session_ident).u(m.client_file_ident).i(m.client_file_ident_salt).u(m.download_server_version)
        .u(m.download_client_version).u(m.latest_server_version).i(m.latest_server_version_salt);
    if (m.has_query)
        w.i(m.query_version).u(m.query.size()).end().raw(m.query);
    else
        w.end();
}

namespace detail {
template <class Message>
bool body_sizes_agree(const Message& m) noexcept
{
    if (m.is_body_compressed)
        return m.compressed_body_size == m.body.size();
    return m.compressed_body_size == 0 && m.uncompressed_body_size == m.body.size();
}
} // namespace detail

template <class String>
void encode(const upload_message& m, String& out, std::error_code& ec)
{
    ec.clear();
    if (!detail::body_sizes_agree(m)) {
        ec = message_error::invalid_message;
        return;
    }
    detail::head_writer<String>(out, m.name)
        .u(m.session_ident).b(m.is_body_compressed).u(m.uncompressed_body_size).u(m.compressed_body_size)
        .u(m.progress_client_version).u(m.progress_server_version).u(m.locked_server_version).end().raw(m.body);
}

template <class String>
void encode(const query_message& m, String& out, std::error_code& ec)
{
    ec.clear();
    if (!detail::in_i64_domain(m.query_version)) {
        ec = message_error::invalid_message;
        return;
    }
    detail::head_writer<String>(out, m.name).u(m.session_ident).i(m.query_version).u(m.query.size()).end().raw(m.query);
}

template <class String>
void encode(const mark_message& m, String& out, std::error_code& ec)
{
    ec.clear();
    detail::head_writer<String>(out, m.name).u(m.session_ident).u(m.request_ident).end();
}

template <class String>
void encode(const unbind_message& m, String& out, std::error_code& ec)
{
    ec.clear();
    detail::head_writer<String>(out, m.name).u(m.session_ident).end();
}

template <class String>
void encode(const ping_message& m, String& out, std::error_code& ec)
{
    ec.clear();
    if (m.timestamp > max_int64_field || m.rtt > max_int64_field) {
        ec = message_error::invalid_message;
        return;
    }
    detail::head_writer<String>(out, m.name).u(m.timestamp).u(m.rtt).end();
}

template <class String>
void encode(const json_error_message& m, String& out, std::error_code& ec)
{
    ec.clear();
    if (m.error_code < 0) {
        ec = message_error::invalid_message;
        return;
    }
    detail::head_writer<String>(out, m.name)
        .u(static_cast<std::uint64_t>(m.error_code)).u(m.json.size()).u(m.session_ident).end().raw(m.json);
}

template <class String>
void encode(const test_command_message& m, String& out, std::error_code& ec)
{
    ec.clear();
    detail::head_writer<String>(out, m.name).u(m.session_ident).u(m.request_ident).u(m.body.size()).end().raw(m.body);
}

template <class String>
void encode(const refresh_message& m, String& out, std::error_code& ec)
{
    ec.clear();
    detail::head_writer<String>(out, m.name).u(m.session_ident).u(m.signed_user_token.size()).end().raw(m.signed_user_token);
}

template <class String>
void encode(const server_ident_message& m, String& out, std::error_code& ec)
{
    ec.clear();
    detail::head_writer<String>(out, m.name).u(m.session_ident).u(m.client_file_ident).i(m.client_file_ident_salt).end();
}

template <class String>
void encode(const download_message& m, String& out, std::error_code& ec)
{
    ec.clear();
    bool ok = detail::body_sizes_agree(m) && m.downloadable_bytes <= max_int64_field;
    if (m.form != download_form::pbs) {
        ok = ok && detail::in_i64_domain(m.query_version) && static_cast<unsigned>(m.batch) <= 2;
        if (m.form == download_form::flx_downloadable_bytes)
            ok = ok && static_cast<unsigned>(m.batch) <= 1;
        if (m.form == download_form::flx)
            ok = ok && std::isfinite(m.progress_estimate) && !(m.progress_estimate < 0);
    }
    if (!ok) {
        ec = message_error::invalid_message;
        return;
    }
    detail::head_writer<String> w(out, m.name);
    w.u(m.session_ident).u(m.download_server_version).u(m.download_client_version).u(m.latest_server_version)
        .i(m.latest_server_version_salt).u(m.upload_client_version).u(m.upload_server_version);
    switch (m.form) {
        case download_form::pbs: w.u(m.downloadable_bytes); break;
        case download_form::flx_downloadable_bytes:
            w.i(m.query_version).u(static_cast<unsigned>(m.batch)).u(m.downloadable_bytes);
            break;
        case download_form::flx:
            // +0.0 for -0.0: the decoder refuses a leading '-'.
            w.i(m.query_version).u(static_cast<unsigned>(m.batch)).d(m.progress_estimate == 0 ? 0.0 : m.progress_estimate);
            break;
    }
    w.b(m.is_body_compressed).u(m.uncompressed_body_size).u(m.compressed_body_size).end().raw(m.body);
}

template <class String>
void encode(const unbound_message& m, String& out, std::error_code& ec)
{
    ec.clear();
    detail::head_writer<String>(out, m.name).u(m.session_ident).end();
}

template <class String>
void encode(const error_message& m, String& out, std::error_code& ec)
{
    ec.clear();
    if (m.error_code < 0) {
        ec = message_error::invalid_message;
        return;
    }
    detail::head_writer<String>(out, m.name)
        .u(static_cast<std::uint64_t>(m.error_code)).u(m.message.size()).b(m.try_again).u(m.session_ident).end()
        .raw(m.message);
}

template <class String>
void encode(const query_error_message& m, String& out, std::error_code& ec)
{
    ec.clear();
    if (m.error_code < 0 || !detail::in_i64_domain(m.query_version)) {
        ec = message_error::invalid_message;
        return;
    }
    detail::head_writer<String>(out, m.name)
        .u(static_cast<std::uint64_t>(m.error_code)).u(m.message.size()).u(m.session_ident).i(m.query_version).end()
        .raw(m.message);
}

template <class String>
void encode(const pong_message& m, String& out, std::error_code& ec)
{
    ec.clear();
    if (m.timestamp > max_int64_field) {
        ec = message_error::invalid_message;
        return;
    }
    detail::head_writer<String>(out, m.name).u(m.timestamp).end();
}

template <class String>
void encode(const log_message& m, String& out, std::error_code& ec)
{
    ec.clear();
    detail::head_writer<String>(out, m.name).u(m.session_ident).u(m.json.size()).end().raw(m.json);
}

template <class String>
void encode(const client_message& m, String& out, std::error_code& ec)
{
    std::visit([&](const auto& v) { encode(v, out, ec); }, m);
}
template <class String>
void encode(const server_message& m, String& out, std::error_code& ec)
{
    std::visit([&](const auto& v) { encode(v, out, ec); }, m);
}

/// Throwing form: the message's bytes.
template <class Message>
std::string encode(const Message& m)
{
    std::string out;
    std::error_code ec;
    encode(m, out, ec);
    if (ec)
        throw_error(ec, "encode sync message");
    return out;
}

} // namespace realmwire::protocol

#endif
