#ifndef REALMWIRE_REFERENCE_FLX_SERVICE_HPP
#define REALMWIRE_REFERENCE_FLX_SERVICE_HPP

// Flexible sync in the reference sync backend (history_backend, sync_backend.hpp): subscriptions,
// bootstraps, per-client views in steady state, compensating writes and permissions, over the
// realm's durable merged history (history.hpp). The view logic itself is flx_state.hpp's.
//
// Per realm it keeps an flx_realm (the state after every server version, built from the history on
// first use and kept in step as uploads integrate); per client file its current subscription set,
// the objects its realm holds, and the bootstrap being sent.
//
// A bootstrap (after IDENT with a query, after each accepted QUERY) first brings the client to the
// realm's current version under its previous view (the changesets filtered as in steady state), then
// sends, at that version, the schema, every object in the new view it does not hold (whole) and an
// EraseObject for every object it holds that left the view — in changesets of about
// flx_options::bootstrap_chunk_bytes, always at least one (an empty one when nothing changed), each
// made when a DOWNLOAD has room for it (a session holds one made and unsent at most).
// Server-written changesets carry origin file ident 1 (realm_history::server_file_ident).
//
// Permissions can change at runtime (set_permissions). Each client keeps the permissions its realm
// reflects until its next DOWNLOAD: then, once it is caught up, its view under the new roles is
// compared with what it holds; if they differ it gets a server-initiated bootstrap of its current
// query version (protocol 14+: the same batches as any bootstrap, built from what it holds to the new
// view), and a client on an older protocol gets ERROR 228 server_permissions_changed (it cannot take
// a bootstrap it did not ask for; realm-core's client resets). Writes are always checked against the
// permissions in force now.

#include "realmwire/auth/claims.hpp"
#include "realmwire/detail/base64.hpp"
#include "realmwire/changeset/integer_codec.hpp"
#include "realmwire/endpoint/server_backend.hpp"
#include "realmwire/protocol/json_bodies.hpp"
#include "realmwire/reference/flx_permissions.hpp"
#include "realmwire/reference/flx_state.hpp"
#include "realmwire/reference/history.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace realmwire::reference {

struct flx_options {
    /// "Table.field" entries: only these may be named in a subscription (`--queryable`). Empty:
    /// every top-level scalar field.
    std::vector<std::string> queryable;
    flx_permissions permissions;
    /// About how many bytes one bootstrap changeset encodes to (String and Binary values counted in
    /// full; one object may go over).
    std::size_t bootstrap_chunk_bytes = 64 * 1024;
    query::subscription_limits subscription_limits{};
    /// Past object values flx_realm keeps per realm (each a whole object; what grows with the history).
    /// Over it, values older than every bound session's download cursor are dropped; if that is not
    /// enough, every past value goes, and a session whose cursor is older then gets ERROR 222
    /// client_file_expired (realm-core's client resets). 0 = no limit.
    std::size_t max_past_values = 200'000;
    /// The same bound in bytes (flx_realm::past_value_bytes, per realm): each past value is a whole
    /// object, so a stream of small changes to one large object would otherwise keep a full copy per
    /// change, gigabytes from kilobytes uploaded, well before the count above is reached. 0 = no limit.
    std::size_t max_past_value_bytes = 64u * 1024 * 1024;
};

/// The base64 primary key of a rejectedUpdates entry: the key as a changeset payload (type, value),
/// which realm-core's client decodes with its changeset parser.
inline std::string flx_encoded_pk(const object_key& k)
{
    std::string out;
    char buf[changeset::max_varint_size];
    auto varint = [&](std::int64_t v) { out.append(buf, changeset::encode_varint(v, buf)); };
    switch (k.index()) {
        case 1:
            varint(static_cast<int>(changeset::payload_type::integer));
            varint(std::get<std::int64_t>(k));
            break;
        case 2: {
            const auto& s = std::get<std::string>(k);
            varint(static_cast<int>(changeset::payload_type::string));
            varint(static_cast<std::int64_t>(s.size()));
            out += s;
            break;
        }
        case 3:
            varint(static_cast<int>(changeset::payload_type::object_id));
            out.append(reinterpret_cast<const char*>(std::get<changeset::object_id>(k).bytes.data()), 12);
            break;
        case 4:
            varint(static_cast<int>(changeset::payload_type::uuid));
            out.append(reinterpret_cast<const char*>(std::get<changeset::uuid>(k).bytes.data()), 16);
            break;
        default: varint(static_cast<int>(changeset::payload_type::null)); break;
    }
    return realmwire::detail::base64_encode(out);
}

class flx_service {
public:
    /// Set before the first session; at runtime change permissions only with set_permissions().
    flx_options options;

    /// New roles, in force at once for writes; every client whose view they change gets a
    /// server-initiated bootstrap at its next DOWNLOAD (wake the realm's connections after this).
    void set_permissions(flx_permissions p)
    {
        options.permissions = std::move(p);
        perms_.reset();
        ++epoch_;
    }

    /// Server-initiated bootstraps started so far (permission changes), and sessions ended with 228.
    std::size_t server_bootstraps() const noexcept { return server_bootstraps_; }
    std::size_t permission_resets() const noexcept { return permission_resets_; }

    /// The realm's flx_realm, brought up to the history's version (and trimmed to max_past_values and
    /// max_past_value_bytes).
    flx_realm& realm_state(const std::string& realm, const realm_history& h)
    {
        flx_realm& r = realms_[realm];
        bool grew = false;
        while (r.version() < h.version()) {
            std::error_code ec;
            r.apply(h.entries()[r.version()].changeset, ec); // a changeset that does not apply is skipped
            grew = true;
        }
        const auto over_limits = [&] {
            return (options.max_past_values != 0 && r.past_values() > options.max_past_values) ||
                   (options.max_past_value_bytes != 0 && r.past_value_bytes() > options.max_past_value_bytes);
        };
        if (grew && over_limits()) {
            // What the bound sessions still need: from the oldest download cursor on. If that is not
            // enough, the oldest cursors lose their place one after another (ERROR 222 at their next
            // DOWNLOAD) until it is — the sessions that keep up are not cut off by one that stopped.
            std::vector<std::uint64_t> cursors;
            for (const auto& [key, c] : clients_)
                if (key.first == realm && c.cursor != 0) // a fresh client starts at the current version
                    cursors.push_back(c.cursor);
            std::sort(cursors.begin(), cursors.end());
            cursors.push_back(r.version());
            for (std::size_t i = 0; i < cursors.size(); ++i) {
                r.trim(cursors[i]);
                if (!over_limits()) {
                    if (i != 0)
                        ++forced_trims_;
                    break;
                }
            }
        }
        return r;
    }

    /// The flx_realm of `realm`, if one was built (diagnostics, tests).
    const flx_realm* find_realm(std::string_view realm) const
    {
        auto it = realms_.find(realm);
        return it == realms_.end() ? nullptr : &it->second;
    }

    /// Trims that had to drop values a bound session still needed.
    std::size_t forced_trims() const noexcept { return forced_trims_; }

    /// Bytes of bootstrap changesets made and not yet handed to a DOWNLOAD, over every session.
    std::size_t bootstrap_bytes_held() const noexcept
    {
        std::size_t n = 0;
        for (const auto& kv : clients_)
            if (kv.second.boot_next)
                n += kv.second.boot_next->size();
        return n;
    }

    endpoint::status change_query(const endpoint::query_request& q, realm_history& h)
    {
        flx_realm& realm = realm_state(std::string(q.realm), h);
        client& c = clients_[{std::string(q.realm), q.client_file.ident}];
        std::error_code ec;
        flx_query_problem problem;
        query::schema schema = flx_query_schema(realm.current(), options.queryable);
        flx_subscription sub = flx_subscription::parse(q.query, schema, ec, &problem, options.subscription_limits);
        if (q.at_ident) {
            // whatever the outcome, the client's realm holds its active view at its cursor
            c = client{};
            c.active = ec ? flx_subscription{} : sub;
            c.perms = current_permissions();
            c.epoch = epoch_;
            c.cursor = q.download.server_version;
            c.view.reset(realm, access(c.active, realm, q.user, *c.perms), q.download.server_version);
        }
        if (ec)
            return endpoint::status::error(protocol::protocol_error::bad_query, problem.message);
        c.pending = std::move(sub);
        c.pending_version = q.query_version;
        return endpoint::status::success();
    }

    endpoint::status produce(const endpoint::download_request& r, realm_history& h, endpoint::download_batch& out)
    {
        out = {};
        std::string key(r.realm);
        flx_realm& realm = realm_state(key, h);
        client& c = clients_[{key, r.client_file.ident}];
        std::uint64_t latest = h.version();
        std::uint64_t from = r.after.server_version;
        c.cursor = from;
        if (from < realm.floor() && !c.boot) {
            // The values this client's catch-up needs were trimmed (the past value limits). A fresh client
            // about to be bootstrapped needs none of them: it starts at the current version.
            bool fresh_bootstrap = from == 0 && c.view.held_count() == 0 && r.bootstrap && c.built_for != r.query_version;
            if (!fresh_bootstrap)
                return endpoint::status::error(protocol::protocol_error::client_file_expired,
                                               "the server no longer keeps the flexible sync state this client's "
                                               "download cursor needs; a client reset is needed");
            from = latest;
        }
        std::uint64_t dcv = h.client_version_at(r.client_file.ident, from);
        std::size_t bytes = 0;

        if (!c.boot) {
            // steady state, or the catch-up before a bootstrap under the previous view (and the
            // permissions the client's realm reflects)
            if (!c.perms)
                c.perms = current_permissions();
            flx_access acc = access(c.active, realm, r.user, *c.perms);
            std::uint64_t scanned = from;
            const auto& all = h.entries();
            for (std::uint64_t i = from; i < latest; ++i) {
                const history_entry& e = all[i];
                bool own = e.origin_file_ident == r.client_file.ident;
                if (!own && !out.changesets.empty() && bytes + e.changeset.size() > r.max_body_bytes) {
                    out.more = true;
                    break;
                }
                std::string filtered;
                std::error_code ec;
                bool send = c.view.filter(realm, acc, e.server_version, e.changeset, own, filtered, ec);
                if (own)
                    dcv = e.client_version;
                scanned = e.server_version;
                if (!send)
                    continue;
                endpoint::history_changeset hc;
                hc.server_version = e.server_version;
                hc.last_integrated_client_version = dcv;
                hc.origin_timestamp = e.origin_timestamp;
                hc.origin_file_ident = e.origin_file_ident;
                hc.original_changeset_size = filtered.size();
                bytes += filtered.size();
                hc.changeset = std::move(filtered);
                out.changesets.push_back(std::move(hc));
            }
            out.progress = {scanned, dcv};
            bool bootstrap_due = r.bootstrap && c.built_for != r.query_version;
            if (bootstrap_due && !out.more) {
                // caught up: the bootstrap's own changesets, at the current version
                if (c.pending_version == r.query_version)
                    c.active = c.pending;
                if (latest == 0) {
                    // A bootstrap changeset needs a server version (0 is not one on the wire): an
                    // empty realm gets an empty server changeset as its version 1.
                    std::error_code ec;
                    h.integrate_server_changeset(std::string(), 0, ec);
                    if (ec)
                        return endpoint::status::error(protocol::protocol_error::connection_closed,
                                                       "server storage error", true);
                    latest = h.version();
                    realm_state(key, h);
                }
                c.perms = current_permissions();
                c.epoch = epoch_;
                c.boot = c.view.start_bootstrap(access(c.active, realm, r.user, *c.perms), latest,
                                                options.bootstrap_chunk_bytes);
                c.built_for = r.query_version;
            }
            else if (bootstrap_due) {
                out.more = true;
            }
            else if (!r.bootstrap && c.epoch != epoch_ && !out.more) {
                // caught up after a permission change: the view under the new roles
                c.perms = current_permissions();
                c.epoch = epoch_;
                flx_access now = access(c.active, realm, r.user, *c.perms);
                if (c.view.differs(realm, now)) {
                    if (r.protocol_version < 14) {
                        ++permission_resets_;
                        return endpoint::status::error(protocol::protocol_error::server_permissions_changed,
                                                       "Server permissions for this file ident have changed");
                    }
                    c.boot = c.view.start_bootstrap(std::move(now), latest, options.bootstrap_chunk_bytes);
                    out.server_bootstrap = true;
                    ++server_bootstraps_;
                }
            }
        }
        if (c.boot) {
            // The bootstrap, a changeset at a time: made when the DOWNLOAD has room for it (the one
            // that did not fit waits in boot_next), so a client that stops reading holds one.
            const std::uint64_t boot_version = c.boot->version;
            while (c.boot_next || !c.boot->finished) {
                if (!c.boot_next) {
                    if (realm.floor() > boot_version) {
                        // a forced trim (the limits above) took the values this bootstrap shows
                        c.boot.reset();
                        c.built_for = -1;
                        return endpoint::status::error(protocol::protocol_error::client_file_expired,
                                                       "the server no longer keeps the flexible sync state this "
                                                       "bootstrap needs; a client reset is needed");
                    }
                    c.boot_next.emplace();
                    c.view.next_bootstrap_changeset(realm, *c.boot, *c.boot_next);
                }
                if (!out.changesets.empty() && bytes + c.boot_next->size() > r.max_body_bytes)
                    break;
                endpoint::history_changeset hc;
                hc.server_version = boot_version;
                hc.last_integrated_client_version = dcv;
                hc.origin_timestamp = 0;
                hc.origin_file_ident = realm_history::server_file_ident;
                bytes += c.boot_next->size();
                hc.changeset = std::move(*c.boot_next);
                hc.original_changeset_size = hc.changeset.size();
                c.boot_next.reset();
                out.changesets.push_back(std::move(hc));
            }
            const bool boot_left = c.boot_next || !c.boot->finished;
            if (!boot_left)
                c.boot.reset();
            out.progress = {boot_version, dcv};
            // a QUERY that came in meanwhile: its bootstrap follows this one's last changesets
            out.bootstrap_continues = boot_left || (r.bootstrap && c.built_for != r.query_version);
            // after the last one, the versions written while it went out follow (steady state)
            out.more = out.bootstrap_continues || boot_version < latest;
        }
        out.latest_server_version = {latest, h.salt_of(latest)};
        if (const client_file* f = h.find_client(r.client_file.ident))
            out.upload_progress = {f->upload_progress_client_version, f->upload_progress_server_version};
        return endpoint::status::success();
    }

    /// The writes of a merged upload the client may not make: every object its changesets touch must,
    /// after the upload (`next`), be in the client's view and allowed by its role's write filter (or
    /// be an object it held and erased).
    std::vector<flx_rejected_write> check_upload(const std::string& realm_key, std::uint64_t ident,
                                                 const auth::claims* user, const std::vector<changeset::changeset>& merged,
                                                 const state& next)
    {
        std::vector<flx_rejected_write> out;
        auto it = clients_.find({realm_key, ident});
        auto rit = realms_.find(realm_key);
        if (it == clients_.end() || rit == realms_.end())
            return out;
        client& c = it->second;
        // the permissions in force now, whatever the client's realm still reflects
        flx_access acc = access_for_schema(c.active, flx_query_schema(next, options.queryable),
                                           flx_query_schema(next), user, options.permissions);
        std::map<std::pair<std::string, object_key>, bool, key_less> seen;
        for (const auto& cs : merged) {
            for (const auto& in : cs.instructions) {
                std::string table_name;
                object_key k;
                if (!flx_instruction_object(cs, in, table_name, k))
                    continue;
                if (!seen.emplace(std::make_pair(table_name, k), true).second)
                    continue;
                const table* t = next.find_table(table_name);
                const object* o = nullptr;
                if (t) {
                    auto oi = t->objects.find(k);
                    if (oi != t->objects.end())
                        o = &oi->second;
                }
                std::string why = refuses(acc, t, table_name, k, o, c.view.holds(table_name, k));
                if (!why.empty())
                    out.push_back({table_name, k, std::move(why)});
            }
        }
        return out;
    }

    /// After the refused upload was stored (the realm now at `h.version()`, the client's changesets
    /// up to client version `rejected_client_version`): stores the changeset that reverts `rejected`
    /// as a server changeset and returns the JSON body of ERROR 231 for it (empty on a storage error).
    std::string compensate(const std::string& realm_key, realm_history& h, std::uint64_t base,
                           const std::vector<flx_rejected_write>& rejected, std::uint64_t rejected_client_version,
                           std::uint64_t timestamp)
    {
        flx_realm& realm = realm_state(realm_key, h);
        std::string bytes = flx_client_view::revert(realm, base, rejected);
        state next = h.current_state();
        std::error_code ec;
        next.apply(bytes, ec);
        if (ec)
            return {};
        std::uint64_t v = h.integrate_server_changeset(bytes, timestamp, ec);
        if (ec)
            return {};
        h.set_current_state(std::move(next));
        realm_state(realm_key, h);
        protocol::json_error_body body;
        body.message = "Client attempted a write that is not allowed; it has been reverted";
        body.action = "Warning";
        for (const auto& r : rejected)
            body.rejected_updates.push_back({r.reason, r.table, flx_encoded_pk(r.key)});
        body.rejected_client_version = static_cast<std::int64_t>(rejected_client_version);
        body.compensating_write_server_version = static_cast<std::int64_t>(v);
        return protocol::build_json_error_body(body);
    }

    void session_ended(std::string_view realm, std::uint64_t ident) { clients_.erase({std::string(realm), ident}); }

    /// The objects client file `ident` of `realm` holds (tests, diagnostics); nullptr if unknown.
    const flx_client_view* view_of(std::string_view realm, std::uint64_t ident) const
    {
        auto it = clients_.find({std::string(realm), ident});
        return it == clients_.end() ? nullptr : &it->second.view;
    }

private:
    struct client {
        flx_subscription active;  ///< the set the client's realm reflects
        flx_subscription pending; ///< the last accepted set (becomes active at its bootstrap)
        std::int64_t pending_version = -1;
        std::int64_t built_for = -1; ///< query version whose bootstrap was built
        flx_client_view view;
        std::optional<flx_bootstrap> boot;     ///< the bootstrap being sent
        std::optional<std::string> boot_next; ///< its next changeset, made and not yet sent
        std::shared_ptr<const flx_permissions> perms; ///< the roles its realm reflects
        std::uint64_t epoch = 0;                      ///< of `perms` (see set_permissions)
        std::uint64_t cursor = 0;                     ///< its download cursor (server version)
    };

    std::shared_ptr<const flx_permissions> current_permissions()
    {
        if (!perms_)
            perms_ = std::make_shared<const flx_permissions>(options.permissions);
        return perms_;
    }
    struct key_less {
        bool operator()(const std::pair<std::string, object_key>& a, const std::pair<std::string, object_key>& b) const
        {
            if (a.first != b.first)
                return a.first < b.first;
            return object_key_less{}(a.second, b.second);
        }
    };

    flx_access access(const flx_subscription& sub, const flx_realm& realm, const auth::claims* user,
                      const flx_permissions& perms) const
    {
        return access_for_schema(sub, flx_query_schema(realm.current(), options.queryable),
                                 flx_query_schema(realm.current()), user, perms);
    }

    /// The subscription's queries and the role's filters, bound against `schema`. A filter that does
    /// not bind (a field the table lacks) denies rather than widens. Role filters may name any field
    /// (`open`), queryable or not: they are the server's own.
    flx_access access_for_schema(const flx_subscription& sub, const query::schema& schema, const query::schema& open,
                                 const auth::claims* user, const flx_permissions& perms) const
    {
        flx_access acc;
        auto bound = sub.bind(schema);
        for (auto& kv : bound) {
            const std::string& table_name = kv.first; // captured below: not a structured binding (C++17)
            query::bound_query& q = kv.second;
            flx_access::table_rules rules;
            rules.subscription = std::move(q);
            flx_table_rule rule = perms.rule(user, table_name);
            auto bind_rule = [&](const std::optional<std::string>& text) -> std::optional<query::bound_query> {
                if (!text)
                    return query::bound_query{table_name, query::expression::match_nothing()};
                std::error_code ec;
                query::expression e = query::parse(*text, ec);
                if (ec)
                    return query::bound_query{table_name, query::expression::match_nothing()};
                query::bound_query b = query::bind(e, open, table_name, ec);
                if (ec)
                    return query::bound_query{table_name, query::expression::match_nothing()};
                return b;
            };
            if (!rule.read)
                continue; // the role reads nothing of the table: not in view
            if (*rule.read != "TRUEPREDICATE")
                rules.read = bind_rule(rule.read);
            if (rule.write)
                rules.write = bind_rule(rule.write);
            acc.tables.emplace(table_name, std::move(rules));
        }
        return acc;
    }

    static std::string refuses(const flx_access& acc, const table* t, std::string_view table_name, const object_key& k,
                               const object* o, bool held_before)
    {
        auto it = acc.tables.find(table_name);
        if (it == acc.tables.end())
            return "write to an object outside the current query view";
        if (!it->second.write)
            return "write to table '" + std::string(table_name) + "' is not allowed by the role's permissions";
        if (!o)
            return held_before ? std::string() : "write to an object outside the current query view";
        if (!t)
            return "write to an object outside the current query view";
        flx_object_view view(*t, k, *o);
        if (!it->second.write->matches(view))
            return "write not allowed by the role's write permission";
        if (!it->second.subscription.matches(view) || (it->second.read && !it->second.read->matches(view)))
            return "write to an object outside the current query view";
        return {};
    }

    std::map<std::string, flx_realm, std::less<>> realms_;
    std::map<std::pair<std::string, std::uint64_t>, client> clients_;
    std::shared_ptr<const flx_permissions> perms_; ///< options.permissions, shared by the clients
    std::uint64_t epoch_ = 0;
    std::size_t server_bootstraps_ = 0;
    std::size_t permission_resets_ = 0;
    std::size_t forced_trims_ = 0;
};

} // namespace realmwire::reference

#endif
