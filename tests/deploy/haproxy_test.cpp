// Deployment 2: HAProxy in front of two reference server instances (docs/deploy/haproxy.cfg, run as
// written): one key pair, so tokens verify on either; each realm routed to one instance by consistent
// hashing (legacy: the request path; modern dialects: the X-Realm-Path routing header).
#include "realmwire/driver/probe.hpp"

#include "deploy/fixture.hpp"

#include <catch2/catch.hpp>
#include "../support/skip.hpp"

#include <thread>

using namespace realmwire;
using namespace rw_deploy;

namespace {

struct haproxy_deployment {
    const shared_keys& keys = test_keys();
    temp_dir data_a, data_b;
    std::unique_ptr<rf::server> a, b;
    std::unique_ptr<haproxy_instance> haproxy;

    haproxy_deployment()
    {
        a = std::make_unique<rf::server>(server_config(data_a.str(), keys));
        b = std::make_unique<rf::server>(server_config(data_b.str(), keys));
        a->start();
        b->start();
        std::uint16_t port = free_port();
        haproxy = std::make_unique<haproxy_instance>(source_file("docs/deploy/haproxy.cfg"),
                                                     std::map<std::string, std::string>{
                                                         {"LISTEN_PORT", std::to_string(port)},
                                                         {"SERVER_A_PORT", std::to_string(a->port())},
                                                         {"SERVER_B_PORT", std::to_string(b->port())}},
                                                     port);
    }
    ~haproxy_deployment()
    {
        haproxy.reset();
        if (a)
            a->stop();
        if (b)
            b->stop();
    }
    std::string url() const { return "ws://127.0.0.1:" + std::to_string(haproxy->port()); }

    /// Stops instance A and starts it again on the same port with the same data directory.
    void restart_a(std::chrono::milliseconds down = 0ms)
    {
        std::uint16_t port = a->port();
        a->stop();
        a.reset();
        std::this_thread::sleep_for(down);
        // The old instance's accepted sockets may linger in the kernel for a moment: retry the bind.
        for (int i = 0;; ++i) {
            a = std::make_unique<rf::server>(server_config(data_a.str(), keys, port));
            std::error_code ec;
            a->start(ec);
            if (!ec)
                return;
            if (i == 100) {
                std::string ss = "ss -tanp | grep ':" + std::to_string(port) + " ' > " + data_a.file("ss.txt");
                (void)std::system(ss.c_str());
                throw std::runtime_error("restart instance A on " + std::to_string(port) + " (haproxy " +
                                         std::to_string(haproxy->port()) + "): " + ec.message() + "\n" +
                                         read_file(data_a.file("ss.txt")));
            }
            a.reset();
            std::this_thread::sleep_for(50ms);
        }
    }

    rf::client_config legacy_client(const std::string& realm, rf::server& minter, const std::string& who)
    {
        rf::client_config c;
        c.server_url = url();
        c.dialect = &dialects::legacy_ros;
        c.realm_path = realm;
        c.auth_header_name = realm_header;
        c.token = mint(minter, who);
        c.reconnect_delay = 100ms;
        c.max_reconnect_delay = 400ms;
        return c;
    }
    rf::client_config modern_client(const std::string& realm, rf::server& minter, const std::string& who)
    {
        rf::client_config c = legacy_client(realm, minter, who);
        c.dialect = &dialects::mongodb_pbs;
        c.headers = {"X-Realm-Path: " + realm};
        return c;
    }

    /// Which instance serves `realm` (one probe connection through HAProxy): 'a', 'b', or '?'.
    char owner(const rf::client_config& c)
    {
        std::size_t before_a = a->stats().accepted.load(), before_b = b->stats().accepted.load();
        probe::probe_options o;
        o.server_url = c.server_url;
        o.dialect = c.dialect;
        o.realm_path = c.realm_path;
        o.auth_header_name = c.auth_header_name;
        o.headers = c.headers;
        o.token = c.token;
        probe::report r = probe::run_probe(o);
        if (!r.ok())
            return '?';
        bool on_a = a->stats().accepted.load() == before_a + 1, on_b = b->stats().accepted.load() == before_b + 1;
        return on_a && !on_b ? 'a' : on_b && !on_a ? 'b' : '?';
    }

    /// The first realm of the form <stem>-N that lands on `want`.
    std::string realm_on(char want, const std::string& stem, bool modern)
    {
        for (int i = 0; i < 64; ++i) {
            std::string realm = stem + "-" + std::to_string(i);
            auto c = modern ? modern_client(realm, *a, "finder") : legacy_client(realm, *a, "finder");
            if (owner(c) == want)
                return realm;
        }
        throw std::runtime_error("no realm hashes to instance " + std::string(1, want));
    }
};

} // namespace

TEST_CASE("HAProxy routes each realm to one of two instances, tokens verify on either (docs/deploy/haproxy.cfg)")
{
    if (!haproxy_instance::available()) {
        REALMWIRE_SKIP("haproxy not installed: skipped");
        return;
    }
    haproxy_deployment dep;

    SECTION("legacy dialect: consistent hashing on the request path; an instance restarted keeps its realms")
    {
        const std::string ra = dep.realm_on('a', "/team/ledger", false);
        const std::string rb = dep.realm_on('b', "/team/ledger", false);
        // The same realm always lands on the same instance.
        for (int i = 0; i < 3; ++i) {
            CHECK(dep.owner(dep.legacy_client(ra, *dep.b, "x")) == 'a'); // token minted by B verifies on A
            CHECK(dep.owner(dep.legacy_client(rb, *dep.a, "y")) == 'b');
        }
        std::size_t a0 = dep.a->stats().accepted.load(), b0 = dep.b->stats().accepted.load();
        auto r = sync_clients({dep.legacy_client(ra, *dep.a, "alice"), dep.legacy_client(ra, *dep.b, "bob"),
                               dep.legacy_client(rb, *dep.a, "carol"), dep.legacy_client(rb, *dep.b, "dave")},
                              {{1, 3}, {10, 2}, {100, 4}, {200, 1}}, 0, 10s);
        // Each pair converges on its own realm's 5 objects.
        auto r2 = sync_clients({dep.legacy_client(ra, *dep.a, "eve"), dep.legacy_client(rb, *dep.a, "frank")}, {}, 5, 10s);
        REQUIRE(r2[0].ok);
        REQUIRE(r2[1].ok);
        CHECK(r2[0].items == 5);
        CHECK(r2[1].items == 5);
        CHECK(r2[0].objects != r2[1].objects);
        CHECK(dep.a->stats().accepted.load() - a0 == 3); // alice, bob, eve
        CHECK(dep.b->stats().accepted.load() - b0 == 3); // carol, dave, frank
        for (const auto& o : r)
            CHECK(o.failure.what.empty());

        // Restart A; a client writing while A is down gets 503 from HAProxy, retries, and lands on A
        // again once it is back; the history written before the restart is still there.
        std::string restart_error;
        std::thread restarter([&] {
            try {
                dep.restart_a(600ms);
            }
            catch (const std::exception& e) {
                restart_error = e.what();
            }
        });
        std::this_thread::sleep_for(100ms);
        auto r3 = sync_clients({dep.legacy_client(ra, *dep.b, "gina")}, {{300, 1}}, 6, 15s);
        restarter.join();
        INFO(restart_error);
        REQUIRE(restart_error.empty());
        REQUIRE(r3[0].ok);
        CHECK(r3[0].items == 6);
        auto r4 = sync_clients({dep.legacy_client(ra, *dep.b, "hank")}, {}, 6, 10s);
        REQUIRE(r4[0].ok);
        CHECK(r4[0].objects == r3[0].objects);
        CHECK(dep.a->stats().accepted.load() == 2); // the new A instance served gina and hank
    }

    SECTION("modern dialect: the realm is only in BIND; the X-Realm-Path routing header keeps it on one instance")
    {
        const std::string ra = dep.realm_on('a', "/team/board", true);
        const std::string rb = dep.realm_on('b', "/team/board", true);
        std::size_t a0 = dep.a->stats().accepted.load(), b0 = dep.b->stats().accepted.load();
        sync_clients({dep.modern_client(ra, *dep.a, "alice"), dep.modern_client(rb, *dep.b, "bob")}, {{1, 2}, {50, 3}}, 0, 10s);
        auto r = sync_clients({dep.modern_client(ra, *dep.b, "carol"), dep.modern_client(rb, *dep.a, "dave")}, {}, 2, 10s);
        REQUIRE(r[0].ok);
        REQUIRE(r[1].ok);
        CHECK(r[0].items == 2);
        CHECK(r[1].items == 3);
        CHECK(dep.a->stats().accepted.load() - a0 == 2);
        CHECK(dep.b->stats().accepted.load() - b0 == 2);
    }
}
