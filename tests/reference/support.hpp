// Helpers for the reference pair tests: temp dirs, tokens minted by a server's auth service, and
// running clients on one io_context with a deadline.
#ifndef REALMWIRE_TESTS_REFERENCE_SUPPORT_HPP
#define REALMWIRE_TESTS_REFERENCE_SUPPORT_HPP

#include "realmwire/reference/client.hpp"
#include "realmwire/reference/server.hpp"

#include <chrono>
#include <filesystem>
#include <random>
#include <string>

namespace rw_ref_test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

struct temp_dir {
    fs::path path;
    temp_dir()
    {
        std::random_device rd;
        path = fs::temp_directory_path() / ("realmwire-h-" + std::to_string(rd()) + std::to_string(rd()));
        fs::create_directories(path);
    }
    ~temp_dir()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string str() const { return path.string(); }
};

/// An access token for `identity` with download+upload, expiring after `seconds` (0 = never).
inline std::string mint(realmwire::auth::auth_service& a, const std::string& identity, std::int64_t seconds = 0)
{
    realmwire::auth::claims c;
    c.identity = identity;
    c.app_id = "io.realmwire.test";
    c.has_access = true;
    c.access = realmwire::auth::privilege::download | realmwire::auth::privilege::upload;
    c.timestamp = realmwire::auth::system_unix_now();
    if (seconds)
        c.expires = realmwire::auth::system_unix_now() + seconds;
    return a.issue(c);
}

inline std::vector<std::pair<std::int64_t, std::optional<std::string>>> items(std::int64_t from, std::int64_t n,
                                                                               const std::string& prefix)
{
    std::vector<std::pair<std::int64_t, std::optional<std::string>>> v;
    for (std::int64_t i = from; i < from + n; ++i)
        v.emplace_back(i, prefix + std::to_string(i));
    return v;
}

inline std::size_t item_count(const realmwire::reference::object_store& s)
{
    const auto* t = s.find_table("Item");
    return t ? t->objects.size() : 0;
}

} // namespace rw_ref_test

#endif
