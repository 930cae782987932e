// The state applier's behaviour beyond the vectors: every apply_error, atomicity, tombstones.
#include <realmwire/reference/state.hpp>

#include <catch2/catch.hpp>

using namespace realmwire;
namespace cs = realmwire::changeset;

namespace {

/// A: _id int; i int; s string?; l list<int>; lk link B; ll list<link B>. B: _id string.
cs::changeset schema()
{
    cs::changeset c;
    auto a = c.intern("A"), b = c.intern("B"), id = c.intern("_id");
    cs::add_table t;
    t.table = a;
    t.pk_field = id;
    c.instructions.emplace_back(t);
    t.table = b;
    t.pk_type = cs::payload_type::string;
    c.instructions.emplace_back(t);
    auto col = [&](const char* name, cs::payload_type type, bool nullable, cs::collection_type coll) {
        cs::add_column ac;
        ac.table = a;
        ac.field = c.intern(name);
        ac.type = type;
        ac.nullable = nullable;
        ac.collection = coll;
        if (type == cs::payload_type::link)
            ac.link_target_table = b;
        c.instructions.emplace_back(ac);
    };
    col("i", cs::payload_type::integer, false, cs::collection_type::single);
    col("s", cs::payload_type::string, true, cs::collection_type::single);
    col("l", cs::payload_type::integer, false, cs::collection_type::list);
    col("lk", cs::payload_type::link, true, cs::collection_type::single);
    col("ll", cs::payload_type::link, false, cs::collection_type::list);
    cs::create_object co;
    co.table = a;
    co.object = std::int64_t{1};
    c.instructions.emplace_back(co);
    return c;
}

reference::state base()
{
    reference::state s;
    s.apply(schema());
    return s;
}

template <class I>
std::error_code apply_one(reference::state& s, I i, cs::changeset c = {}, std::size_t* where_out = nullptr)
{
    if (c.strings.empty()) {
        for (const char* n : {"A", "B", "_id", "i", "s", "l", "lk", "ll", "x"})
            c.intern(n);
    }
    c.instructions.emplace_back(std::move(i));
    std::error_code ec;
    reference::apply_info where;
    s.apply(c, ec, &where);
    if (where_out)
        *where_out = where.instruction;
    return ec;
}

cs::string_id id(const char* n)
{
    static const char* names[] = {"A", "B", "_id", "i", "s", "l", "lk", "ll", "x"};
    for (std::uint32_t k = 0; k < 9; ++k)
        if (std::string(names[k]) == n)
            return {k};
    return {99};
}

template <class I>
I at(const char* field, std::int64_t pk = 1)
{
    I i;
    i.table = id("A");
    i.object = pk;
    i.field = id(field);
    return i;
}

} // namespace

TEST_CASE("state: every apply error, with the failing instruction, and nothing applied")
{
    reference::state s = base();
    const auto before = s.dump();

    cs::create_object co;
    co.table = id("x");
    co.object = std::int64_t{1};
    CHECK(apply_one(s, co) == apply_error::no_such_table);
    cs::add_table t;
    t.table = id("A");
    t.pk_field = id("_id");
    t.pk_type = cs::payload_type::string;
    CHECK(apply_one(s, t) == apply_error::table_mismatch);
    auto u = at<cs::update>("i", 7);
    u.value = cs::payload::make_int(1);
    CHECK(apply_one(s, u) == apply_error::no_such_object);
    u = at<cs::update>("x");
    CHECK(apply_one(s, u) == apply_error::no_such_field);
    cs::add_column ac;
    ac.table = id("A");
    ac.field = id("i");
    ac.type = cs::payload_type::string;
    CHECK(apply_one(s, ac) == apply_error::column_mismatch);
    co.table = id("A");
    co.object = id("x");
    CHECK(apply_one(s, co) == apply_error::primary_key_mismatch);
    u = at<cs::update>("i");
    u.value = cs::payload::make_string("no");
    CHECK(apply_one(s, u) == apply_error::type_mismatch);
    u.value = cs::payload::null();
    CHECK(apply_one(s, u) == apply_error::null_not_allowed);
    u = at<cs::update>("lk");
    u.value = cs::payload::make_link(id("x"), std::int64_t{1});
    CHECK(apply_one(s, u) == apply_error::invalid_link_target);
    u = at<cs::update>("i");
    u.path = {std::uint32_t{0}};
    u.value = cs::payload::make_int(1);
    CHECK(apply_one(s, u) == apply_error::invalid_path);
    auto ai = at<cs::array_insert>("l");
    ai.path = {std::uint32_t{0}};
    ai.value = cs::payload::make_int(1);
    ai.prior_size = 3; // the list is empty
    CHECK(apply_one(s, ai) == apply_error::index_out_of_range);
    ai.prior_size = 0;
    ai.path = {std::uint32_t{1}};
    CHECK(apply_one(s, ai) == apply_error::index_out_of_range);
    auto ad = at<cs::add_integer>("s");
    u = at<cs::update>("s");
    u.value = cs::payload::make_string("text");
    cs::changeset two;
    for (const char* n : {"A", "B", "_id", "i", "s", "l", "lk", "ll", "x"})
        two.intern(n);
    two.instructions.emplace_back(u);
    std::size_t where = 0;
    CHECK(apply_one(s, ad, two, &where) == apply_error::not_an_integer);
    CHECK(where == 1);
    cs::add_table emb;
    emb.table = id("x");
    emb.type = cs::table_type::embedded;
    cs::changeset e3;
    for (const char* n : {"A", "B", "_id", "i", "s", "l", "lk", "ll", "x"})
        e3.intern(n);
    e3.instructions.emplace_back(emb);
    co.table = id("x");
    co.object = std::int64_t{1};
    CHECK(apply_one(s, co, e3) == apply_error::unsupported);
    co.table = {1000};
    CHECK(apply_one(s, co) == apply_error::invalid_string_ref);
    cs::erase_table et;
    et.table = id("x");
    CHECK(apply_one(s, et) == apply_error::no_such_table);
    et.table = id("B"); // A.lk and A.ll link to B: realm-core refuses (CrossTableLinkTarget)
    CHECK(apply_one(s, et) == apply_error::table_is_link_target);

    CHECK(s.dump() == before); // every failure left the state as it was
    CHECK(std::error_code(apply_error::index_out_of_range) == condition::protocol_violation);
    CHECK(std::error_code(apply_error::unsupported) == condition::unsupported);
}

TEST_CASE("state: EraseTable of a table only its own columns link to applies, and so does one whose linking table went first")
{
    reference::state s = base();
    cs::changeset c;
    for (const char* n : {"A", "B", "_id", "i", "s", "l", "lk", "ll", "x", "C", "self"})
        c.intern(n);
    cs::add_table t; // C: _id int; self: link C (a table linking to itself)
    t.table = {9};
    t.pk_field = {2};
    c.instructions.emplace_back(t);
    cs::add_column ac;
    ac.table = {9};
    ac.field = {10};
    ac.type = cs::payload_type::link;
    ac.nullable = true;
    ac.link_target_table = {9};
    c.instructions.emplace_back(ac);
    cs::erase_table et;
    et.table = {9};
    c.instructions.emplace_back(et);
    et.table = {0}; // A, which links to B; then B, which nothing links to any more
    c.instructions.emplace_back(et);
    et.table = {1};
    c.instructions.emplace_back(et);
    std::error_code ec;
    s.apply(c, ec);
    REQUIRE_FALSE(ec);
    CHECK(s.tables().empty());
}

TEST_CASE("state: links to erased objects stay in link lists as unresolved and come back with the object")
{
    reference::state s = base();
    auto co = [](cs::string_id table, cs::primary_key k) {
        cs::create_object c;
        c.table = table;
        c.object = k;
        return c;
    };
    cs::changeset c;
    for (const char* n : {"A", "B", "_id", "i", "s", "l", "lk", "ll", "x"})
        c.intern(n);
    c.instructions.emplace_back(co(id("B"), id("x")));
    auto ai = at<cs::array_insert>("ll");
    ai.path = {std::uint32_t{0}};
    ai.value = cs::payload::make_link(id("B"), id("x"));
    c.instructions.emplace_back(ai);
    auto u = at<cs::update>("lk");
    u.value = cs::payload::make_link(id("B"), id("x"));
    c.instructions.emplace_back(u);
    auto add = at<cs::add_integer>("i");
    add.value = 5;
    c.instructions.emplace_back(add);
    s.apply(c);
    auto line = [&](const std::string& prefix) {
        for (const auto& l : s.dump())
            if (l.rfind(prefix, 0) == 0)
                return l;
        return std::string();
    };
    CHECK(line("  ll = ") == "  ll = list[link:class_B:str:\"x\"]");
    CHECK(line("  lk = ") == "  lk = link:class_B:str:\"x\"");
    CHECK(line("  i = ") == "  i = int:5");

    cs::changeset erase;
    for (const char* n : {"A", "B", "_id", "i", "s", "l", "lk", "ll", "x"})
        erase.intern(n);
    cs::erase_object eo;
    eo.table = id("B");
    eo.object = id("x");
    erase.instructions.emplace_back(eo);
    erase.instructions.emplace_back(eo); // idempotent
    s.apply(erase);
    CHECK(line("  ll = ") == "  ll = list[unresolved:class_B:str:\"x\"]");
    CHECK(line("  lk = ") == "  lk = null");
    CHECK(line("table class_B") == "table class_B pk=_id objects=0");

    cs::changeset back;
    for (const char* n : {"A", "B", "_id", "i", "s", "l", "lk", "ll", "x"})
        back.intern(n);
    back.instructions.emplace_back(co(id("B"), id("x")));
    s.apply(back);
    CHECK(line("  ll = ") == "  ll = list[link:class_B:str:\"x\"]");
    CHECK(line("  lk = ") == "  lk = link:class_B:str:\"x\"");
}

TEST_CASE("state: several changesets apply all or nothing, schema changes and new objects included")
{
    reference::state s = base();
    const auto before = s.dump();
    std::vector<cs::changeset> list(2);
    for (auto& c : list)
        for (const char* n : {"A", "B", "_id", "i", "s", "l", "lk", "ll", "x"})
            c.intern(n);
    cs::create_object co;
    co.table = id("A");
    co.object = std::int64_t{5};
    list[0].instructions.emplace_back(co);
    auto u = at<cs::update>("i", 1);
    u.value = cs::payload::make_int(42);
    list[0].instructions.emplace_back(u);
    cs::add_column ac;
    ac.table = id("A");
    ac.field = id("x");
    ac.type = cs::payload_type::boolean;
    list[0].instructions.emplace_back(ac);
    cs::erase_object eo;
    eo.table = id("A");
    eo.object = std::int64_t{1};
    list[1].instructions.emplace_back(eo);
    auto bad = at<cs::update>("i", 1); // object 1 is gone now
    bad.value = cs::payload::make_int(1);
    list[1].instructions.emplace_back(bad);
    std::error_code ec;
    reference::apply_info where;
    s.apply(list, ec, &where);
    CHECK(ec == apply_error::no_such_object);
    CHECK(where.changeset == 1);
    CHECK(where.instruction == 1);
    CHECK(s.dump() == before);
    list[1].instructions.pop_back();
    s.apply(list, ec, &where);
    REQUIRE_FALSE(ec);
    CHECK(s.dump() != before);
    CHECK(s.find_table("A")->objects.size() == 1);
    CHECK(s.find_table("A")->columns.count("x") == 1);
}

namespace {

// realm-core gives a table a backlink column for every other table whose Mixed fields ever held a link
// to it (Table::find_or_add_backlink_column, on the first such link), and that column stays: it is not
// removed with the value, with the Mixed column, or with the origin table. Group::remove_table then
// refuses the table (CrossTableLinkTarget), as it does for the target of a link column.
//
// O: _id int; m Mixed; ml list<Mixed>; md dictionary<Mixed>; ms set<Mixed>; e link E. T: _id int.
// E (embedded): em Mixed. Objects O{1}, O{2}, T{1}; O{1}.e holds an E.
struct typed_link_realm {
    reference::state s;
    cs::changeset names;

    typed_link_realm()
    {
        cs::changeset c = start();
        cs::add_table t;
        t.table = n("O");
        t.pk_field = n("_id");
        c.instructions.emplace_back(t);
        t.table = n("T");
        c.instructions.emplace_back(t);
        cs::add_table e;
        e.table = n("E");
        e.type = cs::table_type::embedded;
        c.instructions.emplace_back(e);
        auto col = [&](const char* table, const char* name, cs::collection_type coll, const char* target = nullptr) {
            cs::add_column ac;
            ac.table = n(table);
            ac.field = n(name);
            ac.type = target ? cs::payload_type::link : cs::payload_type::null; // null: Mixed
            ac.nullable = true;
            ac.collection = coll;
            if (target)
                ac.link_target_table = n(target);
            if (coll == cs::collection_type::dictionary)
                ac.key_type = cs::payload_type::string;
            c.instructions.emplace_back(ac);
        };
        col("O", "m", cs::collection_type::single);
        col("O", "ml", cs::collection_type::list);
        col("O", "md", cs::collection_type::dictionary);
        col("O", "ms", cs::collection_type::set);
        col("O", "e", cs::collection_type::single, "E");
        col("E", "em", cs::collection_type::single);
        for (auto [table, key] : {std::pair{"O", 1}, std::pair{"O", 2}, std::pair{"T", 1}}) {
            cs::create_object co;
            co.table = n(table);
            co.object = std::int64_t{key};
            c.instructions.emplace_back(co);
        }
        auto u = at<cs::update>("e");
        u.value = cs::payload::make(cs::payload_type::object_value);
        c.instructions.emplace_back(u);
        s.apply(c);
    }

    cs::string_id n(const char* name) { return names.intern(name); }
    /// A changeset that knows every name used here (same ids in all of them).
    cs::changeset start()
    {
        for (const char* name : {"O", "T", "E", "_id", "m", "ml", "md", "ms", "e", "em", "k"})
            n(name);
        cs::changeset c;
        c.strings = names.strings;
        return c;
    }
    template <class I>
    I at(const char* field, std::int64_t key = 1)
    {
        I i;
        i.table = n("O");
        i.object = key;
        i.field = n(field);
        return i;
    }
    cs::payload link_to(const char* table, std::int64_t key = 1) { return cs::payload::make_link(n(table), key); }

    template <class... I>
    std::error_code apply(I... in)
    {
        cs::changeset c = start();
        (c.instructions.emplace_back(std::move(in)), ...);
        std::error_code ec;
        s.apply(c, ec);
        return ec;
    }
    std::error_code erase(const char* table)
    {
        cs::erase_table et;
        et.table = n(table);
        return apply(et);
    }
};

} // namespace

TEST_CASE("state: a table another table's Mixed field has linked to cannot be erased, as realm-core refuses it")
{
    typed_link_realm r;
    using pt = cs::payload_type;
    auto update = [&](const char* field) { return r.at<cs::update>(field); };

    SECTION("a Mixed field: still refused after the value, the field and the origin table are gone")
    {
        auto u = update("m");
        u.value = r.link_to("T");
        REQUIRE_FALSE(r.apply(u));
        u.value = cs::payload::make_int(5);
        REQUIRE_FALSE(r.apply(u));
        CHECK(r.erase("T") == apply_error::table_is_link_target);
        cs::erase_column ec;
        ec.table = r.n("O");
        ec.field = r.n("m");
        REQUIRE_FALSE(r.apply(ec));
        CHECK(r.erase("T") == apply_error::table_is_link_target);
        cs::erase_column e2;
        e2.table = r.n("O");
        e2.field = r.n("e");
        REQUIRE_FALSE(r.apply(e2));
        REQUIRE_FALSE(r.erase("O"));
        CHECK(r.erase("T") == apply_error::table_is_link_target);
    }
    SECTION("every way of storing a link in Mixed: list element, dictionary value, set element, nested "
            "list, an embedded object's field, an unresolved link")
    {
        std::vector<std::function<std::error_code()>> writes;
        writes.emplace_back([&] {
            auto in = r.at<cs::array_insert>("ml");
            in.path = {std::uint32_t{0}};
            in.prior_size = 0;
            in.value = r.link_to("T");
            return r.apply(in);
        });
        writes.emplace_back([&] {
            auto u = update("md");
            u.path = {r.n("k")};
            u.value = r.link_to("T");
            return r.apply(u);
        });
        writes.emplace_back([&] {
            auto si = r.at<cs::set_insert>("ms");
            si.value = r.link_to("T");
            return r.apply(si);
        });
        writes.emplace_back([&] {
            auto u = update("m");
            u.value = cs::payload::make(pt::list);
            auto ai = r.at<cs::array_insert>("m");
            ai.path = {std::uint32_t{0}};
            ai.prior_size = 0;
            ai.value = r.link_to("T");
            return r.apply(u, ai);
        });
        writes.emplace_back([&] {
            auto u = update("e");
            u.path = {r.n("em")};
            u.value = r.link_to("T");
            return r.apply(u);
        });
        writes.emplace_back([&] {
            auto u = update("m");
            u.value = r.link_to("T", 99); // no such object: realm-core links to a tombstone
            return r.apply(u);
        });
        for (std::size_t i = 0; i < writes.size(); ++i) {
            CAPTURE(i);
            typed_link_realm fresh;
            r = fresh;
            REQUIRE_FALSE(writes[i]());
            CHECK(r.erase("T") == apply_error::table_is_link_target);
        }
    }
    SECTION("a link from a table's Mixed field to its own table, or from an embedded object to its parent")
    {
        auto u = update("m");
        u.value = r.link_to("O", 2);
        REQUIRE_FALSE(r.apply(u));
        cs::erase_column e2;
        e2.table = r.n("O");
        e2.field = r.n("e");
        REQUIRE_FALSE(r.apply(e2));
        REQUIRE_FALSE(r.erase("E"));
        CHECK_FALSE(r.erase("O")); // its backlinks are its own
        CHECK_FALSE(r.erase("T")); // never linked to
    }
    SECTION("an embedded object's Mixed field linking to the table holding it makes that table a target")
    {
        auto u = update("e");
        u.path = {r.n("em")};
        u.value = r.link_to("O", 2);
        REQUIRE_FALSE(r.apply(u));
        cs::erase_column e2;
        e2.table = r.n("O");
        e2.field = r.n("e");
        REQUIRE_FALSE(r.apply(e2));
        REQUIRE_FALSE(r.erase("E"));
        CHECK(r.erase("O") == apply_error::table_is_link_target);
    }
    SECTION("erasing a link from a Mixed set it is not in adds no backlink")
    {
        auto se = r.at<cs::set_erase>("ms");
        se.value = r.link_to("T");
        REQUIRE_FALSE(r.apply(se));
        CHECK_FALSE(r.erase("T"));
    }
    SECTION("a changeset that fails leaves no backlink behind")
    {
        auto u = update("m");
        u.value = r.link_to("T");
        auto bad = r.at<cs::update>("m", 42); // no such object
        bad.value = cs::payload::make_int(1);
        CHECK(r.apply(u, bad) == apply_error::no_such_object);
        CHECK_FALSE(r.erase("T"));
        CHECK(r.s.find_table("T") == nullptr);
    }
}
