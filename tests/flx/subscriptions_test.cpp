// The reference client's subscription set: the set's JSON (realm-core's form), the versions' states,
// and the whole thing over loopback against the reference server — a replaced set re-bootstraps, a
// refused set fails its wait with QUERY_ERROR's code while the session goes on.
#include "realmwire/reference/client.hpp"
#include "realmwire/reference/server.hpp"

#include "reference/support.hpp"

#include <catch2/catch.hpp>

#include <asio/io_context.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

using namespace realmwire;
using namespace std::chrono_literals;
using reference::flx_subscription_set;
using reference::flx_subscription_state;

TEST_CASE("flx subscription set: queries on one table OR-ed, sorted and deduplicated, tables in order, JSON-escaped")
{
    flx_subscription_set s;
    CHECK(s.to_json() == "{}");
    s.add("Item", "price > 5").add("Item", "name == \"a\"").add("Item", "price > 5").add("Bag", "TRUEPREDICATE");
    CHECK(s.size() == 3); // the unnamed duplicate was not added
    CHECK(s.to_json() == R"j({"Bag":"(TRUEPREDICATE)","Item":"(name == \"a\") OR (price > 5)"})j");

    // a named subscription is replaced by name; removing by name and by table
    s.add("Item", "price < 1", "cheap");
    s.add("Item", "price < 2", "cheap");
    CHECK(s.size() == 4);
    CHECK(s.to_json() == R"j({"Bag":"(TRUEPREDICATE)","Item":"(name == \"a\") OR (price < 2) OR (price > 5)"})j");
    CHECK(s.remove("cheap"));
    CHECK_FALSE(s.remove("cheap"));
    CHECK(s.remove_table("Item") == 2);
    CHECK(s.to_json() == R"j({"Bag":"(TRUEPREDICATE)"})j");

    // the same subscriptions in another order: the same JSON
    flx_subscription_set a, b;
    a.add("T", "x == 1").add("T", "x == 2");
    b.add("T", "x == 2").add("T", "x == 1");
    CHECK(a.to_json() == b.to_json());
}

TEST_CASE("flx subscription store: pending, bootstrapping, awaiting_mark, complete, superseded, error and a server-initiated bootstrap")
{
    using bs = protocol::batch_state;
    reference::flx_subscription_store st(R"j({"Item":"(TRUEPREDICATE)"})j");
    CHECK(st.ident_query().first == 1);
    CHECK(st.next_query(1) == std::nullopt);
    std::int64_t v2 = st.add("{}");
    std::int64_t v3 = st.add(R"j({"Item":"(_id == 3)"})j");
    CHECK(v2 == 2);
    CHECK(v3 == 3);
    CHECK(st.next_query(1)->first == 2);

    CHECK(st.on_download(1, bs::more_to_come));
    CHECK(st.find(1)->state == flx_subscription_state::bootstrapping);
    CHECK(st.on_download(1, bs::last_in_batch));
    CHECK(st.find(1)->state == flx_subscription_state::awaiting_mark);
    CHECK(st.ident_query().first == 1);
    CHECK(st.on_download_complete());
    CHECK(st.find(1)->state == flx_subscription_state::complete);
    CHECK(st.find(1)->settled());

    // version 2 refused; a bootstrap for it afterwards cannot be taken
    CHECK(st.on_query_error(2, 226, "bad"));
    CHECK(st.find(2)->state == flx_subscription_state::error);
    CHECK(st.find(2)->error_code == 226);
    CHECK_FALSE(st.on_download(2, bs::last_in_batch));
    CHECK_FALSE(st.on_download(9, bs::last_in_batch)); // a version the client never made
    CHECK(st.next_query(1)->first == 3);

    // a server-initiated bootstrap of the complete version 1 leaves its state
    CHECK(st.on_download(1, bs::more_to_come));
    CHECK(st.on_download(1, bs::last_in_batch));
    CHECK(st.find(1)->state == flx_subscription_state::complete);
    CHECK(st.server_initiated_bootstraps() == 1);

    // version 3 completes; steady-state downloads change nothing
    CHECK(st.on_download(3, bs::last_in_batch));
    CHECK(st.on_download(3, bs::steady_state));
    CHECK(st.on_download_complete());
    CHECK(st.find(3)->state == flx_subscription_state::complete);
    CHECK(st.ident_query().first == 3);
    CHECK_FALSE(st.on_query_error(3, 226, "late")); // realm-core: an error for a complete version is a violation

    // a version that never got its bootstrap is superseded by a newer complete one
    std::int64_t v4 = st.add(R"j({"Item":"(_id == 4)"})j");
    std::int64_t v5 = st.add(R"j({"Item":"(_id == 5)"})j");
    CHECK(st.on_download(v5, bs::last_in_batch));
    CHECK(st.find(v4)->state == flx_subscription_state::superseded);
    CHECK(st.find(v5)->state == flx_subscription_state::awaiting_mark);
}

namespace {

struct flx_harness {
    rw_ref_test::temp_dir dir;
    std::unique_ptr<reference::server> srv;
    asio::io_context ioc;

    flx_harness()
    {
        reference::server_config cfg;
        cfg.data_dir = dir.str();
        srv = std::make_unique<reference::server>(cfg);
        srv->start();
    }
    ~flx_harness() { srv->stop(); }

    std::shared_ptr<reference::client> connect(reference::object_store& st, const std::string& who,
                                               std::optional<flx_subscription_set> subs)
    {
        reference::client_config c;
        c.server_url = "ws://127.0.0.1:" + std::to_string(srv->port());
        c.dialect = &dialects::mongodb_flx;
        c.token = rw_ref_test::mint(srv->auth(), who);
        c.reconnect_delay = 50ms;
        c.subscriptions = std::move(subs);
        auto cl = std::make_shared<reference::client>(ioc, c, st);
        cl->start();
        return cl;
    }

    /// Waits for query version `v` of `c`: the error code it completed with.
    std::optional<std::error_code> wait(reference::client& c, std::int64_t v)
    {
        std::optional<std::error_code> out;
        c.async_wait_for_subscriptions(v, [&](std::error_code ec) { out = ec; });
        reference::client::run_until(ioc, [&] { return out.has_value(); }, 10s);
        return out;
    }
};

} // namespace

TEST_CASE("flx subscriptions over loopback: a replaced set re-bootstraps, a refused one fails its wait, the session goes on")
{
    flx_harness h;
    reference::object_store ws, rs;
    ws.put_items({{1, "one"}, {2, "two"}, {3, "three"}, {4, "four"}});
    flx_subscription_set all;
    all.add("Item", "TRUEPREDICATE");
    auto writer = h.connect(ws, "alice", all);
    auto w = h.wait(*writer, 1);
    REQUIRE(w);
    CHECK_FALSE(*w);
    REQUIRE(reference::client::run_until(h.ioc, [&] { return writer->synced(); }, 10s));

    flx_subscription_set first;
    first.add("Item", "_id < 2");
    auto reader = h.connect(rs, "bob", first);
    auto r1 = h.wait(*reader, 1);
    REQUIRE(r1);
    CHECK_FALSE(*r1);
    CHECK(reader->subscription_version(1)->state == flx_subscription_state::complete);
    CHECK(rs.describe() == std::vector<std::string>{"Item{_id=1, name=\"one\"}"});

    // two subscriptions on Item, OR-ed: objects 3 and 4; object 1 leaves the view
    flx_subscription_set second;
    second.add("Item", "_id == 3", "three").add("Item", "name == \"four\"", "four");
    std::int64_t v2 = reader->update_subscriptions(second);
    CHECK(v2 == 2);
    auto r2 = h.wait(*reader, v2);
    REQUIRE(r2);
    CHECK_FALSE(*r2);
    CHECK(rs.describe() == std::vector<std::string>{"Item{_id=3, name=\"three\"}", "Item{_id=4, name=\"four\"}"});
    CHECK(reader->subscription_version(1)->state == flx_subscription_state::complete);

    // a refused set: the wait fails with bad_query, the failure record has code and text, v2 stays
    flx_subscription_set bad;
    bad.add("Item", "nosuchfield == 1");
    std::int64_t v3 = reader->update_subscriptions(bad);
    auto r3 = h.wait(*reader, v3);
    REQUIRE(r3);
    CHECK(*r3 == make_error_code(protocol::protocol_error::bad_query));
    CHECK(reader->subscription_version(v3)->state == flx_subscription_state::error);
    CHECK(reader->subscription_version(v3)->error_code == 226);
    CHECK_FALSE(reader->subscription_version(v3)->error_message.empty());
    CHECK(reader->failure().protocol_error == 226);
    CHECK(reader->failure().what.find("query version 3") != std::string::npos);
    CHECK_FALSE(reader->failed());
    CHECK(rs.describe().size() == 2);

    // the session goes on: a later write in view arrives, and a new set works
    ws.put_items({{5, "five"}});
    writer->local_write();
    flx_subscription_set third;
    third.add("Item", "_id >= 4");
    std::int64_t v4 = reader->update_subscriptions(third);
    auto r4 = h.wait(*reader, v4);
    REQUIRE(r4);
    CHECK_FALSE(*r4);
    REQUIRE(reference::client::run_until(h.ioc, [&] { return rs.describe().size() == 2 && rs.describe()[1].find("five") != std::string::npos; }, 10s));
    CHECK(rs.describe() == std::vector<std::string>{"Item{_id=4, name=\"four\"}", "Item{_id=5, name=\"five\"}"});

    // a version that does not exist; a wait after stop() is aborted
    auto bad_v = h.wait(*reader, 99);
    REQUIRE(bad_v);
    CHECK(*bad_v == std::errc::invalid_argument);
    writer->stop();
    reader->stop();
    reference::client::run_until(h.ioc, [] { return false; }, 30ms);
}
