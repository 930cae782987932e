#ifndef REALMWIRE_PROTOCOL_COMPRESSION_HPP
#define REALMWIRE_PROTOCOL_COMPRESSION_HPP

// UPLOAD/DOWNLOAD body compression as realm-core does it (needs realmwire::compression, i.e. zlib):
// * a zlib stream (RFC 1950: header 78 01, deflate, Adler-32) made by deflateInit at level 1 with
//   the default window, memLevel and strategy; the same settings reproduce realm-core's bytes;
// * used only when the body is larger than 1024 bytes and the result is strictly smaller;
// * inflation must produce exactly the declared size and consume exactly the declared compressed
//   bytes. The declared size is checked against limits.max_decompressed_size before anything is
//   allocated, and inflation never writes past the declared size, so a bomb is an error.

#include "realmwire/error.hpp"
#include "realmwire/errors/message.hpp"
#include "realmwire/protocol/encode.hpp"
#include "realmwire/protocol/entries.hpp"
#include "realmwire/protocol/limits.hpp"
#include "realmwire/protocol/messages.hpp"

#include <zlib.h>

#include <climits>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

namespace realmwire::protocol {

/// realm-core compresses bodies strictly larger than this.
inline constexpr std::size_t compression_threshold = 1024;
/// deflateInit level realm-core uses.
inline constexpr int compression_level = 1;

/// Compresses `in` into `out` (replacing its contents) as one zlib stream at level 1.
inline void zlib_compress(std::string_view in, std::string& out, std::error_code& ec)
{
    ec.clear();
    out.clear();
    if (in.size() > UINT_MAX) {
        ec = message_error::compression_failed;
        return;
    }
    z_stream s{};
    if (deflateInit(&s, compression_level) != Z_OK) {
        ec = message_error::compression_failed;
        return;
    }
    out.resize(deflateBound(&s, static_cast<uLong>(in.size())));
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    s.avail_in = static_cast<uInt>(in.size());
    s.next_out = reinterpret_cast<Bytef*>(&out[0]);
    s.avail_out = static_cast<uInt>(out.size());
    int rc = deflate(&s, Z_FINISH);
    std::size_t produced = out.size() - s.avail_out;
    deflateEnd(&s);
    if (rc != Z_STREAM_END) {
        out.clear();
        ec = message_error::compression_failed;
        return;
    }
    out.resize(produced);
}

/// Inflates the zlib stream `in` into exactly `out_size` bytes at `out`. Errors:
/// decompression_failed (corrupt, truncated, preset dictionary, bytes after the stream end),
/// decompressed_size_mismatch (the stream holds more or fewer bytes than out_size).
inline void zlib_decompress(std::string_view in, char* out, std::size_t out_size, std::error_code& ec) noexcept
{
    ec.clear();
    if (in.size() > UINT_MAX || out_size > UINT_MAX) {
        ec = message_error::decompressed_size_limit;
        return;
    }
    z_stream s{};
    if (inflateInit(&s) != Z_OK) {
        ec = message_error::decompression_failed;
        return;
    }
    unsigned char spill = 0; // one byte past the end: if it fills, the stream was longer than declared
    s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
    s.avail_in = static_cast<uInt>(in.size());
    s.next_out = reinterpret_cast<Bytef*>(out);
    s.avail_out = static_cast<uInt>(out_size);
    bool spilled = false;
    if (out_size == 0) { // zlib refuses a null next_out
        spilled = true;
        s.next_out = &spill;
        s.avail_out = 1;
    }
    int rc = Z_OK;
    for (;;) {
        rc = inflate(&s, Z_NO_FLUSH);
        if (rc == Z_STREAM_END)
            break;
        if (rc != Z_OK && rc != Z_BUF_ERROR)
            break;
        if (s.avail_out == 0 && !spilled) {
            // The declared size is full; any further output is too much.
            spilled = true;
            s.next_out = &spill;
            s.avail_out = 1;
            continue;
        }
        if (s.avail_out == 0 && spilled)
            break;
        if (rc == Z_BUF_ERROR)
            break; // no progress possible: input ended early
    }
    bool overflowed = spilled && s.avail_out == 0;
    std::size_t produced = spilled ? out_size : out_size - s.avail_out;
    std::size_t unread = s.avail_in;
    inflateEnd(&s);
    if (overflowed) {
        ec = message_error::decompressed_size_mismatch;
        return;
    }
    if (rc != Z_STREAM_END) {
        ec = message_error::decompression_failed;
        return;
    }
    if (produced != out_size) {
        ec = message_error::decompressed_size_mismatch;
        return;
    }
    if (unread != 0)
        ec = message_error::decompression_failed;
}

/// Sets `m`'s body from the uncompressed `body` by realm-core's rule: compressed into `scratch` when
/// body.size() > 1024 and the result is strictly smaller, else sent as is. `m.body` then points into
/// `body` or `scratch`, which must outlive it.
template <class Message>
void compress_body(Message& m, std::string_view body, std::string& scratch, std::error_code& ec)
{
    ec.clear();
    set_uncompressed_body(m, body);
    if (body.size() <= compression_threshold)
        return;
    zlib_compress(body, scratch, ec);
    if (ec)
        return;
    if (scratch.size() < body.size()) {
        m.is_body_compressed = true;
        m.compressed_body_size = scratch.size();
        m.body = scratch;
    }
}

namespace detail {
template <class Message>
std::string_view decompress_body_impl(Message& m, std::string& buffer, const message_limits& limits,
                                      std::error_code& ec, bool allow_leading_zeros)
{
    using entries_type = decltype(m.entries);
    ec.clear();
    if (!m.is_body_compressed) {
        m.entries = entries_type::parse(m.body, ec, allow_leading_zeros);
        return ec ? std::string_view{} : m.body;
    }
    if (m.uncompressed_body_size > limits.max_decompressed_size) {
        ec = message_error::decompressed_size_limit;
        return {};
    }
    if (m.compressed_body_size != m.body.size()) {
        ec = message_error::body_truncated;
        return {};
    }
    buffer.resize(static_cast<std::size_t>(m.uncompressed_body_size));
    zlib_decompress(m.body, buffer.empty() ? nullptr : &buffer[0], buffer.size(), ec);
    if (ec)
        return {};
    std::string_view plain(buffer);
    m.entries = entries_type::parse(plain, ec, allow_leading_zeros);
    if (ec)
        return {};
    return plain;
}
} // namespace detail

/// Inflates a compressed UPLOAD body into `buffer` (resized to the declared size, its capacity reused),
/// validates the entries and sets `m.entries` (views into `buffer`). For an uncompressed body this only
/// (re)validates. Returns the uncompressed body. Errors: decompressed_size_limit,
/// decompression_failed, decompressed_size_mismatch (all 110), bad_changeset_header (111),
/// bad_changeset_size (112).
inline std::string_view decompress_body(upload_message& m, std::string& buffer, const message_limits& limits,
                                        std::error_code& ec, bool allow_leading_zeros = false)
{
    return detail::decompress_body_impl(m, buffer, limits, ec, allow_leading_zeros);
}
/// Same for DOWNLOAD (also zero_server_version, 111).
inline std::string_view decompress_body(download_message& m, std::string& buffer, const message_limits& limits,
                                        std::error_code& ec, bool allow_leading_zeros = false)
{
    return detail::decompress_body_impl(m, buffer, limits, ec, allow_leading_zeros);
}

template <class Message>
std::string_view decompress_body(Message& m, std::string& buffer, const message_limits& limits = {})
{
    std::error_code ec;
    auto r = decompress_body(m, buffer, limits, ec);
    if (ec)
        throw_error(ec, "decompress sync message body");
    return r;
}

} // namespace realmwire::protocol

#endif
