#ifndef REALMWIRE_AUTH_CLAIMS_HPP
#define REALMWIRE_AUTH_CLAIMS_HPP

// Token claims as a value type, read with realm-core's rules and written in ROS's layout.
//
// Reading (parse_claims) follows realm-core v14.14.0 `AccessTokenParser` (access_token.cpp):
//   identity|sub, admin|isAdmin, timestamp|iat, expires|exp, path, sync_label|syncLabel, app_id|appId,
//   access (array of strings), and the `stitch_data` object (realm_path, realm_sync_label, realm_access).
//   Any other key is skipped. A known key with the wrong JSON type is an error (realm-core answers
//   invalid_json). Numbers may be integers or doubles (truncated, as realm-core does); null means 0.
//   realmwire additionally reads ROS's `is_admin` (refresh and user tokens carry it), `salt`, and notes
//   whether `access` contains "refresh" — realm-core ignores those, which changes none of its verdicts.
// Writing (claims_to_json) emits ROS's key order: app_id, identity, access, salt, timestamp, expires,
//   path, sync_label, is_admin (see docs/auth.md).

#include "realmwire/auth/claims_types.hpp"
#include "realmwire/detail/json.hpp"
#include "realmwire/errors/auth.hpp"

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace realmwire::auth {

/// Limits for reading claims.
struct claims_limits {
    std::size_t max_json_bytes = 16 * 1024; ///< claims larger than this are refused (token_format)
    std::size_t max_depth = 32;             ///< nesting of skipped values
};

namespace detail {

/// A JSON string literal that escapes only what JSON requires (quote, backslash, control characters).
/// picojson also escapes '/', and realm-core's token parser does not unescape strings ("FIXME:
/// Unescape" in access_token.cpp): a path written as "\/u1\/foo" would never match "/u1/foo" there.
inline std::string json_quote(std::string_view s)
{
    std::string out;
    out.reserve(s.size() + 2);
    out.push_back('"');
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    static const char hex[] = "0123456789abcdef";
                    out += "\\u00";
                    out.push_back(hex[c >> 4]);
                    out.push_back(hex[c & 0xf]);
                }
                else {
                    out.push_back(ch);
                }
        }
    }
    out.push_back('"');
    return out;
}

/// The shared bounded JSON parse (depth checked on the text first, picojson's exceptions caught).
inline std::optional<picojson::value> parse_json_bounded(std::string_view text, std::size_t max_depth) noexcept
{
    return realmwire::detail::parse_json(text, nullptr, max_depth);
}

/// A JSON number as realm-core reads it: int_fast64_t(double), null as 0. Out-of-range doubles
/// (undefined behaviour in realm-core) are refused.
inline bool json_seconds(const picojson::value& v, std::int64_t& out)
{
    if (v.is<picojson::null>()) {
        out = 0;
        return true;
    }
    if (v.is<std::int64_t>()) {
        out = v.get<std::int64_t>();
        return true;
    }
    if (v.is<double>()) {
        double d = v.get<double>();
        if (!std::isfinite(d) || d >= 9.2e18 || d <= -9.2e18)
            return false;
        out = static_cast<std::int64_t>(d);
        return true;
    }
    return false;
}

inline bool read_access(const picojson::value& v, claims& c)
{
    if (!v.is<picojson::array>())
        return false;
    c.has_access = true;
    for (const auto& e : v.get<picojson::array>()) {
        if (!e.is<std::string>())
            continue; // realm-core skips non-string elements
        const std::string& s = e.get<std::string>();
        if (s == "download")
            c.access |= privilege::download;
        else if (s == "upload")
            c.access |= privilege::upload;
        else if (s == "manage")
            c.access |= privilege::manage;
        else if (s == "refresh")
            c.refresh = true;
    }
    return true;
}

inline bool read_string(const picojson::value& v, std::optional<std::string>& out)
{
    if (!v.is<std::string>())
        return false;
    out = v.get<std::string>();
    return true;
}

} // namespace detail

/// Reads claims from JSON bytes. auth_error::token_json when the bytes are not a JSON object or a
/// known key has the wrong type; auth_error::token_format when they exceed the limits.
inline claims parse_claims(std::string_view json, std::error_code& ec, const claims_limits& limits = {})
{
    ec.clear();
    claims c;
    if (json.size() > limits.max_json_bytes) {
        ec = auth_error::token_format;
        return c;
    }
    auto v = detail::parse_json_bounded(json, limits.max_depth);
    if (!v || !v->is<picojson::object>()) {
        ec = auth_error::token_json;
        return c;
    }
    bool ok = true;
    // picojson's object is a std::map, so a duplicated key keeps one value; realm-core keeps the last.
    // Aliases are read in a fixed order, the realm-core name last, so it wins when both appear.
    const auto& o = v->get<picojson::object>();
    for (const auto& kv : o) {
        const std::string& k = kv.first;
        const picojson::value& val = kv.second;
        if (k == "access") {
            ok = ok && detail::read_access(val, c);
        }
        else if (k == "identity" || k == "sub") {
            if (!val.is<std::string>())
                ok = false;
            else if (k == "identity" || o.count("identity") == 0)
                c.identity = val.get<std::string>();
        }
        else if (k == "admin" || k == "isAdmin") {
            if (!val.is<bool>())
                ok = false;
            else if (k == "admin" || o.count("admin") == 0)
                c.admin = val.get<bool>();
        }
        else if (k == "is_admin") {
            // ROS's name (refresh and user tokens). realm-core skips it; an explicit admin|isAdmin wins.
            if (val.is<bool>() && o.count("admin") == 0 && o.count("isAdmin") == 0)
                c.admin = val.get<bool>();
        }
        else if (k == "timestamp" || k == "iat") {
            std::int64_t t = 0;
            if (!detail::json_seconds(val, t))
                ok = false;
            else if (k == "timestamp" || o.count("timestamp") == 0)
                c.timestamp = t;
        }
        else if (k == "expires" || k == "exp") {
            std::int64_t t = 0;
            if (!detail::json_seconds(val, t))
                ok = false;
            else if (k == "expires" || o.count("expires") == 0)
                c.expires = t;
        }
        else if (k == "path") {
            ok = ok && detail::read_string(val, c.path);
        }
        else if (k == "sync_label" || k == "syncLabel") {
            std::optional<std::string> s;
            if (!detail::read_string(val, s))
                ok = false;
            else if (k == "sync_label" || o.count("sync_label") == 0)
                c.sync_label = s;
        }
        else if (k == "app_id" || k == "appId") {
            std::optional<std::string> s;
            if (!detail::read_string(val, s))
                ok = false;
            else if (k == "app_id" || o.count("app_id") == 0)
                c.app_id = s;
        }
        else if (k == "salt") {
            if (val.is<std::string>())
                c.salt = val.get<std::string>();
        }
        else if (k == "stitch_data") {
            if (!val.is<picojson::object>()) {
                ok = false;
                continue;
            }
            for (const auto& s : val.get<picojson::object>()) {
                if (s.first == "realm_path")
                    ok = ok && detail::read_string(s.second, c.path);
                else if (s.first == "realm_sync_label")
                    ok = ok && detail::read_string(s.second, c.sync_label);
                else if (s.first == "realm_access")
                    ok = ok && detail::read_access(s.second, c);
            }
        }
    }
    if (!ok) {
        ec = auth_error::token_json;
        return claims{};
    }
    return c;
}

inline claims parse_claims(std::string_view json, const claims_limits& limits = {})
{
    return throw_on_error("parse token claims", [&](std::error_code& ec) { return parse_claims(json, ec, limits); });
}

/// Writes claims as compact JSON in ROS's key order. Absent optionals are left out; `has_access`
/// decides whether an `access` array is written.
inline std::string claims_to_json(const claims& c)
{
    std::string out = "{";
    bool first = true;
    auto key = [&](const char* k) {
        if (!first)
            out.push_back(',');
        first = false;
        out.append(detail::json_quote(k));
        out.push_back(':');
    };
    auto str = [&](const std::string& s) { out.append(detail::json_quote(s)); };
    if (c.app_id) {
        key("app_id");
        str(*c.app_id);
    }
    key("identity");
    str(c.identity);
    if (c.has_access) {
        key("access");
        out.push_back('[');
        bool f = true;
        auto item = [&](const char* s) {
            if (!f)
                out.push_back(',');
            f = false;
            out.push_back('"');
            out.append(s);
            out.push_back('"');
        };
        if (c.refresh)
            item("refresh");
        if (c.grants(privilege::download))
            item("download");
        if (c.grants(privilege::upload))
            item("upload");
        if (c.grants(privilege::manage))
            item("manage");
        out.push_back(']');
    }
    if (c.salt) {
        key("salt");
        str(*c.salt);
    }
    if (c.timestamp) {
        key("timestamp");
        out.append(std::to_string(*c.timestamp));
    }
    if (c.expires) {
        key("expires");
        out.append(std::to_string(*c.expires));
    }
    if (c.path) {
        key("path");
        str(*c.path);
    }
    if (c.sync_label) {
        key("sync_label");
        str(*c.sync_label);
    }
    if (c.admin) {
        key("is_admin");
        out.append(*c.admin ? "true" : "false");
    }
    out.push_back('}');
    return out;
}

} // namespace realmwire::auth

#endif
