#ifndef REALMWIRE_PROTOCOL_COMPRESSION_HPP
#define REALMWIRE_PROTOCOL_COMPRESSION_HPP

// The zlib implementation of UPLOAD/DOWNLOAD body compression (needs realmwire::compression, i.e.
// zlib); the rules it plugs into are in protocol/body_codec.hpp, which needs no zlib:
// * a zlib stream (RFC 1950: header 78 01, deflate, Adler-32) made by deflateInit at level 1 with
//   the default window, memLevel and strategy; the same settings reproduce realm-core's bytes;
// * used only when the body is larger than 1024 bytes and the result is strictly smaller;
// * inflation must produce exactly the declared size and consume exactly the declared compressed
//   bytes. The declared size is checked against limits.max_decompressed_size before anything is
//   allocated, and inflation never writes past the declared size, so a bomb is an error.

#include "realmwire/error.hpp"
#include "realmwire/errors/message.hpp"
#include "realmwire/protocol/body_codec.hpp"

#include <zlib.h>

#include <climits>
#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

namespace realmwire::protocol {

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

/// The zlib stream codec realm-core uses, as a body_compressor for the endpoints' configs.
class zlib_body_compressor final : public body_compressor {
public:
    void compress(std::string_view in, std::string& out, std::error_code& ec) const override
    {
        zlib_compress(in, out, ec);
    }
    void decompress(std::string_view in, char* out, std::size_t out_size, std::error_code& ec) const noexcept override
    {
        zlib_decompress(in, out, out_size, ec);
    }
};

/// A shared stateless instance (the codec keeps no state between calls).
inline const body_compressor& zlib_compressor() noexcept
{
    static const zlib_body_compressor instance;
    return instance;
}

/// compress_body_with() using zlib.
template <class Message>
void compress_body(Message& m, std::string_view body, std::string& scratch, std::error_code& ec)
{
    compress_body_with(zlib_compressor(), m, body, scratch, ec);
}

/// Inflates a compressed UPLOAD body with zlib (decompress_body_with()).
inline std::string_view decompress_body(upload_message& m, std::string& buffer, const message_limits& limits,
                                        std::error_code& ec, bool allow_leading_zeros = false)
{
    return decompress_body_with(&zlib_compressor(), m, buffer, limits, ec, allow_leading_zeros);
}
/// Same for DOWNLOAD (also zero_server_version, 111).
inline std::string_view decompress_body(download_message& m, std::string& buffer, const message_limits& limits,
                                        std::error_code& ec, bool allow_leading_zeros = false)
{
    return decompress_body_with(&zlib_compressor(), m, buffer, limits, ec, allow_leading_zeros);
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
