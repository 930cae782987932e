#include "realmwire/reference/client.hpp"

#include "support.hpp"

#include <catch2/catch.hpp>

#include <iostream>

using namespace realmwire;
using namespace rw_ref_test;

namespace {

std::string short_token(auth::auth_service& a, const std::string& who, std::int64_t seconds)
{
    return mint(a, who, seconds);
}

} // namespace

TEST_CASE("a token that expires mid-session is refreshed and the session goes on")
{
    temp_dir dir;
    reference::server_config cfg;
    cfg.data_dir = dir.str();
    reference::server srv(cfg);
    srv.start();
    asio::io_context ioc;

    auto make = [&](const dialect& d, reference::object_store& st, bool with_refresher, std::size_t& minted) {
        reference::client_config c;
        c.server_url = "ws://127.0.0.1:" + std::to_string(srv.port());
        c.dialect = &d;
        c.realm_path = "/expiring-" + std::string(d.name) + (with_refresher ? "" : "-norefresh");
        c.token = short_token(srv.auth(), "user", 1); // expired after at most 2 s
        c.reconnect_delay = 50ms;
        c.refresh_margin = 500ms;
        if (with_refresher)
            c.refresh_token = [&srv, &minted] {
                ++minted;
                return short_token(srv.auth(), "user", 60);
            };
        return std::make_shared<reference::client>(ioc, c, st);
    };

    // All four dialects at once (each must wait for its first token to expire).
    struct run {
        const dialect* d;
        std::size_t minted = 0;
        reference::object_store st;
        std::shared_ptr<reference::client> c;
    };
    std::vector<std::unique_ptr<run>> runs;
    for (const dialect* d : dialects::all) {
        auto r = std::make_unique<run>();
        r->d = d;
        r->st.put_items(items(1, 2, "before-"));
        r->c = make(*d, r->st, true, r->minted);
        r->c->start();
        runs.push_back(std::move(r));
    }
    auto all = [&](auto pred) {
        for (auto& r : runs)
            if (!pred(*r))
                return false;
        return true;
    };
    REQUIRE(reference::client::run_until(ioc, [&] { return all([](run& r) { return r.c->synced(); }); }, 5s));
    // Let the first tokens expire, then write again.
    reference::client::run_until(ioc, [] { return false; }, 2200ms);
    for (auto& r : runs) {
        r->st.put_items(items(3, 2, "after-"));
        r->c->local_write();
    }
    REQUIRE(reference::client::run_until(ioc, [&] { return all([](run& r) { return r.c->synced(); }); }, 5s));
    std::vector<std::unique_ptr<run>> readers;
    for (auto& r : runs) {
        INFO(r->d->name);
        CHECK(r->minted >= 1);
        CHECK(r->c->refreshes() >= 1);
        if (r->d->id == dialect_id::legacy_ros || r->d->id == dialect_id::realm_sync_2020) {
            // Refreshed in place with REFRESH before expiry: the connection was never dropped.
            CHECK(r->c->connects() == 1);
        }
        else {
            // The server answered 202 (token expired, try again); the client reconnected with a new token.
            CHECK(r->c->connects() >= 2);
        }
        auto rd = std::make_unique<run>();
        rd->d = r->d;
        rd->c = make(*r->d, rd->st, true, rd->minted);
        rd->c->start();
        readers.push_back(std::move(rd));
    }
    // Other readers see all four objects.
    REQUIRE(reference::client::run_until(
        ioc, [&] { return all([](run&) { return true; }) && [&] {
            for (auto& r : readers)
                if (!r->c->synced() || item_count(r->st) != 4)
                    return false;
            return true;
        }(); }, 5s));
    for (auto& r : runs)
        r->c->stop();
    for (auto& r : readers)
        r->c->stop();
    reference::client::run_until(ioc, [] { return false; }, 30ms);

    {
        // Without a way to refresh, the server's answer is ERROR 202 token_expired (try again).
        std::size_t minted = 0;
        reference::object_store st;
        auto c = make(dialects::mongodb_pbs, st, false, minted);
        c->start();
        REQUIRE(reference::client::run_until(ioc, [&] { return c->synced(); }, 5s));
        reference::client::run_until(ioc, [] { return false; }, 2200ms);
        st.put_items(items(1, 1, "x-"));
        c->local_write();
        REQUIRE(reference::client::run_until(ioc, [&] { return c->failure().protocol_error != 0; }, 5s));
        CHECK(c->failure().protocol_error == 202);
        CHECK(c->failure().try_again);
        c->stop();
        reference::client::run_until(ioc, [] { return false; }, 30ms);
    }
    srv.stop();
}

TEST_CASE("load: 200 concurrent clients each write and read, every client ends with every object")
{
    temp_dir dir;
    reference::server_config cfg;
    cfg.data_dir = dir.str();
    reference::server srv(cfg);
    srv.start();
    const int n = 200;
    asio::io_context ioc;
    std::vector<std::unique_ptr<reference::object_store>> stores;
    std::vector<std::shared_ptr<reference::client>> clients;
    for (int i = 0; i < n; ++i) {
        stores.push_back(std::make_unique<reference::object_store>());
        stores.back()->put_items(items(i + 1, 1, "load-"));
        reference::client_config c;
        c.server_url = "ws://127.0.0.1:" + std::to_string(srv.port());
        c.dialect = dialects::all[static_cast<std::size_t>(i) % 3]; // the three PBS-style dialects share a realm
        c.realm_path = "/load";
        // One user each: the server caps sync connections per user (sync_limits, 32 by default).
        c.token = mint(srv.auth(), "loader-" + std::to_string(i));
        clients.push_back(std::make_shared<reference::client>(ioc, c, *stores.back()));
    }
    auto start = std::chrono::steady_clock::now();
    for (auto& c : clients)
        c->start();
    bool ok = reference::client::run_until(
        ioc,
        [&] {
            for (int i = 0; i < n; ++i)
                if (item_count(*stores[static_cast<std::size_t>(i)]) != static_cast<std::size_t>(n) ||
                    !clients[static_cast<std::size_t>(i)]->synced())
                    return false;
            return true;
        },
        30s);
    double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::size_t held = srv.stats().max_connections.load();
    std::cout << "[reference load] " << n << " clients, " << held << " connections held at once, all " << n
              << " objects everywhere in " << secs << " s\n";
    REQUIRE(ok);
    CHECK(held == static_cast<std::size_t>(n));
    CHECK(srv.stats().accepted.load() == static_cast<std::size_t>(n)); // nobody had to reconnect
    for (auto& s : stores)
        CHECK(s->describe() == stores.front()->describe());
    for (auto& c : clients)
        c->stop();
    reference::client::run_until(ioc, [] { return false; }, 100ms);
    srv.stop();
}
