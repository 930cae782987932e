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

#include "realmwire/dialect/version_range.hpp"
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

/// Every field has a default so that a dialect is written field by field, by name (see the four below
/// and docs/handshake.md): a positional initializer of seventeen values, several of them bare bools,
/// is how a `true` ends up in the wrong slot.
struct dialect {
    dialect_id id = dialect_id::mongodb_pbs;
    std::string_view name;                      ///< the tool's spelling, e.g. "legacy_ros"
    std::string_view subprotocol_prefix;        ///< offered and echoed as `<prefix><version>`
    version_range client_versions{};            ///< what a client of this dialect offers by default
    offer_style offer = offer_style::descending; ///< how it writes the offer
    version_range server_versions{};            ///< what a server accepts by default for this dialect
    std::string_view default_url_prefix = "/realm-sync"; ///< request path prefix when none is configured
    bool realm_path_in_url = false;             ///< `<prefix>/<%-encoded realm path>` instead of `<prefix>`
    url_path_role url_path = url_path_role::url_prefix; ///< meaning of the server URL's path
    bool query_allowed = true;                  ///< may a query string follow the path (ROS refused one: 400)
    token_location token_at = token_location::query; ///< default token placement
    token_scheme scheme = token_scheme::bearer; ///< value scheme when the token is in a header
    std::string_view token_header = "Authorization"; ///< default header name
    std::string_view token_query_param = "baas_at";  ///< query parameter name when the token is in the query
    bool token_in_bind = false;                 ///< whether the BIND message also carries the token
    int missing_token_status = 401;             ///< HTTP status for a missing/malformed token (ROS: 400)
    http::header_order header_order = http::header_order::realm_core; ///< how a client of the era ordered its request headers
};

namespace dialects {

/// ROS 3.x and the SDKs of 2018-2019: the proxy guide's handshake (`io.realm.sync.22`). Legacy version
/// numbers ran up to 30, where realm-core's own numbering restarted ("matching io.realm.sync-30").
inline constexpr dialect legacy_ros = [] {
    dialect d;
    d.id = dialect_id::legacy_ros;
    d.name = "legacy_ros";
    d.subprotocol_prefix = "io.realm.sync.";
    d.client_versions = {22, 22};
    d.server_versions = {1, 30};
    d.realm_path_in_url = true;
    d.url_path = url_path_role::realm_path;
    d.query_allowed = false;
    d.token_at = token_location::header;
    d.scheme = token_scheme::realm_access_token;
    d.token_in_bind = true;
    d.missing_token_status = 400;
    d.header_order = http::header_order::sorted;
    return d;
}();

/// realm-core 10.x-11.x: `com.mongodb.realm-sync/<N>` (versions 2..7 before the v8 switch to '#'),
/// `Authorization: Bearer <t>`, realm path only in BIND.
inline constexpr dialect realm_sync_2020 = [] {
    dialect d;
    d.id = dialect_id::realm_sync_2020;
    d.name = "realm_sync_2020";
    d.subprotocol_prefix = "com.mongodb.realm-sync/";
    d.client_versions = {2, 7};
    d.server_versions = {2, 7};
    d.token_at = token_location::header;
    d.token_in_bind = true;
    return d;
}();

/// realm-core >= 12 partition-based sync (protocol 8..14): token in `?baas_at=`, BIND token empty.
inline constexpr dialect mongodb_pbs = [] {
    dialect d;
    d.id = dialect_id::mongodb_pbs;
    d.name = "mongodb_pbs";
    d.subprotocol_prefix = "com.mongodb.realm-sync#";
    d.client_versions = {2, 14};
    d.server_versions = {2, 14};
    return d;
}();

/// realm-core >= 12 flexible sync: same as PBS with the query-sync prefix.
inline constexpr dialect mongodb_flx = [] {
    dialect d = mongodb_pbs;
    d.id = dialect_id::mongodb_flx;
    d.name = "mongodb_flx";
    d.subprotocol_prefix = "com.mongodb.realm-query-sync#";
    return d;
}();

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
