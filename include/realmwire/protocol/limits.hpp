#ifndef REALMWIRE_PROTOCOL_LIMITS_HPP
#define REALMWIRE_PROTOCOL_LIMITS_HPP

// What the message decoder accepts. Every bound is explicit; the defaults fit everything realm-core
// v14 sends (its server caps a DOWNLOAD at 16 MiB of changesets) with room to spare.

#include <cstddef>
#include <cstdint>

namespace realmwire::protocol {

struct message_limits {
    /// The head line, LF included. The longest v14 head (FLX DOWNLOAD, every field 20 digits) is ~300.
    std::size_t max_head_size = 1024;
    /// A whole message as received (one WebSocket message).
    std::size_t max_message_size = 64u * 1024 * 1024;
    /// BIND path / FLX data bytes. realm-core's server: 1..1024 (size 0 allowed for FLX JSON data).
    std::size_t min_bind_path_size = 1;
    std::size_t max_bind_path_size = 1024;
    /// BIND and REFRESH token bytes (realm-core's server: 2048).
    std::size_t max_token_size = 2048;
    /// The declared uncompressed size of a compressed UPLOAD/DOWNLOAD body. Checked before any
    /// allocation, so a decompression bomb is an error.
    std::size_t max_decompressed_size = 64u * 1024 * 1024;
};

/// Partition-based or flexible sync: decides the IDENT (client) and DOWNLOAD (server) grammar and
/// whether an empty BIND data field is allowed. Known from the negotiated subprotocol.
enum class sync_mode { pbs, flx };

struct decode_options {
    sync_mode mode = sync_mode::pbs;
    /// Negotiated protocol version (2..14). Only FLX DOWNLOAD depends on it: before 12 the progress
    /// field is the integer downloadable_bytes, before 14 the batch field is a bool.
    int protocol_version = 14;
    /// realm-core's parser accepts "007"; realm-core never writes it. Off: reject, so that every
    /// accepted message re-encodes to its own bytes.
    bool allow_leading_zeros = false;
    /// realm-core's client rejects an ERROR whose code it does not know (bad_error_code).
    bool allow_unknown_error_codes = false;
    message_limits limits{};
};

} // namespace realmwire::protocol

#endif
