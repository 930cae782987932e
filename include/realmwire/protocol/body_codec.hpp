#ifndef REALMWIRE_PROTOCOL_BODY_CODEC_HPP
#define REALMWIRE_PROTOCOL_BODY_CODEC_HPP

// UPLOAD/DOWNLOAD body compression rules, over an injected codec so that this header (and the
// endpoints built on it) needs no zlib. The zlib codec realm-core uses is in protocol/compression.hpp.
// * a body is compressed only when larger than 1024 bytes and the result is strictly smaller;
// * inflation must produce exactly the declared size and consume exactly the declared compressed
//   bytes. The declared size is checked against limits.max_decompressed_size before anything is
//   allocated, and the codec never writes past the declared size, so a bomb is an error.

#include "realmwire/errors/message.hpp"
#include "realmwire/protocol/encode.hpp"
#include "realmwire/protocol/entries.hpp"
#include "realmwire/protocol/limits.hpp"
#include "realmwire/protocol/messages.hpp"

#include <cstddef>
#include <string>
#include <string_view>
#include <system_error>

namespace realmwire::protocol {

/// realm-core compresses bodies strictly larger than this.
inline constexpr std::size_t compression_threshold = 1024;
/// deflateInit level realm-core uses.
inline constexpr int compression_level = 1;

/// A body codec. Implementations are stateless or internally synchronised: one instance may be
/// shared by every connection.
class body_compressor {
public:
    virtual ~body_compressor() = default;
    /// Compresses `in` into `out` (replacing its contents). Error: message_error::compression_failed.
    virtual void compress(std::string_view in, std::string& out, std::error_code& ec) const = 0;
    /// Inflates `in` into exactly `out_size` bytes at `out`, never writing past them. Errors:
    /// decompression_failed, decompressed_size_mismatch, decompressed_size_limit.
    virtual void decompress(std::string_view in, char* out, std::size_t out_size,
                            std::error_code& ec) const noexcept = 0;
};

/// Sets `m`'s body from the uncompressed `body` by realm-core's rule: compressed with `codec` into
/// `scratch` when body.size() > 1024 and the result is strictly smaller, else sent as is. `m.body`
/// then points into `body` or `scratch`, which must outlive it. A null codec sends every body as is
/// (the peer accepts both).
template <class Message>
void compress_body_with(const body_compressor* codec, Message& m, std::string_view body, std::string& scratch,
                        std::error_code& ec)
{
    ec.clear();
    set_uncompressed_body(m, body);
    if (!codec || body.size() <= compression_threshold)
        return;
    codec->compress(body, scratch, ec);
    if (ec)
        return;
    if (scratch.size() < body.size()) {
        m.is_body_compressed = true;
        m.compressed_body_size = scratch.size();
        m.body = scratch;
    }
}
template <class Message>
void compress_body_with(const body_compressor& codec, Message& m, std::string_view body, std::string& scratch,
                        std::error_code& ec)
{
    compress_body_with(&codec, m, body, scratch, ec);
}

namespace detail {
template <class Message>
std::string_view decompress_body_impl(const body_compressor* codec, Message& m, std::string& buffer,
                                      const message_limits& limits, std::error_code& ec, bool allow_leading_zeros)
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
    if (!codec) { // a compressed body and nothing to inflate it with
        ec = message_error::decompression_failed;
        return {};
    }
    buffer.resize(static_cast<std::size_t>(m.uncompressed_body_size));
    codec->decompress(m.body, buffer.empty() ? nullptr : &buffer[0], buffer.size(), ec);
    if (ec)
        return {};
    std::string_view plain(buffer);
    m.entries = entries_type::parse(plain, ec, allow_leading_zeros);
    if (ec)
        return {};
    return plain;
}
} // namespace detail

/// Inflates a compressed UPLOAD body with `codec` into `buffer` (resized to the declared size, its
/// capacity reused), validates the entries and sets `m.entries` (views into `buffer`). For an
/// uncompressed body this only (re)validates. Returns the uncompressed body. Errors:
/// decompressed_size_limit, decompression_failed (also: compressed body and a null codec),
/// decompressed_size_mismatch (all 110), bad_changeset_header (111), bad_changeset_size (112).
inline std::string_view decompress_body_with(const body_compressor* codec, upload_message& m, std::string& buffer,
                                             const message_limits& limits, std::error_code& ec,
                                             bool allow_leading_zeros = false)
{
    return detail::decompress_body_impl(codec, m, buffer, limits, ec, allow_leading_zeros);
}
/// Same for DOWNLOAD (also zero_server_version, 111).
inline std::string_view decompress_body_with(const body_compressor* codec, download_message& m, std::string& buffer,
                                             const message_limits& limits, std::error_code& ec,
                                             bool allow_leading_zeros = false)
{
    return detail::decompress_body_impl(codec, m, buffer, limits, ec, allow_leading_zeros);
}

} // namespace realmwire::protocol

#endif
