// Shared pieces of the deployment tests: reference servers with one key pair, tokens, and reference
// clients that sync through whatever sits in between.
#ifndef REALMWIRE_TESTS_DEPLOY_FIXTURE_HPP
#define REALMWIRE_TESTS_DEPLOY_FIXTURE_HPP

#include "realmwire/auth/keys.hpp"
#include "realmwire/reference/client.hpp"
#include "realmwire/reference/server.hpp"

#include "support/deploy.hpp"
#include "transport/support.hpp"

#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace rw_deploy {

using namespace std::chrono_literals;
namespace rf = realmwire::reference;

/// The gateway's own secret: the whole Authorization value nginx expects (and strips).
inline const std::string proxy_secret = "Bearer gateway-secret-7f3a";
/// The header carrying the Realm token, as in Realm's ROS proxy guide (docs.realm.io "Integrate with a Proxy").
inline const std::string realm_header = "X-Realm-Auth";
inline const std::string client_prefix = "/my/url/prefix";

/// One RSA key pair in a temp dir, shared by every server instance (tokens verify on any).
struct shared_keys {
    temp_dir dir;
    std::string private_key, public_key;
    shared_keys()
    {
        std::error_code ec;
        realmwire::auth::load_or_generate_keys(dir.str(), ec);
        if (ec)
            throw std::runtime_error("keygen: " + ec.message());
        private_key = dir.file("auth.key");
        public_key = dir.file("auth.pub");
    }
};

/// Generated once per test run: RSA key generation is the slowest part of starting a server.
inline const shared_keys& test_keys()
{
    static const shared_keys keys;
    return keys;
}

/// A test CA and a certificate for localhost / 127.0.0.1, made once per test run.
inline const rw_test::test_pki& test_certificates()
{
    static const rw_test::test_pki pki;
    return pki;
}

inline rf::server_config server_config(const std::string& data_dir, const shared_keys& keys, std::uint16_t port = 0)
{
    rf::server_config c;
    c.data_dir = data_dir;
    c.port = port;
    c.private_key_file = keys.private_key;
    c.public_key_file = keys.public_key;
    c.auth_header_name = realm_header;
    return c;
}

/// An access token (download+upload) for `identity`.
inline std::string mint(rf::server& srv, const std::string& identity)
{
    realmwire::auth::claims c;
    c.identity = identity;
    c.app_id = "io.realmwire.deploy";
    c.has_access = true;
    c.access = realmwire::auth::privilege::download | realmwire::auth::privilege::upload;
    c.timestamp = realmwire::auth::system_unix_now();
    c.expires = realmwire::auth::system_unix_now() + 3600;
    return srv.auth().issue(c);
}

inline std::size_t item_count(const rf::object_store& s)
{
    const auto* t = s.find_table("Item");
    return t ? t->objects.size() : 0;
}

inline std::vector<std::pair<std::int64_t, std::optional<std::string>>> items(std::int64_t from, std::int64_t n,
                                                                               const std::string& prefix)
{
    std::vector<std::pair<std::int64_t, std::optional<std::string>>> v;
    for (std::int64_t i = from; i < from + n; ++i)
        v.emplace_back(i, prefix + std::to_string(i));
    return v;
}

/// The client that guide describes: legacy dialect, Realm token in X-Realm-Auth, the gateway's secret
/// in a custom Authorization header, the URL prefix /my/url/prefix.
inline rf::client_config seed_client(const std::string& url, const std::string& realm, const std::string& token)
{
    rf::client_config c;
    c.server_url = url;
    c.dialect = &realmwire::dialects::legacy_ros;
    c.realm_path = realm;
    c.url_prefix = client_prefix;
    c.auth_header_name = realm_header;
    c.headers = {"Authorization: " + proxy_secret};
    c.token = token;
    c.reconnect_delay = 100ms;
    c.max_reconnect_delay = 500ms;
    return c;
}

/// One client session: writes `n` items starting at `from`, then runs until it holds `expect` items
/// and is synced (or fails). Returns the client's last failure text, "" on success.
struct sync_outcome {
    bool ok = false;
    std::size_t items = 0;
    rf::client_failure failure;
    std::vector<std::string> objects;
};

inline std::vector<sync_outcome> sync_clients(std::vector<rf::client_config> configs,
                                              std::vector<std::pair<std::int64_t, std::int64_t>> writes,
                                              std::size_t expect, std::chrono::milliseconds limit = 10s,
                                              bool stop_on_refusal = true)
{
    asio::io_context ioc;
    std::vector<std::unique_ptr<rf::object_store>> stores;
    std::vector<std::shared_ptr<rf::client>> clients;
    for (std::size_t i = 0; i < configs.size(); ++i) {
        stores.push_back(std::make_unique<rf::object_store>());
        if (i < writes.size() && writes[i].second > 0)
            stores.back()->put_items(items(writes[i].first, writes[i].second, "c" + std::to_string(i) + "-"));
        clients.push_back(std::make_shared<rf::client>(ioc, configs[i], *stores.back()));
        clients.back()->start();
    }
    rf::client::run_until(
        ioc,
        [&] {
            bool all = true;
            for (std::size_t i = 0; i < clients.size(); ++i) {
                const auto& f = clients[i]->failure();
                if (clients[i]->failed() ||
                    (stop_on_refusal && f.http_status != 0 && f.http_status < 500 && f.http_status != 401))
                    continue; // this one is done (refused)
                if (stop_on_refusal && f.http_status == 401)
                    continue;
                if (!(clients[i]->synced() && item_count(*stores[i]) >= expect))
                    all = false;
            }
            return all;
        },
        limit);
    std::vector<sync_outcome> out;
    for (std::size_t i = 0; i < clients.size(); ++i) {
        sync_outcome o;
        o.items = item_count(*stores[i]);
        o.ok = clients[i]->synced() && o.items >= expect && !clients[i]->failed();
        o.failure = clients[i]->failure();
        o.objects = stores[i]->describe();
        clients[i]->stop();
        out.push_back(std::move(o));
    }
    rf::client::run_until(ioc, [] { return false; }, 30ms);
    return out;
}

} // namespace rw_deploy

#endif
