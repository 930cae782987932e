// Helpers for the reference pair tests: temp dirs, tokens minted by a server's auth service, and
// running clients on one io_context with a deadline.
#ifndef REALMWIRE_TESTS_REFERENCE_SUPPORT_HPP
#define REALMWIRE_TESTS_REFERENCE_SUPPORT_HPP

#include "realmwire/reference/client.hpp"
#include "realmwire/reference/server.hpp"

#include <chrono>
#include <stdexcept>
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


struct pair_result {
    std::vector<std::string> a, b;
    std::size_t a_skipped = 0, b_skipped = 0;
};

/// Client A writes 5 objects, client B writes 3 others; both end with all 8.
inline pair_result sync_two(realmwire::reference::server& srv, const realmwire::dialect& d, const std::string& scheme, const std::string& ca = {},
                     std::optional<realmwire::transport::proxy_config> proxy = {}, std::vector<std::string> headers = {},
                     std::string prefix = {})
{
    asio::io_context ioc;
    realmwire::reference::object_store sa, sb;
    auto make = [&](realmwire::reference::object_store& st, const std::string& who) {
        realmwire::reference::client_config c;
        c.server_url = scheme + "://127.0.0.1:" + std::to_string(srv.port()) + prefix;
        c.dialect = &d;
        c.realm_path = "/items-" + std::string(d.name) + "-" + scheme + (proxy ? "-proxied" : "");
        c.token = mint(srv.auth(), who);
        c.proxy = proxy;
        c.headers = headers;
        if (!ca.empty()) {
            c.tls.ca_file = ca;
        }
        return std::make_shared<realmwire::reference::client>(ioc, c, st);
    };
    sa.put_items(items(1, 5, "a-"));
    sb.put_items(items(100, 3, "b-"));
    auto a = make(sa, "alice");
    auto b = make(sb, "bob");
    a->start();
    b->start();
    bool ok = realmwire::reference::client::run_until(
        ioc,
        [&] {
            if (item_count(sa) == 8 && item_count(sb) == 8 && a->synced() && b->synced())
                return true;
            return a->failed() || b->failed();
        },
        10s);
    if (!ok || a->failed() || b->failed())
        throw std::runtime_error("not synced: " + a->failure().what + " / " + b->failure().what);
    a->stop();
    b->stop();
    realmwire::reference::client::run_until(ioc, [] { return false; }, 50ms);
    return {sa.describe(), sb.describe(), sa.skipped(), sb.skipped()};
}


} // namespace rw_ref_test

#endif
