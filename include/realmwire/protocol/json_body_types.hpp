#ifndef REALMWIRE_PROTOCOL_JSON_BODY_TYPES_HPP
#define REALMWIRE_PROTOCOL_JSON_BODY_TYPES_HPP

// The values carried as JSON by JSON_ERROR, LOG_MESSAGE and FLX BIND, and the interface through which
// the endpoints read and write them. No JSON library here: the picojson-backed readers and writers
// are in protocol/json_bodies.hpp.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace realmwire::protocol {

/// What the server asks the client to do (JSON_ERROR "action"). realm-core treats an unknown string
/// as application_bug.
enum class error_action {
    protocol_violation, application_bug, warning, transient, delete_realm, client_reset, client_reset_no_recovery,
    migrate_to_flx, revert_to_pbs, refresh_user, refresh_location, log_out_user, migrate_schema,
};

inline std::string_view to_string(error_action a) noexcept
{
    switch (a) {
        case error_action::protocol_violation: return "ProtocolViolation";
        case error_action::application_bug: return "ApplicationBug";
        case error_action::warning: return "Warning";
        case error_action::transient: return "Transient";
        case error_action::delete_realm: return "DeleteRealm";
        case error_action::client_reset: return "ClientReset";
        case error_action::client_reset_no_recovery: return "ClientResetNoRecovery";
        case error_action::migrate_to_flx: return "MigrateToFLX";
        case error_action::revert_to_pbs: return "RevertToPBS";
        case error_action::refresh_user: return "RefreshUser";
        case error_action::refresh_location: return "RefreshLocation";
        case error_action::log_out_user: return "LogOutUser";
        case error_action::migrate_schema: return "MigrateSchema";
    }
    return "ApplicationBug";
}

/// The action for a JSON "action" string; std::nullopt when unknown.
inline std::optional<error_action> parse_error_action(std::string_view s) noexcept
{
    for (int i = 0; i <= static_cast<int>(error_action::migrate_schema); ++i) {
        auto a = static_cast<error_action>(i);
        if (to_string(a) == s)
            return a;
    }
    return std::nullopt;
}

struct rejected_update {
    std::string reason;
    std::string table;
    std::string pk; ///< base64 of a changeset-encoded primary key payload, kept as sent
    friend bool operator==(const rejected_update& a, const rejected_update& b)
    {
        return a.reason == b.reason && a.table == b.table && a.pk == b.pk;
    }
};

struct backoff_info {
    std::int64_t interval_sec = 0;   ///< backoffIntervalSec
    std::int64_t max_delay_sec = 0;  ///< backoffMaxDelaySec
    std::int64_t multiplier = 0;     ///< backoffMultiplier
    friend bool operator==(const backoff_info& a, const backoff_info& b)
    {
        return a.interval_sec == b.interval_sec && a.max_delay_sec == b.max_delay_sec && a.multiplier == b.multiplier;
    }
};

/// The JSON body of a server JSON_ERROR (docs/protocol.md).
struct json_error_body {
    bool is_recovery_mode_disabled = false; ///< isRecoveryModeDisabled
    bool try_again = false;                 ///< tryAgain
    std::string message;                    ///< message
    std::string log_url;                    ///< logURL
    bool should_client_reset = false;       ///< shouldClientReset
    std::string action = "ApplicationBug";  ///< action, as sent
    std::optional<backoff_info> backoff;    ///< backoffIntervalSec + backoffMaxDelaySec + backoffMultiplier
    std::optional<std::string> partition_query;      ///< partitionQuery (required for 232)
    std::optional<std::uint64_t> previous_schema_version; ///< previousSchemaVersion (required for 236)
    std::vector<rejected_update> rejected_updates;   ///< rejectedUpdates
    std::optional<std::int64_t> rejected_client_version;          ///< rejectedClientVersion
    std::optional<std::int64_t> compensating_write_server_version; ///< compensatingWriteServerVersion

    /// The action as realm-core acts on it (unknown → application_bug).
    error_action parsed_action() const noexcept { return parse_error_action(action).value_or(error_action::application_bug); }

    friend bool operator==(const json_error_body& a, const json_error_body& b)
    {
        return a.is_recovery_mode_disabled == b.is_recovery_mode_disabled && a.try_again == b.try_again &&
               a.message == b.message && a.log_url == b.log_url && a.should_client_reset == b.should_client_reset &&
               a.action == b.action && a.backoff == b.backoff && a.partition_query == b.partition_query &&
               a.previous_schema_version == b.previous_schema_version && a.rejected_updates == b.rejected_updates &&
               a.rejected_client_version == b.rejected_client_version &&
               a.compensating_write_server_version == b.compensating_write_server_version;
    }
};

// --- LOG_MESSAGE ----------------------------------------------------------------------------------------

enum class log_level { fatal, error, warn, info, detail, debug, trace };

inline std::string_view to_string(log_level l) noexcept
{
    switch (l) {
        case log_level::fatal: return "fatal";
        case log_level::error: return "error";
        case log_level::warn: return "warn";
        case log_level::info: return "info";
        case log_level::detail: return "detail";
        case log_level::debug: return "debug";
        case log_level::trace: return "trace";
    }
    return "debug";
}

/// LOG_MESSAGE JSON: `level` (missing or empty = debug; any other unknown value is an error, as in
/// realm-core), `msg` (optional), `co_id` (optional; the App Services connection id).
struct log_message_body {
    log_level level = log_level::debug;
    std::string message;
    std::optional<std::string> co_id;
    friend bool operator==(const log_message_body& a, const log_message_body& b)
    {
        return a.level == b.level && a.message == b.message && a.co_id == b.co_id;
    }
};

// --- FLX BIND data ----------------------------------------------------------------------------------------

/// The JSON a flexible-sync client puts in place of the BIND path (protocol ≥ 8). Every key optional;
/// no key at all is sent as an empty data field (size 0), not "{}".
struct flx_bind_data {
    std::optional<std::string> migrated_partition; ///< migratedPartition
    std::optional<std::int64_t> session_reason;    ///< sessionReason: 0 sync, 1 client reset (v10+)
    std::optional<std::uint64_t> schema_version;   ///< schemaVersion (v11+)
    friend bool operator==(const flx_bind_data& a, const flx_bind_data& b)
    {
        return a.migrated_partition == b.migrated_partition && a.session_reason == b.session_reason &&
               a.schema_version == b.schema_version;
    }
};

// --- the codec the endpoints call ---------------------------------------------------------------------

/// Reads and writes the JSON bodies for an endpoint. Implementations are stateless or internally
/// synchronised: one instance may be shared by every connection. Errors are message_error values.
class json_body_codec {
public:
    virtual ~json_body_codec() = default;
    /// A server's JSON_ERROR body; `error_code` is the message's code.
    virtual json_error_body parse_error(std::string_view json, int error_code, std::error_code& ec) const = 0;
    virtual log_message_body parse_log(std::string_view json, std::error_code& ec) const = 0;
    /// The body of a client's own JSON_ERROR: {"message":"..."}.
    virtual std::string build_client_error(std::string_view message) const = 0;
    virtual std::string build_log(const log_message_body& b) const = 0;
};

} // namespace realmwire::protocol

#endif
