// Flexible sync in the reference backend: subscriptions, bootstraps, views in steady state.
#include "support.hpp"

using namespace rw_flx_test;

namespace {

/// A writer subscribed to everything that uploads the schema and items 1..6 (price = id).
flx_peer& seeded_writer(flx_world& w)
{
    flx_peer& writer = w.add();
    writer.connect(R"j({"Item":"TRUEPREDICATE"})j", 1);
    writer.write(item_schema());
    for (std::int64_t i = 1; i <= 6; ++i)
        writer.write(create_item(i, "item" + std::to_string(i), i));
    w.settle();
    REQUIRE(writer.errors.empty());
    return writer;
}

} // namespace

TEST_CASE("flx: query version 0 (an empty set) selects nothing, and its bootstrap still carries a changeset")
{
    flx_world w;
    seeded_writer(w);
    flx_peer& c = w.add();
    c.connect("{}", 0);
    w.settle();
    CHECK(c.items().empty());
    REQUIRE_FALSE(c.downloads.empty());
    const auto& first = c.downloads.front();
    CHECK(first.query_version == 0);
    CHECK(first.batch == protocol::batch_state::last_in_batch);
    CHECK(first.changesets >= 1);
    // the schema came with it, so the client could subscribe now
    CHECK(c.realm.find_table("Item") != nullptr);
}

TEST_CASE("flx: two clients with different subscriptions see exactly their views, before and after writes")
{
    flx_world w;
    flx_peer& writer = seeded_writer(w);
    flx_peer& cheap = w.add();
    flx_peer& dear = w.add();
    cheap.connect(R"j({"Item":"(price < 4)"})j", 1);
    dear.connect(R"j({"Item":"(price >= 4)"})j", 1);
    w.settle();
    CHECK(cheap.items() == std::set<std::int64_t>{1, 2, 3});
    CHECK(dear.items() == std::set<std::int64_t>{4, 5, 6});
    CHECK(writer.items() == std::set<std::int64_t>{1, 2, 3, 4, 5, 6});

    // 2 moves out of cheap's view into dear's; 5 the other way
    writer.write(set_price(2, 9));
    writer.write(set_price(5, 1));
    w.settle();
    CHECK(cheap.items() == std::set<std::int64_t>{1, 3, 5});
    CHECK(dear.items() == std::set<std::int64_t>{2, 4, 6});
    // an object entering a view arrives whole
    const auto& five = cheap.realm.find_table("Item")->objects.at(reference::object_key{std::int64_t(5)});
    CHECK(five.fields.at("name").scalar.scalar.data == "item5");
    CHECK(five.fields.at("price").scalar.scalar.integer == 1);
    // an update inside the view is delivered as is
    writer.write(set_price(4, 7));
    w.settle();
    CHECK(dear.realm.find_table("Item")->objects.at(reference::object_key{std::int64_t(4)}).fields.at("price").scalar.scalar.integer == 7);
    CHECK(cheap.items() == std::set<std::int64_t>{1, 3, 5});
    // steady-state DOWNLOADs say so and carry the query version in force
    CHECK(cheap.downloads.back().batch == protocol::batch_state::steady_state);
    CHECK(cheap.downloads.back().query_version == 1);
    for (auto* p : {&cheap, &dear, &writer})
        CHECK(p->errors.empty());
}

TEST_CASE("flx: a subscription change re-bootstraps: MoreToCome batches, then LastInBatch, at the new version")
{
    flx_world w;
    flx_peer& writer = seeded_writer(w);
    for (std::int64_t i = 7; i <= 60; ++i)
        writer.write(create_item(i, std::string(200, 'x') + std::to_string(i), i));
    w.settle();
    flx_peer& c = w.add();
    c.connect(R"j({"Item":"(price < 3)"})j", 1);
    w.settle();
    CHECK(c.items() == std::set<std::int64_t>{1, 2});
    c.downloads.clear();
    w.backend.flx.options.bootstrap_chunk_bytes = 1024; // several changesets, several DOWNLOADs
    c.subscribe(R"j({"Item":"(price >= 10) OR (price == 1)"})j", 2);
    w.settle();
    std::set<std::int64_t> want{1};
    for (std::int64_t i = 10; i <= 60; ++i)
        want.insert(i);
    CHECK(c.items() == want);
    REQUIRE(c.downloads.size() >= 2);
    for (std::size_t i = 0; i + 1 < c.downloads.size(); ++i) {
        CHECK(c.downloads[i].batch == protocol::batch_state::more_to_come);
        CHECK(c.downloads[i].changesets >= 1);
        CHECK(c.downloads[i].query_version == 2);
    }
    CHECK(c.downloads.back().batch == protocol::batch_state::last_in_batch);
    CHECK(c.downloads.back().query_version == 2);
    CHECK(c.errors.empty());
}

TEST_CASE("flx: a bad query gets QUERY_ERROR, the session survives and the previous set stays in force")
{
    flx_world w;
    flx_peer& writer = seeded_writer(w);
    flx_peer& c = w.add();
    c.connect(R"j({"Item":"(price < 3)"})j", 1);
    w.settle();
    c.subscribe(R"j({"Item":"name == 5"})j", 2);
    w.settle();
    REQUIRE(c.query_errors.size() == 1);
    CHECK(c.query_errors[0].error_code == 226);
    CHECK(c.query_errors[0].query_version == 2);
    CHECK(c.query_error_texts[0] == "Unsupported comparison between type 'string' and type 'int'");
    c.subscribe(R"j({"Item":"price <"})j", 3);
    REQUIRE(c.query_errors.size() == 2);
    CHECK(c.query_error_texts[1].find("syntax error") != std::string::npos);
    CHECK(c.errors.empty());
    // still bound, still under version 1's view
    writer.write(set_price(6, 0));
    w.settle();
    CHECK(c.items() == std::set<std::int64_t>{1, 2, 6});
    CHECK(c.downloads.back().query_version == 1);
}

TEST_CASE("flx: --queryable restricts the fields a subscription may name")
{
    flx_world w;
    w.backend.flx.options.queryable = {"Item.price"};
    seeded_writer(w);
    flx_peer& c = w.add();
    c.connect("{}", 0);
    c.subscribe(R"j({"Item":"name == 'item1'"})j", 1);
    REQUIRE(c.query_errors.size() == 1);
    CHECK(c.query_error_texts[0] == R"j(unsupported query for table "Item": key "name" is not a queryable field)j");
    c.subscribe(R"j({"Item":"price == 1"})j", 2);
    w.settle();
    CHECK(c.items() == std::set<std::int64_t>{1});
}

TEST_CASE("flx: a QUERY during a bootstrap: the new version's bootstrap follows, and only it ends with LastInBatch")
{
    flx_world w;
    flx_peer& writer = seeded_writer(w);
    for (std::int64_t i = 7; i <= 40; ++i)
        writer.write(create_item(i, std::string(300, 'y') + std::to_string(i), i));
    w.settle();
    w.backend.flx.options.bootstrap_chunk_bytes = 512;
    flx_peer& c = w.add();
    c.connect("{}", 0);
    w.settle();
    c.downloads.clear();
    c.subscribe_without_reading(R"j({"Item":"price >= 10"})j", 1);
    REQUIRE(c.drain_one()); // the first DOWNLOAD of bootstrap 1 only
    c.subscribe_without_reading(R"j({"Item":"price < 3"})j", 2);
    c.drain();
    w.settle();
    CHECK(c.items() == std::set<std::int64_t>{1, 2});
    std::size_t last = 0;
    for (const auto& d : c.downloads) {
        if (d.batch == protocol::batch_state::last_in_batch) {
            ++last;
            CHECK(d.query_version == 2);
        }
        if (d.batch != protocol::batch_state::steady_state)
            CHECK(d.changesets >= 1);
    }
    CHECK(last == 1);
    CHECK(c.errors.empty());
}

TEST_CASE("flx: a bad query at IDENT gets QUERY_ERROR and no bootstrap for that version (realm-core refuses one)")
{
    flx_world w;
    seeded_writer(w);
    flx_peer& c = w.add();
    c.connect(R"j({"Item":"price == 'x'"})j", 3);
    w.settle();
    REQUIRE(c.query_errors.size() == 1);
    CHECK(c.query_errors[0].query_version == 3);
    REQUIRE_FALSE(c.downloads.empty());
    for (const auto& d : c.downloads)
        CHECK(d.batch == protocol::batch_state::steady_state);
    CHECK(c.items().empty());
    // a good set afterwards bootstraps as usual
    c.subscribe(R"j({"Item":"price < 2"})j", 4);
    w.settle();
    CHECK(c.items() == std::set<std::int64_t>{1});
    CHECK(c.downloads.back().batch == protocol::batch_state::last_in_batch);
    CHECK(c.errors.empty());
}
