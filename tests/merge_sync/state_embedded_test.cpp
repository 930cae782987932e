// The state applier on embedded objects and collections nested in Mixed: creation, paths into them,
// cascades, realm-core's no-op cases, every error (state unchanged), and two clients converging on
// embedded writes through the reference server over loopback.
#include "realmwire/changeset/encoder.hpp"
#include "realmwire/reference/client.hpp"
#include "realmwire/reference/server.hpp"
#include "realmwire/reference/state.hpp"

#include "reference/support.hpp"

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <thread>
#include <vector>

using namespace realmwire;
using namespace rw_ref_test;
namespace cs = realmwire::changeset;
using pt = cs::payload_type;
using ct = cs::collection_type;

namespace {

/// Every name the tests use, interned in this order in every changeset (so ids are stable).
const char* const names[] = {"A", "E", "_id", "e", "el", "ed", "m", "x", "l", "k", "ln", "T", "y"};

cs::string_id nm(const std::string& n)
{
    for (std::uint32_t k = 0; k < sizeof names / sizeof *names; ++k)
        if (n == names[k])
            return {k};
    return {999};
}

cs::changeset fresh()
{
    cs::changeset c;
    for (const char* n : names)
        c.intern(n);
    return c;
}

/// A: _id int; e link E (embedded); el list<link E>; ed dict<link E>; m Mixed; ln link T.
/// E (embedded): x int; l list<int>. T: _id int. Object A 1 and T 1.
cs::changeset schema()
{
    cs::changeset c = fresh();
    cs::add_table t;
    t.table = nm("E");
    t.type = cs::table_type::embedded;
    c.instructions.emplace_back(t);
    t = {};
    t.table = nm("A");
    t.pk_field = nm("_id");
    c.instructions.emplace_back(t);
    t.table = nm("T");
    c.instructions.emplace_back(t);
    auto col = [&](const char* table, const char* name, pt type, ct coll, const char* target = nullptr) {
        cs::add_column ac;
        ac.table = nm(table);
        ac.field = nm(name);
        ac.type = type;
        ac.nullable = type == pt::link && coll == ct::single;
        ac.collection = coll;
        if (target)
            ac.link_target_table = nm(target);
        if (coll == ct::dictionary)
            ac.key_type = pt::string;
        c.instructions.emplace_back(ac);
    };
    col("E", "x", pt::integer, ct::single);
    col("E", "l", pt::integer, ct::list);
    col("A", "e", pt::link, ct::single, "E");
    col("A", "el", pt::link, ct::list, "E");
    col("A", "ed", pt::link, ct::dictionary, "E");
    col("A", "m", pt::null, ct::single);
    col("A", "ln", pt::link, ct::single, "T");
    cs::create_object co;
    co.table = nm("A");
    co.object = std::int64_t{1};
    c.instructions.emplace_back(co);
    co.table = nm("T");
    c.instructions.emplace_back(co);
    return c;
}

reference::state base()
{
    reference::state s;
    s.apply(schema());
    return s;
}

cs::path path(std::initializer_list<cs::path_element> p)
{
    return cs::path(p);
}
cs::path_element key(const char* n)
{
    return nm(n);
}
cs::path_element ix(std::uint32_t n)
{
    return n;
}

template <class I>
I on(const char* field, cs::path p = {})
{
    I i;
    i.table = nm("A");
    i.object = std::int64_t{1};
    i.field = nm(field);
    i.path = std::move(p);
    return i;
}
cs::update upd(const char* field, cs::path p, cs::payload v)
{
    auto u = on<cs::update>(field, std::move(p));
    u.value = std::move(v);
    return u;
}
cs::array_insert ins(const char* field, cs::path p, cs::payload v, std::uint32_t prior)
{
    auto a = on<cs::array_insert>(field, std::move(p));
    a.value = std::move(v);
    a.prior_size = prior;
    return a;
}
cs::payload obj()
{
    return cs::payload::make(pt::object_value);
}

/// Applies the instructions as one changeset, through the encoder and decoder (the bytes a client
/// uploads), and returns the error.
std::error_code run(reference::state& s, std::vector<cs::instruction> is, std::size_t* where = nullptr)
{
    cs::changeset c = fresh();
    c.instructions = std::move(is);
    std::string bytes = cs::encode(c);
    std::error_code ec;
    reference::apply_info w;
    s.apply(bytes, ec, &w);
    if (where)
        *where = w.instruction;
    return ec;
}

/// The dump line of field `f` of A 1.
std::string field_line(const reference::state& s, const std::string& f)
{
    for (const auto& line : s.dump())
        if (line.rfind("  " + f + " = ", 0) == 0)
            return line.substr(f.size() + 5);
    return "<missing>";
}

} // namespace

TEST_CASE("state embedded: an ObjectValue creates the object, paths write its fields, null cascades")
{
    auto s = base();
    CHECK(field_line(s, "e") == "null");
    REQUIRE_FALSE(run(s, {upd("e", {}, obj())}));
    CHECK(field_line(s, "e") == "{l = list[], x = int:0}");
    REQUIRE_FALSE(run(s, {upd("e", path({key("x")}), cs::payload::make_int(5)),
                          ins("e", path({key("l"), ix(0)}), cs::payload::make_int(9), 0)}));
    auto ai = on<cs::add_integer>("e", path({key("x")}));
    ai.value = 2;
    REQUIRE_FALSE(run(s, {ai}));
    CHECK(field_line(s, "e") == "{l = list[int:9], x = int:7}");
    // realm-core creates an embedded object only where there is none: a second ObjectValue keeps it.
    REQUIRE_FALSE(run(s, {upd("e", {}, obj())}));
    CHECK(field_line(s, "e") == "{l = list[int:9], x = int:7}");
    // Null erases it (cascade); a new one starts from the defaults.
    REQUIRE_FALSE(run(s, {upd("e", {}, cs::payload{})}));
    CHECK(field_line(s, "e") == "null");
    CHECK(run(s, {upd("e", path({key("x")}), cs::payload::make_int(1))}) == apply_error::no_such_object);
    REQUIRE_FALSE(run(s, {upd("e", {}, obj())}));
    CHECK(field_line(s, "e") == "{l = list[], x = int:0}");
    // The embedded table is not listed as a table of its own.
    for (const auto& line : s.dump())
        CHECK(line.find("class_E") == std::string::npos);
}

TEST_CASE("state embedded: in lists and dictionaries, erased with their element, their parent or by Clear")
{
    auto s = base();
    REQUIRE_FALSE(run(s, {ins("el", path({ix(0)}), obj(), 0), ins("el", path({ix(1)}), obj(), 1),
                          upd("el", path({ix(1), key("x")}), cs::payload::make_int(3))}));
    CHECK(field_line(s, "el") == "list[{l = list[], x = int:0}, {l = list[], x = int:3}]");
    // An ObjectValue over a list element is a no-op in realm-core (the element is an object already).
    REQUIRE_FALSE(run(s, {upd("el", path({ix(1)}), obj())}));
    CHECK(field_line(s, "el") == "list[{l = list[], x = int:0}, {l = list[], x = int:3}]");
    auto mv = on<cs::array_move>("el", path({ix(1)}));
    mv.ndx_2 = 0;
    mv.prior_size = 2;
    REQUIRE_FALSE(run(s, {mv}));
    CHECK(field_line(s, "el") == "list[{l = list[], x = int:3}, {l = list[], x = int:0}]");
    auto er = on<cs::array_erase>("el", path({ix(0)}));
    er.prior_size = 2;
    REQUIRE_FALSE(run(s, {er}));
    CHECK(field_line(s, "el") == "list[{l = list[], x = int:0}]");

    REQUIRE_FALSE(run(s, {upd("ed", path({key("k")}), obj()), upd("ed", path({key("k"), key("x")}), cs::payload::make_int(4))}));
    CHECK(field_line(s, "ed") == "dict{\"k\": {l = list[], x = int:4}}");
    // In a dictionary an ObjectValue makes a new object (the old one is erased).
    REQUIRE_FALSE(run(s, {upd("ed", path({key("k")}), obj())}));
    CHECK(field_line(s, "ed") == "dict{\"k\": {l = list[], x = int:0}}");
    REQUIRE_FALSE(run(s, {upd("ed", path({key("k")}), cs::payload::make(pt::erased))}));
    CHECK(field_line(s, "ed") == "dict{}");

    auto cl = on<cs::clear>("el");
    REQUIRE_FALSE(run(s, {cl}));
    CHECK(field_line(s, "el") == "list[]");

    // Erasing the parent erases everything under it; recreating it starts empty.
    REQUIRE_FALSE(run(s, {upd("e", {}, obj()), ins("el", path({ix(0)}), obj(), 0)}));
    cs::erase_object eo;
    eo.table = nm("A");
    eo.object = std::int64_t{1};
    cs::create_object co;
    co.table = nm("A");
    co.object = std::int64_t{1};
    REQUIRE_FALSE(run(s, {eo, co}));
    CHECK(field_line(s, "e") == "null");
    CHECK(field_line(s, "el") == "list[]");
}

TEST_CASE("state embedded: a column added to the embedded table reaches every embedded object")
{
    auto s = base();
    REQUIRE_FALSE(run(s, {upd("e", {}, obj()), ins("el", path({ix(0)}), obj(), 0)}));
    cs::add_column ac;
    ac.table = nm("E");
    ac.field = nm("y");
    ac.type = pt::string;
    ac.nullable = true;
    REQUIRE_FALSE(run(s, {ac}));
    CHECK(field_line(s, "e") == "{l = list[], x = int:0, y = null}");
    CHECK(field_line(s, "el") == "list[{l = list[], x = int:0, y = null}]");
    cs::erase_column ec;
    ec.table = nm("E");
    ec.field = nm("y");
    REQUIRE_FALSE(run(s, {ec}));
    CHECK(field_line(s, "e") == "{l = list[], x = int:0}");
    CHECK(field_line(s, "el") == "list[{l = list[], x = int:0}]");
}

TEST_CASE("state nested: List and Dictionary in Mixed, paths through them, Clear changes the kind")
{
    auto s = base();
    REQUIRE_FALSE(run(s, {upd("m", {}, cs::payload::make(pt::list)), ins("m", path({ix(0)}), cs::payload::make_int(1), 0),
                          ins("m", path({ix(1)}), cs::payload::make(pt::dictionary), 1),
                          upd("m", path({ix(1), key("k")}), cs::payload::make_string("z")),
                          upd("m", path({ix(1), key("x")}), cs::payload::make(pt::list)),
                          ins("m", path({ix(1), key("x"), ix(0)}), cs::payload::make_int(2), 0)}));
    CHECK(field_line(s, "m") == "list[int:1, dict{\"k\": str:\"z\", \"x\": list[int:2]}]");
    // Creating the kind that is there keeps its contents.
    REQUIRE_FALSE(run(s, {upd("m", {}, cs::payload::make(pt::list)), upd("m", path({ix(1), key("x")}), cs::payload::make(pt::list))}));
    CHECK(field_line(s, "m") == "list[int:1, dict{\"k\": str:\"z\", \"x\": list[int:2]}]");
    // Clear of the nested list inside the dictionary inside the list.
    auto cl = on<cs::clear>("m", path({ix(1), key("x")}));
    REQUIRE_FALSE(run(s, {cl}));
    CHECK(field_line(s, "m") == "list[int:1, dict{\"k\": str:\"z\", \"x\": list[]}]");
    // Clear with another kind makes the Mixed that kind.
    auto cd = on<cs::clear>("m");
    cd.collection = ct::dictionary;
    REQUIRE_FALSE(run(s, {cd}));
    CHECK(field_line(s, "m") == "dict{}");
    // A scalar over the collection erases it.
    REQUIRE_FALSE(run(s, {upd("m", {}, cs::payload::make_int(3))}));
    CHECK(field_line(s, "m") == "int:3");
}

TEST_CASE("state embedded and nested: every bad path, index and type is an apply_error and applies nothing")
{
    auto s = base();
    REQUIRE_FALSE(run(s, {upd("e", {}, obj()), ins("el", path({ix(0)}), obj(), 0), upd("m", {}, cs::payload::make(pt::list))}));
    const auto before = s.dump();
    auto one = [&](cs::instruction i) {
        std::size_t where = 99;
        // A good write first, so all-or-nothing is checked every time.
        auto ec = run(s, {upd("e", path({key("x")}), cs::payload::make_int(8)), std::move(i)}, &where);
        CHECK(where == 1);
        CHECK(s.dump() == before);
        return ec;
    };
    CHECK(one(upd("e", path({key("k")}), cs::payload::make_int(1))) == apply_error::no_such_field);
    CHECK(one(upd("e", path({ix(0)}), cs::payload::make_int(1))) == apply_error::invalid_path);
    CHECK(one(upd("e", path({key("x"), key("x")}), cs::payload::make_int(1))) == apply_error::invalid_path);
    CHECK(one(upd("e", path({key("x")}), cs::payload::make_string("no"))) == apply_error::type_mismatch);
    CHECK(one(upd("el", path({ix(5), key("x")}), cs::payload::make_int(1))) == apply_error::index_out_of_range);
    CHECK(one(upd("el", path({key("k"), key("x")}), cs::payload::make_int(1))) == apply_error::invalid_path);
    CHECK(one(upd("ed", path({key("k"), key("x")}), cs::payload::make_int(1))) == apply_error::invalid_path);
    CHECK(one(upd("ln", {}, obj())) == apply_error::type_mismatch); // T is not embedded
    CHECK(one(upd("m", path({ix(0)}), obj())) == apply_error::index_out_of_range);
    CHECK(one(ins("m", path({ix(0)}), obj(), 0)) == apply_error::type_mismatch); // no embedded in Mixed
    CHECK(one(upd("e", path({key("x")}), cs::payload::make(pt::list))) == apply_error::type_mismatch);
    CHECK(one(upd("m", {}, cs::payload::make(pt::set))) == apply_error::type_mismatch);
    {
        // The decoder refuses Erased at an object field already; the applier does too, for models built
        // in memory.
        cs::changeset c = fresh();
        c.instructions.emplace_back(upd("e", {}, cs::payload::make(pt::erased)));
        std::error_code ec;
        s.apply(c, ec);
        CHECK(ec == apply_error::type_mismatch);
        CHECK(s.dump() == before);
    }
    CHECK(one(ins("el", path({ix(1)}), obj(), 0)) == apply_error::index_out_of_range); // prior_size
    CHECK(one(upd("e", {}, cs::payload::make_link(nm("E"), std::int64_t{1}))) == apply_error::invalid_link_target);
    auto cl = on<cs::clear>("e", path({key("x")}));
    CHECK(one(cl) == apply_error::invalid_path);
    auto si = on<cs::set_insert>("m");
    si.value = cs::payload::make_int(1);
    CHECK(one(si) == apply_error::invalid_path);
    auto ai = on<cs::add_integer>("m", path({ix(0)}));
    CHECK(one(ai) == apply_error::invalid_path);
    cs::create_object co;
    co.table = nm("E");
    co.object = std::int64_t{1};
    CHECK(one(co) == apply_error::unsupported); // embedded objects exist only inside their parent
    // Paths longer than the limit.
    s.set_max_path_length(2);
    CHECK(one(upd("el", path({ix(0), key("l"), ix(0)}), cs::payload::make_int(1))) == apply_error::invalid_path);
    s.set_max_path_length(100);
    // Deep nesting is bounded by the same limit.
    std::vector<cs::instruction> deep{upd("m", {}, cs::payload::make(pt::list))};
    cs::path p;
    for (int d = 0; d < 120; ++d) {
        p.push_back(ix(0));
        deep.push_back(ins("m", p, cs::payload::make(pt::list), 0));
    }
    std::error_code ec = run(s, deep);
    CHECK(ec == apply_error::invalid_path);
    CHECK(s.dump() == before);
}

namespace {

/// One local write of client store `st`: the schema (first time), object A 1, its embedded `e` with x,
/// and an embedded object appended to `el` with x.
std::uint64_t write_embedded(reference::object_store& st, std::int64_t x)
{
    cs::changeset c = st.find_table("A") ? fresh() : schema();
    const auto* t = st.find_table("A");
    std::size_t size = 0;
    if (t)
        size = t->objects.at(reference::object_key{std::int64_t{1}}).fields.at("el").elements.size();
    c.instructions.emplace_back(upd("e", {}, obj()));
    c.instructions.emplace_back(upd("e", path({key("x")}), cs::payload::make_int(x)));
    c.instructions.emplace_back(ins("el", path({ix(static_cast<std::uint32_t>(size))}), obj(), static_cast<std::uint32_t>(size)));
    c.instructions.emplace_back(
        upd("el", path({ix(static_cast<std::uint32_t>(size)), key("x")}), cs::payload::make_int(x)));
    return st.commit(c);
}

} // namespace

TEST_CASE("state embedded over loopback: two clients' offline embedded writes converge through the server")
{
    temp_dir dir;
    reference::server_config cfg;
    cfg.data_dir = dir.str();
    reference::server srv(cfg);
    srv.start();
    asio::io_context ioc;
    auto connect = [&](reference::object_store& st, const std::string& who) {
        reference::client_config c;
        c.server_url = "ws://127.0.0.1:" + std::to_string(srv.port());
        c.dialect = &dialects::mongodb_pbs;
        c.realm_path = "/embedded";
        c.token = mint(srv.auth(), who);
        auto cl = std::make_shared<reference::client>(ioc, c, st);
        cl->start();
        return cl;
    };
    reference::object_store a, b;
    write_embedded(a, 1);
    std::this_thread::sleep_for(5ms); // b writes later: b's x wins
    write_embedded(b, 2);
    auto ca = connect(a, "alice");
    auto cb = connect(b, "bob");
    bool ok = reference::client::run_until(
        ioc,
        [&] {
            return ca->failed() || cb->failed() ||
                   (ca->synced() && cb->synced() && a.state().dump() == b.state().dump());
        },
        10s);
    INFO(ca->failure().what);
    INFO(cb->failure().what);
    REQUIRE_FALSE(ca->failed());
    REQUIRE_FALSE(cb->failed());
    REQUIRE(ok);
    CHECK(a.state().dump() == b.state().dump());
    CHECK(field_line(a.state(), "e") == "{l = list[], x = int:2}");
    // Both appends survive (in one order on both sides).
    const std::string el = field_line(a.state(), "el");
    CHECK(el.find("x = int:1") != std::string::npos);
    CHECK(el.find("x = int:2") != std::string::npos);
    CHECK(a.skipped() == 0);
    CHECK(b.skipped() == 0);
    ca->stop();
    cb->stop();
    reference::client::run_until(ioc, [] { return false; }, 30ms);
    srv.stop();
}
