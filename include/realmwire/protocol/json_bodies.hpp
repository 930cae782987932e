#ifndef REALMWIRE_PROTOCOL_JSON_BODIES_HPP
#define REALMWIRE_PROTOCOL_JSON_BODIES_HPP

// The JSON carried by JSON_ERROR, LOG_MESSAGE and FLX BIND (needs realmwire::json, i.e. picojson).
// Readers name the offending key in error_info::field; every missing or mistyped key has its error.
// Writers emit compact JSON with keys in byte order, which is what realm-core (nlohmann::json,
// std::map) writes, so realm-core's bodies re-encode to the same bytes.

#include "realmwire/detail/json.hpp"
#include "realmwire/error.hpp"
#include "realmwire/errors/message.hpp"

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

namespace detail {

class json_reader {
public:
    json_reader(std::error_code& ec, error_info* info) : ec_(ec), info_(info) {}

    const picojson::object* parse_object(std::string_view text)
    {
        ec_.clear();
        auto v = realmwire::detail::parse_json(text);
        if (!v)
            return fail(message_error::json_syntax, ""), nullptr;
        root_ = std::move(*v);
        if (!root_.is<picojson::object>())
            return fail(message_error::json_not_object, ""), nullptr;
        return &root_.get<picojson::object>();
    }

    const picojson::value* member(const picojson::object& o, const char* key, bool required)
    {
        auto* v = realmwire::detail::json_member(o, key);
        if (!v && required)
            fail(message_error::json_missing_key, key);
        return v;
    }
    template <class T>
    bool get(const picojson::object& o, const char* key, T& out, bool required = true)
    {
        auto* v = member(o, key, required);
        if (!v)
            return !required;
        return convert(*v, key, out);
    }
    template <class T>
    bool get_opt(const picojson::object& o, const char* key, std::optional<T>& out)
    {
        auto* v = member(o, key, false);
        if (!v)
            return true;
        T t{};
        if (!convert(*v, key, t))
            return false;
        out = std::move(t);
        return true;
    }
    bool convert(const picojson::value& v, const char* key, bool& out)
    {
        if (!v.is<bool>())
            return fail(message_error::json_wrong_type, key);
        out = v.get<bool>();
        return true;
    }
    bool convert(const picojson::value& v, const char* key, std::string& out)
    {
        if (!v.is<std::string>())
            return fail(message_error::json_wrong_type, key);
        out = v.get<std::string>();
        return true;
    }
    bool convert(const picojson::value& v, const char* key, std::int64_t& out)
    {
        if (!v.is<std::int64_t>())
            return fail(message_error::json_wrong_type, key);
        out = v.get<std::int64_t>();
        return true;
    }
    bool convert(const picojson::value& v, const char* key, std::uint64_t& out)
    {
        if (!v.is<std::int64_t>())
            return fail(message_error::json_wrong_type, key);
        if (v.get<std::int64_t>() < 0)
            return fail(message_error::json_bad_value, key);
        out = static_cast<std::uint64_t>(v.get<std::int64_t>());
        return true;
    }
    bool fail(message_error e, const char* key)
    {
        ec_ = e;
        if (info_) {
            info_->field = key;
            info_->offset = error_info::no_offset;
        }
        return false;
    }

private:
    std::error_code& ec_;
    error_info* info_;
    picojson::value root_;
};

inline std::string dump(const picojson::object& o) { return picojson::value(o).serialize(); }

} // namespace detail

/// Reads a server JSON_ERROR body. `error_code` is the message's code: 232 requires partitionQuery,
/// 236 previousSchemaVersion.
inline json_error_body parse_json_error_body(std::string_view json, int error_code, std::error_code& ec,
                                             error_info* info = nullptr)
{
    json_error_body b;
    detail::json_reader r(ec, info);
    const picojson::object* o = r.parse_object(json);
    if (!o)
        return {};
    if (!r.get(*o, "isRecoveryModeDisabled", b.is_recovery_mode_disabled) || !r.get(*o, "tryAgain", b.try_again) ||
        !r.get(*o, "message", b.message) || !r.get(*o, "logURL", b.log_url) ||
        !r.get(*o, "shouldClientReset", b.should_client_reset) || !r.get(*o, "action", b.action))
        return {};
    if (r.member(*o, "backoffIntervalSec", false)) {
        backoff_info bo;
        if (!r.get(*o, "backoffIntervalSec", bo.interval_sec) || !r.get(*o, "backoffMaxDelaySec", bo.max_delay_sec) ||
            !r.get(*o, "backoffMultiplier", bo.multiplier))
            return {};
        b.backoff = bo;
    }
    if (error_code == 232) {
        std::string q;
        if (!r.get(*o, "partitionQuery", q))
            return {};
        if (q.empty()) {
            r.fail(message_error::json_bad_value, "partitionQuery");
            return {};
        }
        b.partition_query = std::move(q);
    }
    else if (!r.get_opt(*o, "partitionQuery", b.partition_query))
        return {};
    if (error_code == 236) {
        std::uint64_t v = 0;
        if (!r.get(*o, "previousSchemaVersion", v))
            return {};
        b.previous_schema_version = v;
    }
    else if (!r.get_opt(*o, "previousSchemaVersion", b.previous_schema_version))
        return {};
    if (auto* ru = r.member(*o, "rejectedUpdates", false)) {
        if (!ru->is<picojson::array>()) {
            r.fail(message_error::json_wrong_type, "rejectedUpdates");
            return {};
        }
        for (const auto& item : ru->get<picojson::array>()) {
            if (!item.is<picojson::object>()) {
                r.fail(message_error::json_wrong_type, "rejectedUpdates");
                return {};
            }
            const auto& io = item.get<picojson::object>();
            rejected_update u;
            if (!r.get(io, "reason", u.reason) || !r.get(io, "table", u.table) || !r.get(io, "pk", u.pk))
                return {};
            b.rejected_updates.push_back(std::move(u));
        }
        std::int64_t v = 0;
        if (!r.get(*o, "rejectedClientVersion", v))
            return {};
        b.rejected_client_version = v;
        if (!r.get_opt(*o, "compensatingWriteServerVersion", b.compensating_write_server_version))
            return {};
    }
    return b;
}

inline json_error_body parse_json_error_body(std::string_view json, int error_code)
{
    std::error_code ec;
    error_info info;
    auto b = parse_json_error_body(json, error_code, ec, &info);
    if (ec)
        throw_error(ec, "parse JSON_ERROR body", info);
    return b;
}

/// Writes a JSON_ERROR body (optional keys only when set).
inline std::string build_json_error_body(const json_error_body& b)
{
    picojson::object o;
    o["isRecoveryModeDisabled"] = picojson::value(b.is_recovery_mode_disabled);
    o["tryAgain"] = picojson::value(b.try_again);
    o["message"] = picojson::value(b.message);
    o["logURL"] = picojson::value(b.log_url);
    o["shouldClientReset"] = picojson::value(b.should_client_reset);
    o["action"] = picojson::value(b.action);
    if (b.backoff) {
        o["backoffIntervalSec"] = picojson::value(b.backoff->interval_sec);
        o["backoffMaxDelaySec"] = picojson::value(b.backoff->max_delay_sec);
        o["backoffMultiplier"] = picojson::value(b.backoff->multiplier);
    }
    if (b.partition_query)
        o["partitionQuery"] = picojson::value(*b.partition_query);
    if (b.previous_schema_version)
        o["previousSchemaVersion"] = picojson::value(static_cast<std::int64_t>(*b.previous_schema_version));
    if (!b.rejected_updates.empty() || b.rejected_client_version) {
        picojson::array arr;
        for (const auto& u : b.rejected_updates) {
            picojson::object uo;
            uo["reason"] = picojson::value(u.reason);
            uo["table"] = picojson::value(u.table);
            uo["pk"] = picojson::value(u.pk);
            arr.emplace_back(std::move(uo));
        }
        o["rejectedUpdates"] = picojson::value(std::move(arr));
        o["rejectedClientVersion"] = picojson::value(b.rejected_client_version.value_or(0));
        if (b.compensating_write_server_version)
            o["compensatingWriteServerVersion"] = picojson::value(*b.compensating_write_server_version);
    }
    return detail::dump(o);
}

/// The body a realm-core client sends in its own JSON_ERROR: {"message":"..."}.
inline std::string build_client_json_error_body(std::string_view message)
{
    picojson::object o;
    o["message"] = picojson::value(std::string(message));
    return detail::dump(o);
}

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

inline log_message_body parse_log_message_body(std::string_view json, std::error_code& ec, error_info* info = nullptr)
{
    log_message_body b;
    detail::json_reader r(ec, info);
    const picojson::object* o = r.parse_object(json);
    if (!o)
        return {};
    std::optional<std::string> level;
    std::optional<std::string> msg;
    if (!r.get_opt(*o, "level", level) || !r.get_opt(*o, "msg", msg) || !r.get_opt(*o, "co_id", b.co_id))
        return {};
    if (level && !level->empty()) {
        bool found = false;
        for (int i = 0; i <= static_cast<int>(log_level::trace); ++i) {
            if (to_string(static_cast<log_level>(i)) == *level) {
                b.level = static_cast<log_level>(i);
                found = true;
            }
        }
        if (!found) {
            r.fail(message_error::json_bad_value, "level");
            return {};
        }
    }
    if (msg)
        b.message = std::move(*msg);
    return b;
}

inline log_message_body parse_log_message_body(std::string_view json)
{
    std::error_code ec;
    error_info info;
    auto b = parse_log_message_body(json, ec, &info);
    if (ec)
        throw_error(ec, "parse LOG_MESSAGE body", info);
    return b;
}

/// Writes {"co_id":...,"level":...,"msg":...} (co_id only when set), as realm-core's server does.
inline std::string build_log_message_body(const log_message_body& b)
{
    picojson::object o;
    if (b.co_id)
        o["co_id"] = picojson::value(*b.co_id);
    o["level"] = picojson::value(std::string(to_string(b.level)));
    o["msg"] = picojson::value(b.message);
    return detail::dump(o);
}

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

inline flx_bind_data parse_flx_bind_data(std::string_view data, std::error_code& ec, error_info* info = nullptr)
{
    ec.clear();
    flx_bind_data b;
    if (data.empty())
        return b;
    detail::json_reader r(ec, info);
    const picojson::object* o = r.parse_object(data);
    if (!o)
        return {};
    if (!r.get_opt(*o, "migratedPartition", b.migrated_partition) || !r.get_opt(*o, "sessionReason", b.session_reason) ||
        !r.get_opt(*o, "schemaVersion", b.schema_version))
        return {};
    return b;
}

inline flx_bind_data parse_flx_bind_data(std::string_view data)
{
    std::error_code ec;
    error_info info;
    auto b = parse_flx_bind_data(data, ec, &info);
    if (ec)
        throw_error(ec, "parse FLX BIND data", info);
    return b;
}

inline std::string build_flx_bind_data(const flx_bind_data& b)
{
    picojson::object o;
    if (b.migrated_partition)
        o["migratedPartition"] = picojson::value(*b.migrated_partition);
    if (b.schema_version)
        o["schemaVersion"] = picojson::value(static_cast<std::int64_t>(*b.schema_version));
    if (b.session_reason)
        o["sessionReason"] = picojson::value(*b.session_reason);
    if (o.empty())
        return {};
    return detail::dump(o);
}

} // namespace realmwire::protocol

#endif
