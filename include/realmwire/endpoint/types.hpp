#ifndef REALMWIRE_ENDPOINT_TYPES_HPP
#define REALMWIRE_ENDPOINT_TYPES_HPP

// Value types shared by the client and server endpoints and the interfaces they call
// (server_backend.hpp, client_store.hpp): salted identifiers, the sync cursors of realm-core's
// SyncProgress, and the verdict a backend or store returns.

#include "realmwire/protocol/protocol_error.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

namespace realmwire::endpoint {

/// Time as the state machines see it: a steady time point the caller passes in (`now`). The state
/// machines never read a clock for timing (token expiry uses the token verifier's injectable clock).
using steady_clock = std::chrono::steady_clock;
using time_point = steady_clock::time_point;
using milliseconds = std::chrono::milliseconds;

/// A client file identifier with its salt (server IDENT; client IDENT's first two fields).
struct salted_file_ident {
    std::uint64_t ident = 0; ///< never 0 once allocated
    std::int64_t salt = 0;   ///< non-negative (realm-core draws it from [1, 2^63-1])

    friend bool operator==(const salted_file_ident& a, const salted_file_ident& b) noexcept
    {
        return a.ident == b.ident && a.salt == b.salt;
    }
    friend bool operator!=(const salted_file_ident& a, const salted_file_ident& b) noexcept { return !(a == b); }
};

/// A server version with the salt that proves the history it belongs to (latest_server_version).
struct salted_version {
    std::uint64_t version = 0;
    std::int64_t salt = 0;

    friend bool operator==(const salted_version& a, const salted_version& b) noexcept
    {
        return a.version == b.version && a.salt == b.salt;
    }
    friend bool operator!=(const salted_version& a, const salted_version& b) noexcept { return !(a == b); }
};

/// realm-core's DownloadCursor: the last server version integrated by the client, and the client
/// version the server had integrated when it produced that server version.
struct download_cursor {
    std::uint64_t server_version = 0;
    std::uint64_t last_integrated_client_version = 0;

    friend bool operator==(const download_cursor& a, const download_cursor& b) noexcept
    {
        return a.server_version == b.server_version && a.last_integrated_client_version == b.last_integrated_client_version;
    }
    friend bool operator!=(const download_cursor& a, const download_cursor& b) noexcept { return !(a == b); }
};

/// realm-core's UploadCursor: the last client version scanned for upload, and the server version the
/// client had integrated when it produced that client version.
struct upload_cursor {
    std::uint64_t client_version = 0;
    std::uint64_t last_integrated_server_version = 0;

    friend bool operator==(const upload_cursor& a, const upload_cursor& b) noexcept
    {
        return a.client_version == b.client_version && a.last_integrated_server_version == b.last_integrated_server_version;
    }
    friend bool operator!=(const upload_cursor& a, const upload_cursor& b) noexcept { return !(a == b); }
};

/// realm-core's SyncProgress, as carried by every DOWNLOAD and persisted by the client.
struct sync_progress {
    salted_version latest_server_version{}; ///< newest server version the server knows of
    download_cursor download{};             ///< how far the client has integrated server history
    upload_cursor upload{};                 ///< how far the server has integrated client history

    friend bool operator==(const sync_progress& a, const sync_progress& b) noexcept
    {
        return a.latest_server_version == b.latest_server_version && a.download == b.download && a.upload == b.upload;
    }
    friend bool operator!=(const sync_progress& a, const sync_progress& b) noexcept { return !(a == b); }
};

/// What a backend or store answers: success, or the ProtocolError code to send (and with what text).
/// A session-level code (200-299) answers the one session; a connection-level one (100-199) closes
/// the connection.
struct status {
    int code = 0;            ///< 0 = success, else a protocol::protocol_error value
    bool try_again = false;  ///< the ERROR's try_again flag
    std::string message;     ///< empty = the code's standard text (protocol_error.hpp)

    bool ok() const noexcept { return code == 0; }
    explicit operator bool() const noexcept { return ok(); }

    static status success() { return {}; }
    static status error(protocol::protocol_error e, std::string msg = {}, bool again = false)
    {
        status s;
        s.code = static_cast<int>(e);
        s.message = std::move(msg);
        s.try_again = again;
        return s;
    }
};

} // namespace realmwire::endpoint

#endif
