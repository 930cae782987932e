#ifndef REALMWIRE_AUTH_CLAIMS_TYPES_HPP
#define REALMWIRE_AUTH_CLAIMS_TYPES_HPP

// Token claims as a value type: privilege bits, token kinds and the claims a verified token carries.
// No JSON and no crypto here (reading and writing claims is auth/claims.hpp), so the sync endpoints
// can hold a session's identity without either.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace realmwire::auth {

/// realm-core's privilege bits (permissions.hpp). Tokens carry aggregates of them.
namespace privilege {
constexpr std::uint32_t read = 1;
constexpr std::uint32_t update = 2;
constexpr std::uint32_t remove = 4; // realm-core's Delete
constexpr std::uint32_t set_permissions = 8;
constexpr std::uint32_t query = 16;
constexpr std::uint32_t create = 32;
constexpr std::uint32_t modify_schema = 64;

/// The access strings of a token and the bits each one grants.
constexpr std::uint32_t download = read | query;             // "download" = 0x11
constexpr std::uint32_t upload = update | remove | create;   // "upload"   = 0x26
constexpr std::uint32_t manage = modify_schema | set_permissions; // "manage" = 0x48
} // namespace privilege

/// What a token is for. realm-core knows only access tokens; ROS issued three kinds.
enum class token_kind {
    access,  ///< has an `access` list without "refresh" (per-realm access token, admin token)
    refresh, ///< `access` contains "refresh": only good for POST /auth provider "realm"
    user,    ///< no `access` key at all (ROS user token)
};

inline const char* to_string(token_kind k) noexcept
{
    switch (k) {
        case token_kind::access: return "access";
        case token_kind::refresh: return "refresh";
        case token_kind::user: return "user";
    }
    return "?";
}

struct claims {
    std::string identity;                  ///< identity | sub
    std::optional<std::string> app_id;     ///< app_id | appId
    bool has_access = false;               ///< an `access` key was present
    std::uint32_t access = 0;              ///< privilege bits from download/upload/manage
    bool refresh = false;                  ///< `access` lists "refresh"
    std::optional<std::string> salt;
    std::optional<std::int64_t> timestamp; ///< timestamp | iat (seconds)
    std::optional<std::int64_t> expires;   ///< expires | exp (Unix seconds); absent, null or 0 = never
    std::optional<std::string> path;       ///< the one realm path the token is for; absent = every path
    std::optional<std::string> sync_label; ///< sync_label | syncLabel
    std::optional<bool> admin;             ///< admin | isAdmin (realm-core), or ROS's is_admin

    token_kind kind() const noexcept
    {
        if (!has_access)
            return token_kind::user;
        return refresh ? token_kind::refresh : token_kind::access;
    }
    /// Unix seconds after which the token is expired, 0 for never (realm-core's convention).
    std::int64_t expires_at() const noexcept { return expires.value_or(0); }
    /// realm-core's AccessToken::expired(now): expires != 0 && now > expires.
    bool expired(std::int64_t now) const noexcept { return expires_at() != 0 && now > expires_at(); }
    /// An explicit admin flag, or ROS's built-in admin token (identity "__admin" with no path).
    /// realm-core also treats a path-less token as admin; realmwire does not, because a path-less
    /// ROS *user* token would then pass every path check (docs/compatibility.md).
    bool is_admin() const noexcept { return admin.value_or(false) || (identity == "__admin" && !path); }
    /// Every bit of `needed` is granted.
    bool grants(std::uint32_t needed) const noexcept { return (access & needed) == needed; }

    friend bool operator==(const claims& a, const claims& b)
    {
        return a.identity == b.identity && a.app_id == b.app_id && a.has_access == b.has_access &&
               a.access == b.access && a.refresh == b.refresh && a.salt == b.salt && a.timestamp == b.timestamp &&
               a.expires == b.expires && a.path == b.path && a.sync_label == b.sync_label && a.admin == b.admin;
    }
    friend bool operator!=(const claims& a, const claims& b) { return !(a == b); }
};

/// "download upload manage refresh" (those present), for printing.
inline std::string access_to_string(const claims& c)
{
    std::string s;
    auto add = [&](const char* w) {
        if (!s.empty())
            s.push_back(' ');
        s.append(w);
    };
    if (c.grants(privilege::download))
        add("download");
    if (c.grants(privilege::upload))
        add("upload");
    if (c.grants(privilege::manage))
        add("manage");
    if (c.refresh)
        add("refresh");
    return s;
}

/// The claims in the layout of realm-core's `rc-token` tool (identity, app_id, path, access with its
/// privilege bits, admin, timestamp, expires), one per line, no trailing newline. Used by
/// `realmwire token decode|verify`, and compared byte for byte with vectors/tokens/verdicts.json.
inline std::string describe_claims(const claims& c)
{
    auto hex = [](std::uint32_t v) {
        const char* digits = "0123456789abcdef";
        std::string h;
        do {
            h.insert(h.begin(), digits[v & 0xf]);
            v >>= 4;
        } while (v != 0);
        return "0x" + h;
    };
    std::string words;
    for (auto [bits, w] : {std::pair<std::uint32_t, const char*>{privilege::download, "download"},
                           {privilege::upload, "upload"},
                           {privilege::manage, "manage"}}) {
        if (c.grants(bits)) {
            words.append(w);
            words.push_back(' ');
        }
    }
    std::string s;
    s += "identity: " + c.identity + "\n";
    s += "app_id: " + c.app_id.value_or("") + "\n";
    s += "path: " + c.path.value_or("(any)") + "\n";
    s += "access: " + words + "(bits " + hex(c.access) + ")\n";
    s += std::string("admin: ") + (c.admin ? (*c.admin ? "true" : "false") : "(absent)") + "\n";
    s += "timestamp: " + std::to_string(c.timestamp.value_or(0)) + "\n";
    s += "expires: " + (c.expires_at() == 0 ? std::string("(never)") : std::to_string(c.expires_at()));
    return s;
}

} // namespace realmwire::auth

#endif
