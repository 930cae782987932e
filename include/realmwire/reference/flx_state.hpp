#ifndef REALMWIRE_REFERENCE_FLX_STATE_HPP
#define REALMWIRE_REFERENCE_FLX_STATE_HPP

// Flexible sync on the server, sans-I/O: a realm's objects materialised from its merged history, and
// per client the view that decides what it receives.
//
//   flx_realm        the realm's state after every server version, with each object's value after
//                    each version that touched it (so a view is evaluated on what an object was at
//                    the changeset being sent, not on what it is now); indexed by table and key, so
//                    evaluating a subscription never scans unrelated tables
//   flx_access       what one client may see and write now: per table, its subscription's query
//                    AND its role's read filter, and its role's write filter
//   flx_client_view  per client file: the objects its realm holds; filters a history changeset for it
//                    (instructions on objects it cannot see dropped; an object entering its view sent
//                    whole, one leaving it erased) and builds the bootstrap that brings its realm to
//                    exactly the objects in a new view
//
// Server versions are the history's (1-based). Nothing here touches sockets or files.

#include "realmwire/reference/flx_view.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace realmwire::reference {

class flx_realm {
public:
    /// The state after version(): every changeset applied so far.
    const state& current() const noexcept { return state_; }
    std::uint64_t version() const noexcept { return version_; }

    /// Applies changeset `version` (= version() + 1) and records the value of every object it touched.
    /// A changeset that does not apply (only a history written before merging can hold one) is
    /// skipped, as realm_history::current_state skips it, and reported in `ec`.
    void apply(const changeset::changeset& cs, std::error_code& ec)
    {
        ++version_;
        std::map<std::string, flx_key_set> touched;
        for (const auto& in : cs.instructions) {
            std::string name;
            object_key key;
            if (flx_instruction_object(cs, in, name, key)) {
                touched[name].insert(key);
            }
            else if (auto* et = std::get_if<changeset::erase_table>(&in)) {
                // every object of the table goes with it
                if (et->table.index < cs.strings.size())
                    if (const table* t = state_.find_table(cs.strings[et->table.index]))
                        for (const auto& kv : t->objects)
                            touched[cs.strings[et->table.index]].insert(kv.first);
            }
        }
        state_.apply(cs, ec);
        if (ec)
            return;
        for (const auto& [table_name, keys] : touched) {
            const table* t = state_.find_table(table_name);
            if (t && t->embedded)
                continue;
            auto& per_key = snapshots_[table_name];
            for (const auto& k : keys) {
                std::optional<object> now;
                if (t) {
                    auto it = t->objects.find(k);
                    if (it != t->objects.end())
                        now = it->second;
                }
                auto& list = per_key[k];
                if (list.empty())
                    ++keys_;
                else
                    past_bytes_ += stored_bytes(list.back().second); // the newest value becomes a past one
                list.emplace_back(version_, std::move(now));
                ++values_;
            }
        }
    }
    void apply(std::string_view bytes, std::error_code& ec)
    {
        changeset::changeset cs = changeset::decode_changeset(bytes, ec);
        if (ec) {
            ++version_;
            return;
        }
        apply(cs, ec);
    }

    /// The object as it was after server version `v` (nullptr: it did not exist then).
    const object* at(std::string_view table_name, const object_key& k, std::uint64_t v) const
    {
        auto t = snapshots_.find(table_name);
        if (t == snapshots_.end())
            return nullptr;
        auto o = t->second.find(k);
        if (o == t->second.end())
            return nullptr;
        const auto& list = o->second;
        // last entry with version ≤ v
        auto it = std::upper_bound(list.begin(), list.end(), v,
                                   [](std::uint64_t x, const auto& e) { return x < e.first; });
        if (it == list.begin())
            return nullptr;
        --it;
        return it->second ? &*it->second : nullptr;
    }

    /// Every object of `table_name` that existed after version `v`, as (key, object), in key order.
    template <class F>
    void for_each_at(std::string_view table_name, std::uint64_t v, F&& f) const
    {
        for_each_at_after(table_name, v, nullptr, [&](const object_key& k, const object& o) {
            f(k, o);
            return true;
        });
    }

    /// The same from the first key after `*after` (from the first key when null), while `f` returns
    /// true: a walk that can stop and resume (a bootstrap made a changeset at a time).
    template <class F>
    void for_each_at_after(std::string_view table_name, std::uint64_t v, const object_key* after, F&& f) const
    {
        const auto walk = [&](const auto& objects, const auto& value_of) {
            for (auto it = after ? objects.upper_bound(*after) : objects.begin(); it != objects.end(); ++it)
                if (const object* o = value_of(*it); o && !f(it->first, *o))
                    return;
        };
        if (v >= version_) {
            if (const table* t = find(table_name))
                walk(t->objects, [](const auto& kv) { return &kv.second; });
            return;
        }
        auto t = snapshots_.find(table_name);
        if (t != snapshots_.end())
            walk(t->second, [&](const auto& kv) { return at(table_name, kv.first, v); });
    }

    const table* find(std::string_view table_name) const { return state_.find_table(std::string(table_name)); }

    /// Values kept for past versions: every recorded value but the newest of each object. This is
    /// what grows with the history (flx_options::max_past_values bounds it).
    std::size_t past_values() const noexcept { return values_ - keys_; }
    /// The memory those past values hold, in approx_bytes() (flx_options::max_past_value_bytes bounds
    /// it: one small change to a large object keeps a whole copy of it).
    std::size_t past_value_bytes() const noexcept { return past_bytes_; }
    /// The oldest server version at() and for_each_at() answer exactly (0 until trim()).
    std::uint64_t floor() const noexcept { return floor_; }

    /// Forgets what no version ≥ `keep_from` needs: per object the values before its value at
    /// `keep_from`, and objects gone by then with nothing after. Versions below keep_from can no
    /// longer be asked for (floor()).
    void trim(std::uint64_t keep_from)
    {
        keep_from = std::min(keep_from, version_);
        if (keep_from <= floor_)
            return;
        for (auto t = snapshots_.begin(); t != snapshots_.end();) {
            for (auto o = t->second.begin(); o != t->second.end();) {
                auto& list = o->second;
                auto after = std::upper_bound(list.begin(), list.end(), keep_from,
                                              [](std::uint64_t x, const auto& e) { return x < e.first; });
                if (after != list.begin()) {
                    auto base = std::prev(after); // the value at keep_from
                    values_ -= static_cast<std::size_t>(base - list.begin());
                    for (auto e = list.begin(); e != base; ++e)
                        past_bytes_ -= stored_bytes(e->second);
                    list.erase(list.begin(), base);
                }
                if (list.size() == 1 && !list.front().second && list.front().first <= keep_from) {
                    --values_;
                    --keys_;
                    o = t->second.erase(o);
                }
                else {
                    ++o;
                }
            }
            t = t->second.empty() ? snapshots_.erase(t) : std::next(t);
        }
        floor_ = keep_from;
    }

private:
    static std::size_t stored_bytes(const std::optional<object>& o) noexcept
    {
        return o ? approx_bytes(*o) : 0;
    }

    state state_;
    std::uint64_t version_ = 0;
    std::uint64_t floor_ = 0;
    std::size_t values_ = 0; ///< entries in snapshots_
    std::size_t keys_ = 0;   ///< objects in snapshots_
    std::size_t past_bytes_ = 0; ///< approx_bytes of every entry but the newest of each object
    std::map<std::string, std::map<object_key, std::vector<std::pair<std::uint64_t, std::optional<object>>>, object_key_less>,
             std::less<>>
        snapshots_;
};

/// What one client may see and write, per table: the subscription's query, the role's read filter
/// (absent: no filter) and the role's write filter (absent: the table is not writable). A table with
/// no subscription is not in view.
struct flx_access {
    struct table_rules {
        query::bound_query subscription;
        std::optional<query::bound_query> read; ///< nullopt: the role may read every object
        std::optional<query::bound_query> write; ///< nullopt: the role may not write the table
    };
    std::map<std::string, table_rules, std::less<>> tables;
    /// Tables the client may write although it subscribed to none of their objects (writes there are
    /// still compensated: an object the client cannot see is outside its view).
    bool write_unsubscribed = false;

    bool sees(const flx_realm& realm, std::string_view table_name, const object_key& k, const object& o) const
    {
        auto it = tables.find(table_name);
        const table* t = realm.find(table_name);
        if (it == tables.end() || !t)
            return false;
        flx_object_view view(*t, k, o);
        return it->second.subscription.matches(view) && (!it->second.read || it->second.read->matches(view));
    }
};

/// One object the server refused to integrate from a client, and the value to put back.
struct flx_rejected_write {
    std::string table;
    object_key key;
    std::string reason;
};

/// A bootstrap being sent a changeset at a time (flx_client_view::next_bootstrap_changeset): what it
/// shows, the objects `access` selects at server `version`, read from the realm's past values so the
/// realm may move on meanwhile, and how far it has got. Only the changeset being made is in memory,
/// however large the view: made whole, a bootstrap held the objects in view once more per client
/// being bootstrapped, for as long as the client took to read them.
struct flx_bootstrap {
    flx_access access;
    std::uint64_t version = 0;
    std::size_t chunk_bytes = 64 * 1024;
    std::size_t made = 0;     ///< changesets made so far (the first carries the schema)
    bool erasing = false;     ///< past the objects in view: erasing the held ones that left it
    bool finished = false;    ///< the last changeset was made
    std::string table;        ///< where the next changeset starts: in this table,
    std::optional<object_key> after; ///< after this key (from the table's first when none)
    flx_held_set now;         ///< the objects in view so far: what the client holds at the end
};

/// Per client file: the objects its realm holds, and the changesets that keep that equal to its view.
class flx_client_view {
public:
    flx_held_set held;

    /// After IDENT: the client holds what its active view selected at its download cursor.
    void reset(const flx_realm& realm, const flx_access& access, std::uint64_t cursor)
    {
        held.clear();
        for (const auto& kv : access.tables) {
            const std::string& table_name = kv.first; // a lambda cannot capture a structured binding in C++17
            realm.for_each_at(table_name, cursor, [&](const object_key& k, const object& o) {
                if (access.sees(realm, table_name, k, o))
                    held[table_name].insert(k);
            });
        }
    }

    /// Changeset `version` of the history for this client. `own`: it came from this client (nothing
    /// is sent, the held set follows what its realm now has). Otherwise the instructions on objects
    /// the client sees before and after are kept, an object entering its view is appended whole and
    /// one leaving it is erased. Returns false when nothing is left to send; `out` is the changeset to
    /// send (untouched input bytes when everything was kept).
    bool filter(const flx_realm& realm, const flx_access& access, std::uint64_t version, std::string_view bytes,
                bool own, std::string& out, std::error_code& ec)
    {
        ec.clear();
        changeset::changeset cs = changeset::decode_changeset(bytes, ec);
        if (ec)
            return false;
        return filter(realm, access, version, cs, bytes, own, out);
    }

    bool filter(const flx_realm& realm, const flx_access& access, std::uint64_t version, const changeset::changeset& cs,
                std::string_view bytes, bool own, std::string& out)
    {
        enum class fate { keep, enter, leave, drop };
        std::map<std::pair<std::string, object_key>, fate, pair_less> decided;
        std::vector<bool> keep(cs.instructions.size(), true);
        bool all = true;
        std::string table_name;
        object_key key;
        for (std::size_t i = 0; i < cs.instructions.size(); ++i) {
            if (!flx_instruction_object(cs, cs.instructions[i], table_name, key))
                continue; // schema instructions go to every client
            auto [it, fresh] = decided.try_emplace({table_name, key}, fate::drop);
            if (fresh) {
                const object* after = realm.at(table_name, key, version);
                bool before = holds(table_name, key);
                if (own) {
                    it->second = fate::keep;
                    if (after)
                        held[table_name].insert(key);
                    else
                        forget(table_name, key);
                    continue;
                }
                bool now = after && access.sees(realm, table_name, key, *after);
                it->second = before && now ? fate::keep : now ? fate::enter : before ? fate::leave : fate::drop;
            }
            if (it->second != fate::keep) {
                keep[i] = false;
                all = false;
            }
        }
        if (own)
            return false;
        bool extra = false;
        for (const auto& [obj, f] : decided)
            extra = extra || f == fate::enter || f == fate::leave;
        if (all && !extra) {
            out.assign(bytes.data(), bytes.size());
            return !cs.instructions.empty();
        }
        flx_changeset_builder b;
        for (const auto& s : cs.strings)
            b.intern(s); // the kept instructions name strings by their original ids
        for (std::size_t i = 0; i < cs.instructions.size(); ++i)
            if (keep[i])
                b.add(cs.instructions[i]);
        for (const auto& [obj, f] : decided) {
            if (f == fate::enter) {
                b.full_object(obj.first, obj.second, *realm.at(obj.first, obj.second, version));
                held[obj.first].insert(obj.second);
            }
            else if (f == fate::leave) {
                b.erase_object(obj.first, obj.second);
                forget(obj.first, obj.second);
            }
        }
        if (b.empty())
            return false;
        out = b.take_encoded();
        return true;
    }

    /// A bootstrap to the objects `access` selects at server `version` (one the realm still answers:
    /// at or above its floor()), to be made with next_bootstrap_changeset().
    flx_bootstrap start_bootstrap(flx_access access, std::uint64_t version, std::size_t chunk_bytes) const
    {
        flx_bootstrap b;
        b.access = std::move(access);
        b.version = version;
        b.chunk_bytes = chunk_bytes;
        return b;
    }

    /// The next changeset of bootstrap `b` into `out`: the schema first, then every object in view that
    /// the client does not hold, whole, then an erase of every held object that left the view, cut
    /// into changesets of about `b.chunk_bytes` (one object may go over). Returns true for the last
    /// one; the client's held set is then the view's objects. Only a bootstrap that changes nothing
    /// is one empty changeset (realm-core's client cannot take a bootstrap without one). `b.version`
    /// must be at or above realm.floor().
    bool next_bootstrap_changeset(const flx_realm& realm, flx_bootstrap& b, std::string& out)
    {
        flx_changeset_builder builder;
        if (b.made++ == 0)
            builder.schema(realm.current());
        const std::size_t base = builder.approx_bytes(); // the schema does not count towards the size
        // An object or erase that would go into a full changeset is left for the next one, so a
        // changeset is never followed by an empty last one.
        const auto full = [&] { return builder.approx_bytes() - base >= b.chunk_bytes && !builder.empty(); };
        bool stopped = false;
        if (!b.erasing) {
            for (auto it = b.access.tables.lower_bound(b.table); it != b.access.tables.end() && !stopped; ++it) {
                const std::string& name = it->first;
                const std::optional<object_key> after = name == b.table ? b.after : std::nullopt;
                b.table = name;
                b.after.reset();
                const table* t = realm.find(name);
                if (!t || t->embedded)
                    continue;
                realm.for_each_at_after(name, b.version, after ? &*after : nullptr, [&](const object_key& k, const object& o) {
                    const bool in_view = b.access.sees(realm, name, k, o);
                    if (in_view && !holds(name, k)) {
                        if (full()) {
                            stopped = true;
                            return false; // the next changeset starts with this object
                        }
                        builder.full_object(name, k, o);
                    }
                    if (in_view)
                        b.now[name].insert(k);
                    b.after = k;
                    return true;
                });
                if (stopped)
                    b.after = b.after ? b.after : after; // resume after the last object done (or where this call began)
            }
            if (!stopped) {
                b.erasing = true;
                b.table.clear();
                b.after.reset();
            }
        }
        if (b.erasing) {
            for (auto it = held.lower_bound(b.table); it != held.end() && !stopped; ++it) {
                const std::string& name = it->first;
                const flx_key_set& keys = it->second;
                const std::optional<object_key> after = name == b.table ? b.after : std::nullopt;
                auto k = after ? keys.upper_bound(*after) : keys.begin();
                b.table = name;
                b.after.reset();
                const auto now = b.now.find(name);
                for (; k != keys.end(); ++k) {
                    const bool stays = now != b.now.end() && now->second.count(*k) != 0;
                    if (!stays && realm.at(name, *k, b.version)) {
                        if (full()) {
                            stopped = true;
                            break;
                        }
                        builder.erase_object(name, *k);
                    }
                    b.after = *k;
                }
                if (stopped)
                    b.after = b.after ? b.after : after;
            }
        }
        out = builder.take_encoded();
        if (stopped)
            return false;
        held = std::move(b.now);
        b.now.clear();
        b.finished = true;
        return true;
    }

    /// The whole bootstrap at once (the realm's current version), as next_bootstrap_changeset() makes it.
    std::vector<std::string> bootstrap(const flx_realm& realm, const flx_access& access, std::size_t chunk_bytes)
    {
        flx_bootstrap b = start_bootstrap(access, realm.version(), chunk_bytes);
        std::vector<std::string> out(1);
        while (!next_bootstrap_changeset(realm, b, out.back()))
            out.emplace_back();
        return out;
    }

    /// The instructions that undo `rejected` writes, given each object's value before the upload
    /// (`before`, at server version `base`) and now: an object the client created is erased, one it
    /// changed or erased is put back whole. The client's held set keeps the objects (its realm has
    /// them until the revert arrives).
    static std::string revert(const flx_realm& realm, std::uint64_t base, const std::vector<flx_rejected_write>& rejected)
    {
        flx_changeset_builder b;
        for (const auto& r : rejected) {
            const object* then = realm.at(r.table, r.key, base);
            const table* t = realm.find(r.table);
            bool exists_now = t && t->objects.count(r.key);
            if (!then) {
                if (exists_now)
                    b.erase_object(r.table, r.key);
            }
            else if (exists_now) {
                b.restore_object(r.table, r.key, *then);
            }
            else {
                b.full_object(r.table, r.key, *then);
            }
        }
        return b.take_encoded();
    }

    /// Whether the objects `access` selects at the realm's current version differ from what the
    /// client holds (a bootstrap to them would change its realm).
    bool differs(const flx_realm& realm, const flx_access& access) const
    {
        std::size_t seen = 0;
        for (const auto& kv : access.tables) {
            const table* t = realm.find(kv.first);
            if (!t || t->embedded)
                continue;
            for (const auto& [k, o] : t->objects) {
                if (!access.sees(realm, kv.first, k, o))
                    continue;
                if (!holds(kv.first, k))
                    return true;
                ++seen;
            }
        }
        return seen != held_count();
    }

    bool holds(std::string_view table_name, const object_key& k) const
    {
        auto it = held.find(table_name);
        return it != held.end() && it->second.count(k) != 0;
    }
    std::size_t held_count() const noexcept
    {
        std::size_t n = 0;
        for (const auto& kv : held)
            n += kv.second.size();
        return n;
    }

private:
    struct pair_less {
        bool operator()(const std::pair<std::string, object_key>& a, const std::pair<std::string, object_key>& b) const
        {
            if (a.first != b.first)
                return a.first < b.first;
            return object_key_less{}(a.second, b.second);
        }
    };
    void forget(std::string_view table_name, const object_key& k)
    {
        auto it = held.find(table_name);
        if (it != held.end())
            it->second.erase(k);
    }
};

} // namespace realmwire::reference

#endif
