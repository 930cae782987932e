// The server's FLX state is bounded: flx_realm keeps past object values for clients that are behind,
// and a writer that rewrites one object over and over must not grow it without limit.
#include "support.hpp"

using namespace rw_flx_test;

namespace {

std::size_t past_values(const flx_world& w)
{
    const reference::flx_realm* r = w.backend.flx.find_realm(w.backend.flx_realm);
    REQUIRE(r);
    return r->past_values();
}

std::size_t past_value_bytes(const flx_world& w)
{
    const reference::flx_realm* r = w.backend.flx.find_realm(w.backend.flx_realm);
    REQUIRE(r);
    return r->past_value_bytes();
}

/// Wakes and drains only `peers` (the others stay where they are, like a client that stopped reading).
void settle_only(flx_world& w, std::initializer_list<flx_peer*> peers)
{
    for (int round = 0; round < 4; ++round)
        for (flx_peer* p : peers) {
            p->connection().notify_realm_changed(w.backend.flx_realm);
            p->drain();
        }
}

/// After a forced trim: `laggard` (which stopped reading before it) gets ERROR 222 at its next DOWNLOAD,
/// not a wrong view, and a fresh client subscribing to everything gets exactly `writer`'s realm.
flx_peer& check_trimmed_past(flx_world& w, flx_peer& laggard, const flx_peer& writer)
{
    settle_only(w, {&laggard});
    CHECK(laggard.errors == std::vector<int>{222});
    flx_peer& fresh = w.add();
    fresh.connect(R"j({"Item":"TRUEPREDICATE"})j", 1);
    settle_only(w, {&fresh});
    CHECK(fresh.errors.empty());
    CHECK(fresh.realm.dump() == writer.realm.dump());
    return fresh;
}

} // namespace

TEST_CASE("flx state limit: rewriting one object keeps past values bounded, a laggard gets 222, fresh and current clients are served exactly")
{
    flx_world w;
    w.backend.flx.options.max_past_values = 20;
    flx_peer& writer = w.add();
    writer.connect(R"j({"Item":"TRUEPREDICATE"})j", 1);
    writer.write(item_schema());
    for (std::int64_t i = 1; i <= 3; ++i)
        writer.write(create_item(i, "item" + std::to_string(i), i));
    w.settle();

    flx_peer& reader = w.add();
    reader.connect(R"j({"Item":"price < 100"})j", 1);
    flx_peer& laggard = w.add();
    laggard.connect(R"j({"Item":"price < 100"})j", 1);
    w.settle();
    REQUIRE(laggard.items() == std::set<std::int64_t>{1, 2, 3});

    // the attack: 500 rewrites of one object; the laggard stops reading
    std::size_t peak = 0;
    for (std::int64_t n = 0; n < 500; ++n) {
        writer.write(set_price(1, n % 2 == 0 ? 7 : 500)); // in and out of the readers' view
        settle_only(w, {&writer, &reader});
        peak = std::max(peak, past_values(w));
    }
    // without the limit every rewrite would keep one more value (500+); with it, at most the limit
    // plus what one DOWNLOAD round adds before the next trim
    CHECK(peak <= 20 + 2);
    CHECK(w.backend.flx.forced_trims() > 0);

    // the reader kept up and sees exactly its view (item 1 last at price 500: out)
    CHECK(reader.errors.empty());
    CHECK(reader.items() == std::set<std::int64_t>{2, 3});

    // the laggard's place was trimmed away: ERROR 222 (client_file_expired), not a wrong view; a
    // fresh client is bootstrapped at the current version
    flx_peer& fresh = check_trimmed_past(w, laggard, writer);
    CHECK(fresh.items() == std::set<std::int64_t>{1, 2, 3});
}

TEST_CASE("flx state limit: trimming keeps what bound sessions need: nobody behind, nobody cut off")
{
    flx_world w;
    w.backend.flx.options.max_past_values = 10;
    flx_peer& writer = w.add();
    writer.connect(R"j({"Item":"TRUEPREDICATE"})j", 1);
    writer.write(item_schema());
    writer.write(create_item(1, "one", 1));
    flx_peer& reader = w.add();
    reader.connect(R"j({"Item":"price >= 50"})j", 1);
    w.settle();
    for (std::int64_t n = 0; n < 100; ++n) {
        writer.write(set_price(1, n));
        w.settle();
    }
    CHECK(past_values(w) <= 10 + 2);
    CHECK(w.backend.flx.forced_trims() == 0); // everybody kept up: trimming behind them was enough
    CHECK(reader.errors.empty());
    CHECK(reader.items() == std::set<std::int64_t>{1});
    CHECK(writer.errors.empty());
}

TEST_CASE("flx state limit: small writes to a large object keep past values bounded in bytes, not only in count")
{
    // The attack: one object with a 100 KB name, then 200 eight-byte changes to its price. Every
    // version keeps the object's whole value for clients that are behind, so each small upload stored
    // a 100 KB copy: 20 MB from 2 KB uploaded, and the count limit (200 000 values) never stopped it.
    flx_world w;
    constexpr std::size_t limit = 1 << 20;
    w.backend.flx.options.max_past_value_bytes = limit;
    flx_peer& writer = w.add();
    writer.connect(R"j({"Item":"TRUEPREDICATE"})j", 1);
    writer.write(item_schema());
    const std::string big(100 * 1024, 'x');
    writer.write(create_item(1, big, 1));
    writer.write(create_item(2, "small", 2));
    w.settle();
    flx_peer& laggard = w.add();
    laggard.connect(R"j({"Item":"price < 100"})j", 1);
    w.settle();
    REQUIRE(laggard.items() == std::set<std::int64_t>{1, 2});

    std::size_t peak = 0;
    for (std::int64_t n = 0; n < 200; ++n) {
        writer.write(set_price(1, n % 50));
        settle_only(w, {&writer});
        peak = std::max(peak, past_value_bytes(w));
    }
    INFO("peak past value bytes " << peak);
    // at most the limit plus the values one round adds before the next trim (one copy of the object)
    CHECK(peak <= limit + 2 * (big.size() + 4096));
    CHECK(peak >= limit / 2); // the limit, not something else, is what held it
    CHECK(past_values(w) < 20);
    CHECK(w.backend.flx.forced_trims() > 0);

    // the laggard lost its place: ERROR 222, not a wrong view; a fresh client is served whole
    check_trimmed_past(w, laggard, writer);
}

TEST_CASE("flx state limit: past value bytes are counted exactly as values come and go")
{
    // The byte count follows the values kept: it grows by the old value's size when an object changes,
    // shrinks by what trim() drops, and is back to zero when nothing past is kept.
    reference::flx_realm r;
    std::error_code ec;
    cs::changeset schema = item_schema();
    r.apply(schema, ec);
    REQUIRE_FALSE(ec);
    r.apply(create_item(1, std::string(1000, 'a'), 1), ec);
    REQUIRE_FALSE(ec);
    CHECK(r.past_value_bytes() == 0); // only the newest value of each object: nothing past
    r.apply(set_price(1, 2), ec);
    REQUIRE_FALSE(ec);
    const std::size_t one = r.past_value_bytes();
    CHECK(one >= 1000); // the old value, with its 1000-byte name
    CHECK(one < 2000);
    r.apply(set_price(1, 3), ec);
    REQUIRE_FALSE(ec);
    CHECK(r.past_value_bytes() == 2 * one);
    r.trim(r.version() - 1);
    CHECK(r.past_value_bytes() == one);
    r.trim(r.version());
    CHECK(r.past_value_bytes() == 0);
    CHECK(r.past_values() == 0);
}

namespace {

/// 400 objects of about 1 KB each, written by `writer`.
void fill_realm(flx_world& w, flx_peer& writer)
{
    writer.connect(R"j({"Item":"TRUEPREDICATE"})j", 1);
    writer.write(item_schema());
    for (std::int64_t i = 1; i <= 400; ++i)
        writer.write(create_item(i, std::string(1000, static_cast<char>('a' + i % 26)), i));
    w.settle();
}

} // namespace

TEST_CASE("flx bootstrap: made a changeset at a time, so clients that stop reading hold one each, not the realm each")
{
    // The attack: eight clients subscribe to every object of a 400 KB realm and read one message
    // each. Built whole, each bootstrap held all the realm's objects once more (about 400 KB per
    // client, and as many clients as the connection limits allow) until its session ended.
    flx_world w;
    w.backend.flx.options.bootstrap_chunk_bytes = 16 * 1024;
    flx_peer& writer = w.add();
    fill_realm(w, writer);
    std::vector<flx_peer*> readers;
    for (int n = 0; n < 8; ++n) {
        flx_peer& r = w.add();
        r.connect("{}", 0);
        r.subscribe_without_reading(R"j({"Item":"TRUEPREDICATE"})j", 1);
        REQUIRE(r.drain_one());
        readers.push_back(&r);
    }
    const std::size_t held = w.backend.flx.bootstrap_bytes_held();
    INFO("bootstrap bytes held for 8 clients: " << held);
    CHECK(held <= 8 * (16 * 1024 + 2 * 1024)); // at most one changeset (one object over the size) each

    // read on: every client ends with the whole realm
    for (flx_peer* r : readers) {
        r->drain();
        CHECK(r->errors.empty());
        CHECK(r->items().size() == 400);
        CHECK(r->realm.dump() == writer.realm.dump());
    }
    CHECK(w.backend.flx.bootstrap_bytes_held() == 0);
}

TEST_CASE("flx bootstrap: writes that land while one is being sent do not tear it")
{
    // The bootstrap shows the objects as they were at its version, read from the realm's past values
    // while the realm moves on; the writes follow as ordinary changesets.
    flx_world w;
    w.backend.flx.options.bootstrap_chunk_bytes = 16 * 1024;
    flx_peer& writer = w.add();
    fill_realm(w, writer);
    flx_peer& reader = w.add();
    reader.connect("{}", 0);
    reader.subscribe_without_reading(R"j({"Item":"price < 1000"})j", 1);
    REQUIRE(reader.drain_one());
    REQUIRE(reader.drain_one()); // some of the bootstrap is out

    writer.write(set_price(400, 5000)); // leaves the view (the bootstrap reaches it later)
    writer.write(set_price(1, 7));      // stays, changed (already sent)
    writer.write(create_item(401, "new", 3));
    cs::changeset erase;
    cs::erase_object e;
    e.table = erase.intern("Item");
    e.object = std::int64_t(399);
    erase.instructions.push_back(e);
    writer.write(erase);
    for (int round = 0; round < 4; ++round)
        writer.drain();

    reader.connection().notify_realm_changed(w.backend.flx_realm);
    reader.drain();
    CHECK(reader.errors.empty());
    std::uint64_t bootstrap_version = 0;
    for (const auto& d : reader.downloads) {
        if (d.batch == protocol::batch_state::steady_state)
            continue;
        if (bootstrap_version == 0)
            bootstrap_version = d.server_version;
        CHECK(d.server_version == bootstrap_version); // every part of it at one version
    }
    std::set<std::int64_t> want;
    for (std::int64_t i = 1; i <= 401; ++i)
        if (i != 399 && i != 400)
            want.insert(i);
    {
        std::string got;
        for (const auto& d : reader.downloads)
            got += std::to_string(int(d.batch)) + "@" + std::to_string(d.server_version) + "x" + std::to_string(d.changesets) + " ";
        INFO("downloads " << got << "; items " << reader.items().size());
        CHECK(reader.items() == want);
    }
    CHECK(reader.realm.find_table("Item")->objects.at(std::int64_t(1)) ==
          writer.realm.find_table("Item")->objects.at(std::int64_t(1)));
}

TEST_CASE("flx bootstrap: a view that drops hundreds of objects erases them over several changesets")
{
    flx_world w;
    w.backend.flx.options.bootstrap_chunk_bytes = 1024; // every 1 KB object a changeset of its own
    flx_peer& writer = w.add();
    fill_realm(w, writer);
    flx_peer& reader = w.add();
    reader.connect(R"j({"Item":"TRUEPREDICATE"})j", 1);
    w.settle();
    REQUIRE(reader.items().size() == 400);
    const std::size_t before = reader.downloads.size();

    reader.subscribe(R"j({"Item":"price > 390 || _id == 7"})j", 2);
    w.settle();
    CHECK(reader.errors.empty());
    CHECK(reader.items() == std::set<std::int64_t>{7, 391, 392, 393, 394, 395, 396, 397, 398, 399, 400});
    std::size_t parts = 0;
    for (std::size_t i = before; i < reader.downloads.size(); ++i)
        if (reader.downloads[i].query_version == 2 && reader.downloads[i].batch != protocol::batch_state::steady_state)
            parts += reader.downloads[i].changesets;
    CHECK(parts >= 5); // 389 erases of about 20 bytes each, 1 KB to a changeset

    // and back: every object again, in changesets of one object each
    reader.subscribe(R"j({"Item":"TRUEPREDICATE"})j", 3);
    w.settle();
    CHECK(reader.items().size() == 400);
    CHECK(reader.realm.dump() == writer.realm.dump());
}
