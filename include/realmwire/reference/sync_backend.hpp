#ifndef REALMWIRE_REFERENCE_SYNC_BACKEND_HPP
#define REALMWIRE_REFERENCE_SYNC_BACKEND_HPP

// The reference sync service: endpoint::server_backend over a realm_directory (durable per-realm
// histories). Realm keys are the BIND paths with ROS's `~` expanded to the user's identity; FLX binds
// all share the realm `flx_realm`, served through flx_service (flx_service.hpp: subscriptions,
// bootstraps, views, compensating writes, FLX permissions in `flx.options`). Bind permissions are a
// separate, replaceable service (permission_service).

#include "realmwire/auth/claims.hpp"
#include "realmwire/auth/verifier.hpp"
#include "realmwire/endpoint/server_backend.hpp"
#include "realmwire/endpoint/upload_merge.hpp"
#include "realmwire/reference/flx_service.hpp"
#include "realmwire/reference/history.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace realmwire::reference {

/// Decides whether a user may bind a realm. The default lets any verified token through (the token's
/// own path and privileges were checked by the connection); replace it for per-realm rules.
class permission_service {
public:
    virtual ~permission_service() = default;
    virtual endpoint::status can_bind(const auth::claims* user, std::string_view realm)
    {
        (void)user;
        (void)realm;
        return endpoint::status::success();
    }
};

/// What one user may hold. Both bound what a hostile (or broken) client can make the server keep.
struct history_backend_limits {
    /// Distinct realms one identity may have bound at once, over all its connections (224
    /// too_many_sessions beyond, try_again). 0 = no cap. Sessions without a verified user are not
    /// counted (a server without authentication has no users to tell apart).
    std::size_t max_realms_per_user = 128;
    /// Changeset bytes one realm's history may hold; an UPLOAD that would grow it past this ends its
    /// session with 201 and stores nothing. 0 = no cap.
    std::uint64_t max_realm_bytes = std::uint64_t(1) << 30;
    /// Reciprocal-history bytes one realm may hold (reference/reciprocal_history.hpp); an UPLOAD that
    /// would grow it past this ends its session with 201 and stores nothing. 0 = no cap.
    std::uint64_t max_reciprocal_bytes = std::uint64_t(256) << 20;
};

/// realm_history as endpoint::upload_merger reads it (the backend below, and anyone replaying a history).
class history_source : public endpoint::merge_history_source {
public:
    explicit history_source(const realm_history& h) : h_(h) {}
    std::uint64_t current_version() const override { return h_.version(); }
    endpoint::merge_history_entry entry(std::uint64_t v) const override
    {
        const history_entry& e = h_.entries()[v - 1];
        return {e.origin_file_ident, e.client_version, e.origin_timestamp, e.changeset};
    }
    const std::string* reciprocal(std::uint64_t client, std::uint64_t v) const override
    {
        return h_.reciprocal(client, v);
    }

private:
    const realm_history& h_;
};

class history_backend : public endpoint::server_backend {
public:
    explicit history_backend(std::shared_ptr<realm_directory> dir,
                             std::shared_ptr<permission_service> perms = std::make_shared<permission_service>(),
                             history_backend_limits limits = {})
        : dir_(std::move(dir))
        , perms_(std::move(perms))
        , limits_(limits)
    {
    }

    const history_backend_limits& limits() const noexcept { return limits_; }
    /// Distinct realms `identity` has bound now.
    std::size_t realms_bound_by(const std::string& identity) const
    {
        auto it = per_user_.find(identity);
        return it == per_user_.end() ? 0 : it->second.size();
    }

    std::string flx_realm = "/__flx";
    /// Flexible sync for the realm `flx_realm` (its options: queryable fields, permissions).
    flx_service flx;

    realm_directory& directory() noexcept { return *dir_; }

    endpoint::status authorize_bind(const endpoint::bind_request& r, std::string& realm) override
    {
        if (r.flx)
            realm = flx_realm;
        else if (r.user)
            realm = auth::expand_home(r.path, r.user->identity);
        else
            realm = std::string(r.path);
        endpoint::status st = perms_->can_bind(r.user, realm);
        if (!st.ok() || !r.user)
            return st;
        auto& held = per_user_[r.user->identity];
        if (limits_.max_realms_per_user != 0 && held.count(realm) == 0 && held.size() >= limits_.max_realms_per_user)
            return endpoint::status::error(protocol::protocol_error::too_many_sessions,
                                           "too many realms bound by this user", true);
        ++held[realm];
        bound_[{r.connection_id, r.session_ident}] = {r.user->identity, realm};
        return st;
    }

    void session_released(std::uint64_t connection_id, std::uint64_t session_ident) override
    {
        auto it = bound_.find({connection_id, session_ident});
        if (it == bound_.end())
            return;
        auto user = per_user_.find(it->second.first);
        if (user != per_user_.end()) {
            auto realm = user->second.find(it->second.second);
            if (realm != user->second.end() && --realm->second == 0)
                user->second.erase(realm);
            if (user->second.empty())
                per_user_.erase(user);
        }
        bound_.erase(it);
    }

    endpoint::status allocate_client_file_ident(std::string_view realm, endpoint::salted_file_ident& out) override
    {
        realm_history* h = open(realm);
        if (!h)
            return io_error();
        std::error_code ec;
        client_file f = h->allocate_client_file(ec);
        if (ec)
            return io_error();
        out = {f.ident, f.salt};
        return endpoint::status::success();
    }

    endpoint::status validate_ident(const endpoint::ident_request& r, endpoint::ident_result& out) override
    {
        realm_history* h = open(r.realm);
        if (!h)
            return io_error();
        auto e = h->check_ident(r.client_file.ident, r.client_file.salt, r.download.server_version,
                                r.download.last_integrated_client_version, r.latest_server_version.version,
                                r.latest_server_version.salt);
        if (static_cast<int>(e) != 0)
            return endpoint::status::error(e);
        const client_file* f = h->find_client(r.client_file.ident);
        out.upload_threshold = {f->last_integrated_client_version, f->upload_progress_server_version};
        out.locked_server_version = 0;
        return endpoint::status::success();
    }

    /// Merges the upload (endpoint::upload_merger: decode, transform against the other clients' history
    /// after each changeset's base version), applies the result to a copy of the realm's state, and
    /// stores transformed changesets and reciprocal history in one durable record. A changeset that does
    /// not decode, merge or apply refuses the whole upload with 212 bad_changeset; nothing is stored.
    endpoint::status integrate_upload(const endpoint::upload_request& r, endpoint::upload_result& out) override
    {
        realm_history* h = open(r.realm);
        if (!h)
            return io_error();
        std::vector<protocol::upload_entry> entries;
        std::uint64_t incoming = 0;
        for (const auto& e : r.changesets) {
            if (e.origin_file_ident != 0 && e.origin_file_ident != r.client_file.ident)
                return endpoint::status::error(protocol::protocol_error::bad_origin_file_ident);
            if (e.server_version > h->version())
                return endpoint::status::error(protocol::protocol_error::bad_server_version);
            incoming += e.changeset.size();
            entries.push_back(e);
        }
        std::uint64_t& stored = stored_bytes(r.realm, *h);
        if (limits_.max_realm_bytes != 0 && incoming > limits_.max_realm_bytes - std::min(stored, limits_.max_realm_bytes))
            return endpoint::status::error(protocol::protocol_error::other_session_error,
                                           "the realm's storage quota is exhausted");
        const client_file* f = h->find_client(r.client_file.ident);
        if (!f)
            return endpoint::status::error(protocol::protocol_error::bad_client_file_ident);
        history_source src(*h);
        endpoint::merged_upload merged;
        endpoint::status st = merger_.merge(src, r.client_file.ident, f->last_integrated_client_version, entries, merged);
        if (!st)
            return st;
        // An UPLOAD of progress alone (realm-core's client acknowledges every DOWNLOAD with one) has
        // nothing to apply: no copy of the realm's state for it.
        reference::state next = merged.changesets.empty() ? reference::state() : h->current_state();
        std::vector<changeset::changeset> decoded;
        for (auto& m : merged.changesets)
            decoded.push_back(std::move(m.decoded));
        if (r.realm == flx_realm) {
            // Flexible sync takes additive schema changes only (realm-core's clients make no others
            // there): a table or column dropped under the subscriptions would change objects without an
            // instruction on any of them, and the views built on them would go stale.
            for (std::size_t k = 0; k < decoded.size(); ++k)
                for (const auto& in : decoded[k].instructions)
                    if (std::holds_alternative<changeset::erase_table>(in) || std::holds_alternative<changeset::erase_column>(in))
                        return endpoint::status::error(protocol::protocol_error::invalid_schema_change,
                                                       "changeset " + std::to_string(merged.changesets[k].client_version) +
                                                           ": flexible sync takes additive schema changes only");
        }
        if (!decoded.empty()) {
            std::error_code ec;
            apply_info where;
            next.apply(decoded, ec, &where);
            if (ec)
                return endpoint::status::error(protocol::protocol_error::bad_changeset,
                                               "changeset " + std::to_string(merged.changesets[where.changeset].client_version) +
                                                   ", instruction " + std::to_string(where.instruction) + ": " + ec.message());
        }
        std::vector<protocol::upload_entry> store;
        for (const auto& m : merged.changesets)
            store.push_back({m.client_version, m.last_integrated_server_version, m.origin_timestamp, 0, m.changeset});
        std::error_code ec;
        std::uint64_t before = h->version();
        h->integrate(r.client_file.ident, store, r.progress.client_version, r.progress.last_integrated_server_version,
                     ec, &merged.reciprocal);
        if (ec == merge_error::reciprocal_history_too_large)
            return endpoint::status::error(protocol::protocol_error::other_session_error,
                                           "the realm's reciprocal history limit is exhausted");
        if (ec)
            return io_error();
        std::vector<flx_rejected_write> rejected;
        if (r.realm == flx_realm && !merged.changesets.empty())
            rejected = flx.check_upload(flx_realm, r.client_file.ident, r.user, decoded, next);
        if (!merged.changesets.empty())
            h->set_current_state(std::move(next));
        if (!rejected.empty())
            out.compensating_write_json = flx.compensate(flx_realm, *h, before, rejected,
                                                         merged.changesets.back().client_version,
                                                         merged.changesets.back().origin_timestamp);
        for (std::uint64_t v = before; v < h->version(); ++v)
            stored += h->entries()[v].changeset.size();
        out.latest_server_version = h->version();
        out.history_changed = h->version() != before;
        return endpoint::status::success();
    }

    endpoint::status change_query(const endpoint::query_request& q) override
    {
        if (q.realm != flx_realm)
            return endpoint::status::success();
        realm_history* h = open(q.realm);
        if (!h)
            return io_error();
        return flx.change_query(q, *h);
    }

    void session_ended(std::string_view realm, const endpoint::salted_file_ident& client_file) override
    {
        if (realm == flx_realm)
            flx.session_ended(realm, client_file.ident);
    }

    endpoint::status produce_download(const endpoint::download_request& r, endpoint::download_batch& out) override
    {
        out = {};
        realm_history* h = open(r.realm);
        if (!h)
            return io_error();
        if (r.realm == flx_realm)
            return flx.produce(r, *h, out);
        const auto& all = h->entries();
        std::uint64_t from = r.after.server_version;
        std::uint64_t dcv = h->client_version_at(r.client_file.ident, from);
        std::size_t bytes = 0;
        std::uint64_t scanned = from;
        std::uint64_t i = from;
        for (; i < all.size(); ++i) {
            const history_entry& e = all[i];
            if (e.origin_file_ident == r.client_file.ident) {
                dcv = e.client_version;
                scanned = e.server_version;
                continue;
            }
            if (!out.changesets.empty() && bytes + e.changeset.size() > r.max_body_bytes) {
                out.more = true;
                break;
            }
            endpoint::history_changeset c;
            c.server_version = e.server_version;
            c.last_integrated_client_version = dcv;
            c.origin_timestamp = e.origin_timestamp;
            c.origin_file_ident = e.origin_file_ident;
            c.original_changeset_size = e.changeset.size();
            c.changeset = e.changeset;
            bytes += e.changeset.size();
            out.changesets.push_back(std::move(c));
            scanned = e.server_version;
        }
        for (std::uint64_t j = i; j < all.size(); ++j)
            if (all[j].origin_file_ident != r.client_file.ident)
                out.downloadable_bytes += all[j].changeset.size();
        out.progress = {scanned, dcv};
        out.latest_server_version = {h->version(), h->salt_of(h->version())};
        if (const client_file* f = h->find_client(r.client_file.ident))
            out.upload_progress = {f->upload_progress_client_version, f->upload_progress_server_version};
        return endpoint::status::success();
    }

private:
    realm_history* open(std::string_view realm)
    {
        std::error_code ec;
        realm_history* h = dir_->get(std::string(realm), ec);
        if (h)
            h->set_max_reciprocal_bytes(limits_.max_reciprocal_bytes);
        return h;
    }
    static endpoint::status io_error()
    {
        // realm-core answers storage trouble with a connection-level error the client retries.
        return endpoint::status::error(protocol::protocol_error::connection_closed, "server storage error", true);
    }

    /// The changeset bytes of `realm`'s history, summed once per realm and then kept up to date.
    std::uint64_t& stored_bytes(std::string_view realm, const realm_history& h)
    {
        auto [it, fresh] = stored_.try_emplace(std::string(realm), 0);
        if (fresh)
            for (const auto& e : h.entries())
                it->second += e.changeset.size();
        return it->second;
    }

    std::shared_ptr<realm_directory> dir_;
    std::shared_ptr<permission_service> perms_;
    endpoint::upload_merger<> merger_;
    history_backend_limits limits_;
    std::map<std::string, std::uint64_t, std::less<>> stored_;
    /// identity → realm → sessions bound to it
    std::map<std::string, std::map<std::string, std::size_t>> per_user_;
    /// (connection id, session ident) → (identity, realm)
    std::map<std::pair<std::uint64_t, std::uint64_t>, std::pair<std::string, std::string>> bound_;
};

} // namespace realmwire::reference

#endif
