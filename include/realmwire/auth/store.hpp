#ifndef REALMWIRE_AUTH_STORE_HPP
#define REALMWIRE_AUTH_STORE_HPP

// Users, realm permissions and revoked tokens behind a small interface (user_store), with an in-memory
// implementation and a file-backed one that survives a restart. The file store rewrites one JSON file
// atomically on every change: write a temporary file, fsync it, rename it over the old one, fsync the
// directory — a crash leaves either the old or the new file, never a torn one.

#include "realmwire/auth/claims.hpp"
#include "realmwire/auth/password.hpp"
#include "realmwire/detail/json.hpp"
#include "realmwire/errors/auth.hpp"

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
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
    /// Inserts or replaces the user with this user_id.
    virtual void put_user(const user_record& user, std::error_code& ec) = 0;
    virtual void remove_user(std::string_view user_id, std::error_code& ec) = 0;
    /// Adds (or, for the same user and path, replaces) a permission.
    virtual void grant(const realm_permission& p, std::error_code& ec) = 0;
    /// The union of what `user_id` and everyone were granted on `path`.
    virtual std::uint32_t permissions(std::string_view user_id, std::string_view path) const = 0;
    /// Remembers a revoked token by its claims part until it expires (0: forever).
    virtual void revoke(std::string_view token_key, std::int64_t expires, std::error_code& ec) = 0;
    virtual bool is_revoked(std::string_view token_key) const = 0;
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
        for (const auto& kv : users_) {
            for (const auto& a : kv.second.accounts) {
                if (a.provider == provider && a.provider_id == provider_id)
                    return kv.second;
            }
        }
        return std::nullopt;
    }
    void put_user(const user_record& user, std::error_code& ec) override
    {
        std::lock_guard<std::mutex> lock(mutex_);
        users_[user.user_id] = user;
        changed(ec);
    }
    void remove_user(std::string_view user_id, std::error_code& ec) override
    {
        std::lock_guard<std::mutex> lock(mutex_);
        users_.erase(std::string(user_id));
        changed(ec);
    }
    void grant(const realm_permission& p, std::error_code& ec) override
    {
        std::lock_guard<std::mutex> lock(mutex_);
        bool replaced = false;
        for (auto& q : permissions_) {
            if (q.user_id == p.user_id && q.path == p.path) {
                q.access = p.access;
                replaced = true;
            }
        }
        if (!replaced)
            permissions_.push_back(p);
        changed(ec);
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
        changed(ec);
    }
    bool is_revoked(std::string_view token_key) const override
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return revoked_.count(std::string(token_key)) != 0;
    }

protected:
    /// Called under the lock after every change.
    virtual void changed(std::error_code& ec) { ec.clear(); }

    mutable std::mutex mutex_;
    std::map<std::string, user_record> users_;
    std::vector<realm_permission> permissions_;
    std::map<std::string, std::int64_t> revoked_;
};

/// A memory store mirrored to one JSON file.
class file_user_store : public memory_user_store {
public:
    /// Loads `path` if it exists. A file that exists but cannot be read or parsed is an error
    /// (auth_error::store_io): starting empty would silently drop every user.
    explicit file_user_store(std::string path, std::error_code& ec) : path_(std::move(path)) { load(ec); }
    explicit file_user_store(std::string path) : path_(std::move(path))
    {
        std::error_code ec;
        load(ec);
        if (ec)
            throw_error(ec, "open user store " + path_);
    }

    const std::string& path() const noexcept { return path_; }

protected:
    void changed(std::error_code& ec) override { save(ec); }

private:
    using jv = picojson::value;

    void load(std::error_code& ec)
    {
        ec.clear();
        int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            if (errno != ENOENT)
                ec = auth_error::store_io;
            return;
        }
        std::string text;
        char buf[65536];
        for (;;) {
            ssize_t n = ::read(fd, buf, sizeof buf);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                ec = auth_error::store_io;
                break;
            }
            if (n == 0)
                break;
            text.append(buf, static_cast<std::size_t>(n));
        }
        ::close(fd);
        if (ec)
            return;
        auto v = detail::parse_json_bounded(text, 8);
        if (!v || !v->is<picojson::object>()) {
            ec = auth_error::store_io;
            return;
        }
        try {
            const auto& o = v->get<picojson::object>();
            for (const auto& u : o.at("users").get<picojson::array>()) {
                const auto& uo = u.get<picojson::object>();
                user_record r;
                r.user_id = uo.at("user_id").get<std::string>();
                r.is_admin = uo.at("is_admin").get<bool>();
                for (const auto& a : uo.at("accounts").get<picojson::array>()) {
                    const auto& ao = a.get<picojson::object>();
                    r.accounts.push_back({ao.at("provider").get<std::string>(), ao.at("provider_id").get<std::string>()});
                }
                if (auto* pw = realmwire::detail::json_member(uo, "password"); pw && pw->is<picojson::object>()) {
                    const auto& po = pw->get<picojson::object>();
                    password_hash h;
                    h.salt_hex = po.at("salt").get<std::string>();
                    h.hash_hex = po.at("hash").get<std::string>();
                    h.iterations = static_cast<int>(po.at("iterations").get<std::int64_t>());
                    r.password = h;
                }
                users_[r.user_id] = std::move(r);
            }
            for (const auto& p : o.at("permissions").get<picojson::array>()) {
                const auto& po = p.get<picojson::object>();
                permissions_.push_back({po.at("user_id").get<std::string>(), po.at("path").get<std::string>(),
                                        static_cast<std::uint32_t>(po.at("access").get<std::int64_t>())});
            }
            for (const auto& kv : o.at("revoked").get<picojson::object>())
                revoked_[kv.first] = kv.second.get<std::int64_t>();
        }
        catch (const std::exception&) {
            // picojson's get<T>() throws on a type mismatch; map::at on a missing key.
            users_.clear();
            permissions_.clear();
            revoked_.clear();
            ec = auth_error::store_io;
        }
    }

    std::string serialize() const
    {
        picojson::array users;
        for (const auto& kv : users_) {
            const user_record& r = kv.second;
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
            users.emplace_back(uo);
        }
        picojson::array perms;
        for (const auto& p : permissions_) {
            picojson::object po;
            po["user_id"] = jv(p.user_id);
            po["path"] = jv(p.path);
            po["access"] = jv(static_cast<std::int64_t>(p.access));
            perms.emplace_back(po);
        }
        picojson::object revoked;
        for (const auto& kv : revoked_)
            revoked[kv.first] = jv(kv.second);
        picojson::object root;
        root["users"] = jv(users);
        root["permissions"] = jv(perms);
        root["revoked"] = jv(revoked);
        return jv(root).serialize();
    }

    void save(std::error_code& ec)
    {
        ec.clear();
        const std::string text = serialize();
        const std::string tmp = path_ + ".tmp";
        int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        if (fd < 0) {
            ec = auth_error::store_io;
            return;
        }
        std::size_t off = 0;
        bool ok = true;
        while (off < text.size()) {
            ssize_t n = ::write(fd, text.data() + off, text.size() - off);
            if (n < 0) {
                if (errno == EINTR)
                    continue;
                ok = false;
                break;
            }
            off += static_cast<std::size_t>(n);
        }
        ok = ok && ::fsync(fd) == 0;
        ok = (::close(fd) == 0) && ok;
        ok = ok && ::rename(tmp.c_str(), path_.c_str()) == 0;
        if (!ok) {
            ::unlink(tmp.c_str());
            ec = auth_error::store_io;
            return;
        }
        // Make the rename itself durable.
        std::string dir = path_.find('/') == std::string::npos ? "." : path_.substr(0, path_.rfind('/'));
        if (dir.empty())
            dir = "/";
        int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            ::fsync(dfd);
            ::close(dfd);
        }
    }

    std::string path_;
};

} // namespace realmwire::auth

#endif
