#ifndef REALMWIRE_REFERENCE_OBJECT_STORE_HPP
#define REALMWIRE_REFERENCE_OBJECT_STORE_HPP

// The reference client's local store: an in-memory object model (tables, objects by primary key,
// fields, lists) that applies downloaded changesets and records local writes as changesets, with the
// client-side history the sync protocol needs (client versions, the server version each local change
// was based on, the download cursor).
//
// Table names are the names on the wire: a Realm file's `class_Item` is `Item` in a changeset (the
// `class_` prefix is a storage detail of realm-core), and this store keeps the wire name. The first
// schema is realm-core's test client's: table Item, Int primary key `_id`, nullable String `name`;
// put_item() writes exactly the instructions its writes produce (see the a-write5 session vector):
// AddTable + AddColumn the first time, then CreateObject + Update per object, in the client layout.
//
// The object model and the applier are reference::state (state.hpp); this class adds the client-side
// history around it, and merges like realm-core's client: a downloaded changeset is transformed against
// the local changes the server had not integrated yet (merge/transformer.hpp, with a reciprocal history
// of those local changes), then applied, so the store converges with every other replica.

// decoder.hpp must come before instruction.hpp (it names changeset::uuid, which the struct
// changeset::changeset would otherwise shadow).
#include "realmwire/changeset/model_decoder.hpp"
#include "realmwire/changeset/encoder.hpp"
#include "realmwire/changeset/instruction.hpp"
#include "realmwire/changeset/print.hpp"
#include "realmwire/endpoint/client_store.hpp"
#include "realmwire/merge/transformer.hpp"
#include "realmwire/reference/changeset_builder.hpp"
#include "realmwire/reference/state.hpp"
#include "realmwire/detail/byte_order.hpp"
#include "realmwire/error.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <variant>
#include <vector>

namespace realmwire::reference {

/// Milliseconds since 2015-01-01T00:00:00Z (realm-core's sync timestamp epoch).
inline std::uint64_t sync_timestamp_now()
{
    using namespace std::chrono;
    auto ms = duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
    constexpr std::int64_t epoch_2015 = 1420070400000LL;
    return ms > epoch_2015 ? static_cast<std::uint64_t>(ms - epoch_2015) : 0;
}

class object_store : public endpoint::client_store {
public:
    // ---- the object model ----
    const realmwire::reference::state& state() const noexcept { return state_; }
    const std::map<std::string, table>& tables() const noexcept { return state_.tables(); }
    const table* find_table(const std::string& name) const { return state_.find_table(name); }
    /// Downloaded changesets that could not apply (each one refused the whole DOWNLOAD).
    std::size_t skipped() const noexcept { return skipped_; }

    // ---- endpoint::client_store ----
    std::optional<endpoint::salted_file_ident> client_file_ident() override { return ident_; }
    endpoint::status set_client_file_ident(const endpoint::salted_file_ident& ident) override
    {
        ident_ = ident;
        return endpoint::status::success();
    }
    endpoint::sync_progress progress() override { return progress_; }
    std::uint64_t current_client_version() override { return version_; }
    void collect_uploads(const endpoint::upload_cursor& after, std::size_t max_bytes, endpoint::upload_batch& out) override
    {
        out = {};
        std::size_t bytes = 0;
        std::uint64_t scanned = std::max(after.client_version, std::uint64_t{1});
        std::uint64_t scanned_sv = after.last_integrated_server_version;
        bool capped = false;
        for (const auto& c : history_) {
            if (c.client_version <= after.client_version)
                continue;
            if (!out.changesets.empty() && bytes + c.changeset.size() > max_bytes) {
                capped = true;
                break;
            }
            bytes += c.changeset.size();
            out.changesets.push_back(c);
            scanned = c.client_version;
            scanned_sv = c.last_integrated_server_version;
        }
        if (!capped && version_ > scanned) {
            scanned = version_;
            scanned_sv = progress_.download.server_version;
        }
        out.progress = {scanned, scanned_sv};
        out.locked_server_version = progress_.download.server_version;
    }
    /// Integrates a DOWNLOAD as realm-core's client does: the changesets are decoded, transformed
    /// against the local changes the server had not integrated when it produced them (each entry's
    /// last_integrated_client_version says how far it had), using the store's reciprocal history, then
    /// applied. All of it or nothing: a changeset that does not decode, merge or apply leaves the store
    /// unchanged and refuses the DOWNLOAD (212 bad_changeset).
    endpoint::status integrate(const endpoint::incoming_download& d) override
    {
        std::vector<merge::versioned_changeset> in;
        for (const auto& e : d.changesets) {
            std::error_code ec;
            merge::versioned_changeset v;
            v.cs = changeset::decode_changeset(e.changeset, ec);
            if (ec)
                return endpoint::status::error(protocol::protocol_error::bad_changeset,
                                               "server version " + std::to_string(e.server_version) + ": " + ec.message());
            v.version = e.server_version;
            v.last_integrated_remote_version = e.client_version;
            v.origin_timestamp = e.origin_timestamp;
            v.origin_file_ident = e.origin_file_ident;
            in.push_back(std::move(v));
        }
        std::map<std::uint64_t, std::string> reciprocal_updates;
        if (!in.empty()) {
            transform_view h(*this, reciprocal_updates);
            std::error_code ec;
            transformer_.transform_remote_changesets(h, ident_ ? ident_->ident : 0, version_, in, ec);
            if (ec)
                return endpoint::status::error(protocol::protocol_error::bad_changeset, "merge: " + ec.message());
        }
        std::vector<changeset::changeset> merged;
        merged.reserve(in.size());
        for (auto& v : in)
            merged.push_back(std::move(v.cs));
        std::error_code ec;
        apply_info where;
        state_.apply(merged, ec, &where); // all or nothing
        if (ec) {
            ++skipped_;
            return endpoint::status::error(protocol::protocol_error::bad_changeset,
                                           "server version " + std::to_string(in[where.changeset].version) +
                                               ", instruction " + std::to_string(where.instruction) + ": " + ec.message());
        }
        for (auto& [v, bytes] : reciprocal_updates)
            reciprocal_[v] = std::move(bytes);
        if (!in.empty())
            ++version_;
        progress_ = d.progress;
        downloaded_changesets_ += in.size();
        // Local changes the server has integrated are never transformed against again.
        reciprocal_.erase(reciprocal_.begin(), reciprocal_.upper_bound(progress_.download.last_integrated_client_version));
        return endpoint::status::success();
    }

    /// Reciprocal entries kept (local changes as transformed against downloads so far).
    std::size_t reciprocal_count() const noexcept { return reciprocal_.size(); }

    /// Local version (realm-core's: 1 is the empty file; each local write or integrated DOWNLOAD with
    /// changesets adds one).
    std::uint64_t version() const noexcept { return version_; }
    const endpoint::sync_progress& sync_state() const noexcept { return progress_; }
    /// Local changesets recorded so far (all of them, the server skips re-sent ones; until
    /// forget_integrated_history() drops those nothing needs any more).
    const std::vector<endpoint::local_changeset>& local_history() const noexcept { return history_; }
    /// Upload complete: the server acknowledged every local version.
    bool upload_complete() const noexcept
    {
        return history_.empty() || progress_.upload.client_version >= history_.back().client_version;
    }
    std::size_t downloaded_changesets() const noexcept { return downloaded_changesets_; }

    // ---- applying ----
    /// Decodes and applies one changeset; on an error nothing is applied.
    void apply(std::string_view bytes, std::error_code& ec, apply_info* where = nullptr) { state_.apply(bytes, ec, where); }
    void apply(const changeset::changeset& cs, std::error_code& ec, apply_info* where = nullptr)
    {
        state_.apply(cs, ec, where);
    }
    void apply(const changeset::changeset& cs) { state_.apply(cs); }

    // ---- local writes ----
    /// Applies `cs` to the model and records it as a local changeset (encoded in realm-core's client
    /// layout); returns its client version, or 0 with `ec` set when `cs` does not encode, does not decode
    /// back within the default changeset limits, or does not apply (nothing recorded).
    std::uint64_t commit(const changeset::changeset& cs, std::error_code& ec)
    {
        return commit(cs, sync_timestamp_now(), ec);
    }
    /// The same with the origin timestamp given (merging orders concurrent writes by it; replays and
    /// tests need it deterministic).
    std::uint64_t commit(const changeset::changeset& cs, std::uint64_t origin_timestamp, std::error_code& ec)
    {
        // Encoded and read back before anything changes: a write the decoder refuses (a name longer
        // than realm allows, a string that is not UTF-8, a string id the changeset does not intern) is
        // refused here, since the server would refuse its upload and a local store could not replay it.
        std::string bytes = changeset::encode(cs, changeset::layout::client, ec);
        if (ec)
            return 0;
        changeset::decode_changeset(bytes, ec);
        if (ec)
            return 0;
        state_.apply(cs, ec);
        if (ec)
            return 0;
        ++version_;
        endpoint::local_changeset l;
        l.client_version = version_;
        l.last_integrated_server_version = progress_.download.server_version;
        l.origin_timestamp = origin_timestamp;
        l.changeset = std::move(bytes);
        history_.push_back(std::move(l));
        return version_;
    }
    std::uint64_t commit(const changeset::changeset& cs)
    {
        return throw_on_error("commit", [&](std::error_code& ec) { return commit(cs, ec); });
    }

    /// realm-core test client's schema and write: objects Item{_id, name} in one changeset, with the
    /// schema instructions when the table is not there yet. Returns the client version.
    std::uint64_t put_items(const std::vector<std::pair<std::int64_t, std::optional<std::string>>>& items)
    {
        return commit(items_changeset(items));
    }
    /// The changeset put_items() commits (for stores that log it first: local_store.hpp).
    changeset::changeset items_changeset(const std::vector<std::pair<std::int64_t, std::optional<std::string>>>& items) const
    {
        changeset::changeset cs;
        changeset::string_id item = cs.intern("Item");
        if (!find_table("Item")) {
            changeset::string_id id = cs.intern("_id");
            changeset::add_table at;
            at.table = item;
            at.pk_field = id;
            at.pk_type = changeset::payload_type::integer;
            at.pk_nullable = false;
            cs.instructions.emplace_back(at);
            changeset::string_id name = cs.intern("name");
            cs.intern(""); // realm-core's client interns "" for AddColumn's link target
            changeset::add_column ac;
            ac.table = item;
            ac.field = name;
            ac.type = changeset::payload_type::string;
            ac.nullable = true;
            cs.instructions.emplace_back(ac);
        }
        for (const auto& [pk, name] : items) {
            changeset::create_object co;
            co.table = item;
            co.object = pk;
            cs.instructions.emplace_back(co);
            changeset::update u;
            u.table = item;
            u.object = pk;
            u.field = cs.intern("name");
            u.value = name ? changeset::payload::make_string(*name) : changeset::payload::null();
            cs.instructions.emplace_back(u);
        }
        return cs;
    }

    /// Item{_id=1, name="obj-1"} lines, sorted by primary key (the test client's print format).
    std::vector<std::string> describe(const std::string& table_name = "Item") const
    {
        std::vector<std::string> out;
        const table* t = find_table(table_name);
        if (!t)
            return out;
        for (const auto& [key, obj] : t->objects) {
            std::string s = table_name + "{" + t->pk_field + "=" + key_string(key);
            for (const auto& [f, v] : obj.fields) {
                s += ", " + f + "=";
                if (v.kind != changeset::collection_type::single) {
                    s += state_.format_field(v);
                    continue;
                }
                s += value_string(v.scalar.scalar);
            }
            out.push_back(s + "}");
        }
        return out;
    }

    static std::string key_string(const object_key& k)
    {
        if (std::holds_alternative<std::int64_t>(k))
            return std::to_string(std::get<std::int64_t>(k));
        if (std::holds_alternative<std::string>(k))
            return "\"" + std::get<std::string>(k) + "\"";
        if (std::holds_alternative<std::monostate>(k))
            return "null";
        return state::format_key(k);
    }
    static std::string value_string(const changeset::payload& p)
    {
        switch (p.type) {
            case changeset::payload_type::null: return "null";
            case changeset::payload_type::integer: return std::to_string(p.integer);
            case changeset::payload_type::boolean: return p.boolean ? "true" : "false";
            case changeset::payload_type::string: return "\"" + p.data + "\"";
            default: return changeset::name_of(p.type);
        }
    }

    /// Drops the local changesets no exchange needs any more: those the server has integrated
    /// (progress().upload) and that every later DOWNLOAD is based on (progress().download's
    /// last_integrated_client_version, so no merge transforms against them again). Returns how many.
    /// A local store does this when it compacts; local_history() is "all of them" until then.
    std::size_t forget_integrated_history()
    {
        const std::size_t n = integrated_history();
        history_.erase(history_.begin(), history_.begin() + static_cast<std::ptrdiff_t>(n));
        return n;
    }
    /// How many of the oldest local changesets forget_integrated_history() would drop.
    std::size_t integrated_history() const
    {
        const std::uint64_t done =
            std::min(progress_.upload.client_version, progress_.download.last_integrated_client_version);
        auto end = std::upper_bound(history_.begin(), history_.end(), done,
                                    [](std::uint64_t v, const endpoint::local_changeset& c) { return v < c.client_version; });
        return static_cast<std::size_t>(end - history_.begin());
    }

    // ---- snapshot (what a local store compacts its log into) ----
    /// Everything the store holds, as bytes: the client file ident, the sync progress, the versions and
    /// counters, every local changeset, the reciprocal history and the objects (as changesets that
    /// recreate them, changeset_builder.hpp) and the tables other tables' Mixed fields have linked to
    /// (table::mixed_link_target, which no changeset can recreate). restore() of it gives a store equal
    /// to this one.
    ///
    ///   snapshot   = u64 format(2) u64 has_ident ident salt  progress(6 x u64)
    ///                version downloaded_changesets skipped
    ///                u64 n (client_version last_integrated_server_version origin_timestamp bytes){n}
    ///                u64 n (client_version bytes){n}          reciprocal history
    ///                u64 n bytes{n}                           the objects, as changesets
    ///                u64 n bytes{n}                           table names: mixed_link_target
    ///   bytes      = u64 length, then that many bytes;  every u64 little-endian
    ///
    /// Format 1 (before the last list) is still read.
    ///
    /// `objects_per_changeset` bounds each state changeset (so that each decodes within the default
    /// changeset limits); ec is file_too_large when one would still exceed them (an object too large
    /// for one changeset), and nothing is returned. With `drop_integrated_history`, the local changesets
    /// forget_integrated_history() would drop are left out.
    struct snapshot_options {
        std::size_t objects_per_changeset = 1000;
        bool drop_integrated_history = false;
    };
    std::string snapshot(std::error_code& ec, const snapshot_options& opt) const
    {
        ec.clear();
        std::string out;
        auto put = [&](std::uint64_t v) { ::realmwire::detail::append_u64_le(out, v); };
        auto put_bytes = [&](std::string_view b) {
            put(b.size());
            out.append(b.data(), b.size());
        };
        put(snapshot_format);
        put(ident_ ? 1 : 0);
        put(ident_ ? ident_->ident : 0);
        put(ident_ ? static_cast<std::uint64_t>(ident_->salt) : 0);
        put(progress_.latest_server_version.version);
        put(static_cast<std::uint64_t>(progress_.latest_server_version.salt));
        put(progress_.download.server_version);
        put(progress_.download.last_integrated_client_version);
        put(progress_.upload.client_version);
        put(progress_.upload.last_integrated_server_version);
        put(version_);
        put(downloaded_changesets_);
        put(skipped_);
        const std::size_t skip = opt.drop_integrated_history ? integrated_history() : 0;
        put(history_.size() - skip);
        for (auto it = history_.begin() + static_cast<std::ptrdiff_t>(skip); it != history_.end(); ++it) {
            const endpoint::local_changeset& c = *it;
            put(c.client_version);
            put(c.last_integrated_server_version);
            put(c.origin_timestamp);
            put_bytes(c.changeset);
        }
        put(reciprocal_.size());
        for (const auto& [v, bytes] : reciprocal_) {
            put(v);
            put_bytes(bytes);
        }
        std::vector<std::string> objects = state_changesets(state_, opt.objects_per_changeset);
        put(objects.size());
        const changeset::limits lim;
        for (const auto& cs : objects) {
            if (cs.size() > lim.max_changeset_size) {
                ec = std::make_error_code(std::errc::file_too_large);
                return {};
            }
            put_bytes(cs);
        }
        std::vector<std::string_view> targets;
        for (const auto& [name, t] : state_.tables())
            if (t.mixed_link_target)
                targets.push_back(name);
        put(targets.size());
        for (std::string_view name : targets)
            put_bytes(name);
        return out;
    }
    std::string snapshot(std::error_code& ec) const { return snapshot(ec, snapshot_options{}); }

    /// Replaces the store's content with `in` (a snapshot()). Every field is checked before anything is
    /// kept: on an error `ec` is illegal_byte_sequence, `where` says at which byte offset and field,
    /// and the store is unchanged.
    void restore(std::string_view in, std::error_code& ec, error_info& where)
    {
        ec.clear();
        where = {};
        const std::size_t total = in.size();
        // Every error names the field and the offset where that field starts.
        const char* failed_field = nullptr;
        std::size_t failed_at = 0;
        auto pos = [&] { return total - in.size(); };
        auto fail_at = [&](std::size_t at, const char* field) {
            if (!failed_field) {
                failed_field = field;
                failed_at = at;
            }
            return false;
        };
        auto get = [&](std::uint64_t& v, const char* field) {
            const std::size_t at = pos();
            return ::realmwire::detail::take_u64_le(in, v) || fail_at(at, field);
        };
        auto get_bytes = [&](std::string_view& b, const char* field) {
            const std::size_t at = pos();
            std::uint64_t n = 0;
            if (!get(n, field))
                return false;
            if (n > in.size())
                return fail_at(at, field);
            b = in.substr(0, static_cast<std::size_t>(n));
            in.remove_prefix(static_cast<std::size_t>(n));
            return true;
        };
        // A count can only be as large as the bytes left allow (each element takes at least
        // `min_size` of them): a count from a damaged file never makes us reserve or loop for more.
        auto get_count = [&](std::uint64_t& n, std::size_t min_size, const char* field) {
            const std::size_t at = pos();
            return get(n, field) && (n <= in.size() / min_size || fail_at(at, field));
        };
        // Bytes that must hold a changeset that decodes (an error points at its length field).
        auto get_changeset = [&](std::string_view& b, const char* field) {
            const std::size_t at = pos();
            if (!get_bytes(b, field))
                return false;
            std::error_code dec;
            changeset::decode_changeset(b, dec);
            return !dec || fail_at(at, field);
        };
        // Read into a fresh store whose members are moved in only when all of it was read.
        object_store next;
        realmwire::reference::state& next_state = next.state_;
        next_state.set_max_path_length(state_.max_path_length());
        bool ok = [&] {
            std::uint64_t format = 0, has_ident = 0, ident = 0, salt = 0;
            if (!get(format, "format"))
                return false;
            if (format != snapshot_format && format != 1)
                return fail_at(0, "format");
            if (!get(has_ident, "ident"))
                return false;
            if (has_ident > 1)
                return fail_at(pos() - 8, "ident");
            if (!get(ident, "ident") || !get(salt, "salt"))
                return false;
            if (has_ident)
                next.ident_ = endpoint::salted_file_ident{ident, static_cast<std::int64_t>(salt)};
            std::uint64_t p[6] = {};
            for (auto& x : p)
                if (!get(x, "progress"))
                    return false;
            next.progress_.latest_server_version = {p[0], static_cast<std::int64_t>(p[1])};
            next.progress_.download = {p[2], p[3]};
            next.progress_.upload = {p[4], p[5]};
            std::uint64_t downloaded = 0, skipped = 0;
            if (!get(next.version_, "version"))
                return false;
            if (next.version_ == 0)
                return fail_at(pos() - 8, "version");
            if (!get(downloaded, "downloaded_changesets") || !get(skipped, "skipped"))
                return false;
            next.downloaded_changesets_ = static_cast<std::size_t>(downloaded);
            next.skipped_ = static_cast<std::size_t>(skipped);
            std::uint64_t n = 0;
            if (!get_count(n, 32, "history"))
                return false;
            next.history_.reserve(static_cast<std::size_t>(n));
            for (std::uint64_t i = 0; i < n; ++i) {
                const std::size_t at = pos();
                endpoint::local_changeset c;
                if (!get(c.client_version, "history.client_version") ||
                    !get(c.last_integrated_server_version, "history.last_integrated_server_version") ||
                    !get(c.origin_timestamp, "history.origin_timestamp"))
                    return false;
                // Client versions rise and stay within the store's version; each changeset decodes
                // (it is uploaded and merged against later).
                if ((!next.history_.empty() && c.client_version <= next.history_.back().client_version) ||
                    c.client_version == 0 || c.client_version > next.version_)
                    return fail_at(at, "history.client_version");
                std::string_view bytes;
                if (!get_changeset(bytes, "history.changeset"))
                    return false;
                c.changeset.assign(bytes.data(), bytes.size());
                next.history_.push_back(std::move(c));
            }
            if (!get_count(n, 16, "reciprocal"))
                return false;
            for (std::uint64_t i = 0; i < n; ++i) {
                const std::size_t at = pos();
                std::uint64_t v = 0;
                if (!get(v, "reciprocal.client_version"))
                    return false;
                if ((!next.reciprocal_.empty() && v <= next.reciprocal_.rbegin()->first) || v > next.version_)
                    return fail_at(at, "reciprocal.client_version");
                std::string_view bytes;
                if (!get_changeset(bytes, "reciprocal.changeset"))
                    return false;
                next.reciprocal_.emplace_hint(next.reciprocal_.end(), v, std::string(bytes));
            }
            if (!get_count(n, 8, "objects"))
                return false;
            for (std::uint64_t i = 0; i < n; ++i) {
                const std::size_t at = pos();
                std::string_view bytes;
                if (!get_bytes(bytes, "objects.changeset"))
                    return false;
                std::error_code err;
                next_state.apply(bytes, err); // decoded with the default limits, applied all or nothing
                if (err)
                    return fail_at(at, "objects.changeset");
            }
            if (format >= 2) {
                if (!get_count(n, 8, "mixed_link_targets"))
                    return false;
                std::string_view last;
                for (std::uint64_t i = 0; i < n; ++i) {
                    const std::size_t at = pos();
                    std::string_view name;
                    if (!get_bytes(name, "mixed_link_targets"))
                        return false;
                    // In name order, once each (one encoding per content), and tables that exist.
                    if ((i > 0 && name <= last) || !next_state.mark_mixed_link_target(std::string(name)))
                        return fail_at(at, "mixed_link_targets");
                    last = name;
                }
            }
            return in.empty() || fail_at(pos(), "end");
        }();
        if (!ok) {
            ec = std::make_error_code(std::errc::illegal_byte_sequence);
            where.offset = failed_at;
            where.field = failed_field ? failed_field : "snapshot";
            return;
        }
        state_ = std::move(next_state);
        reciprocal_ = std::move(next.reciprocal_);
        history_ = std::move(next.history_);
        ident_ = next.ident_;
        progress_ = next.progress_;
        downloaded_changesets_ = next.downloaded_changesets_;
        version_ = next.version_;
        skipped_ = next.skipped_;
    }
    void restore(std::string_view in, std::error_code& ec)
    {
        error_info where;
        restore(in, ec, where);
    }

    /// Same content: objects, local and reciprocal history, ident, progress, versions and counters.
    friend bool operator==(const object_store& a, const object_store& b)
    {
        const auto same = [](const endpoint::local_changeset& x, const endpoint::local_changeset& y) {
            return x.client_version == y.client_version &&
                   x.last_integrated_server_version == y.last_integrated_server_version &&
                   x.origin_timestamp == y.origin_timestamp && x.changeset == y.changeset;
        };
        return a.state_ == b.state_ && a.reciprocal_ == b.reciprocal_ &&
               std::equal(a.history_.begin(), a.history_.end(), b.history_.begin(), b.history_.end(), same) &&
               a.ident_ == b.ident_ && a.progress_ == b.progress_ && a.version_ == b.version_ &&
               a.downloaded_changesets_ == b.downloaded_changesets_ && a.skipped_ == b.skipped_;
    }
    friend bool operator!=(const object_store& a, const object_store& b) { return !(a == b); }

private:
    static constexpr std::uint64_t snapshot_format = 2;

    /// The transformer's view of the local history: the local changesets (origin 0), by client version.
    class transform_view {
    public:
        transform_view(const object_store& s, std::map<std::uint64_t, std::string>& updates) : s_(s), updates_(updates) {}
        std::uint64_t find_history_entry(std::uint64_t begin, std::uint64_t end, merge::history_entry_view& out)
        {
            auto it = std::upper_bound(s_.history_.begin(), s_.history_.end(), begin,
                                       [](std::uint64_t v, const endpoint::local_changeset& c) { return v < c.client_version; });
            for (; it != s_.history_.end() && it->client_version <= end; ++it) {
                if (it->changeset.empty())
                    continue;
                out.origin_file_ident = 0;
                out.origin_timestamp = it->origin_timestamp;
                out.remote_version = it->last_integrated_server_version;
                out.changeset = it->changeset;
                return it->client_version;
            }
            return 0;
        }
        std::string get_reciprocal_transform(std::uint64_t v)
        {
            auto u = updates_.find(v);
            if (u != updates_.end())
                return u->second;
            auto r = s_.reciprocal_.find(v);
            if (r != s_.reciprocal_.end())
                return r->second;
            for (const auto& c : s_.history_)
                if (c.client_version == v)
                    return c.changeset;
            return {};
        }
        void set_reciprocal_transform(std::uint64_t v, std::string encoded) { updates_[v] = std::move(encoded); }

    private:
        const object_store& s_;
        std::map<std::uint64_t, std::string>& updates_;
    };

    realmwire::reference::state state_;
    std::map<std::uint64_t, std::string> reciprocal_; ///< client version → transformed local changeset
    merge::transformer transformer_;
    std::vector<endpoint::local_changeset> history_;
    std::optional<endpoint::salted_file_ident> ident_;
    endpoint::sync_progress progress_{};
    std::size_t downloaded_changesets_ = 0;
    std::uint64_t version_ = 1;
    std::size_t skipped_ = 0;
};

} // namespace realmwire::reference

#endif
