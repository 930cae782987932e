#ifndef REALMWIRE_REFERENCE_HISTORY_HPP
#define REALMWIRE_REFERENCE_HISTORY_HPP

// The server side of a realm: its history of changesets (one server version per integrated
// changeset, each with a random salt), the client files it has handed out (ident + salt) and each
// client file's upload cursor. Kept in memory and in one durable_log per realm, so a kill -9 loses
// nothing integrate() returned for and duplicates nothing.
//
// Uploads are merged before they get here (sync_backend.hpp, endpoint/upload_merge.hpp): what a
// history stores is the transformed changeset, plus, per client file, the reciprocal history the
// transformer keeps (each other client's entry as already transformed against that client's uploads).
// Both are written in the upload's one log record, so a kill -9 keeps all of an upload or none of it.
// The reciprocal history is trimmed as each client's upload cursor moves and bounded in bytes per realm
// (reciprocal_history.hpp); the trim follows from the cursor in the same record, so replay repeats it.
// A re-sent changeset (a client resuming after a crash of either side) is recognised by its client
// version and skipped, never integrated twice.
//
// realm_directory maps realm paths to histories under a data directory (`<data>/realms/<hex>.log`,
// a hash for long paths), keeping a bounded LRU of them open.
// Neither class locks: the reference server calls them from its one I/O thread.

#include "realmwire/detail/byte_order.hpp"
#include "realmwire/protocol/entries.hpp"
#include "realmwire/protocol/protocol_error.hpp"
#include "realmwire/reference/durable_log.hpp"
#include "realmwire/reference/reciprocal_history.hpp"
#include "realmwire/reference/state.hpp"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <list>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <sys/stat.h>

namespace realmwire::reference {

/// One integrated changeset.
struct history_entry {
    std::uint64_t server_version = 0;
    std::int64_t salt = 0;                          ///< salt of this server version
    std::uint64_t origin_file_ident = 0;            ///< the client file it came from
    std::uint64_t client_version = 0;               ///< its version in that client's history
    std::uint64_t last_integrated_server_version = 0;
    std::uint64_t origin_timestamp = 0;
    std::string changeset;
};

/// A client file the server handed out.
struct client_file {
    std::uint64_t ident = 0;
    std::int64_t salt = 0;
    std::uint64_t last_integrated_client_version = 0; ///< highest changeset client version integrated
    std::uint64_t upload_progress_client_version = 0; ///< UPLOAD progress (acknowledged upload cursor)
    std::uint64_t upload_progress_server_version = 0;
};

/// A random salt as realm-core makes them: positive, 63 bits, never 0.
inline std::int64_t make_salt()
{
    std::uint64_t v = 0;
    while (v == 0) {
        if (RAND_bytes(reinterpret_cast<unsigned char*>(&v), sizeof v) != 1)
            v = 0x5eed5eed5eedULL;
        v &= 0x7FFFFFFFFFFFFFFFULL;
    }
    return static_cast<std::int64_t>(v);
}

/// What one UPLOAD did.
struct integrate_result {
    std::size_t integrated = 0; ///< changesets that got a new server version
    std::size_t duplicates = 0; ///< re-sent changesets skipped
};

class realm_history {
public:
    realm_history() = default;

    /// Opens (or creates) the history file at `file` and replays it.
    void open(const std::string& file, std::error_code& ec)
    {
        reset();
        log_.open(
            file, [&](std::string_view rec) { replay(rec); }, ec);
    }

    /// In memory only (tests, embedded use): nothing is written.
    void open_in_memory() { reset(); }

    std::uint64_t version() const noexcept { return entries_.size(); }
    std::int64_t salt_of(std::uint64_t version) const noexcept
    {
        return version == 0 || version > entries_.size() ? 0 : entries_[version - 1].salt;
    }
    const std::vector<history_entry>& entries() const noexcept { return entries_; }
    const client_file* find_client(std::uint64_t ident) const
    {
        auto it = clients_.find(ident);
        return it == clients_.end() ? nullptr : &it->second;
    }
    std::size_t client_count() const noexcept { return clients_.size(); }
    const durable_log& log() const noexcept { return log_; }

    /// Bytes the reciprocal history of this realm may hold (over all client files); an upload whose
    /// updates would leave more is refused with merge_error::reciprocal_history_too_large and nothing is
    /// stored. 0 = no limit. Not stored: whoever opens the history sets it.
    void set_max_reciprocal_bytes(std::uint64_t n) noexcept { max_reciprocal_bytes_ = n; }
    std::uint64_t max_reciprocal_bytes() const noexcept { return max_reciprocal_bytes_; }

    /// Hands out the next client file ident (realm-core's server starts at 2) with a fresh salt.
    client_file allocate_client_file(std::error_code& ec)
    {
        client_file f = add_client_file(next_ident_, ec);
        if (ec)
            return {};
        ++next_ident_;
        return f;
    }

    /// IDENT checks (docs/protocol.md): unknown file 208, salt mismatch 211, download cursor past
    /// the history 209, download client version past what was integrated 210, a latest server version
    /// (+salt) this history never had 209 / 211. A value-initialised protocol_error (0) means none.
    protocol::protocol_error check_ident(std::uint64_t ident, std::int64_t salt, std::uint64_t download_server_version,
                                         std::uint64_t download_client_version, std::uint64_t latest_server_version,
                                         std::int64_t latest_server_version_salt) const
    {
        const client_file* f = find_client(ident);
        if (!f)
            return protocol::protocol_error::bad_client_file_ident;
        if (f->salt != salt)
            return protocol::protocol_error::diverging_histories;
        if (latest_server_version > version() || download_server_version > latest_server_version)
            return protocol::protocol_error::bad_server_version;
        if (salt_of(latest_server_version) != latest_server_version_salt)
            return protocol::protocol_error::diverging_histories;
        if (download_client_version > f->last_integrated_client_version)
            return protocol::protocol_error::bad_client_version;
        return {};
    }

    /// Integrates an UPLOAD's entries for client file `ident` (the caller validated the cursor rules):
    /// entries at or below the file's last integrated client version are re-sends and skipped; the
    /// rest get the next server versions. One log record and one fdatasync per call, before returning.
    /// `reciprocal` (optional): reciprocal history updates for `ident` (server version → transformed
    /// entry), stored in the same record. `ident`'s reciprocal entries at or below its upload progress
    /// server version are dropped (never read again); updates below it are not even written.
    integrate_result integrate(std::uint64_t ident, const std::vector<protocol::upload_entry>& in,
                               std::uint64_t progress_client_version, std::uint64_t progress_server_version,
                               std::error_code& ec, const std::map<std::uint64_t, std::string>* reciprocal = nullptr)
    {
        ec.clear();
        integrate_result r;
        auto it = clients_.find(ident);
        if (it == clients_.end()) {
            ec = std::make_error_code(std::errc::invalid_argument);
            return r;
        }
        client_file& f = it->second;
        std::vector<history_entry> fresh;
        std::uint64_t last_cv = f.last_integrated_client_version;
        for (const auto& e : in) {
            if (e.client_version <= last_cv) {
                ++r.duplicates;
                continue;
            }
            history_entry h;
            h.server_version = version() + fresh.size() + 1;
            h.salt = make_salt();
            h.origin_file_ident = ident;
            h.client_version = e.client_version;
            h.last_integrated_server_version = e.server_version;
            h.origin_timestamp = e.origin_timestamp;
            h.changeset.assign(e.changeset.data(), e.changeset.size());
            last_cv = e.client_version;
            fresh.push_back(std::move(h));
        }
        std::uint64_t pcv = std::max(f.upload_progress_client_version, progress_client_version);
        std::uint64_t psv = std::max(f.upload_progress_server_version, progress_server_version);
        reciprocal_store::updates live;
        if (reciprocal)
            live = reciprocal_store::live(*reciprocal, psv);
        const bool recip = !live.empty();
        if (fresh.empty() && !recip && pcv == f.upload_progress_client_version && psv == f.upload_progress_server_version)
            return r;
        reciprocal_.check(ident, live, psv, max_reciprocal_bytes_, ec);
        if (ec)
            return {};
        std::string rec;
        rec.push_back('U');
        put(rec, ident);
        put(rec, pcv);
        put(rec, psv);
        put(rec, fresh.size());
        for (const auto& h : fresh) {
            put(rec, h.server_version);
            put(rec, static_cast<std::uint64_t>(h.salt));
            put(rec, h.client_version);
            put(rec, h.last_integrated_server_version);
            put(rec, h.origin_timestamp);
            put(rec, h.changeset.size());
            rec.append(h.changeset);
        }
        if (recip) {
            // Optional trailing section (records written before it existed end here).
            put(rec, live.size());
            for (const auto& [v, bytes] : live) {
                put(rec, v);
                put(rec, bytes.size());
                rec.append(bytes);
            }
        }
        // A record of upload progress alone (a client acknowledging the server versions it integrated,
        // which realm-core's client does after every DOWNLOAD) is not worth an fdatasync: lost, the
        // client sends it again; the next record with changesets syncs it along.
        write(rec, ec, !fresh.empty() || recip);
        if (ec)
            return {};
        reciprocal_.apply(ident, live, psv);
        r.integrated = fresh.size();
        for (auto& h : fresh)
            entries_.push_back(std::move(h));
        f.last_integrated_client_version = last_cv;
        f.upload_progress_client_version = pcv;
        f.upload_progress_server_version = psv;
        return r;
    }

    /// The client file ident of changesets the server writes itself (FLX compensating writes):
    /// realm-core's server numbers clients from 2, and a client never sees its own ident in a DOWNLOAD.
    static constexpr std::uint64_t server_file_ident = 1;

    /// Stores a changeset the server wrote itself (origin server_file_ident), durably, as the next
    /// server version; returns that version (0 on error).
    std::uint64_t integrate_server_changeset(std::string changeset, std::uint64_t timestamp, std::error_code& ec)
    {
        ec.clear();
        if (clients_.count(server_file_ident) == 0) {
            add_client_file(server_file_ident, ec);
            if (ec)
                return 0;
        }
        client_file& f = clients_[server_file_ident];
        std::uint64_t cv = f.last_integrated_client_version + 1;
        std::vector<protocol::upload_entry> one{{cv, version(), timestamp, 0, changeset}};
        integrate(server_file_ident, one, cv, version(), ec);
        return ec ? 0 : version();
    }

    /// The realm's current state: every stored changeset applied in order (built on first use; a stored
    /// changeset that does not apply — only possible in a history written before merging existed — is
    /// left out). The server applies each merged upload to a copy first and refuses one that fails.
    const reference::state& current_state()
    {
        if (!state_built_) {
            state_ = {};
            for (const auto& e : entries_) {
                std::error_code ec;
                state_.apply(e.changeset, ec);
            }
            state_built_ = true;
        }
        return state_;
    }
    /// Replaces the current state (after the caller stored the changesets that led to it).
    void set_current_state(reference::state s)
    {
        state_ = std::move(s);
        state_built_ = true;
    }

    /// The reciprocal transform of entry `version` kept for client file `client`, or nullptr.
    const std::string* reciprocal(std::uint64_t client, std::uint64_t version) const
    {
        return reciprocal_.find(client, version);
    }
    /// Reciprocal entries kept, over all client files.
    std::size_t reciprocal_count() const noexcept { return reciprocal_.count(); }
    /// Bytes of the reciprocal entries kept, over all client files.
    std::uint64_t reciprocal_bytes() const noexcept { return reciprocal_.bytes(); }

    /// The highest client version of `ident` integrated at or before server version `v`.
    std::uint64_t client_version_at(std::uint64_t ident, std::uint64_t v) const noexcept
    {
        std::uint64_t cv = 0;
        for (std::uint64_t i = 0; i < v && i < entries_.size(); ++i) {
            if (entries_[i].origin_file_ident == ident)
                cv = entries_[i].client_version;
        }
        return cv;
    }

private:
    static constexpr std::uint64_t first_client_ident = 2;

    /// Forgets everything recorded (the reciprocal-history limit is configuration and stays): both
    /// ways of opening start from here.
    void reset()
    {
        entries_.clear();
        clients_.clear();
        reciprocal_.clear();
        state_ = {};
        state_built_ = false;
        next_ident_ = first_client_ident;
    }

    /// Records a client file `ident` with a fresh salt (an 'I' record) and keeps it.
    client_file add_client_file(std::uint64_t ident, std::error_code& ec)
    {
        client_file f;
        f.ident = ident;
        f.salt = make_salt();
        std::string rec;
        rec.push_back('I');
        put(rec, f.ident);
        put(rec, static_cast<std::uint64_t>(f.salt));
        write(rec, ec);
        if (!ec)
            clients_[f.ident] = f;
        return f;
    }

    static void put(std::string& out, std::uint64_t v) { ::realmwire::detail::append_u64_le(out, v); }
    static bool get(std::string_view& in, std::uint64_t& v) { return ::realmwire::detail::take_u64_le(in, v); }

    void write(const std::string& rec, std::error_code& ec, bool sync = true)
    {
        ec.clear();
        if (log_.is_open())
            log_.append(rec, ec, sync);
    }

    // A record the checksum vouched for but that does not parse can only come from a different
    // program version; it is skipped rather than guessed at.
    void replay(std::string_view rec)
    {
        if (rec.empty())
            return;
        char type = rec[0];
        rec.remove_prefix(1);
        if (type == 'I') {
            std::uint64_t ident = 0, salt = 0;
            if (!get(rec, ident) || !get(rec, salt))
                return;
            client_file f;
            f.ident = ident;
            f.salt = static_cast<std::int64_t>(salt);
            clients_[ident] = f;
            next_ident_ = std::max(next_ident_, ident + 1);
        }
        else if (type == 'U') {
            std::uint64_t ident = 0, pcv = 0, psv = 0, n = 0;
            if (!get(rec, ident) || !get(rec, pcv) || !get(rec, psv) || !get(rec, n))
                return;
            auto it = clients_.find(ident);
            if (it == clients_.end())
                return;
            for (std::uint64_t i = 0; i < n; ++i) {
                history_entry h;
                std::uint64_t salt = 0, size = 0;
                if (!get(rec, h.server_version) || !get(rec, salt) || !get(rec, h.client_version) ||
                    !get(rec, h.last_integrated_server_version) || !get(rec, h.origin_timestamp) || !get(rec, size) ||
                    rec.size() < size || h.server_version != entries_.size() + 1)
                    return;
                h.salt = static_cast<std::int64_t>(salt);
                h.origin_file_ident = ident;
                h.changeset.assign(rec.data(), static_cast<std::size_t>(size));
                rec.remove_prefix(static_cast<std::size_t>(size));
                it->second.last_integrated_client_version = h.client_version;
                entries_.push_back(std::move(h));
            }
            it->second.upload_progress_client_version = pcv;
            it->second.upload_progress_server_version = psv;
            // The optional reciprocal section, then the trim the cursor implies (as integrate() did).
            reciprocal_store::updates updates;
            std::uint64_t m = 0;
            if (!rec.empty() && get(rec, m)) {
                for (std::uint64_t i = 0; i < m; ++i) {
                    std::uint64_t v = 0, size = 0;
                    if (!get(rec, v) || !get(rec, size) || rec.size() < size)
                        break;
                    updates[v].assign(rec.data(), static_cast<std::size_t>(size));
                    rec.remove_prefix(static_cast<std::size_t>(size));
                }
            }
            reciprocal_.apply(ident, updates, psv);
        }
    }

    durable_log log_;
    std::vector<history_entry> entries_;
    std::map<std::uint64_t, client_file> clients_;
    reciprocal_store reciprocal_;
    std::uint64_t max_reciprocal_bytes_ = 0;
    std::uint64_t next_ident_ = first_client_ident;
    reference::state state_;
    bool state_built_ = false;
};

/// Realm path → history, each in its own log file under `<data_dir>/realms/`. An empty data dir means
/// in memory only.
///
/// Open histories form an LRU of at most `max_open` (each holds a file descriptor and its changesets
/// in memory): opening one more closes the least recently used, which the next get() replays from
/// its file. So however many realms clients bind, the server holds a bounded number of files and
/// never runs out of descriptors for /auth or new realms. In memory (no data dir) nothing is evicted,
/// since nothing could be read back.
class realm_directory {
public:
    static constexpr std::size_t default_max_open = 256;

    realm_directory() = default;
    explicit realm_directory(std::string data_dir, std::size_t max_open = default_max_open)
        : dir_(std::move(data_dir))
        , max_open_(max_open == 0 ? 1 : max_open)
    {
    }
    virtual ~realm_directory() = default;

    const std::string& data_dir() const noexcept { return dir_; }
    std::size_t max_open() const noexcept { return max_open_; }
    /// Histories open now.
    std::size_t open_count() const noexcept { return realms_.size(); }

    /// The history of `path`, opened (or created) on first use; nullptr with `ec` on I/O failure.
    /// The pointer is valid until the next get() (which may evict it).
    virtual realm_history* get(const std::string& path, std::error_code& ec)
    {
        ec.clear();
        auto it = realms_.find(path);
        if (it != realms_.end()) {
            lru_.splice(lru_.begin(), lru_, it->second.use);
            return it->second.history.get();
        }
        auto h = std::make_unique<realm_history>();
        if (dir_.empty()) {
            h->open_in_memory();
        }
        else {
            while (realms_.size() >= max_open_ && !lru_.empty()) {
                realms_.erase(lru_.back());
                lru_.pop_back();
            }
            std::string sub = dir_ + "/realms";
            ::mkdir(dir_.c_str(), 0700);
            if (::mkdir(sub.c_str(), 0700) == 0)
                durable_log::sync_parent_dir(sub);
            h->open(sub + "/" + file_name(path), ec);
            if (ec)
                return nullptr;
        }
        lru_.push_front(path);
        auto& slot = realms_[path];
        slot.history = std::move(h);
        slot.use = lru_.begin();
        return slot.history.get();
    }

    /// Paths open now (every path used so far when in memory).
    std::vector<std::string> paths() const
    {
        std::vector<std::string> out;
        for (const auto& kv : realms_)
            out.push_back(kv.first);
        return out;
    }

    /// Longest realm path whose file name is its bytes in hex: 2 × 100 + ".log" stays well inside
    /// NAME_MAX (255) on every common file system.
    static constexpr std::size_t max_hex_name_path = 100;

    /// A file name for a realm path: its bytes in hex (any path, no escaping questions), or for a
    /// longer path "h" + the SHA-256 of its bytes in hex, so every valid realm path (up to 1024
    /// bytes) has a file name the file system accepts.
    static std::string file_name(std::string_view path)
    {
        static const char digits[] = "0123456789abcdef";
        auto hex = [&](const unsigned char* p, std::size_t n) {
            std::string s;
            s.reserve(2 * n);
            for (std::size_t i = 0; i < n; ++i) {
                s.push_back(digits[p[i] >> 4]);
                s.push_back(digits[p[i] & 0xF]);
            }
            return s;
        };
        if (path.size() <= max_hex_name_path)
            return hex(reinterpret_cast<const unsigned char*>(path.data()), path.size()) + ".log";
        unsigned char md[SHA256_DIGEST_LENGTH];
        SHA256(reinterpret_cast<const unsigned char*>(path.data()), path.size(), md);
        return "h" + hex(md, sizeof md) + ".log";
    }

private:
    struct slot {
        std::unique_ptr<realm_history> history;
        std::list<std::string>::iterator use;
    };

    std::string dir_;
    std::size_t max_open_ = default_max_open;
    std::map<std::string, slot> realms_;
    std::list<std::string> lru_; ///< most recently used first
};

} // namespace realmwire::reference

#endif
