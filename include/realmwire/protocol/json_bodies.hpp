#ifndef REALMWIRE_PROTOCOL_JSON_BODIES_HPP
#define REALMWIRE_PROTOCOL_JSON_BODIES_HPP

// Reading and writing the JSON carried by JSON_ERROR, LOG_MESSAGE and FLX BIND (needs
// realmwire::json, i.e. picojson; the value types are in protocol/json_body_types.hpp, which does not).
// Readers name the offending key in error_info::field; every missing or mistyped key has its error.
// Writers emit compact JSON with keys in byte order, which is what realm-core (nlohmann::json,
// std::map) writes, so realm-core's bodies re-encode to the same bytes.

#include "realmwire/detail/json.hpp"
#include "realmwire/error.hpp"
#include "realmwire/errors/message.hpp"
#include "realmwire/protocol/json_body_types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace realmwire::protocol {

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
    return throw_on_error("parse JSON_ERROR body", [&](std::error_code& ec, error_info* info) {
        return parse_json_error_body(json, error_code, ec, info);
    });
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
    return throw_on_error("parse LOG_MESSAGE body", [&](std::error_code& ec, error_info* info) {
        return parse_log_message_body(json, ec, info);
    });
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
    return throw_on_error("parse FLX BIND data",
                          [&](std::error_code& ec, error_info* info) { return parse_flx_bind_data(data, ec, info); });
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


/// The picojson-backed json_body_codec the endpoints use by default in the drivers.
class picojson_body_codec final : public json_body_codec {
public:
    json_error_body parse_error(std::string_view json, int error_code, std::error_code& ec) const override
    {
        return parse_json_error_body(json, error_code, ec);
    }
    log_message_body parse_log(std::string_view json, std::error_code& ec) const override
    {
        return parse_log_message_body(json, ec);
    }
    std::string build_client_error(std::string_view message) const override
    {
        return build_client_json_error_body(message);
    }
    std::string build_log(const log_message_body& b) const override { return build_log_message_body(b); }
};

/// A shared stateless instance.
inline const json_body_codec& picojson_json_codec() noexcept
{
    static const picojson_body_codec instance;
    return instance;
}

} // namespace realmwire::protocol

#endif
