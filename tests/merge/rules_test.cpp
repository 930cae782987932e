// Merge rules the recorded scenarios do not reach (embedded objects, collections in Mixed, schema
// erasure, realm's quirks), every error path and the limits. Each case merges one incoming changeset
// against one history entry, as a server does, and checks both transformed sides.
#include "realmwire/merge.hpp"
#include "realmwire/merge/scenario.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace {

namespace rc = realmwire::changeset;
namespace mg = realmwire::merge;
using realmwire::merge_error;

/// Builds a changeset; names are interned on first use.
struct builder {
    rc::changeset cs;
    rc::string_id s(const std::string& x) { return cs.intern(x); }
    rc::path_target at(const std::string& table, std::int64_t pk, const std::string& field, rc::path p = {})
    {
        rc::path_target t;
        t.table = s(table);
        t.object = pk;
        t.field = s(field);
        t.path = std::move(p);
        return t;
    }
    rc::path_element key(const std::string& k) { return s(k); }

    builder& update(const std::string& t, std::int64_t pk, const std::string& f, rc::payload v, rc::path p = {},
                    std::uint32_t prior_size = 0, bool is_default = false)
    {
        rc::update u;
        static_cast<rc::path_target&>(u) = at(t, pk, f, std::move(p));
        u.value = std::move(v);
        u.prior_size = prior_size;
        u.is_default = is_default;
        cs.instructions.push_back(u);
        return *this;
    }
    builder& add_integer(const std::string& t, std::int64_t pk, const std::string& f, std::int64_t v)
    {
        rc::add_integer a;
        static_cast<rc::path_target&>(a) = at(t, pk, f);
        a.value = v;
        cs.instructions.push_back(a);
        return *this;
    }
    builder& insert(const std::string& t, std::int64_t pk, const std::string& f, rc::path p, std::uint32_t prior,
                    rc::payload v = rc::payload::make_int(0))
    {
        rc::array_insert a;
        static_cast<rc::path_target&>(a) = at(t, pk, f, std::move(p));
        a.value = std::move(v);
        a.prior_size = prior;
        cs.instructions.push_back(a);
        return *this;
    }
    builder& move(const std::string& t, std::int64_t pk, const std::string& f, rc::path p, std::uint32_t to,
                  std::uint32_t prior)
    {
        rc::array_move a;
        static_cast<rc::path_target&>(a) = at(t, pk, f, std::move(p));
        a.ndx_2 = to;
        a.prior_size = prior;
        cs.instructions.push_back(a);
        return *this;
    }
    builder& erase(const std::string& t, std::int64_t pk, const std::string& f, rc::path p, std::uint32_t prior)
    {
        rc::array_erase a;
        static_cast<rc::path_target&>(a) = at(t, pk, f, std::move(p));
        a.prior_size = prior;
        cs.instructions.push_back(a);
        return *this;
    }
    builder& clear(const std::string& t, std::int64_t pk, const std::string& f, rc::collection_type c, rc::path p = {})
    {
        rc::clear a;
        static_cast<rc::path_target&>(a) = at(t, pk, f, std::move(p));
        a.collection = c;
        cs.instructions.push_back(a);
        return *this;
    }
    builder& set_insert(const std::string& t, std::int64_t pk, const std::string& f, rc::payload v)
    {
        rc::set_insert a;
        static_cast<rc::path_target&>(a) = at(t, pk, f);
        a.value = std::move(v);
        cs.instructions.push_back(a);
        return *this;
    }
    builder& set_erase(const std::string& t, std::int64_t pk, const std::string& f, rc::payload v)
    {
        rc::set_erase a;
        static_cast<rc::path_target&>(a) = at(t, pk, f);
        a.value = std::move(v);
        cs.instructions.push_back(a);
        return *this;
    }
    builder& add_table(const std::string& t, rc::payload_type pk_type = rc::payload_type::integer,
                       rc::table_type type = rc::table_type::top_level)
    {
        rc::add_table a;
        a.table = s(t);
        a.type = type;
        if (type != rc::table_type::embedded) {
            a.pk_field = s("_id");
            a.pk_type = pk_type;
        }
        cs.instructions.push_back(a);
        return *this;
    }
    builder& erase_table(const std::string& t)
    {
        cs.instructions.push_back(rc::erase_table{s(t)});
        return *this;
    }
    builder& add_column(const std::string& t, const std::string& f, rc::payload_type type,
                        const std::string& target = "", rc::collection_type c = rc::collection_type::single)
    {
        rc::add_column a;
        a.table = s(t);
        a.field = s(f);
        a.type = type;
        a.collection = c;
        if (type == rc::payload_type::link)
            a.link_target_table = s(target);
        cs.instructions.push_back(a);
        return *this;
    }
    builder& erase_column(const std::string& t, const std::string& f)
    {
        cs.instructions.push_back(rc::erase_column{s(t), s(f)});
        return *this;
    }
    builder& create(const std::string& t, std::int64_t pk)
    {
        cs.instructions.push_back(rc::create_object{s(t), pk});
        return *this;
    }
    builder& erase_object(const std::string& t, std::int64_t pk)
    {
        cs.instructions.push_back(rc::erase_object{s(t), pk});
        return *this;
    }
};

struct merged {
    std::string incoming; ///< printed
    std::string history;  ///< printed reciprocal form
    std::string incoming_bytes;
    std::string history_bytes;
    std::error_code ec;
};

/// Merges `theirs` (incoming, from file 3 at time `their_ts`) against the history entry `ours` (from
/// file 2 at time `our_ts`) on a server (file 1).
merged run(const rc::changeset& ours, std::uint64_t our_ts, const rc::changeset& theirs, std::uint64_t their_ts,
           mg::limits lim = {})
{
    mg::scenario::memory_history h;
    h.entries[2] = {2, our_ts, 1, rc::encode(ours)};
    std::vector<mg::versioned_changeset> in(1);
    in[0].cs = theirs;
    in[0].version = 5;
    in[0].last_integrated_remote_version = 1;
    in[0].origin_timestamp = their_ts;
    in[0].origin_file_ident = 3;
    mg::transformer t(lim);
    merged m;
    t.transform_remote_changesets(h, 1, 2, in, m.ec);
    if (m.ec)
        return m;
    m.incoming_bytes = mg::encode_transformed(in[0]);
    m.incoming = rc::to_string(in[0].cs);
    m.history_bytes = h.get_reciprocal_transform(2);
    m.history = rc::to_string(rc::decode_changeset(m.history_bytes));
    return m;
}

std::string print(const rc::changeset& cs)
{
    return rc::to_string(cs);
}

rc::payload i(std::int64_t v)
{
    return rc::payload::make_int(v);
}

} // namespace

TEST_CASE("merge rules: a link column into an erased table becomes an EraseColumn on the history side")
{
    builder ours;
    ours.erase_table("class_B");
    builder theirs;
    theirs.add_column("class_A", "lnk", rc::payload_type::link, "class_B");
    auto m = run(ours.cs, 10, theirs.cs, 11);
    REQUIRE(!m.ec);
    CHECK(m.incoming_bytes.empty()); // discarded: a changeset without instructions is zero bytes
    builder expect;
    expect.s("class_B");
    expect.erase_column("class_A", "lnk").erase_table("class_B");
    // The names interned by the merge follow the entry's own strings; the EraseColumn comes first.
    CHECK(m.history == print(expect.cs));
    CHECK(m.history_bytes == rc::encode(expect.cs));
}

TEST_CASE("merge rules: EraseTable removes everything inside the table, both directions")
{
    builder ours;
    ours.erase_table("class_A");
    builder theirs;
    theirs.update("class_A", 1, "i", i(5)).update("class_B", 1, "v", i(6));
    auto m = run(ours.cs, 10, theirs.cs, 11);
    REQUIRE(!m.ec);
    builder expect = theirs;
    expect.cs.instructions.erase(expect.cs.instructions.begin());
    CHECK(m.incoming == print(expect.cs));

    // The incoming EraseTable removes the history's updates (and does not turn the index off for
    // nothing: a second, unrelated table is untouched).
    auto back = run(theirs.cs, 11, ours.cs, 10);
    REQUIRE(!back.ec);
    builder expect_history = theirs;
    expect_history.cs.instructions.erase(expect_history.cs.instructions.begin());
    CHECK(back.history == print(expect_history.cs));
    CHECK(back.incoming == print(ours.cs));
}

TEST_CASE("merge rules: EraseColumn removes updates of that column only, and meets AddColumn")
{
    builder ours;
    ours.erase_column("class_A", "i");
    builder theirs;
    theirs.update("class_A", 1, "i", i(5)).update("class_A", 1, "s", rc::payload::make_string("x"));
    theirs.add_column("class_A", "i", rc::payload_type::integer);
    auto m = run(ours.cs, 10, theirs.cs, 11);
    REQUIRE(!m.ec);
    builder expect;
    expect.s("class_A");
    expect.s("i");
    expect.update("class_A", 1, "s", rc::payload::make_string("x"));
    CHECK(m.incoming == print(expect.cs));
    CHECK(m.history == print(ours.cs));

    builder same;
    same.erase_column("class_A", "i");
    auto both = run(ours.cs, 10, same.cs, 11);
    REQUIRE(!both.ec);
    CHECK(both.incoming_bytes.empty());
}

TEST_CASE("merge rules: an embedded object keeps what is written inside it, a value replaces it")
{
    builder ours;
    ours.update("class_A", 1, "emb", rc::payload::make(rc::payload_type::object_value));
    builder theirs;
    theirs.update("class_A", 1, "emb", i(3), {theirs.key("x")});
    auto kept = run(ours.cs, 10, theirs.cs, 11);
    REQUIRE(!kept.ec);
    CHECK(kept.incoming == print(theirs.cs));

    builder null_it;
    null_it.update("class_A", 1, "emb", rc::payload::null());
    auto gone = run(null_it.cs, 10, theirs.cs, 11);
    REQUIRE(!gone.ec);
    CHECK(gone.incoming_bytes.empty());

    // Two sides set the same field, one to an embedded object: the object loses whatever the times.
    builder obj;
    obj.update("class_A", 1, "emb", rc::payload::make(rc::payload_type::object_value));
    auto lost = run(null_it.cs, 10, obj.cs, 11);
    REQUIRE(!lost.ec);
    CHECK(lost.incoming_bytes.empty());
    CHECK(lost.history == print(null_it.cs));
}

TEST_CASE("merge rules: a collection in Mixed keeps operations that address it by the right kind")
{
    builder list;
    list.update("class_A", 1, "m", rc::payload::make(rc::payload_type::list));
    builder dict;
    dict.update("class_A", 1, "m", rc::payload::make(rc::payload_type::dictionary));
    builder by_index;
    by_index.insert("class_A", 1, "m", {std::uint32_t(0)}, 0, i(7));
    builder by_key;
    by_key.update("class_A", 1, "m", i(7), {by_key.key("k")});

    CHECK(run(list.cs, 10, by_index.cs, 11).incoming == print(by_index.cs));
    CHECK(run(dict.cs, 10, by_key.cs, 11).incoming == print(by_key.cs));
    CHECK(run(dict.cs, 10, by_index.cs, 11).incoming_bytes.empty());
    CHECK(run(list.cs, 10, by_key.cs, 11).incoming_bytes.empty());
    // Two sides creating the same list both survive.
    auto twice = run(list.cs, 10, list.cs, 11);
    CHECK(twice.incoming == print(list.cs));
    CHECK(twice.history == print(list.cs));
}

TEST_CASE("merge rules: list operations shift paths into nested lists")
{
    builder deep; // lst[2].x = 1 (an embedded object in a list)
    deep.update("class_A", 1, "lst", i(1), {std::uint32_t(2), deep.key("x")});
    builder ins;
    ins.insert("class_A", 1, "lst", {std::uint32_t(0)}, 4);
    auto shifted = run(ins.cs, 10, deep.cs, 11);
    REQUIRE(!shifted.ec);
    builder expect;
    expect.update("class_A", 1, "lst", i(1), {std::uint32_t(3), expect.key("x")});
    CHECK(shifted.incoming == print(expect.cs));

    builder era_same;
    era_same.erase("class_A", 1, "lst", {std::uint32_t(2)}, 4);
    CHECK(run(era_same.cs, 10, deep.cs, 11).incoming_bytes.empty());

    builder era_before;
    era_before.erase("class_A", 1, "lst", {std::uint32_t(0)}, 4);
    builder down;
    down.update("class_A", 1, "lst", i(1), {std::uint32_t(1), down.key("x")});
    CHECK(run(era_before.cs, 10, deep.cs, 11).incoming == print(down.cs));
}

TEST_CASE("merge rules: ArrayMove against a deeper path adjusts the move, as realm-core does")
{
    // realm-core hands the move's own index to the adjustment, not the deeper path's: the move from 1
    // to 3 becomes a move from 3 to 3 and the nested update keeps its index. Both ends of a realm sync
    // do the same, so we keep it.
    builder mv;
    mv.move("class_A", 1, "lst", {std::uint32_t(1)}, 3, 4);
    builder deep;
    deep.update("class_A", 1, "lst", i(1), {std::uint32_t(1), deep.key("x")});
    auto m = run(mv.cs, 10, deep.cs, 11);
    REQUIRE(!m.ec);
    CHECK(m.incoming == print(deep.cs));
    builder expect;
    expect.move("class_A", 1, "lst", {std::uint32_t(3)}, 3, 4);
    CHECK(m.history == print(expect.cs));
}

TEST_CASE("merge rules: inserts at the same index are ordered by (timestamp, file ident)")
{
    builder a;
    a.insert("class_A", 1, "li", {std::uint32_t(1)}, 3, i(10));
    builder b;
    b.insert("class_A", 1, "li", {std::uint32_t(1)}, 3, i(20));
    // History (file 2) earlier: the incoming insert goes after it.
    auto later = run(a.cs, 10, b.cs, 11);
    builder b_after;
    b_after.insert("class_A", 1, "li", {std::uint32_t(2)}, 4, i(20));
    CHECK(later.incoming == print(b_after.cs));
    // Same timestamp: file 2 < file 3, so the history's insert still goes first.
    CHECK(run(a.cs, 10, b.cs, 10).incoming == print(b_after.cs));
    // Incoming earlier: it stays, the history's insert moves.
    auto earlier = run(a.cs, 10, b.cs, 9);
    builder b_same;
    b_same.insert("class_A", 1, "li", {std::uint32_t(1)}, 4, i(20));
    CHECK(earlier.incoming == print(b_same.cs));
    builder a_after;
    a_after.insert("class_A", 1, "li", {std::uint32_t(2)}, 4, i(10));
    CHECK(earlier.history == print(a_after.cs));
}

TEST_CASE("merge rules: AddInteger against Update, set default and null")
{
    builder add;
    add.add_integer("class_A", 1, "i", 5);
    builder set;
    set.update("class_A", 1, "i", i(100));
    // The set came first: the addition is folded into it on the history side.
    auto m = run(set.cs, 10, add.cs, 11);
    REQUIRE(!m.ec);
    CHECK(m.incoming == print(add.cs));
    builder folded;
    folded.update("class_A", 1, "i", i(105));
    CHECK(m.history == print(folded.cs));
    // The set came later: the addition is dropped.
    CHECK(run(set.cs, 12, add.cs, 11).incoming_bytes.empty());
    // A default survives nothing: the addition is kept even if the default is later.
    builder dflt;
    dflt.update("class_A", 1, "i", i(100), {}, 0, true);
    auto d = run(dflt.cs, 12, add.cs, 11);
    CHECK(d.incoming == print(add.cs));
    // A later null absorbs nothing and drops nothing.
    builder null_set;
    null_set.update("class_A", 1, "i", rc::payload::null());
    auto n = run(null_set.cs, 10, add.cs, 11);
    CHECK(n.incoming == print(add.cs));
    CHECK(n.history == print(null_set.cs));
    // A Mixed set to a string: the addition is dropped.
    builder str;
    str.update("class_A", 1, "i", rc::payload::make_string("x"));
    CHECK(run(str.cs, 10, add.cs, 11).incoming_bytes.empty());
}

TEST_CASE("merge rules: sets and Clear")
{
    builder ins;
    ins.set_insert("class_A", 1, "si", i(4));
    builder era;
    era.set_erase("class_A", 1, "si", i(4));
    builder other;
    other.set_erase("class_A", 1, "si", i(5));
    // Same value: the later one wins.
    CHECK(run(ins.cs, 10, era.cs, 11).history_bytes.empty());
    CHECK(run(ins.cs, 12, era.cs, 11).incoming_bytes.empty());
    // Different values do not meet.
    auto m = run(ins.cs, 10, other.cs, 11);
    CHECK(m.incoming == print(other.cs));
    CHECK(m.history == print(ins.cs));
    // Clear of the set removes set operations on it whatever the time.
    builder clr;
    clr.clear("class_A", 1, "si", rc::collection_type::set);
    CHECK(run(clr.cs, 12, ins.cs, 11).incoming_bytes.empty());
    // Two clears: the earlier goes.
    CHECK(run(clr.cs, 10, clr.cs, 11).history_bytes.empty());
}

TEST_CASE("merge rules: identical schema on both sides is discarded on both sides")
{
    builder a;
    a.add_table("class_A").add_column("class_A", "i", rc::payload_type::integer).create("class_A", 0);
    auto m = run(a.cs, 10, a.cs, 11);
    REQUIRE(!m.ec);
    builder only_create;
    only_create.s("class_A");
    only_create.s("_id");
    only_create.s("i");
    only_create.create("class_A", 0);
    CHECK(m.incoming == print(only_create.cs));
    CHECK(m.history == print(only_create.cs));
}

TEST_CASE("merge rules: EraseObject wins over CreateObject and over changes inside the object")
{
    builder er;
    er.erase_object("class_A", 1);
    builder theirs;
    theirs.create("class_A", 1).update("class_A", 1, "i", i(3)).update("class_A", 2, "i", i(3));
    auto m = run(er.cs, 10, theirs.cs, 11);
    REQUIRE(!m.ec);
    builder expect;
    expect.s("class_A");
    expect.s("i");
    expect.update("class_A", 2, "i", i(3));
    CHECK(m.incoming == print(expect.cs));
}

TEST_CASE("merge errors: schema mismatches")
{
    builder a;
    a.add_table("class_A", rc::payload_type::integer);
    builder b;
    b.add_table("class_A", rc::payload_type::string);
    CHECK(run(a.cs, 10, b.cs, 11).ec == merge_error::schema_mismatch);
    builder e;
    e.add_table("class_A", rc::payload_type::integer, rc::table_type::embedded);
    CHECK(run(a.cs, 10, e.cs, 11).ec == merge_error::schema_mismatch);
    builder c1;
    c1.add_column("class_A", "x", rc::payload_type::integer);
    builder c2;
    c2.add_column("class_A", "x", rc::payload_type::string);
    CHECK(run(c1.cs, 10, c2.cs, 11).ec == merge_error::schema_mismatch);
    builder c3;
    c3.add_column("class_A", "x", rc::payload_type::integer, "", rc::collection_type::list);
    CHECK(run(c1.cs, 10, c3.cs, 11).ec == merge_error::schema_mismatch);
    builder l1;
    l1.add_column("class_A", "l", rc::payload_type::link, "class_B");
    builder l2;
    l2.add_column("class_A", "l", rc::payload_type::link, "class_C");
    CHECK(run(l1.cs, 10, l2.cs, 11).ec == merge_error::schema_mismatch);
}

TEST_CASE("merge errors: list instructions that disagree on the list")
{
    builder a;
    a.insert("class_A", 1, "li", {std::uint32_t(0)}, 3);
    builder b;
    b.insert("class_A", 1, "li", {std::uint32_t(0)}, 4);
    CHECK(run(a.cs, 10, b.cs, 11).ec == merge_error::prior_size_mismatch);
    builder e1;
    e1.erase("class_A", 1, "li", {std::uint32_t(5)}, 3);
    builder e2;
    e2.erase("class_A", 1, "li", {std::uint32_t(0)}, 3);
    CHECK(run(e1.cs, 10, e2.cs, 11).ec == merge_error::index_out_of_range);
    builder m1;
    m1.move("class_A", 1, "li", {std::uint32_t(0)}, 7, 3);
    builder m2;
    m2.move("class_A", 1, "li", {std::uint32_t(1)}, 2, 3);
    CHECK(run(m1.cs, 10, m2.cs, 11).ec == merge_error::index_out_of_range);
    // A list update without an index against a list insert into the same container.
    builder u;
    u.update("class_A", 1, "li", i(1), {u.key("k")});
    builder ins;
    ins.insert("class_A", 1, "li", {std::uint32_t(0)}, 1);
    CHECK(run(ins.cs, 10, u.cs, 11).ec == merge_error::invalid_instruction);
    // Paths that disagree on an element's kind under an insert.
    builder deep;
    deep.update("class_A", 1, "li", i(1), {deep.key("k"), deep.key("x")});
    CHECK(run(ins.cs, 10, deep.cs, 11).ec == merge_error::inconsistent_paths);
}

TEST_CASE("merge errors: bad history bytes, bad string ids, bad arguments, and nothing changes")
{
    mg::scenario::memory_history h;
    h.entries[2] = {2, 10, 1, std::string("\x3f\x05", 2)};
    builder theirs;
    theirs.update("class_A", 1, "i", i(1));
    std::vector<mg::versioned_changeset> in(1);
    in[0].cs = theirs.cs;
    in[0].origin_file_ident = 3;
    in[0].origin_timestamp = 11;
    mg::transformer t;
    std::error_code ec;
    CHECK(t.transform_remote_changesets(h, 1, 2, in, ec) == 0);
    CHECK(ec == merge_error::bad_changeset);
    CHECK(ec.category().name() == std::string("realmwire.merge"));
    CHECK(ec == realmwire::condition::malformed_input);
    CHECK(in[0].cs == theirs.cs);
    CHECK(h.reciprocal.empty());

    builder ours;
    ours.update("class_A", 1, "i", i(2));
    h.entries[2].bytes = rc::encode(ours.cs);
    in[0].cs.instructions.push_back(rc::erase_table{rc::string_id{99}});
    t.transform_remote_changesets(h, 1, 2, in, ec);
    CHECK(ec == merge_error::invalid_string_ref);

    in[0].cs = theirs.cs;
    t.transform_remote_changesets(h, 0, 2, in, ec);
    CHECK(ec == merge_error::invalid_argument);
    CHECK_THROWS_AS(t.transform_remote_changesets(h, 0, 2, in), realmwire::system_error);
}

TEST_CASE("merge limits: pairs and window size are bounded and refused with a clear error")
{
    builder ours;
    builder theirs;
    for (int k = 0; k < 10; ++k) {
        ours.update("class_A", 1, "i", i(k));
        theirs.update("class_A", 1, "s", i(k));
    }
    mg::limits lim;
    lim.max_pairs = 50; // 10 x 10 pairs meet
    auto m = run(ours.cs, 10, theirs.cs, 11, lim);
    CHECK(m.ec == merge_error::work_limit_exceeded);
    CHECK(m.ec == realmwire::condition::limit_exceeded);
    lim.max_pairs = 100;
    CHECK(!run(ours.cs, 10, theirs.cs, 11, lim).ec);
    lim.max_window_instructions = 9;
    CHECK(run(ours.cs, 10, theirs.cs, 11, lim).ec == merge_error::window_too_large);
    lim = {};
    lim.max_incoming_instructions = 9;
    CHECK(run(ours.cs, 10, theirs.cs, 11, lim).ec == merge_error::window_too_large);
}

namespace {
/// The type-erased history, over one entry.
struct one_entry final : mg::transform_history {
    std::string bytes;
    std::string stored;
    std::uint64_t find_history_entry(std::uint64_t begin, std::uint64_t end, mg::history_entry_view& out) override
    {
        if (begin < 2 && end >= 2) {
            out.origin_file_ident = 0; // a client's own entry
            out.origin_timestamp = 10;
            out.changeset = bytes;
            return 2;
        }
        return 0;
    }
    std::string get_reciprocal_transform(std::uint64_t) override { return stored.empty() ? bytes : stored; }
    void set_reciprocal_transform(std::uint64_t, std::string b) override { stored = std::move(b); }
};
} // namespace

TEST_CASE("merge transformer: type-erased history, the local origin and the applier")
{
    static_assert(mg::is_transform_history_v<one_entry>);
    static_assert(mg::is_transform_history_v<mg::scenario::memory_history>);
    static_assert(!mg::is_transform_history_v<int>);
    builder ours;
    ours.erase_object("class_A", 1);
    one_entry h;
    h.bytes = rc::encode(ours.cs);
    builder theirs;
    theirs.update("class_A", 1, "i", i(1));
    std::vector<mg::versioned_changeset> in(2);
    for (auto& c : in) {
        c.cs = theirs.cs;
        c.origin_file_ident = 1;
        c.origin_timestamp = 11;
    }
    mg::transform_history& erased = h;
    mg::transformer t;
    std::error_code ec;
    // The applier says stop after the first one, but the merge did not change the history: realm stops.
    std::size_t seen = 0;
    CHECK(t.transform_remote_changesets(erased, 7, 2, in, [&](const mg::versioned_changeset&) { return ++seen, false; },
                                        ec) == 1);
    CHECK(!ec);
    CHECK(seen == 1);
    CHECK(mg::encode_transformed(in[0]).empty());
    CHECK(in[1].cs == theirs.cs);
    CHECK(h.stored.empty()); // nothing to flush
}
