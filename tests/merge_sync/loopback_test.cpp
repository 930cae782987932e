// Merging end to end over loopback: realmwire clients with conflicting offline writes converge through
// the reference server (which transforms each upload) in every dialect, and the realm-core-like
// "later write wins" scenario with three clients.
#include "realmwire/reference/client.hpp"
#include "realmwire/reference/server.hpp"

#include "reference/support.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <thread>

using namespace realmwire;
using namespace rw_ref_test;

namespace {

/// Obj{_id int, v int, l list<int>}: creates the schema when the store has none, then creates object
/// `pk`, sets v and inserts `elem` at the front of l — all as one local write.
std::uint64_t write_obj(reference::object_store& s, std::int64_t pk, std::int64_t v, std::int64_t elem)
{
    changeset::changeset cs;
    auto obj = cs.intern("Obj");
    auto vf = cs.intern("v");
    auto lf = cs.intern("l");
    if (!s.find_table("Obj")) {
        changeset::add_table at;
        at.table = obj;
        at.pk_field = cs.intern("_id");
        cs.instructions.emplace_back(at);
        changeset::add_column a;
        a.table = obj;
        a.field = vf;
        a.type = changeset::payload_type::integer;
        cs.instructions.emplace_back(a);
        a.field = lf;
        a.collection = changeset::collection_type::list;
        cs.instructions.emplace_back(a);
    }
    changeset::create_object co;
    co.table = obj;
    co.object = pk;
    cs.instructions.emplace_back(co);
    changeset::update u;
    u.table = obj;
    u.object = pk;
    u.field = vf;
    u.value = changeset::payload::make_int(v);
    cs.instructions.emplace_back(u);
    std::size_t size = 0;
    if (const auto* t = s.find_table("Obj")) {
        auto it = t->objects.find(reference::object_key{pk});
        if (it != t->objects.end())
            size = it->second.fields.at("l").elements.size();
    }
    changeset::array_insert ai;
    ai.table = obj;
    ai.object = pk;
    ai.field = lf;
    ai.path = {std::uint32_t{0}};
    ai.value = changeset::payload::make_int(elem);
    ai.prior_size = static_cast<std::uint32_t>(size);
    cs.instructions.emplace_back(ai);
    return s.commit(cs);
}

struct harness {
    reference::server& srv;
    const dialect& d;
    std::string realm;
    asio::io_context ioc;

    std::shared_ptr<reference::client> connect(reference::object_store& st, const std::string& who)
    {
        reference::client_config c;
        c.server_url = "ws://127.0.0.1:" + std::to_string(srv.port());
        c.dialect = &d;
        c.realm_path = realm;
        c.token = mint(srv.auth(), who);
        // Flexible sync serves only what a client subscribed to (and undoes its writes elsewhere).
        c.flx_query = R"j({"Obj":"TRUEPREDICATE"})j";
        auto cl = std::make_shared<reference::client>(ioc, c, st);
        cl->start();
        return cl;
    }
    /// Runs until every client is synced (or one failed, or 10 s passed).
    void sync(std::initializer_list<std::shared_ptr<reference::client>> cs)
    {
        bool ok = reference::client::run_until(
            ioc,
            [&] {
                for (const auto& c : cs)
                    if (c->failed() || !c->synced())
                        return false;
                return true;
            },
            10s);
        for (const auto& c : cs) {
            INFO(c->failure().what);
            REQUIRE_FALSE(c->failed());
        }
        REQUIRE(ok);
    }
    void stop(std::shared_ptr<reference::client>& c)
    {
        c->stop();
        reference::client::run_until(ioc, [] { return false; }, 30ms);
        c.reset();
    }
};

} // namespace

TEST_CASE("merge over loopback: conflicting offline writes of two clients converge in every dialect")
{
    temp_dir dir;
    reference::server_config cfg;
    cfg.data_dir = dir.str();
    reference::server srv(cfg);
    srv.start();
    for (const dialect* d : dialects::all) {
        DYNAMIC_SECTION(d->name)
        {
            harness h{srv, *d, "/merge-" + std::string(d->name), {}};
            reference::object_store a, b;
            // Offline, both create the same schema and object 1, set v and insert into the same list.
            write_obj(a, 1, 10, 100);
            std::this_thread::sleep_for(5ms); // b's writes are later: b's v wins
            write_obj(b, 1, 20, 200);
            write_obj(b, 2, 21, 201);
            auto ca = h.connect(a, "alice");
            h.sync({ca});
            auto cb = h.connect(b, "bob");
            h.sync({ca, cb});
            // a has b's changes once it downloaded them: wait for equal states.
            REQUIRE(reference::client::run_until(
                h.ioc, [&] { return a.state().dump() == b.state().dump() && ca->synced() && cb->synced(); }, 10s));
            auto dump = a.state().dump();
            CHECK(dump == b.state().dump());
            const auto* t = a.find_table("Obj");
            REQUIRE(t);
            REQUIRE(t->objects.size() == 2);
            const auto& o1 = t->objects.at(reference::object_key{std::int64_t{1}});
            CHECK(o1.fields.at("v").scalar.scalar.integer == 20);
            // Both inserts survive, in one order on both sides.
            CHECK(o1.fields.at("l").elements.size() == 2);
            CHECK(a.skipped() == 0);
            CHECK(b.skipped() == 0);
            h.stop(ca);
            h.stop(cb);
        }
    }
    srv.stop();
}

TEST_CASE("merge over loopback: later offline write wins for every client, a fresh one included")
{
    temp_dir dir;
    reference::server_config cfg;
    cfg.data_dir = dir.str();
    reference::server srv(cfg);
    srv.start();
    harness h{srv, dialects::mongodb_pbs, "/later-wins", {}};
    reference::object_store a, b, c;
    a.put_items(items(1, 8, "v0-"));
    auto ca = h.connect(a, "a");
    h.sync({ca});
    auto cb = h.connect(b, "b");
    h.sync({ca, cb});
    REQUIRE(item_count(b) == 8);
    h.stop(ca);
    h.stop(cb);
    // Offline: A edits 1-4, then B (later) edits 2-4.
    a.put_items({{1, "A-1"}, {2, "A-2"}, {3, "A-3"}, {4, "A-4"}});
    std::this_thread::sleep_for(5ms);
    b.put_items({{2, "B-2"}, {3, "B-3"}, {4, "B-4"}});
    // B syncs, A syncs, B syncs again, then a fresh C reads.
    cb = h.connect(b, "b");
    h.sync({cb});
    h.stop(cb);
    ca = h.connect(a, "a");
    h.sync({ca});
    h.stop(ca);
    cb = h.connect(b, "b");
    h.sync({cb});
    h.stop(cb);
    auto cc = h.connect(c, "c");
    h.sync({cc});
    h.stop(cc);
    std::vector<std::string> want{
        "Item{_id=1, name=\"A-1\"}",  "Item{_id=2, name=\"B-2\"}",  "Item{_id=3, name=\"B-3\"}",
        "Item{_id=4, name=\"B-4\"}",  "Item{_id=5, name=\"v0-5\"}", "Item{_id=6, name=\"v0-6\"}",
        "Item{_id=7, name=\"v0-7\"}", "Item{_id=8, name=\"v0-8\"}"};
    CHECK(a.describe() == want);
    CHECK(b.describe() == want);
    CHECK(c.describe() == want);
    CHECK(a.state().dump() == c.state().dump());
    srv.stop();
}
