#ifndef REALMWIRE_DIALECT_DIALECT_HPP
#define REALMWIRE_DIALECT_DIALECT_HPP

// The four dialects of the Realm sync handshake, as policy values.
//
// Everything that differs between the ROS 3.x era, the realm-core 10/11 era and today's App Services
// clients is a field of `dialect` — the subprotocol prefix, version ranges, URL prefix, whether the
// realm path rides in the URL, where the token goes and in which value scheme, what a server answers
// when it is missing — so the builder, acceptor and verifier contain no per-dialect `if`s.
//
// | dialect          | subprotocol                       | request path                          | token                         |
// |------------------|-----------------------------------|---------------------------------------|-------------------------------|
// | legacy_ros       | io.realm.sync.<N>                 | <prefix>/<%-encoded realm path>       | header, Realm-Access-Token    |
// | realm_sync_2020  | com.mongodb.realm-sync/<N>        | <prefix>                              | header, Bearer                |
// | mongodb_pbs      | com.mongodb.realm-sync#<N>        | <prefix>?baas_at=<token>              | query                         |
// | mongodb_flx      | com.mongodb.realm-query-sync#<N>  | <prefix>?baas_at=<token>              | query                         |

#include "realmwire/handshake/subprotocol.hpp"
#include "realmwire/http/serializer.hpp"

#include <array>
#include <cstddef>
#include <optional>
#include <string_view>

namespace realmwire {

enum class dialect_id { legacy_ros, realm_sync_2020, mongodb_pbs, mongodb_flx };

/// How a token is written into a header value.
enum class token_scheme {
    realm_access_token, ///< `Realm-Access-Token version=1 token="<t>"` (ROS 3.x)
    bearer,             ///< `Bearer <t>` (realm-core 2020-05 .. 2022-01)
    raw,                ///< `<t>` as is (behind proxies that want their own scheme)
};

/// Where the token travels by default.
enum class token_location { header, query };

/// What the path of a server URL (`realm://host/<path>`) meant to an SDK of the dialect's era.
enum class url_path_role {
    realm_path, ///< ROS-era SDKs: `realms://host:9443/~/tasks` names the realm; the prefix is separate
    url_prefix, ///< realm-core ≥ 10: the URL path is the request prefix (`service_identifier`)
};

struct dialect {
    dialect_id id;
    std::string_view name;                ///< the tool's spelling, e.g. "legacy_ros"
    std::string_view subprotocol_prefix;  ///< offered and echoed as `<prefix><version>`
    version_range client_versions;        ///< what a client of this dialect offers by default
    offer_style offer;                    ///< how it writes the offer
    version_range server_versions;        ///< what a server accepts by default for this dialect
    std::string_view default_url_prefix;  ///< request path prefix when none is configured
    bool realm_path_in_url;               ///< `<prefix>/<%-encoded realm path>` instead of `<prefix>`
    url_path_role url_path;               ///< meaning of the server URL's path
    bool query_allowed;                   ///< may a query string follow the path (ROS refused one: 400)
    token_location token_at;              ///< default token placement
    token_scheme scheme;                  ///< value scheme when the token is in a header
    std::string_view token_header;        ///< default header name
    std::string_view token_query_param;   ///< query parameter name when the token is in the query
    bool token_in_bind;                   ///< whether the BIND message also carries the token
    int missing_token_status;             ///< HTTP status for a missing/malformed token (ROS: 400)
    http::header_order header_order;      ///< how a client of the era ordered its request headers
};

namespace dialects {

/// ROS 3.x and the SDKs of 2018-2019: the proxy guide's handshake (`io.realm.sync.22`). Legacy version
/// numbers ran up to 30, where realm-core's own numbering restarted ("matching io.realm.sync-30").
inline constexpr dialect legacy_ros{
    dialect_id::legacy_ros, "legacy_ros", "io.realm.sync.", {22, 22}, offer_style::descending, {1, 30},
    "/realm-sync", true, url_path_role::realm_path, false, token_location::header,
    token_scheme::realm_access_token, "Authorization", "baas_at", true, 400, http::header_order::sorted};

/// realm-core 10.x-11.x: `com.mongodb.realm-sync/<N>` (versions 2..7 before the v8 switch to '#'),
/// `Authorization: Bearer <t>`, realm path only in BIND.
inline constexpr dialect realm_sync_2020{
    dialect_id::realm_sync_2020, "realm_sync_2020", "com.mongodb.realm-sync/", {2, 7}, offer_style::descending,
    {2, 7}, "/realm-sync", false, url_path_role::url_prefix, true, token_location::header, token_scheme::bearer,
    "Authorization", "baas_at", true, 401, http::header_order::realm_core};

/// realm-core >= 12 partition-based sync (protocol 8..14): token in `?baas_at=`, BIND token empty.
inline constexpr dialect mongodb_pbs{
    dialect_id::mongodb_pbs, "mongodb_pbs", "com.mongodb.realm-sync#", {2, 14}, offer_style::descending, {2, 14},
    "/realm-sync", false, url_path_role::url_prefix, true, token_location::query, token_scheme::bearer,
    "Authorization", "baas_at", false, 401, http::header_order::realm_core};

/// realm-core >= 12 flexible sync: same as PBS with the query-sync prefix.
inline constexpr dialect mongodb_flx{
    dialect_id::mongodb_flx, "mongodb_flx", "com.mongodb.realm-query-sync#", {2, 14}, offer_style::descending,
    {2, 14}, "/realm-sync", false, url_path_role::url_prefix, true, token_location::query, token_scheme::bearer,
    "Authorization", "baas_at", false, 401, http::header_order::realm_core};

inline constexpr std::array<const dialect*, 4> all{&legacy_ros, &realm_sync_2020, &mongodb_pbs, &mongodb_flx};

} // namespace dialects

inline constexpr const dialect& get_dialect(dialect_id id) noexcept
{
    switch (id) {
        case dialect_id::legacy_ros: return dialects::legacy_ros;
        case dialect_id::realm_sync_2020: return dialects::realm_sync_2020;
        case dialect_id::mongodb_pbs: return dialects::mongodb_pbs;
        case dialect_id::mongodb_flx: return dialects::mongodb_flx;
    }
    return dialects::mongodb_pbs;
}

/// Looks a dialect up by its name ("legacy_ros", ...); also accepts '-' for '_'.
inline const dialect* find_dialect(std::string_view name) noexcept
{
    for (const dialect* d : dialects::all) {
        if (d->name.size() != name.size())
            continue;
        bool same = true;
        for (std::size_t i = 0; i < name.size() && same; ++i)
            same = name[i] == d->name[i] || (name[i] == '-' && d->name[i] == '_');
        if (same)
            return d;
    }
    return nullptr;
}

inline constexpr std::string_view to_string(dialect_id id) noexcept { return get_dialect(id).name; }

inline constexpr std::string_view to_string(token_scheme s) noexcept
{
    switch (s) {
        case token_scheme::realm_access_token: return "realm";
        case token_scheme::bearer: return "bearer";
        case token_scheme::raw: return "raw";
    }
    return "raw";
}

} // namespace realmwire

#endif
