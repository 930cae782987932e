// Attacks on what a sync client can make the server hold: memory (decompression amplification,
// allocation failure), file descriptors (realm files), connection slots. Limits are set low so the
// attacks finish in seconds; the attacks themselves are the ones that broke the server.

#include "security_sync_support.hpp"

#include <catch2/catch.hpp>

#include <dirent.h>

#include <fstream>
#include <memory>
#include <new>
#include <vector>

using namespace realmwire;
using namespace rw_sec;
using rw_ref_test::temp_dir;

namespace {

std::size_t resident_bytes()
{
    std::ifstream f("/proc/self/statm");
    std::size_t pages = 0, resident = 0;
    f >> pages >> resident;
    return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

/// Descriptors this process holds on files under `dir`.
std::size_t open_fds_under(const std::string& dir)
{
    std::size_t n = 0;
    if (DIR* d = ::opendir("/proc/self/fd")) {
        while (dirent* e = ::readdir(d)) {
            char target[4096];
            std::string link = std::string("/proc/self/fd/") + e->d_name;
            ssize_t len = ::readlink(link.c_str(), target, sizeof target - 1);
            if (len > 0 && std::string(target, static_cast<std::size_t>(len)).rfind(dir, 0) == 0)
                ++n;
        }
        ::closedir(d);
    }
    return n;
}

/// Realm-core's shape of the bomb: one valid changeset of `objects` × 16 MB strings (64 MB for 4),
/// which zlib at level 1 squeezes to well under 1% of that.
const std::string& bomb_changeset()
{
    static const std::string cs = valid_changeset(std::string(16u * 1000 * 1000, 'A'), 4);
    return cs;
}

/// A permission service that runs out of memory for one realm (what bad_alloc from any allocation
/// on the I/O thread looks like to the server).
struct failing_permissions : reference::permission_service {
    endpoint::status can_bind(const auth::claims*, std::string_view realm) override
    {
        if (realm == "/oom")
            throw std::bad_alloc();
        return endpoint::status::success();
    }
};

} // namespace

TEST_CASE("sync attack 2: a compressed 64 MB changeset neither inflates nor stays in memory")
{
    reference::server_config cfg;
    cfg.limits.max_upload_size = 1024 * 1024; // scaled down from 16 MiB so the test is quick
    reference::server srv(cfg);
    srv.start();
    std::string token = token_of(srv, "mallory", auth::token_kind::access);
    const std::string& cs = bomb_changeset();
    REQUIRE(cs.size() > 64u * 1000 * 1000);

    std::size_t before = resident_bytes();
    for (int i = 0; i < 6; ++i) {
        raw_client c;
        REQUIRE(c.open(srv.port()));
        REQUIRE(c.upgrade(dialects::mongodb_pbs, token) == 101);
        auto file = c.bind_new(1, "/bomb");
        REQUIRE(file);
        c.ident(1, *file);
        c.upload(1, 1, cs);
        auto err = c.next_error();
        REQUIRE(err);
        CHECK(err->first == 101); // realm-core's answer to a body it will not inflate
        CHECK(err->second == 0);
        CHECK(c.closed_within(2s));
    }
    std::size_t after = resident_bytes();
    INFO("resident before " << before << ", after " << after);
    // Was +128 MiB per upload. Nothing was inflated; allow for allocator noise.
    CHECK(after < before + 32u * 1024 * 1024);
    CHECK(srv.on_io_thread([&] {
        std::error_code ec;
        return srv.realms().get("/bomb", ec)->version();
    }) == 0);
    CHECK(good_client_syncs(srv, token_of(srv, "alice", auth::token_kind::access), "/bomb"));
    srv.stop();
}

TEST_CASE("sync attack 2: an allocation failure closes one connection, never the server")
{
    reference::server_config cfg;
    reference::server_services svc;
    svc.permissions = std::make_shared<failing_permissions>();
    reference::server srv(cfg, svc);
    srv.start();
    std::string token = token_of(srv, "mallory", auth::token_kind::access);

    raw_client bystander; // bound before, still served after
    REQUIRE(bystander.open(srv.port()));
    REQUIRE(bystander.upgrade(dialects::mongodb_pbs, token) == 101);
    auto file = bystander.bind_new(1, "/calm");
    REQUIRE(file);

    raw_client c;
    REQUIRE(c.open(srv.port()));
    REQUIRE(c.upgrade(dialects::mongodb_pbs, token) == 101);
    rw::protocol::bind_message b;
    b.session_ident = 1;
    b.path = "/oom";
    b.need_client_file_ident = true;
    c.send_msg(b);
    CHECK(c.closed_within(3s));
    CHECK(srv.stats().out_of_memory.load() == 1);

    bystander.ident(1, *file);
    auto m = bystander.next_relevant();
    REQUIRE(m);
    CHECK(std::holds_alternative<protocol::download_message>(*m));
    CHECK(good_client_syncs(srv, token, "/after-oom"));
    srv.stop();
}

TEST_CASE("sync attack 4: binding a thousand realms keeps a bounded number of files open")
{
    temp_dir dir;
    reference::server_config cfg;
    cfg.data_dir = dir.str();
    cfg.limits.max_open_realms = 8;
    cfg.auth_service.enable_anonymous = true; // the login the test makes afterwards
    cfg.limits.max_realms_per_user = 4;
    reference::server srv(cfg);
    srv.start();

    // The original attack's token, a non-admin refresh token, no longer syncs at all.
    {
        raw_client c;
        REQUIRE(c.open(srv.port()));
        CHECK(c.upgrade(dialects::mongodb_pbs, token_of(srv, "eve", auth::token_kind::refresh)) == 403);
    }
    // With an access token good for every path (the worst case), 1,013 BINDs to /victimN/r, each
    // answered, then unbound to make room for the next.
    std::string token = token_of(srv, "eve", auth::token_kind::access);
    raw_client c;
    REQUIRE(c.open(srv.port()));
    REQUIRE(c.upgrade(dialects::mongodb_pbs, token) == 101);
    std::size_t bound = 0;
    for (std::uint64_t n = 1; n <= 1013; ++n) {
        if (c.bind_new(n, "/victim" + std::to_string(n) + "/r"))
            ++bound;
        rw::protocol::unbind_message u;
        u.session_ident = n;
        c.send_msg(u);
        auto m = c.next_relevant(); // UNBOUND
        REQUIRE(m);
    }
    CHECK(bound == 1013);
    CHECK(srv.on_io_thread([&] { return srv.realms().open_count(); }) <= 8);
    CHECK(open_fds_under(dir.str() + "/realms") <= 8); // was 1,023 of 1,024
    CHECK(open_fds_under(dir.str() + "/realms") >= 1);

    // Held at once, one user gets 4 realms; the fifth is refused (224, try again later).
    raw_client h;
    REQUIRE(h.open(srv.port()));
    REQUIRE(h.upgrade(dialects::mongodb_pbs, token) == 101);
    for (std::uint64_t n = 1; n <= 4; ++n)
        CHECK(h.bind_new(n, "/held" + std::to_string(n)));
    CHECK_FALSE(h.bind_new(5, "/held5"));
    CHECK(h.last_error() == 224);

    // New realms and login still work; an evicted realm reopens with its history.
    CHECK(login_status(srv.port()) == 200);
    CHECK(good_client_syncs(srv, token_of(srv, "alice", auth::token_kind::access), "/fresh"));
    CHECK(good_client_syncs(srv, token_of(srv, "alice", auth::token_kind::access), "/victim1/r"));
    srv.stop();
}

TEST_CASE("sync attack 5: connections per user, per address, a BIND deadline and room for /auth")
{
    reference::server_config cfg;
    cfg.max_connections = 64;
    cfg.limits.max_connections_per_user = 4;
    cfg.limits.max_connections_per_address = 32;
    cfg.limits.reserved_auth_connections = 8;
    cfg.limits.bind_deadline = 500ms;
    cfg.auth_service.enable_anonymous = true; // the login the test makes while sync is under attack
    reference::server srv(cfg);
    srv.start();

    SECTION("one token, many sockets from one address")
    {
        std::string anon = token_of(srv, "anonymous-1", auth::token_kind::access);
        std::vector<std::unique_ptr<raw_client>> held;
        std::size_t upgraded = 0, refused429 = 0, dropped = 0;
        for (int i = 0; i < 200; ++i) {
            auto c = std::make_unique<raw_client>();
            REQUIRE(c->open(srv.port(), "127.0.0.2"));
            int st = c->upgrade(dialects::mongodb_pbs, anon);
            if (st == 101) {
                ++upgraded;
                CHECK(c->bind_new(1, "/anon/r" + std::to_string(i)));
            }
            else if (st == 429)
                ++refused429;
            else
                ++dropped;
            held.push_back(std::move(c));
        }
        CHECK(upgraded == 4);
        CHECK(refused429 + dropped == 196);
        // The good client, another user on another address, syncs while the attacker holds on.
        CHECK(good_client_syncs(srv, token_of(srv, "alice", auth::token_kind::access), "/alice/r"));
        CHECK(login_status(srv.port()) == 200);
    }
    SECTION("many tokens from one address")
    {
        std::vector<std::unique_ptr<raw_client>> held;
        std::size_t upgraded = 0;
        for (int i = 0; i < 100; ++i) {
            auto c = std::make_unique<raw_client>();
            REQUIRE(c->open(srv.port(), "127.0.0.3"));
            if (c->upgrade(dialects::mongodb_pbs, token_of(srv, "u" + std::to_string(i), auth::token_kind::access)) == 101) {
                ++upgraded;
                c->bind_new(1, "/r");
            }
            held.push_back(std::move(c));
        }
        CHECK(upgraded == 32);
        CHECK(srv.stats().refused_connections.load() >= 68);
        CHECK(good_client_syncs(srv, token_of(srv, "alice", auth::token_kind::access), "/alice/r"));
    }
    SECTION("a connection that never binds is closed at the deadline")
    {
        raw_client idle;
        REQUIRE(idle.open(srv.port(), "127.0.0.4"));
        REQUIRE(idle.upgrade(dialects::mongodb_pbs, token_of(srv, "idle", auth::token_kind::access)) == 101);
        auto t0 = std::chrono::steady_clock::now();
        CHECK(idle.closed_within(5s));
        CHECK(std::chrono::steady_clock::now() - t0 < 3s);
    }
    SECTION("sync full: /auth is still reachable, sync gets 503, then recovers")
    {
        std::vector<std::unique_ptr<raw_client>> held;
        for (int i = 0; i < 56; ++i) { // 64 slots, 8 kept for /auth
            auto c = std::make_unique<raw_client>();
            REQUIRE(c->open(srv.port(), "127.0.1." + std::to_string(1 + i / 16)));
            REQUIRE(c->upgrade(dialects::mongodb_pbs, token_of(srv, "f" + std::to_string(i), auth::token_kind::access)) == 101);
            REQUIRE(c->bind_new(1, "/r"));
            held.push_back(std::move(c));
        }
        raw_client more;
        REQUIRE(more.open(srv.port(), "127.0.2.1"));
        CHECK(more.upgrade(dialects::mongodb_pbs, token_of(srv, "late", auth::token_kind::access)) == 503);
        CHECK(login_status(srv.port(), "127.0.2.2") == 200);
        held.clear();
        bool synced = false;
        for (int i = 0; i < 50 && !synced; ++i) {
            synced = good_client_syncs(srv, token_of(srv, "alice", auth::token_kind::access), "/alice/r");
            if (!synced)
                std::this_thread::sleep_for(50ms);
        }
        CHECK(synced);
    }
    srv.stop();
}
