#ifndef REALMWIRE_PROTOCOL_MESSAGES_HPP
#define REALMWIRE_PROTOCOL_MESSAGES_HPP

// One value type per sync message. Decoded messages are views: every std::string_view points into
// the buffer that was decoded, which must outlive the message. Field names follow realm-core's
// protocol_codec. Grammar (docs/protocol.md): `type SP field *(SP field) LF body`.

#include "realmwire/protocol/entries.hpp"

#include <cstdint>
#include <limits>
#include <string_view>
#include <tuple>
#include <variant>

namespace realmwire::protocol {

/// Largest value of the fields realm-core types as non-negative int64 (query versions, ping times,
/// downloadable bytes).
inline constexpr std::uint64_t max_int64_field = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());

#define REALMWIRE_PROTOCOL_EQUALITY(T)                                                                         \
    friend bool operator==(const T& a, const T& b) noexcept { return a.tie() == b.tie(); }                     \
    friend bool operator!=(const T& a, const T& b) noexcept { return !(a == b); }

// ---------------------------------------------------------------------------------------------------
// client -> server
// ---------------------------------------------------------------------------------------------------

/// `bind session path_size token_size need_client_file_ident is_subserver LF path token`
/// PBS: path = the realm path (1..1024 bytes). FLX: path = JSON data (may be empty). The token is
/// empty from realm-core ≥ 11.x clients (it travels in the HTTP request).
struct bind_message {
    static constexpr std::string_view name = "bind";
    std::uint64_t session_ident = 0;
    std::string_view path{};
    std::string_view signed_user_token{};
    bool need_client_file_ident = false;
    bool is_subserver = false;
    auto tie() const noexcept { return std::tie(session_ident, path, signed_user_token, need_client_file_ident, is_subserver); }
    REALMWIRE_PROTOCOL_EQUALITY(bind_message)
};

/// `ident session client_file_ident salt download_server_version download_client_version
///  latest_server_version latest_server_version_salt [query_version query_size] LF [query]`
/// The bracketed part exists in FLX only (has_query).
struct client_ident_message {
    static constexpr std::string_view name = "ident";
    std::uint64_t session_ident = 0;
    std::uint64_t client_file_ident = 0;
    std::int64_t client_file_ident_salt = 0;
    std::uint64_t download_server_version = 0;
    std::uint64_t download_client_version = 0;
    std::uint64_t latest_server_version = 0;
    std::int64_t latest_server_version_salt = 0;
    bool has_query = false; ///< FLX form
    std::int64_t query_version = 0;
    std::string_view query{};
    auto tie() const noexcept
    {
        return std::tie(session_ident, client_file_ident, client_file_ident_salt, download_server_version,
                        download_client_version, latest_server_version, latest_server_version_salt, has_query,
                        query_version, query);
    }
    REALMWIRE_PROTOCOL_EQUALITY(client_ident_message)
};

/// `upload session is_body_compressed uncompressed_body_size compressed_body_size
///  progress_client_version progress_server_version locked_server_version LF body`
struct upload_message {
    static constexpr std::string_view name = "upload";
    std::uint64_t session_ident = 0;
    bool is_body_compressed = false;
    std::uint64_t uncompressed_body_size = 0;
    std::uint64_t compressed_body_size = 0; ///< 0 when not compressed
    std::uint64_t progress_client_version = 0;
    std::uint64_t progress_server_version = 0;
    std::uint64_t locked_server_version = 0;
    /// The body as on the wire: zlib bytes when is_body_compressed, else the entries.
    std::string_view body{};
    /// The validated entries. Set by the decoder for an uncompressed body, by decompress_body()
    /// for a compressed one. Not part of the value (it is derived from the body).
    upload_entries entries{};
    auto tie() const noexcept
    {
        return std::tie(session_ident, is_body_compressed, uncompressed_body_size, compressed_body_size,
                        progress_client_version, progress_server_version, locked_server_version, body);
    }
    REALMWIRE_PROTOCOL_EQUALITY(upload_message)
};

/// `query session query_version query_size LF query` (FLX)
struct query_message {
    static constexpr std::string_view name = "query";
    std::uint64_t session_ident = 0;
    std::int64_t query_version = 0;
    std::string_view query{};
    auto tie() const noexcept { return std::tie(session_ident, query_version, query); }
    REALMWIRE_PROTOCOL_EQUALITY(query_message)
};

/// `mark session request_ident LF` (both directions)
struct mark_message {
    static constexpr std::string_view name = "mark";
    std::uint64_t session_ident = 0;
    std::uint64_t request_ident = 0;
    auto tie() const noexcept { return std::tie(session_ident, request_ident); }
    REALMWIRE_PROTOCOL_EQUALITY(mark_message)
};

/// `unbind session LF`
struct unbind_message {
    static constexpr std::string_view name = "unbind";
    std::uint64_t session_ident = 0;
    auto tie() const noexcept { return std::tie(session_ident); }
    REALMWIRE_PROTOCOL_EQUALITY(unbind_message)
};

/// `ping timestamp rtt LF` (connection level; milliseconds, non-negative int64)
struct ping_message {
    static constexpr std::string_view name = "ping";
    std::uint64_t timestamp = 0;
    std::uint64_t rtt = 0;
    auto tie() const noexcept { return std::tie(timestamp, rtt); }
    REALMWIRE_PROTOCOL_EQUALITY(ping_message)
};

/// `json_error error_code body_size session LF json` (both directions; the JSON is read with
/// realmwire/protocol/json_bodies.hpp)
struct json_error_message {
    static constexpr std::string_view name = "json_error";
    int error_code = 0;
    std::uint64_t session_ident = 0;
    std::string_view json{};
    auto tie() const noexcept { return std::tie(error_code, session_ident, json); }
    REALMWIRE_PROTOCOL_EQUALITY(json_error_message)
};

/// `test_command session request_ident body_size LF body` (both directions; testing only)
struct test_command_message {
    static constexpr std::string_view name = "test_command";
    std::uint64_t session_ident = 0;
    std::uint64_t request_ident = 0;
    std::string_view body{};
    auto tie() const noexcept { return std::tie(session_ident, request_ident, body); }
    REALMWIRE_PROTOCOL_EQUALITY(test_command_message)
};

/// `refresh session token_size LF token`: replaces the token of a bound session. Sent by the
/// legacy_ros and realm_sync_2020 dialects only (realm-core removed it in 2022-01, 9a3a02e78).
struct refresh_message {
    static constexpr std::string_view name = "refresh";
    std::uint64_t session_ident = 0;
    std::string_view signed_user_token{};
    auto tie() const noexcept { return std::tie(session_ident, signed_user_token); }
    REALMWIRE_PROTOCOL_EQUALITY(refresh_message)
};

// ---------------------------------------------------------------------------------------------------
// server -> client
// ---------------------------------------------------------------------------------------------------

/// `ident session client_file_ident client_file_ident_salt LF`
struct server_ident_message {
    static constexpr std::string_view name = "ident";
    std::uint64_t session_ident = 0;
    std::uint64_t client_file_ident = 0;
    std::int64_t client_file_ident_salt = 0;
    auto tie() const noexcept { return std::tie(session_ident, client_file_ident, client_file_ident_salt); }
    REALMWIRE_PROTOCOL_EQUALITY(server_ident_message)
};

/// FLX bootstrap state (protocol.hpp DownloadBatchState).
enum class batch_state : std::uint8_t { more_to_come = 0, last_in_batch = 1, steady_state = 2 };

/// Which fields sit between upload_server_version and is_body_compressed.
enum class download_form : std::uint8_t {
    pbs,                    ///< downloadable_bytes
    flx_downloadable_bytes, ///< query_version batch(0|1) downloadable_bytes   (protocol < 12)
    flx,                    ///< query_version batch_state progress_estimate  (protocol ≥ 12)
};

/// `download session download_server_version download_client_version latest_server_version
///  latest_server_version_salt upload_client_version upload_server_version <form fields>
///  is_body_compressed uncompressed_body_size compressed_body_size LF body`
struct download_message {
    static constexpr std::string_view name = "download";
    std::uint64_t session_ident = 0;
    std::uint64_t download_server_version = 0;
    std::uint64_t download_client_version = 0;
    std::uint64_t latest_server_version = 0;
    std::int64_t latest_server_version_salt = 0;
    std::uint64_t upload_client_version = 0;
    std::uint64_t upload_server_version = 0;
    download_form form = download_form::pbs;
    std::uint64_t downloadable_bytes = 0; ///< pbs, flx_downloadable_bytes (≤ 2^63-1)
    std::int64_t query_version = 0;       ///< flx forms
    batch_state batch = batch_state::last_in_batch; ///< flx forms
    double progress_estimate = 0;         ///< flx (finite, ≥ 0)
    bool is_body_compressed = false;
    std::uint64_t uncompressed_body_size = 0;
    std::uint64_t compressed_body_size = 0;
    std::string_view body{};
    download_entries entries{}; ///< as in upload_message
    auto tie() const noexcept
    {
        return std::tie(session_ident, download_server_version, download_client_version, latest_server_version,
                        latest_server_version_salt, upload_client_version, upload_server_version, form,
                        downloadable_bytes, query_version, batch, progress_estimate, is_body_compressed,
                        uncompressed_body_size, compressed_body_size, body);
    }
    REALMWIRE_PROTOCOL_EQUALITY(download_message)
};

/// `unbound session LF`
struct unbound_message {
    static constexpr std::string_view name = "unbound";
    std::uint64_t session_ident = 0;
    auto tie() const noexcept { return std::tie(session_ident); }
    REALMWIRE_PROTOCOL_EQUALITY(unbound_message)
};

/// `error error_code message_size try_again session LF message` (session 0 = connection level)
struct error_message {
    static constexpr std::string_view name = "error";
    int error_code = 0;
    bool try_again = false;
    std::uint64_t session_ident = 0;
    std::string_view message{};
    auto tie() const noexcept { return std::tie(error_code, try_again, session_ident, message); }
    REALMWIRE_PROTOCOL_EQUALITY(error_message)
};

/// `query_error error_code message_size session query_version LF message` (FLX; size before session)
struct query_error_message {
    static constexpr std::string_view name = "query_error";
    int error_code = 0;
    std::uint64_t session_ident = 0;
    std::int64_t query_version = 0;
    std::string_view message{};
    auto tie() const noexcept { return std::tie(error_code, session_ident, query_version, message); }
    REALMWIRE_PROTOCOL_EQUALITY(query_error_message)
};

/// `pong timestamp LF` (echoes the PING's timestamp)
struct pong_message {
    static constexpr std::string_view name = "pong";
    std::uint64_t timestamp = 0;
    auto tie() const noexcept { return std::tie(timestamp); }
    REALMWIRE_PROTOCOL_EQUALITY(pong_message)
};

/// `log_message session body_size LF json` (protocol ≥ 10; session 0 = connection level)
struct log_message {
    static constexpr std::string_view name = "log_message";
    std::uint64_t session_ident = 0;
    std::string_view json{};
    auto tie() const noexcept { return std::tie(session_ident, json); }
    REALMWIRE_PROTOCOL_EQUALITY(log_message)
};

#undef REALMWIRE_PROTOCOL_EQUALITY

/// Everything a client sends.
using client_message = std::variant<bind_message, client_ident_message, upload_message, query_message, mark_message,
                                    unbind_message, ping_message, json_error_message, test_command_message,
                                    refresh_message>;
/// Everything a server sends.
using server_message = std::variant<server_ident_message, download_message, mark_message, unbound_message,
                                    error_message, json_error_message, query_error_message, pong_message,
                                    log_message, test_command_message>;

/// The type word of a message ("upload", "json_error", ...).
inline std::string_view message_name(const client_message& m) noexcept
{
    return std::visit([](const auto& v) { return std::decay_t<decltype(v)>::name; }, m);
}
inline std::string_view message_name(const server_message& m) noexcept
{
    return std::visit([](const auto& v) { return std::decay_t<decltype(v)>::name; }, m);
}

} // namespace realmwire::protocol

#endif
