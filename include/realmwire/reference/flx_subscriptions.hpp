#ifndef REALMWIRE_REFERENCE_FLX_SUBSCRIPTIONS_HPP
#define REALMWIRE_REFERENCE_FLX_SUBSCRIPTIONS_HPP

// The client side of flexible sync's subscriptions (sans-I/O):
//
//   flx_subscription_set    what a client asks for: subscriptions (optionally named), each a table and
//                           a query in the realm query language; to_json() is the QUERY/IDENT body,
//                           several queries on one table OR-ed into one: {"Item":"(a) OR (b)"}
//   flx_subscription_store  the versions of the set a client made and where each stands:
//                           pending -> bootstrapping -> awaiting_mark -> complete, or error (its
//                           QUERY_ERROR), or superseded (a newer version completed first)
//
// The JSON form is realm-core's client's: per table, the distinct query strings sorted, each in
// parentheses, joined with " OR "; tables in name order; an empty set is "{}". Sorting makes two sets
// with the same subscriptions in another order the same JSON, so the server need not rerun them.
//
// Versions follow realm-core's SubscriptionStore: a bootstrap (DOWNLOADs with batch_state MoreToCome ..
// LastInBatch) for a pending version moves it to bootstrapping, its last batch to awaiting_mark (and
// every older version to superseded), the next download completion (MARK answered) to complete. A
// bootstrap for a version already awaiting_mark or complete is a server-initiated one (protocol v14:
// the server re-sends the view after a permission change): the state stays, the realm takes the
// changesets like any other. A bootstrap for a version the store does not have, or one that got
// QUERY_ERROR, is a protocol violation in realm-core; on_download() reports it.

#include "realmwire/auth/claims.hpp" // auth::detail::json_quote
#include "realmwire/protocol/messages.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace realmwire::reference {

struct flx_named_subscription {
    std::string name;  ///< "" = unnamed
    std::string table; ///< the table's name, without realm's "class_" prefix ("Item")
    std::string query; ///< realm query language ("price < 10", "TRUEPREDICATE")

    friend bool operator==(const flx_named_subscription& a, const flx_named_subscription& b)
    {
        return a.name == b.name && a.table == b.table && a.query == b.query;
    }
    friend bool operator!=(const flx_named_subscription& a, const flx_named_subscription& b) { return !(a == b); }
};

class flx_subscription_set {
public:
    flx_subscription_set() = default;

    /// Adds a subscription; a named one replaces the subscription of that name (realm-core's
    /// insert_or_assign), an unnamed one is added unless the same table and query are there already.
    flx_subscription_set& add(std::string table, std::string query, std::string name = {})
    {
        if (!name.empty()) {
            for (auto& s : subs_)
                if (s.name == name) {
                    s.table = std::move(table);
                    s.query = std::move(query);
                    return *this;
                }
        }
        else {
            for (const auto& s : subs_)
                if (s.name.empty() && s.table == table && s.query == query)
                    return *this;
        }
        subs_.push_back({std::move(name), std::move(table), std::move(query)});
        return *this;
    }

    /// Removes the subscription named `name`; false if there is none.
    bool remove(const std::string& name)
    {
        auto it = std::find_if(subs_.begin(), subs_.end(), [&](const auto& s) { return s.name == name; });
        if (it == subs_.end())
            return false;
        subs_.erase(it);
        return true;
    }

    /// Removes every subscription on `table`; how many went.
    std::size_t remove_table(const std::string& table)
    {
        std::size_t before = subs_.size();
        subs_.erase(std::remove_if(subs_.begin(), subs_.end(), [&](const auto& s) { return s.table == table; }),
                    subs_.end());
        return before - subs_.size();
    }

    void clear() noexcept { subs_.clear(); }
    bool empty() const noexcept { return subs_.empty(); }
    std::size_t size() const noexcept { return subs_.size(); }
    const std::vector<flx_named_subscription>& subscriptions() const noexcept { return subs_; }

    /// The body of IDENT/QUERY: {"Table":"(q1) OR (q2)", ...}.
    std::string to_json() const
    {
        std::map<std::string, std::vector<std::string>> by_table;
        for (const auto& s : subs_) {
            auto& qs = by_table[s.table];
            if (std::find(qs.begin(), qs.end(), s.query) == qs.end())
                qs.push_back(s.query);
        }
        std::string out = "{";
        bool first_table = true;
        for (auto& [table, qs] : by_table) {
            std::sort(qs.begin(), qs.end());
            std::string q;
            for (std::size_t i = 0; i < qs.size(); ++i)
                q += (i ? " OR (" : "(") + qs[i] + ")";
            if (!first_table)
                out += ',';
            first_table = false;
            out += auth::detail::json_quote(table) + ':' + auth::detail::json_quote(q);
        }
        return out + "}";
    }

    friend bool operator==(const flx_subscription_set& a, const flx_subscription_set& b) { return a.subs_ == b.subs_; }
    friend bool operator!=(const flx_subscription_set& a, const flx_subscription_set& b) { return !(a == b); }

private:
    std::vector<flx_named_subscription> subs_;
};

enum class flx_subscription_state { pending, bootstrapping, awaiting_mark, complete, error, superseded };

inline const char* to_string(flx_subscription_state s) noexcept
{
    switch (s) {
        case flx_subscription_state::pending: return "pending";
        case flx_subscription_state::bootstrapping: return "bootstrapping";
        case flx_subscription_state::awaiting_mark: return "awaiting_mark";
        case flx_subscription_state::complete: return "complete";
        case flx_subscription_state::error: return "error";
        case flx_subscription_state::superseded: return "superseded";
    }
    return "?";
}

/// One version of a client's subscription set.
struct flx_subscription_version {
    std::int64_t version = 0;
    std::string json; ///< what was (or will be) sent
    flx_subscription_state state = flx_subscription_state::pending;
    int error_code = 0;        ///< QUERY_ERROR's code (226 bad_query)
    std::string error_message; ///< and its text
    /// Whether the wait for this version is over (complete, superseded or error).
    bool settled() const noexcept
    {
        return state == flx_subscription_state::complete || state == flx_subscription_state::superseded ||
               state == flx_subscription_state::error;
    }
};

class flx_subscription_store {
public:
    /// Version 1 is `initial_json` (what IDENT carries on a fresh session).
    explicit flx_subscription_store(std::string initial_json = "{}") { versions_.push_back(make(1, std::move(initial_json))); }

    /// A new version with `json`; returns its number (one above the newest).
    std::int64_t add(std::string json)
    {
        std::int64_t v = versions_.back().version + 1;
        versions_.push_back(make(v, std::move(json)));
        return v;
    }

    const flx_subscription_version* find(std::int64_t v) const
    {
        for (const auto& x : versions_)
            if (x.version == v)
                return &x;
        return nullptr;
    }
    const std::vector<flx_subscription_version>& versions() const noexcept { return versions_; }
    std::int64_t latest() const noexcept { return versions_.back().version; }

    /// What IDENT sends: the newest version whose bootstrap the realm took (the realm holds its
    /// view), else the oldest version not refused (a fresh session's first set).
    std::pair<std::int64_t, std::string> ident_query() const
    {
        for (auto it = versions_.rbegin(); it != versions_.rend(); ++it)
            if (it->state == flx_subscription_state::complete || it->state == flx_subscription_state::awaiting_mark)
                return {it->version, it->json};
        for (const auto& x : versions_)
            if (x.state != flx_subscription_state::error && x.state != flx_subscription_state::superseded)
                return {x.version, x.json};
        return {0, "{}"};
    }

    /// What QUERY sends next: the oldest version above `after` still waiting for its bootstrap.
    std::optional<std::pair<std::int64_t, std::string>> next_query(std::int64_t after) const
    {
        for (const auto& x : versions_)
            if (x.version > after &&
                (x.state == flx_subscription_state::pending || x.state == flx_subscription_state::bootstrapping))
                return std::make_pair(x.version, x.json);
        return std::nullopt;
    }

    /// A DOWNLOAD of `query_version` with `batch` was integrated. False = a bootstrap the client did not
    /// ask for and cannot take (an unknown version, or one the server refused): realm-core's
    /// SyncProtocolInvariantFailed.
    bool on_download(std::int64_t query_version, protocol::batch_state batch)
    {
        if (batch == protocol::batch_state::steady_state)
            return true;
        flx_subscription_version* x = get(query_version);
        if (!x)
            return query_version == 0; // version 0: the empty set before any
        if (x->state == flx_subscription_state::error)
            return false;
        if (x->state == flx_subscription_state::awaiting_mark || x->state == flx_subscription_state::complete) {
            if (batch == protocol::batch_state::last_in_batch)
                ++server_initiated_;
            return true; // the server re-sent this version's view: the state stays
        }
        if (x->state == flx_subscription_state::superseded)
            return true;
        x->state = batch == protocol::batch_state::last_in_batch ? flx_subscription_state::awaiting_mark
                                                                 : flx_subscription_state::bootstrapping;
        if (x->state == flx_subscription_state::awaiting_mark)
            for (auto& o : versions_)
                if (o.version < query_version && !o.settled())
                    o.state = flx_subscription_state::superseded;
        return true;
    }

    /// Download completion (a MARK answered after the bootstrap): every awaiting_mark version is
    /// complete. True if any changed.
    bool on_download_complete()
    {
        bool any = false;
        for (auto& x : versions_)
            if (x.state == flx_subscription_state::awaiting_mark) {
                x.state = flx_subscription_state::complete;
                any = true;
            }
        return any;
    }

    bool awaiting_mark() const noexcept
    {
        return std::any_of(versions_.begin(), versions_.end(),
                           [](const auto& x) { return x.state == flx_subscription_state::awaiting_mark; });
    }

    /// QUERY_ERROR for `query_version`. False if the version is unknown or already complete (realm-core
    /// treats both as a protocol violation).
    bool on_query_error(std::int64_t query_version, int code, std::string message)
    {
        flx_subscription_version* x = get(query_version);
        if (!x || x->state == flx_subscription_state::complete)
            return false;
        x->state = flx_subscription_state::error;
        x->error_code = code;
        x->error_message = std::move(message);
        return true;
    }

    /// Bootstraps the server sent for a version the client already had complete (protocol v14's
    /// server-initiated bootstraps, e.g. after a permission change).
    std::size_t server_initiated_bootstraps() const noexcept { return server_initiated_; }

private:
    static flx_subscription_version make(std::int64_t v, std::string json)
    {
        flx_subscription_version x;
        x.version = v;
        x.json = std::move(json);
        return x;
    }

    flx_subscription_version* get(std::int64_t v)
    {
        for (auto& x : versions_)
            if (x.version == v)
                return &x;
        return nullptr;
    }

    std::vector<flx_subscription_version> versions_;
    std::size_t server_initiated_ = 0;
};

} // namespace realmwire::reference

#endif
