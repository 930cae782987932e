#ifndef REALMWIRE_ERRORS_PROTOCOL_CODES_HPP
#define REALMWIRE_ERRORS_PROTOCOL_CODES_HPP

// realm-core's ProtocolError: the codes carried by ERROR and JSON_ERROR messages (and sent by a
// server). 100-199 concern the whole connection, 200-299 one session. Texts are the short forms the
// realm-core server sends in ERROR bodies (e.g. "Illegal Realm path (BIND)").
//
// The table lives at the floor of the error categories because errors/sync_protocol.hpp needs its
// texts and protocol/ sits above errors/; protocol/protocol_error.hpp includes it.

#include <cstddef>
#include <iterator>
#include <string_view>

namespace realmwire::protocol {

enum class protocol_error : int {
    connection_closed = 100,
    other_error = 101,
    unknown_message = 102,
    bad_syntax = 103,
    limits_exceeded = 104,
    wrong_protocol_version = 105,
    bad_session_ident = 106,
    reuse_of_session_ident = 107,
    bound_in_other_session = 108,
    bad_message_order = 109,
    bad_decompression = 110,
    bad_changeset_header_syntax = 111,
    bad_changeset_size = 112,
    switch_to_flx_sync = 113,
    switch_to_pbs = 114,

    session_closed = 200,
    other_session_error = 201,
    token_expired = 202,
    bad_authentication = 203,
    illegal_realm_path = 204,
    no_such_realm = 205,
    permission_denied = 206,
    bad_server_file_ident = 207,
    bad_client_file_ident = 208,
    bad_server_version = 209,
    bad_client_version = 210,
    diverging_histories = 211,
    bad_changeset = 212,
    partial_sync_disabled = 214,
    unsupported_session_feature = 215,
    bad_origin_file_ident = 216,
    bad_client_file = 217,
    server_file_deleted = 218,
    client_file_blacklisted = 219,
    user_blacklisted = 220,
    transact_before_upload = 221,
    client_file_expired = 222,
    user_mismatch = 223,
    too_many_sessions = 224,
    invalid_schema_change = 225,
    bad_query = 226,
    object_already_exists = 227,
    server_permissions_changed = 228,
    initial_sync_not_completed = 229,
    write_not_allowed = 230,
    compensating_write = 231,
    migrate_to_flx = 232,
    bad_progress = 233,
    revert_to_pbs = 234,
    bad_schema_version = 235,
    schema_version_changed = 236,
};

enum class error_level { connection, session };

struct protocol_error_info {
    protocol_error code;
    std::string_view name;    ///< realm-core's enumerator name
    std::string_view message; ///< short text
    error_level level;
    bool obsolete;            ///< defined but no longer sent by realm-core-era servers
};

namespace detail {
// clang-format off
inline constexpr protocol_error_info protocol_error_table[] = {
    {protocol_error::connection_closed, "connection_closed", "Connection closed (no error)", error_level::connection, false},
    {protocol_error::other_error, "other_error", "Other connection level error", error_level::connection, false},
    {protocol_error::unknown_message, "unknown_message", "Unknown type of input message", error_level::connection, false},
    {protocol_error::bad_syntax, "bad_syntax", "Bad syntax in input message head", error_level::connection, false},
    {protocol_error::limits_exceeded, "limits_exceeded", "Limits exceeded in input message", error_level::connection, false},
    {protocol_error::wrong_protocol_version, "wrong_protocol_version", "Wrong protocol version (CLIENT)", error_level::connection, true},
    {protocol_error::bad_session_ident, "bad_session_ident", "Bad session identifier in input message", error_level::connection, false},
    {protocol_error::reuse_of_session_ident, "reuse_of_session_ident", "Overlapping reuse of session identifier (BIND)", error_level::connection, false},
    {protocol_error::bound_in_other_session, "bound_in_other_session", "Client file bound in other session (IDENT)", error_level::connection, false},
    {protocol_error::bad_message_order, "bad_message_order", "Bad input message order", error_level::connection, false},
    {protocol_error::bad_decompression, "bad_decompression", "Error in decompression (UPLOAD)", error_level::connection, false},
    {protocol_error::bad_changeset_header_syntax, "bad_changeset_header_syntax", "Bad syntax in a changeset header (UPLOAD)", error_level::connection, false},
    {protocol_error::bad_changeset_size, "bad_changeset_size", "Bad size specified in changeset header (UPLOAD)", error_level::connection, false},
    {protocol_error::switch_to_flx_sync, "switch_to_flx_sync", "Wrong wire protocol, switch to FLX sync", error_level::connection, false},
    {protocol_error::switch_to_pbs, "switch_to_pbs", "Wrong wire protocol, switch to PBS sync", error_level::connection, false},
    {protocol_error::session_closed, "session_closed", "Session closed (no error)", error_level::session, false},
    {protocol_error::other_session_error, "other_session_error", "Other session level error", error_level::session, false},
    {protocol_error::token_expired, "token_expired", "Access token expired", error_level::session, false},
    {protocol_error::bad_authentication, "bad_authentication", "Bad user authentication (BIND)", error_level::session, false},
    {protocol_error::illegal_realm_path, "illegal_realm_path", "Illegal Realm path (BIND)", error_level::session, false},
    {protocol_error::no_such_realm, "no_such_realm", "No such Realm (BIND)", error_level::session, false},
    {protocol_error::permission_denied, "permission_denied", "Permission denied (BIND)", error_level::session, false},
    {protocol_error::bad_server_file_ident, "bad_server_file_ident", "Bad server file identifier (IDENT)", error_level::session, true},
    {protocol_error::bad_client_file_ident, "bad_client_file_ident", "Bad client file identifier (IDENT)", error_level::session, false},
    {protocol_error::bad_server_version, "bad_server_version", "Bad server version (IDENT, UPLOAD)", error_level::session, false},
    {protocol_error::bad_client_version, "bad_client_version", "Bad client version (IDENT, UPLOAD)", error_level::session, false},
    {protocol_error::diverging_histories, "diverging_histories", "Diverging histories (IDENT)", error_level::session, false},
    {protocol_error::bad_changeset, "bad_changeset", "Bad changeset (UPLOAD)", error_level::session, false},
    {protocol_error::partial_sync_disabled, "partial_sync_disabled", "Query-based sync is disabled (BIND)", error_level::session, true},
    {protocol_error::unsupported_session_feature, "unsupported_session_feature", "Unsupported session-level feature", error_level::session, true},
    {protocol_error::bad_origin_file_ident, "bad_origin_file_ident", "Bad origin file identifier (UPLOAD)", error_level::session, false},
    {protocol_error::bad_client_file, "bad_client_file", "Synchronization no longer possible for client-side file", error_level::session, false},
    {protocol_error::server_file_deleted, "server_file_deleted", "Server file was deleted while a session was bound to it", error_level::session, true},
    {protocol_error::client_file_blacklisted, "client_file_blacklisted", "Client file has been blacklisted (IDENT)", error_level::session, true},
    {protocol_error::user_blacklisted, "user_blacklisted", "User has been blacklisted (BIND)", error_level::session, true},
    {protocol_error::transact_before_upload, "transact_before_upload", "Serialized transaction before upload completion", error_level::session, true},
    {protocol_error::client_file_expired, "client_file_expired", "Client file has expired due to log compaction", error_level::session, false},
    {protocol_error::user_mismatch, "user_mismatch", "User mismatch for client file identifier (IDENT)", error_level::session, false},
    {protocol_error::too_many_sessions, "too_many_sessions", "Too many sessions in connection (BIND)", error_level::session, true},
    {protocol_error::invalid_schema_change, "invalid_schema_change", "Invalid schema change (UPLOAD)", error_level::session, false},
    {protocol_error::bad_query, "bad_query", "Client query is invalid/malformed (IDENT, QUERY)", error_level::session, false},
    {protocol_error::object_already_exists, "object_already_exists", "Client tried to create an object that already exists outside their view (UPLOAD)", error_level::session, false},
    {protocol_error::server_permissions_changed, "server_permissions_changed", "Server permissions for this file ident have changed since the last time it was used (IDENT)", error_level::session, false},
    {protocol_error::initial_sync_not_completed, "initial_sync_not_completed", "Client tried to open a session before initial sync is complete (BIND)", error_level::session, false},
    {protocol_error::write_not_allowed, "write_not_allowed", "Client attempted a write that is disallowed by permissions, or modifies an object outside the current query - requires client reset (UPLOAD)", error_level::session, false},
    {protocol_error::compensating_write, "compensating_write", "Client attempted a write that is disallowed by permissions, or modifies an object outside the current query, and the server undid the change", error_level::session, false},
    {protocol_error::migrate_to_flx, "migrate_to_flx", "Server migrated to flexible sync - migrating client to use flexible sync", error_level::session, false},
    {protocol_error::bad_progress, "bad_progress", "Bad progress information (ERROR)", error_level::session, false},
    {protocol_error::revert_to_pbs, "revert_to_pbs", "Server rolled back to partition-based sync - migrating client to use partition-based sync", error_level::session, false},
    {protocol_error::bad_schema_version, "bad_schema_version", "Client tried to open a session with an invalid schema version (BIND)", error_level::session, false},
    {protocol_error::schema_version_changed, "schema_version_changed", "Client opened a session with a new valid schema version - migrating client to use new schema version (BIND)", error_level::session, false},
};
// clang-format on
} // namespace detail

/// Every known code, in numeric order.
constexpr const protocol_error_info* protocol_errors_begin() noexcept { return std::begin(detail::protocol_error_table); }
constexpr const protocol_error_info* protocol_errors_end() noexcept { return std::end(detail::protocol_error_table); }

/// The entry for `code`, or nullptr for a code realm-core does not define (e.g. 213, 199, 299).
constexpr const protocol_error_info* find_protocol_error(int code) noexcept
{
    for (const auto& e : detail::protocol_error_table) {
        if (static_cast<int>(e.code) == code)
            return &e;
    }
    return nullptr;
}

constexpr bool is_known_protocol_error(int code) noexcept { return find_protocol_error(code) != nullptr; }

/// realm-core's is_session_level_error: the 200-299 range, known or not.
constexpr bool is_session_level_error(int code) noexcept { return code >= 200 && code <= 299; }

} // namespace realmwire::protocol

#endif
