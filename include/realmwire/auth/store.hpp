#ifndef REALMWIRE_AUTH_STORE_HPP
#define REALMWIRE_AUTH_STORE_HPP

// Users, realm permissions and revoked tokens behind a small interface (user_store), with an in-memory
// implementation and a file-backed one that survives a restart.
//
// The file store is incremental: a snapshot (`users.json`, one JSON document, replaced atomically: temporary
// file, fsync, rename, fsync of the directory) plus an append-only log beside it (`users.json.log`, one JSON
// change per line, fsync-ed per change). A change costs one appended line, not a rewrite of every user
// (a login on a store of 3,000 users used to rewrite them all). When the log holds more lines than the
// snapshot has records (and at least `compact_after_min`), the store compacts: writes a new snapshot, then
// empties the log. Every change is idempotent, so a crash between the two only replays lines that are
// already in the snapshot; a torn last line (a crash mid-append) is dropped on load.

#include "realmwire/auth/claims.hpp"
#include "realmwire/auth/password.hpp"
#include "realmwire/detail/json.hpp"
#include "realmwire/detail/posix_file.hpp"
#include "realmwire/errors/auth.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <vector>

#include <cerrno>

#include <fcntl.h>
#include <unistd.h>

namespace realmwire::auth {

/// One login of a user: a provider and the id the provider knows the user by.
struct account {
    std::string provider;
    std::string provider_id;
    friend bool operator==(const account& a, const account& b)
    {
        return a.provider == b.provider && a.provider_id == b.provider_id;
    }
};

struct user_record {
    std::string user_id;
    bool is_admin = false;
    std::vector<account> accounts;
    std::optional<password_hash> password; ///< for the "password" provider

    friend bool operator==(const user_record& a, const user_record& b)
    {
        return a.user_id == b.user_id && a.is_admin == b.is_admin && a.accounts == b.accounts && a.password == b.password;
    }
};

/// Access of a user (or of everyone, when user_id is empty) to one realm path.
struct realm_permission {
    std::string user_id; ///< empty: every user
    std::string path;
    std::uint32_t access = 0; ///< auth::privilege bits
};

/// Storage the /auth service needs. Implementations must be safe to call from several threads.
class user_store {
public:
    virtual ~user_store() = default;
    virtual std::optional<user_record> find_user(std::string_view user_id) const = 0;
    virtual std::optional<user_record> find_account(std::string_view provider, std::string_view provider_id) const = 0;
    /// Replaces the user with this user_id (an update of a known user: new password, admin flag). New users
    /// go through add_user, which never replaces.
    virtual void put_user(const user_record& user, std::error_code& ec) = 0;
    virtual void remove_user(std::string_view user_id, std::error_code& ec) = 0;
    /// Adds (or, for the same user and path, replaces) a permission.
    virtual void grant(const realm_permission& p, std::error_code& ec) = 0;
    /// The union of what `user_id` and everyone were granted on `path`.
    virtual std::uint32_t permissions(std::string_view user_id, std::string_view path) const = 0;
    /// Remembers a revoked token by its claims part until it expires (0: forever).
    virtual void revoke(std::string_view token_key, std::int64_t expires, std::error_code& ec) = 0;
    virtual bool is_revoked(std::string_view token_key) const = 0;

    /// Inserts a new user. Fails with auth_error::user_exists when the id or one of its accounts is taken
    /// (a record is never replaced by a registration), with auth_error::user_limit when the store holds
    /// `max_users` users already (0: no cap). The default is not atomic; the stores here override it.
    virtual void add_user(const user_record& user, std::size_t max_users, std::error_code& ec)
    {
        ec.clear();
        if (find_user(user.user_id)) {
            ec = auth_error::user_exists;
            return;
        }
        for (const auto& a : user.accounts) {
            if (find_account(a.provider, a.provider_id)) {
                ec = auth_error::user_exists;
                return;
            }
        }
        if (max_users != 0 && user_count() >= max_users) {
            ec = auth_error::user_limit;
            return;
        }
        put_user(user, ec);
    }
    /// How many users there are (0 from a store that does not count: caps are then not enforced).
    virtual std::size_t user_count() const { return 0; }
    /// How many users have an account with `provider` (same caveat).
    virtual std::size_t account_count(std::string_view provider) const
    {
        (void)provider;
        return 0;
    }
};

class memory_user_store : public user_store {
public:
    std::optional<user_record> find_user(std::string_view user_id) const override
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = users_.find(std::string(user_id));
        if (it == users_.end())
            return std::nullopt;
        return it->second;
    }
    std::optional<user_record> find_account(std::string_view provider, std::string_view provider_id) const override
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = accounts_.find(account_key(provider, provider_id));
        if (it == accounts_.end())
            return std::nullopt;
        return users_.at(it->second);
    }
    void put_user(const user_record& user, std::error_code& ec) override
    {
        std::lock_guard<std::mutex> lock(mutex_);
        apply_put(user);
        on_put(user, ec);
    }
    void add_user(const user_record& user, std::size_t max_users, std::error_code& ec) override
    {
        std::lock_guard<std::mutex> lock(mutex_);
        ec.clear();
        bool taken = users_.count(user.user_id) != 0;
        for (const auto& a : user.accounts)
            taken = taken || accounts_.count(account_key(a.provider, a.provider_id)) != 0;
        if (taken) {
            ec = auth_error::user_exists;
            return;
        }
        if (max_users != 0 && users_.size() >= max_users) {
            ec = auth_error::user_limit;
            return;
        }
        apply_put(user);
        on_put(user, ec);
    }
    void remove_user(std::string_view user_id, std::error_code& ec) override
    {
        std::lock_guard<std::mutex> lock(mutex_);
        apply_remove(std::string(user_id));
        on_remove(user_id, ec);
    }
    void grant(const realm_permission& p, std::error_code& ec) override
    {
        std::lock_guard<std::mutex> lock(mutex_);
        apply_grant(p);
        on_grant(p, ec);
    }
    std::uint32_t permissions(std::string_view user_id, std::string_view path) const override
    {
        std::lock_guard<std::mutex> lock(mutex_);
        std::uint32_t access = 0;
        for (const auto& q : permissions_) {
            if (q.path == path && (q.user_id.empty() || q.user_id == user_id))
                access |= q.access;
        }
        return access;
    }
    void revoke(std::string_view token_key, std::int64_t expires, std::error_code& ec) override
    {
        std::lock_guard<std::mutex> lock(mutex_);
        revoked_[std::string(token_key)] = expires;
        on_revoke(token_key, expires, ec);
    }
    bool is_revoked(std::string_view token_key) const override
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return revoked_.count(std::string(token_key)) != 0;
    }
    std::size_t user_count() const override
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return users_.size();
    }
    std::size_t account_count(std::string_view provider) const override
    {
        std::lock_guard<std::mutex> lock(mutex_);
        auto it = per_provider_.find(std::string(provider));
        return it == per_provider_.end() ? 0 : it->second;
    }

protected:
    // Called under the lock after each change is applied in memory; a durable store persists it here.
    virtual void on_put(const user_record&, std::error_code& ec) { ec.clear(); }
    virtual void on_remove(std::string_view, std::error_code& ec) { ec.clear(); }
    virtual void on_grant(const realm_permission&, std::error_code& ec) { ec.clear(); }
    virtual void on_revoke(std::string_view, std::int64_t, std::error_code& ec) { ec.clear(); }

    static std::string account_key(std::string_view provider, std::string_view provider_id)
    {
        std::string k(provider);
        k.push_back('\0'); // provider names hold no NUL, so (provider, id) pairs cannot collide
        k.append(provider_id);
        return k;
    }

    void apply_remove(const std::string& user_id)
    {
        auto it = users_.find(user_id);
        if (it == users_.end())
            return;
        for (const auto& a : it->second.accounts) {
            accounts_.erase(account_key(a.provider, a.provider_id));
            if (--per_provider_[a.provider] == 0)
                per_provider_.erase(a.provider);
        }
        users_.erase(it);
    }
    void apply_put(const user_record& user)
    {
        apply_remove(user.user_id);
        for (const auto& a : user.accounts) {
            accounts_[account_key(a.provider, a.provider_id)] = user.user_id;
            ++per_provider_[a.provider];
        }
        users_[user.user_id] = user;
    }
    void apply_grant(const realm_permission& p)
    {
        for (auto& q : permissions_) {
            if (q.user_id == p.user_id && q.path == p.path) {
                q.access = p.access;
                return;
            }
        }
        permissions_.push_back(p);
    }
    void clear_all()
    {
        users_.clear();
        accounts_.clear();
        per_provider_.clear();
        permissions_.clear();
        revoked_.clear();
    }

    mutable std::mutex mutex_;
    std::map<std::string, user_record> users_;
    std::unordered_map<std::string, std::string> accounts_;  ///< account_key → user_id
    std::map<std::string, std::size_t> per_provider_;         ///< provider → users with such an account
    std::vector<realm_permission> permissions_;
    std::map<std::string, std::int64_t> revoked_;
};

struct file_user_store_options {
    /// Compact when the log has more lines than this and than the snapshot has records.
    std::size_t compact_after_min = 1000;
    /// Refuse a snapshot or log larger than this on load (a store is read whole into memory).
    std::size_t max_file_bytes = std::size_t(1) << 30;
};

/// A memory store persisted as a snapshot plus an append-only change log (see the top of this file).
class file_user_store : public memory_user_store {
public:
    /// Loads `path` (and `path` + ".log") if they exist. A file that exists but cannot be read or parsed
    /// is an error (auth_error::store_io): starting empty would silently drop every user.
    file_user_store(std::string path, std::error_code& ec, file_user_store_options options = {})
        : path_(std::move(path))
        , log_path_(path_ + ".log")
        , options_(options)
    {
        open(ec);
    }
    explicit file_user_store(std::string path, file_user_store_options options = {})
        : path_(std::move(path))
        , log_path_(path_ + ".log")
        , options_(options)
    {
        std::error_code ec;
        open(ec);
        if (ec)
            throw_error(ec, "open user store " + path_);
    }
    ~file_user_store() override
    {
        if (log_fd_ >= 0)
            ::close(log_fd_);
    }
    file_user_store(const file_user_store&) = delete;
    file_user_store& operator=(const file_user_store&) = delete;

    const std::string& path() const noexcept { return path_; }
    const std::string& log_path() const noexcept { return log_path_; }
    /// Lines in the log since the last compaction.
    std::size_t log_lines() const
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return log_lines_;
    }
    /// Writes a snapshot of everything and empties the log.
    void compact(std::error_code& ec)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        compact_locked(ec);
    }
    void compact()
    {
        std::error_code ec;
        compact(ec);
        if (ec)
            throw_error(ec, "compact user store " + path_);
    }

protected:
    void on_put(const user_record& u, std::error_code& ec) override
    {
        picojson::object o;
        o["put"] = jv(user_json(u));
        append(o, ec);
    }
    void on_remove(std::string_view id, std::error_code& ec) override
    {
        picojson::object o;
        o["remove"] = jv(std::string(id));
        append(o, ec);
    }
    void on_grant(const realm_permission& p, std::error_code& ec) override
    {
        picojson::object o;
        o["grant"] = jv(permission_json(p));
        append(o, ec);
    }
    void on_revoke(std::string_view key, std::int64_t expires, std::error_code& ec) override
    {
        picojson::object r;
        r["key"] = jv(std::string(key));
        r["expires"] = jv(expires);
        picojson::object o;
        o["revoke"] = jv(r);
        append(o, ec);
    }

private:
    using jv = picojson::value;

    static picojson::object user_json(const user_record& r)
    {
        picojson::object uo;
        uo["user_id"] = jv(r.user_id);
        uo["is_admin"] = jv(r.is_admin);
        picojson::array accts;
        for (const auto& a : r.accounts) {
            picojson::object ao;
            ao["provider"] = jv(a.provider);
            ao["provider_id"] = jv(a.provider_id);
            accts.emplace_back(ao);
        }
        uo["accounts"] = jv(accts);
        if (r.password) {
            picojson::object po;
            po["salt"] = jv(r.password->salt_hex);
            po["hash"] = jv(r.password->hash_hex);
            po["iterations"] = jv(static_cast<std::int64_t>(r.password->iterations));
            uo["password"] = jv(po);
        }
        return uo;
    }
    static picojson::object permission_json(const realm_permission& p)
    {
        picojson::object po;
        po["user_id"] = jv(p.user_id);
        po["path"] = jv(p.path);
        po["access"] = jv(static_cast<std::int64_t>(p.access));
        return po;
    }
    // Readers of the stored JSON: false when a member is missing or has the wrong type (never throw).
    template <class T>
    static const T* member_as(const picojson::object& o, const char* key)
    {
        auto it = o.find(key);
        if (it == o.end() || !it->second.is<T>())
            return nullptr;
        return &it->second.get<T>();
    }
    static bool user_of(const picojson::value& v, user_record& r)
    {
        if (!v.is<picojson::object>())
            return false;
        const auto& uo = v.get<picojson::object>();
        const auto* id = member_as<std::string>(uo, "user_id");
        const auto* admin = member_as<bool>(uo, "is_admin");
        const auto* accts = member_as<picojson::array>(uo, "accounts");
        if (!id || !admin || !accts)
            return false;
        r = user_record{};
        r.user_id = *id;
        r.is_admin = *admin;
        for (const auto& a : *accts) {
            if (!a.is<picojson::object>())
                return false;
            const auto* provider = member_as<std::string>(a.get<picojson::object>(), "provider");
            const auto* provider_id = member_as<std::string>(a.get<picojson::object>(), "provider_id");
            if (!provider || !provider_id)
                return false;
            r.accounts.push_back({*provider, *provider_id});
        }
        if (const auto* po = member_as<picojson::object>(uo, "password")) {
            const auto* salt = member_as<std::string>(*po, "salt");
            const auto* hash = member_as<std::string>(*po, "hash");
            const auto* iterations = member_as<std::int64_t>(*po, "iterations");
            if (!salt || !hash || !iterations)
                return false;
            password_hash h;
            h.salt_hex = *salt;
            h.hash_hex = *hash;
            h.iterations = static_cast<int>(*iterations);
            r.password = h;
        }
        return true;
    }
    static bool permission_of(const picojson::value& v, realm_permission& p)
    {
        if (!v.is<picojson::object>())
            return false;
        const auto& po = v.get<picojson::object>();
        const auto* user_id = member_as<std::string>(po, "user_id");
        const auto* path = member_as<std::string>(po, "path");
        const auto* access = member_as<std::int64_t>(po, "access");
        if (!user_id || !path || !access)
            return false;
        p = {*user_id, *path, static_cast<std::uint32_t>(*access)};
        return true;
    }
    /// Applies one change of the log ({"put": user}, {"remove": id}, ...); false for anything else.
    bool apply_change(const picojson::value& v)
    {
        if (!v.is<picojson::object>() || v.get<picojson::object>().size() != 1)
            return false;
        const auto& change = *v.get<picojson::object>().begin();
        if (change.first == "put") {
            user_record u;
            if (!user_of(change.second, u))
                return false;
            apply_put(u);
        }
        else if (change.first == "remove") {
            if (!change.second.is<std::string>())
                return false;
            apply_remove(change.second.get<std::string>());
        }
        else if (change.first == "grant") {
            realm_permission p;
            if (!permission_of(change.second, p))
                return false;
            apply_grant(p);
        }
        else if (change.first == "revoke") {
            if (!change.second.is<picojson::object>())
                return false;
            const auto& r = change.second.get<picojson::object>();
            const auto* key = member_as<std::string>(r, "key");
            const auto* expires = member_as<std::int64_t>(r, "expires");
            if (!key || !expires)
                return false;
            revoked_[*key] = *expires;
        }
        else {
            return false; // an unknown change: a newer or a damaged file
        }
        return true;
    }
    /// Applies the snapshot document; false when it is not the shape compact() writes.
    bool apply_snapshot(const picojson::value& v)
    {
        if (!v.is<picojson::object>())
            return false;
        const auto& o = v.get<picojson::object>();
        const auto* users = member_as<picojson::array>(o, "users");
        const auto* perms = member_as<picojson::array>(o, "permissions");
        const auto* revoked = member_as<picojson::object>(o, "revoked");
        if (!users || !perms || !revoked)
            return false;
        for (const auto& u : *users) {
            user_record r;
            if (!user_of(u, r))
                return false;
            apply_put(r);
        }
        for (const auto& p : *perms) {
            realm_permission rp;
            if (!permission_of(p, rp))
                return false;
            apply_grant(rp);
        }
        for (const auto& kv : *revoked) {
            if (!kv.second.is<std::int64_t>())
                return false;
            revoked_[kv.first] = kv.second.get<std::int64_t>();
        }
        return true;
    }

    /// Reads a whole file; false with ec clear when it does not exist.
    bool read_whole(const std::string& path, std::string& text, std::error_code& ec) const
    {
        ec.clear();
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (errno != ENOENT)
                ec = auth_error::store_io;
            return false;
        }
        if (!::realmwire::detail::read_to_end(fd, text, options_.max_file_bytes))
            ec = auth_error::store_io;
        ::close(fd);
        return !ec;
    }

    void open(std::error_code& ec)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        load(ec);
        if (ec)
            return;
        log_fd_ = ::open(log_path_.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (log_fd_ < 0) {
            ec = auth_error::store_io;
            return;
        }
        // Drop a torn last line, so the next append starts on a line of its own.
        if (::ftruncate(log_fd_, static_cast<off_t>(log_good_bytes_)) != 0)
            ec = auth_error::store_io;
    }

    void load(std::error_code& ec)
    {
        std::string text;
        bool have = read_whole(path_, text, ec);
        if (ec)
            return;
        // Anything that does not read back is store_io and leaves the store empty: starting with part of
        // the users would silently drop the rest. (The catch is for std::bad_alloc only.)
        REALMWIRE_TRY {
            if (have) {
                auto v = detail::parse_json_bounded(text, 8);
                if (!v || !apply_snapshot(*v)) {
                    clear_all();
                    ec = auth_error::store_io;
                    return;
                }
            }
            std::string log;
            read_whole(log_path_, log, ec);
            if (ec) {
                clear_all();
                return;
            }
            std::size_t pos = 0;
            while (pos < log.size()) {
                std::size_t nl = log.find('\n', pos);
                if (nl == std::string::npos)
                    break; // torn by a crash mid-append: never acknowledged, dropped
                auto v = detail::parse_json_bounded(std::string_view(log).substr(pos, nl - pos), 8);
                if (!v || !apply_change(*v)) {
                    clear_all();
                    ec = auth_error::store_io;
                    return;
                }
                ++log_lines_;
                pos = nl + 1;
            }
            log_good_bytes_ = pos;
        }
        REALMWIRE_CATCH(const std::exception&) {
            clear_all();
            ec = auth_error::store_io;
        }
    }

    void append(const picojson::object& change, std::error_code& ec)
    {
        ec.clear();
        std::string line = jv(change).serialize();
        line.push_back('\n');
        if (!::realmwire::detail::write_all(log_fd_, line) || ::fdatasync(log_fd_) != 0) {
            ec = auth_error::store_io;
            return;
        }
        ++log_lines_;
        if (log_lines_ > options_.compact_after_min && log_lines_ > users_.size() + permissions_.size() + revoked_.size())
            compact_locked(ec);
    }

    std::string serialize() const
    {
        picojson::array users;
        for (const auto& kv : users_)
            users.emplace_back(user_json(kv.second));
        picojson::array perms;
        for (const auto& p : permissions_)
            perms.emplace_back(permission_json(p));
        picojson::object revoked;
        for (const auto& kv : revoked_)
            revoked[kv.first] = jv(kv.second);
        picojson::object root;
        root["users"] = jv(users);
        root["permissions"] = jv(perms);
        root["revoked"] = jv(revoked);
        return jv(root).serialize();
    }

    void compact_locked(std::error_code& ec)
    {
        ec.clear();
        // Durable (the directory fsynced after the rename) before the log that it replaces is emptied.
        if (!::realmwire::detail::replace_file(path_, serialize())) {
            ec = auth_error::store_io;
            return;
        }
        if (::ftruncate(log_fd_, 0) != 0 || ::fdatasync(log_fd_) != 0) {
            ec = auth_error::store_io;
            return;
        }
        log_lines_ = 0;
    }

    std::string path_;
    std::string log_path_;
    file_user_store_options options_;
    int log_fd_ = -1;
    std::size_t log_lines_ = 0;
    std::size_t log_good_bytes_ = 0;
};

} // namespace realmwire::auth

#endif
