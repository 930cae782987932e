// Permissions that change at runtime: a session whose view changes gets a server-initiated bootstrap of
// its current query version (protocol 14), one on an older protocol ERROR 228, one whose view stays
// gets nothing; in the backend and over loopback with reference clients on the reference server.
#include "support.hpp"

#include "realmwire/auth/keys.hpp"
#include "realmwire/auth/token.hpp"
#include "realmwire/auth/verifier.hpp"
#include "realmwire/reference/client.hpp"
#include "realmwire/reference/server.hpp"

#include "reference/support.hpp"

#include <asio/io_context.hpp>

#include <unistd.h>

using namespace rw_flx_test;
using namespace std::chrono_literals;

namespace {

reference::flx_role role(const std::string& name, const std::string& who, const std::string& read)
{
    reference::flx_role r;
    r.name = name;
    r.identities = {who};
    r.tables["Item"] = {read, std::string("TRUEPREDICATE")};
    return r;
}

reference::flx_role everyone()
{
    reference::flx_role r;
    r.name = "everyone";
    r.other_tables = {std::string("TRUEPREDICATE"), std::string("TRUEPREDICATE")};
    return r;
}

std::size_t bootstraps_after(const flx_peer& p, std::size_t from)
{
    std::size_t n = 0;
    for (std::size_t i = from; i < p.downloads.size(); ++i)
        if (p.downloads[i].batch == protocol::batch_state::last_in_batch)
            ++n;
    return n;
}

} // namespace

TEST_CASE("flx: a permission change re-bootstraps the sessions whose view changed (v14), ends older ones with 228, leaves the rest")
{
    auth::key_pair keys = auth::load_or_generate_keys(std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                                                      "/realmwire-flx-perm-keys-" + std::to_string(::getpid()));
    auth::token_verifier verifier(keys.public_key);
    auto token = [&](const std::string& identity) {
        auth::claims c;
        c.identity = identity;
        c.has_access = true;
        c.access = auth::privilege::download | auth::privilege::upload;
        return auth::sign_claims(c, keys.private_key);
    };
    flx_world w;
    w.backend.flx.options.permissions.roles = {role("bob", "bob", "price < 3"), role("carol", "carol", "price < 5"),
                                               role("dave", "dave", "price < 3"), everyone()};
    flx_peer& root = w.add(&verifier, token("root"));
    root.connect(R"j({"Item":"TRUEPREDICATE"})j", 1);
    root.write(item_schema());
    for (std::int64_t i = 1; i <= 6; ++i)
        root.write(create_item(i, "item" + std::to_string(i), i));
    w.settle();

    flx_peer& bob = w.add(&verifier, token("bob"));
    flx_peer& carol = w.add(&verifier, token("carol"));
    flx_peer& dave = w.add(&verifier, token("dave"), 13);
    bob.connect(R"j({"Item":"TRUEPREDICATE"})j", 1);
    carol.connect(R"j({"Item":"TRUEPREDICATE"})j", 1);
    dave.connect(R"j({"Item":"TRUEPREDICATE"})j", 1);
    w.settle();
    REQUIRE(bob.items() == std::set<std::int64_t>{1, 2});
    REQUIRE(carol.items() == std::set<std::int64_t>{1, 2, 3, 4});
    REQUIRE(dave.items() == std::set<std::int64_t>{1, 2});
    const std::size_t bob_before = bob.downloads.size(), carol_before = carol.downloads.size();

    // bob and dave now read the expensive items; carol's rule is the same
    reference::flx_permissions next;
    next.roles = {role("bob", "bob", "price >= 5"), role("carol", "carol", "price < 5"),
                  role("dave", "dave", "price >= 5"), everyone()};
    w.backend.flx.set_permissions(next);
    w.settle();

    // bob: a bootstrap of his current query version 1, from his old view to the new one
    CHECK(bob.items() == std::set<std::int64_t>{5, 6});
    CHECK(bootstraps_after(bob, bob_before) == 1);
    REQUIRE(bob.downloads.size() > bob_before);
    CHECK(bob.downloads.back().query_version == 1);
    CHECK(bob.downloads.back().batch == protocol::batch_state::last_in_batch);
    CHECK(bob.errors.empty());
    // carol: nothing
    CHECK(carol.items() == std::set<std::int64_t>{1, 2, 3, 4});
    CHECK(bootstraps_after(carol, carol_before) == 0);
    // dave negotiated protocol 13: it cannot take a bootstrap it did not ask for
    CHECK(dave.errors == std::vector<int>{228});
    CHECK(dave.items() == std::set<std::int64_t>{1, 2});
    CHECK(w.backend.flx.server_bootstraps() == 1);
    CHECK(w.backend.flx.permission_resets() == 1);

    // steady state under the new roles: a price change moves item 4 into bob's view, out of carol's
    root.write(set_price(4, 9));
    w.settle();
    CHECK(bob.items() == std::set<std::int64_t>{4, 5, 6});
    CHECK(carol.items() == std::set<std::int64_t>{1, 2, 3});
    CHECK(bob.downloads.back().batch == protocol::batch_state::steady_state);
}

TEST_CASE("flx over loopback: set_flx_permissions re-bootstraps one of two reference clients, its subscription set stays complete")
{
    rw_ref_test::temp_dir dir;
    reference::server_config cfg;
    cfg.data_dir = dir.str();
    cfg.flx.permissions.roles = {role("bob", "bob", "_id <= 2"), role("carol", "carol", "_id <= 2"), everyone()};
    reference::server srv(cfg);
    srv.start();
    asio::io_context ioc;
    auto connect = [&](reference::object_store& st, const std::string& who) {
        reference::client_config c;
        c.server_url = "ws://127.0.0.1:" + std::to_string(srv.port());
        c.dialect = &dialects::mongodb_flx;
        c.token = rw_ref_test::mint(srv.auth(), who);
        c.reconnect_delay = 50ms;
        auto cl = std::make_shared<reference::client>(ioc, c, st);
        cl->start();
        return cl;
    };
    auto complete = [&](reference::client& c) {
        std::optional<std::error_code> done;
        c.async_wait_for_subscriptions(1, [&](std::error_code ec) { done = ec; });
        reference::client::run_until(ioc, [&] { return done.has_value(); }, 10s);
        return done && !*done;
    };
    reference::object_store ws, bs, cs_;
    ws.put_items({{1, "one"}, {2, "two"}, {3, "three"}, {4, "four"}});
    auto writer = connect(ws, "root");
    REQUIRE(complete(*writer));
    REQUIRE(reference::client::run_until(ioc, [&] { return writer->synced(); }, 10s));
    auto bob = connect(bs, "bob");
    auto carol = connect(cs_, "carol");
    REQUIRE(complete(*bob));
    REQUIRE(complete(*carol));
    CHECK(bs.describe().size() == 2);
    CHECK(cs_.describe().size() == 2);

    reference::flx_permissions next;
    next.roles = {role("bob", "bob", "_id >= 3"), role("carol", "carol", "_id <= 2"), everyone()};
    REQUIRE(srv.set_flx_permissions(next));
    REQUIRE(reference::client::run_until(
        ioc, [&] { return bob->subscriptions().server_initiated_bootstraps() == 1 && bs.describe().size() == 2; }, 10s));
    CHECK(bs.describe() == std::vector<std::string>{"Item{_id=3, name=\"three\"}", "Item{_id=4, name=\"four\"}"});
    CHECK(bob->subscription_version(1)->state == reference::flx_subscription_state::complete);
    CHECK_FALSE(bob->failed());
    // carol's view did not change: no bootstrap
    reference::client::run_until(ioc, [] { return false; }, 100ms);
    CHECK(carol->subscriptions().server_initiated_bootstraps() == 0);
    CHECK(cs_.describe().size() == 2);
    writer->stop();
    bob->stop();
    carol->stop();
    reference::client::run_until(ioc, [] { return false; }, 30ms);
    srv.stop();
}
