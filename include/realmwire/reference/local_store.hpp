#ifndef REALMWIRE_REFERENCE_LOCAL_STORE_HPP
#define REALMWIRE_REFERENCE_LOCAL_STORE_HPP

// The reference client's durable store: an object_store whose every change is first written to an
// append-only log file (durable_log.hpp: length + CRC-32 per record, fdatasync before append()
// returns, a torn tail cut back on open). Opening the file replays the log into a fresh object_store,
// so a client that was killed (kill -9, power cut) comes back with every write it reported done, its
// client file ident and salt, its sync progress and its not-yet-uploaded changes — a user can write
// offline and sync later.
//
//   reference::local_store st;
//   st.open("tasks.rwlocal");                      // replays what is there
//   st.put_items({{1, "a"}});                      // on disk when this returns
//   auto c = std::make_shared<reference::client>(ioc, cfg, st.objects(), &st);
//
// The log holds operations, not snapshots: the server's IDENT (ident, salt), each local commit (its
// origin timestamp and changeset) and each integrated DOWNLOAD (its progress and raw entries).
// Replaying them in order through object_store reproduces the same state bit for bit, because the
// store is deterministic: the same local commits and the same DOWNLOADs give the same merge (the
// transform of a DOWNLOAD against the local changes the server had not integrated yet) and the same
// objects. Why a log and not write-temp+fsync+rename: each write costs one append and one fdatasync
// of a small record, not a rewrite of the whole realm; and a log never has a window in which the
// old file is gone and the new one not yet complete. Its cost is that it grows with every record:
// compact() rewrites it as one snapshot record of the store's content (object_store::snapshot: the
// objects as changesets that recreate them, the local and reciprocal history, ident, progress), written
// to FILE.compact, fsynced and renamed over FILE, so a crash leaves the old log or the new one, never
// neither; set_auto_compact(bytes) does that whenever the log has outgrown a size.
//
// A record is applied to the objects before it is logged; when the append fails the call reports
// the error (a local write: ec; a DOWNLOAD: status bad_client_file), and the client must not count
// that change as done. Needs realmwire::compression (CRC-32). POSIX only.

#include "realmwire/detail/byte_order.hpp"
#include "realmwire/reference/durable_log.hpp"
#include "realmwire/reference/object_store.hpp"

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace realmwire::reference {

class local_store final : public endpoint::client_store {
public:
    local_store() = default;
    local_store(const local_store&) = delete;
    local_store& operator=(const local_store&) = delete;

    /// Opens (creating) `file` and replays it. A record that does not replay (a log from another
    /// program, a bug) is an error: illegal_byte_sequence, nothing half applied is kept.
    void open(const std::string& file, std::error_code& ec)
    {
        path_ = file;
        replayed_ = 0;
        compactions_ = 0;
        objects_ = std::make_unique<object_store>();
        replaying_ = true;
        std::error_code bad;
        log_.open(
            file,
            [&](std::string_view r) {
                if (!bad)
                    replay(r, bad);
            },
            ec);
        replaying_ = false;
        if (!ec && bad)
            ec = bad;
        if (ec) {
            log_.close();
            objects_ = std::make_unique<object_store>();
            return;
        }
        open_ = true;
        compacted_size_ = log_.size();
    }
    void open(const std::string& file)
    {
        throw_on_error("local_store::open " + file, [&](std::error_code& ec) { open(file, ec); });
    }
    bool is_open() const noexcept { return open_; }
    /// Records replayed by open() (for tests and the tool's report).
    std::size_t replayed() const noexcept { return replayed_; }

    /// Bytes in the log file now.
    std::uint64_t log_bytes() const noexcept { return log_.size(); }

    /// Rewrites the log as one snapshot record of the store's content, so that it stops growing with
    /// every write and DOWNLOAD and opens without replaying them. Local changesets the server has
    /// integrated are dropped first (object_store::forget_integrated_history); those still to upload
    /// are all kept, so a store written offline gets no smaller (the snapshot can even be larger than
    /// such a log: it holds the objects too). The snapshot goes to FILE.compact, is fsynced, and is
    /// renamed over FILE (the directory fsynced after): a crash at any moment leaves either the old log
    /// or the new one, and both open to this content. The snapshot is read back before it replaces
    /// anything. On an error the store keeps using the log it had (file_too_large: the snapshot is larger
    /// than a record may be; state_not_recoverable: it did not read back to the same objects).
    void compact(std::error_code& ec) { rewrite(ec, false); }
    void compact()
    {
        throw_on_error("local_store::compact " + path_, [&](std::error_code& ec) { compact(ec); });
    }
    /// Compacts after an append once the log is larger than `bytes` and more than twice its size after
    /// the last compaction (or open), and only when the snapshot is smaller than the log, so a store
    /// whose content is itself large is not rewritten on every write. 0 (the default) never compacts on
    /// its own. A compaction that fails leaves the log as it was (the append itself succeeded) and is
    /// tried again when the log has doubled once more.
    void set_auto_compact(std::uint64_t bytes) noexcept { auto_compact_ = bytes; }
    /// Compactions done since open() (by compact() or on their own).
    std::size_t compactions() const noexcept { return compactions_; }

    /// The object model (read it; write through commit()/put_items() here so writes are logged).
    object_store& objects() noexcept { return *objects_; }
    const object_store& objects() const noexcept { return *objects_; }

    /// A local write, on disk when this returns without error; returns its client version (0 on error).
    std::uint64_t commit(const changeset::changeset& cs, std::uint64_t origin_timestamp, std::error_code& ec)
    {
        std::uint64_t v = objects_->commit(cs, origin_timestamp, ec);
        if (ec)
            return 0;
        const endpoint::local_changeset& l = objects_->local_history().back();
        std::string rec(1, kind_commit);
        put(rec, origin_timestamp);
        rec += l.changeset;
        append(rec, ec);
        return ec ? 0 : v;
    }
    std::uint64_t commit(const changeset::changeset& cs, std::error_code& ec) { return commit(cs, sync_timestamp_now(), ec); }

    /// object_store::put_items, logged.
    std::uint64_t put_items(const std::vector<std::pair<std::int64_t, std::optional<std::string>>>& items,
                            std::uint64_t origin_timestamp, std::error_code& ec)
    {
        return commit(objects_->items_changeset(items), origin_timestamp, ec);
    }
    std::uint64_t put_items(const std::vector<std::pair<std::int64_t, std::optional<std::string>>>& items)
    {
        return throw_on_error("local_store::put_items",
                              [&](std::error_code& ec) { return put_items(items, sync_timestamp_now(), ec); });
    }

    // ---- endpoint::client_store ----
    std::optional<endpoint::salted_file_ident> client_file_ident() override { return objects_->client_file_ident(); }
    endpoint::status set_client_file_ident(const endpoint::salted_file_ident& ident) override
    {
        objects_->set_client_file_ident(ident);
        std::string rec(1, kind_ident);
        put(rec, ident.ident);
        put(rec, static_cast<std::uint64_t>(ident.salt));
        std::error_code ec;
        append(rec, ec);
        if (ec)
            return endpoint::status::error(protocol::protocol_error::bad_client_file, "local file: " + ec.message());
        return endpoint::status::success();
    }
    endpoint::sync_progress progress() override { return objects_->progress(); }
    std::uint64_t current_client_version() override { return objects_->current_client_version(); }
    void collect_uploads(const endpoint::upload_cursor& after, std::size_t max_bytes, endpoint::upload_batch& out) override
    {
        objects_->collect_uploads(after, max_bytes, out);
    }
    endpoint::status integrate(const endpoint::incoming_download& d) override
    {
        endpoint::status st = objects_->integrate(d);
        if (!st.ok() || replaying_)
            return st;
        std::string rec(1, kind_download);
        put(rec, d.progress.latest_server_version.version);
        put(rec, static_cast<std::uint64_t>(d.progress.latest_server_version.salt));
        put(rec, d.progress.download.server_version);
        put(rec, d.progress.download.last_integrated_client_version);
        put(rec, d.progress.upload.client_version);
        put(rec, d.progress.upload.last_integrated_server_version);
        put(rec, d.downloadable_bytes);
        put(rec, static_cast<std::uint64_t>(d.batch));
        put(rec, static_cast<std::uint64_t>(d.query_version));
        rec += d.changesets.bytes();
        std::error_code ec;
        append(rec, ec);
        if (ec)
            return endpoint::status::error(protocol::protocol_error::bad_client_file, "local file: " + ec.message());
        return st;
    }
    std::optional<std::pair<std::int64_t, std::string>> flx_query() override { return objects_->flx_query(); }

private:
    static constexpr char kind_ident = 'I';
    static constexpr char kind_commit = 'C';
    static constexpr char kind_download = 'D';
    static constexpr char kind_snapshot = 'S'; ///< only as the first record: the store's whole content

    static void put(std::string& out, std::uint64_t v) { ::realmwire::detail::append_u64_le(out, v); }
    static bool get(std::string_view& in, std::uint64_t& v) { return ::realmwire::detail::take_u64_le(in, v); }

    void append(const std::string& rec, std::error_code& ec)
    {
        if (!open_) {
            ec = std::make_error_code(std::errc::bad_file_descriptor);
            return;
        }
        log_.append(rec, ec);
        if (!ec && auto_compact_ != 0 && log_.size() > auto_compact_ && log_.size() / 2 > compacted_size_) {
            std::error_code ignored;
            if (!rewrite(ignored, true) && open_)
                compacted_size_ = log_.size(); // not now: again when the log has doubled
        }
    }

    /// compact(); with `only_if_smaller`, nothing is written unless the snapshot is smaller than the
    /// log. True when the log was rewritten.
    bool rewrite(std::error_code& ec, bool only_if_smaller)
    {
        ec.clear();
        if (!open_) {
            ec = std::make_error_code(std::errc::bad_file_descriptor);
            return false;
        }
        std::string rec(1, kind_snapshot);
        object_store::snapshot_options opt;
        opt.drop_integrated_history = true;
        rec += objects_->snapshot(ec, opt);
        if (ec)
            return false;
        if (only_if_smaller && sizeof durable_log::magic + durable_log::record_header_size + rec.size() >= log_.size())
            return false;
        {
            // Never replace a log that opens with one that would not: the snapshot is read back first
            // and must give the same objects (state_not_recoverable otherwise; the log is kept).
            object_store check;
            check.restore(std::string_view(rec).substr(1), ec);
            if (!ec && !(check.state() == objects_->state()))
                ec = std::make_error_code(std::errc::state_not_recoverable);
            if (ec)
                return false;
        }
        log_.replace(path_, rec, ec);
        if (ec) {
            open_ = log_.is_open();
            return false;
        }
        objects_->forget_integrated_history(); // as the new file has it
        compacted_size_ = log_.size();
        ++compactions_;
        return true;
    }

    void replay(std::string_view r, std::error_code& ec)
    {
        const auto bad = [&] { ec = std::make_error_code(std::errc::illegal_byte_sequence); };
        if (r.empty())
            return bad();
        char kind = r[0];
        r.remove_prefix(1);
        ++replayed_;
        if (kind == kind_ident) {
            std::uint64_t ident = 0, salt = 0;
            if (!get(r, ident) || !get(r, salt) || !r.empty())
                return bad();
            objects_->set_client_file_ident({ident, static_cast<std::int64_t>(salt)});
            return;
        }
        if (kind == kind_commit) {
            std::uint64_t ts = 0;
            if (!get(r, ts))
                return bad();
            std::error_code dec;
            changeset::changeset cs = changeset::decode_changeset(r, dec);
            if (dec)
                return bad();
            objects_->commit(cs, ts, dec);
            if (dec)
                return bad();
            return;
        }
        if (kind == kind_snapshot) {
            if (replayed_ != 1) // a snapshot is a whole store: nothing may come before it
                return bad();
            std::error_code rec;
            objects_->restore(r, rec);
            if (rec)
                return bad();
            return;
        }
        if (kind == kind_download) {
            endpoint::incoming_download d;
            std::uint64_t v[9] = {};
            for (auto& x : v)
                if (!get(r, x))
                    return bad();
            d.progress.latest_server_version = {v[0], static_cast<std::int64_t>(v[1])};
            d.progress.download = {v[2], v[3]};
            d.progress.upload = {v[4], v[5]};
            d.downloadable_bytes = v[6];
            if (v[7] > 2)
                return bad();
            d.batch = static_cast<protocol::batch_state>(v[7]);
            d.query_version = static_cast<std::int64_t>(v[8]);
            std::error_code pec;
            d.changesets = protocol::parse_download_entries(r, pec);
            if (pec)
                return bad();
            if (!objects_->integrate(d).ok())
                return bad();
            return;
        }
        bad();
    }

    durable_log log_;
    std::string path_;
    std::uint64_t auto_compact_ = 0;
    std::uint64_t compacted_size_ = 0; ///< log size after the last compaction (or open)
    std::size_t compactions_ = 0;
    std::unique_ptr<object_store> objects_ = std::make_unique<object_store>();
    std::size_t replayed_ = 0;
    bool replaying_ = false;
    bool open_ = false;
};

} // namespace realmwire::reference

#endif
