// The example of docs/flx.md, compiled and run. Keep the two in step.
#include "realmwire/reference/client.hpp"
#include "realmwire/reference/flx_state.hpp"
#include "realmwire/reference/server.hpp"

#include "reference/support.hpp"
#include "support.hpp"

#include <asio/io_context.hpp>

#include <functional>
#include <memory>
#include <optional>

using namespace std::chrono_literals;

#include <catch2/catch.hpp>

namespace {

// --- docs/flx.md example begins ---
using namespace realmwire;

// The client's realm, as a dump, after its bootstrap and the `later` changesets.
std::vector<std::string> client_sees(reference::flx_realm& realm, const std::string& subscriptions,
                                     const std::vector<changeset::changeset>& later)
{
    std::error_code ec;
    reference::flx_query_problem problem;
    query::schema schema = reference::flx_query_schema(realm.current());
    auto sub = reference::flx_subscription::parse(subscriptions, schema, ec, &problem);
    if (ec)
        return {"QUERY_ERROR: " + problem.message};
    reference::flx_access access; // no role filters: the subscription alone
    for (auto& [table, q] : sub.bind(schema))
        access.tables[table].subscription = q;

    reference::flx_client_view view; // what the client's realm holds
    reference::state client;         // the client's realm
    for (const std::string& cs : view.bootstrap(realm, access, 64 * 1024))
        client.apply(cs, ec);
    for (const auto& cs : later) { // steady state
        realm.apply(cs, ec);
        std::string out;
        if (view.filter(realm, access, realm.version(), cs, changeset::encode(cs), false, out))
            client.apply(out, ec);
    }
    return client.dump();
}
// --- docs/flx.md example ends ---

reference::flx_realm three_items()
{
    reference::flx_realm realm;
    std::error_code ec;
    realm.apply(rw_flx_test::item_schema(), ec);
    for (std::int64_t i = 1; i <= 3; ++i)
        realm.apply(rw_flx_test::create_item(i, "item" + std::to_string(i), i), ec);
    REQUIRE_FALSE(ec);
    return realm;
}

} // namespace

TEST_CASE("docs/flx.md example")
{
    auto realm = three_items();
    auto before = client_sees(realm, R"j({"Item":"price < 2"})j", {});
    REQUIRE_FALSE(before.empty());
    CHECK(before.front() == "table class_Item pk=_id objects=1");
    auto realm2 = three_items();
    auto after = client_sees(realm2, R"j({"Item":"price < 2"})j", {rw_flx_test::set_price(3, 0)});
    CHECK(after.front() == "table class_Item pk=_id objects=2");
    std::string all;
    for (const auto& l : after)
        all += l + "\n";
    CHECK(all.find("item3") != std::string::npos); // arrived whole
    CHECK(client_sees(realm, R"j({"Item":"price == 'x'"})j", {}) ==
          std::vector<std::string>{"QUERY_ERROR: Unsupported comparison between type 'int' and type 'string'"});
}

TEST_CASE("flx_realm: each object's value at each version, by table")
{
    auto realm = three_items();
    std::error_code ec;
    realm.apply(rw_flx_test::set_price(2, 20), ec);
    const reference::object_key two{std::int64_t(2)};
    CHECK(realm.version() == 5);
    CHECK(realm.at("Item", two, 2) == nullptr); // not created yet
    CHECK(realm.at("Item", two, 3)->fields.at("price").scalar.scalar.integer == 2);
    CHECK(realm.at("Item", two, 4)->fields.at("price").scalar.scalar.integer == 2);
    CHECK(realm.at("Item", two, 5)->fields.at("price").scalar.scalar.integer == 20);
    std::size_t n = 0;
    realm.for_each_at("Item", 3, [&](const reference::object_key&, const reference::object&) { ++n; });
    CHECK(n == 2);
    CHECK(realm.at("Other", two, 5) == nullptr);
}

TEST_CASE("flx_client_view: an object that leaves the view is erased, one erased while held goes as is")
{
    auto realm = three_items();
    std::error_code ec;
    auto schema = reference::flx_query_schema(realm.current());
    auto sub = reference::flx_subscription::parse(R"j({"Item":"price < 3"})j", schema, ec);
    REQUIRE_FALSE(ec);
    reference::flx_access access;
    for (auto& [t, q] : sub.bind(schema))
        access.tables[t].subscription = q;
    reference::flx_client_view view;
    auto boot = view.bootstrap(realm, access, 1 << 20);
    CHECK(boot.size() == 1);
    CHECK(view.held_count() == 2);
    // a second bootstrap for the same view: nothing to add, still one (empty) changeset
    auto again = view.bootstrap(realm, access, 1 << 20);
    REQUIRE(again.size() == 1);
    changeset::changeset c = changeset::decode_changeset(again[0], ec);
    for (const auto& in : c.instructions) // only the schema
        CHECK((changeset::type_of(in) == changeset::instruction_type::add_table ||
               changeset::type_of(in) == changeset::instruction_type::add_column));

    auto move_out = rw_flx_test::set_price(1, 50);
    realm.apply(move_out, ec);
    std::string out;
    REQUIRE(view.filter(realm, access, realm.version(), move_out, changeset::encode(move_out), false, out));
    changeset::changeset sent = changeset::decode_changeset(out, ec);
    REQUIRE(sent.instructions.size() == 1);
    CHECK(changeset::type_of(sent.instructions[0]) == changeset::instruction_type::erase_object);
    CHECK(view.held_count() == 1);

    // an unrelated object outside the view: nothing to send
    auto outside = rw_flx_test::set_price(3, 30);
    realm.apply(outside, ec);
    CHECK_FALSE(view.filter(realm, access, realm.version(), outside, changeset::encode(outside), false, out));
}

namespace {
using namespace realmwire;

// --- docs/flx.md client example begins ---
// (realmwire/reference/client.hpp) Two subscriptions on Item, one named; `done` runs once the set is
// complete, or with QUERY_ERROR's code.
void subscribe(const std::shared_ptr<reference::client>& c, std::function<void(std::error_code)> done)
{
    reference::flx_subscription_set set;
    set.add("Item", "_id == 1").add("Item", "name == \"obj-3\"", "third");
    std::int64_t version = c->update_subscriptions(set);
    c->async_wait_for_subscriptions(version, std::move(done));
}
// --- docs/flx.md client example ends ---

} // namespace

TEST_CASE("docs/flx.md client example: the subscription set against the reference server")
{
    rw_ref_test::temp_dir dir;
    reference::server_config cfg;
    cfg.data_dir = dir.str();
    reference::server srv(cfg);
    srv.start();
    asio::io_context ioc;
    reference::object_store store;
    store.put_items({{1, "obj-1"}, {2, "obj-2"}, {3, "obj-3"}});
    reference::client_config cc;
    cc.server_url = "ws://127.0.0.1:" + std::to_string(srv.port());
    cc.dialect = &dialects::mongodb_flx;
    cc.token = rw_ref_test::mint(srv.auth(), "alice");
    auto c = std::make_shared<reference::client>(ioc, cc, store);
    c->start();
    std::optional<std::error_code> first;
    c->async_wait_for_subscriptions(1, [&](std::error_code ec) { first = ec; });
    REQUIRE(reference::client::run_until(ioc, [&] { return first.has_value() && c->synced(); }, 10s));
    REQUIRE_FALSE(*first);
    CHECK(store.describe().size() == 3);
    std::optional<std::error_code> done;
    subscribe(c, [&](std::error_code ec) { done = ec; });
    REQUIRE(reference::client::run_until(ioc, [&] { return done.has_value(); }, 10s));
    CHECK_FALSE(*done);
    CHECK(c->subscription_version(2)->json == R"j({"Item":"(_id == 1) OR (name == \"obj-3\")"})j");
    CHECK(store.describe() == std::vector<std::string>{"Item{_id=1, name=\"obj-1\"}", "Item{_id=3, name=\"obj-3\"}"});
    c->stop();
    reference::client::run_until(ioc, [] { return false; }, 30ms);
    srv.stop();
}
