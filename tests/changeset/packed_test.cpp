// The packed form of a decoded changeset: the same changeset as the value model and as the visitor
// decoder's views, for every changeset of the vectors; a regular value (copies own their views); reused
// storage that never shows an earlier changeset; limits checked before the input is copied.
#include "realmwire/changeset.hpp"

#include "framed.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace rc = realmwire::changeset;
using cs_test::unhex;

namespace {

const std::string vectors = REALMWIRE_VECTORS_DIR;

/// The visitor decoder's views, converted to the model as they are handed out.
struct collecting_visitor {
    std::vector<rc::instruction> instructions;
    std::vector<std::size_t> offsets;
    void intern_string(std::uint32_t, std::string_view) {}
    void instruction(const rc::instruction_view& in)
    {
        instructions.push_back(rc::to_model(in));
        offsets.push_back(in.offset);
    }
};

/// pc holds exactly the changeset `bytes` decodes to.
void check_same(const rc::packed_changeset& pc, const std::string& bytes)
{
    rc::changeset m = rc::decode_changeset(bytes);
    CHECK(pc.bytes() == bytes);
    rc::changeset back = rc::to_model(pc);
    CHECK(back == m);
    CHECK(back.placement == m.placement);
    REQUIRE(pc.string_count() == m.strings.size());
    for (std::uint32_t s = 0; s < pc.string_count(); ++s) {
        CHECK(pc.str(s) == m.strings[s]);
        CHECK(pc.placement(s) == m.placement[s]);
    }
    collecting_visitor v;
    rc::decoder d;
    d.decode(bytes, v); // throws on error
    REQUIRE(pc.size() == v.instructions.size());
    for (std::size_t i = 0; i < pc.size(); ++i) {
        rc::instruction_view in = pc[i];
        CHECK(rc::to_model(in) == v.instructions[i]);
        CHECK(in.offset == v.offsets[i]);
    }
}

} // namespace

TEST_CASE("packed: every changeset of the vectors, as the model and as the visitor's views")
{
    // realm-core's own changesets: basic.bin's 300 and each one-purpose changeset of tiny/.
    std::vector<std::string> files = {vectors + "/changesets/basic.bin"};
    for (const char* n : {"schema", "add_table", "add_column", "add_column_list", "create_object_int_pk",
                          "create_object_objectid_pk", "create_object_string_pk", "erase_object", "update_int",
                          "update_bool", "update_string", "update_string_long", "update_binary", "update_timestamp",
                          "update_float", "update_double", "update_decimal", "update_objectid", "update_uuid",
                          "update_link", "update_null", "update_is_default", "array_update", "dict_update",
                          "dict_erase", "array_insert", "array_erase", "array_move", "set_insert", "set_erase",
                          "clear_list", "clear_set", "add_integer", "erase_table", "erase_column", "empty"})
        files.push_back(vectors + "/changesets/tiny/" + n + ".bin");
    rc::packed_changeset reused;
    std::size_t checked = 0;
    for (const auto& file : files) {
        INFO(file);
        for (const auto& f : cs_test::read_framed(file)) {
            check_same(rc::decode_packed_changeset(f), f);
            std::error_code ec;
            realmwire::error_info where;
            REQUIRE(rc::decode_changeset(f, reused, ec, where));
            check_same(reused, f);
            ++checked;
        }
    }
    CHECK(checked == 300 + 36);
}

TEST_CASE("packed: strings and paths point into the packed_changeset, so the input may go")
{
    // String #0 "T", #1 "f", #2 "k"; Update T[Int 5].f["k"] = String "hello" (a path and a payload string).
    std::string bytes = rc::encode([] {
        rc::changeset cs;
        auto t = cs.intern("T"), f = cs.intern("f"), k = cs.intern("k");
        rc::update u;
        u.table = t;
        u.object = std::int64_t{5};
        u.field = f;
        u.path = {k};
        u.value = rc::payload::make_string("hello");
        cs.instructions.push_back(u);
        return cs;
    }());
    rc::packed_changeset pc;
    {
        std::string copy = bytes;
        pc = rc::decode_packed_changeset(copy);
        copy.assign(copy.size(), '\xFF'); // the input changes and goes
    }
    REQUIRE(pc.size() == 1);
    rc::instruction_view in = pc[0];
    CHECK(in.type == rc::instruction_type::update);
    CHECK(in.table.str == "T");
    CHECK(in.field.str == "f");
    CHECK(in.object.type == rc::payload_type::integer);
    CHECK(in.object.integer == 5);
    REQUIRE(in.path.size() == 1);
    CHECK((*in.path.begin()).key.str == "k");
    CHECK(in.value.type == rc::payload_type::string);
    CHECK(in.value.data == "hello");
    CHECK(pc.bytes() == bytes);
}

TEST_CASE("packed: a regular value whose copies own their bytes and views")
{
    auto frames = cs_test::read_framed(vectors + "/changesets/basic.bin");
    REQUIRE(frames.size() > 2);
    rc::packed_changeset a = rc::decode_packed_changeset(frames[1]);
    rc::packed_changeset copy(a);
    rc::packed_changeset assigned = rc::decode_packed_changeset(frames[2]);
    assigned = a;
    rc::packed_changeset moved(std::move(a));
    a = rc::decode_packed_changeset(frames[0]); // the original now holds something else
    check_same(copy, frames[1]);
    check_same(assigned, frames[1]);
    check_same(moved, frames[1]);
    check_same(a, frames[0]);
    rc::packed_changeset& self = copy;
    copy = self;
    check_same(copy, frames[1]);
    CHECK(rc::packed_changeset{}.empty());
    CHECK(rc::to_model(rc::packed_changeset{}) == rc::changeset{});
}

TEST_CASE("packed: reused storage shows only the newest changeset, and a failed decode leaves it empty")
{
    auto frames = cs_test::read_framed(vectors + "/changesets/basic.bin");
    // Largest first, then a small one: the arrays keep their capacity, never their old content.
    std::size_t big = 0;
    for (std::size_t i = 1; i < frames.size(); ++i)
        if (frames[i].size() > frames[big].size())
            big = i;
    rc::packed_changeset pc;
    std::error_code ec;
    realmwire::error_info where;
    REQUIRE(rc::decode_changeset(frames[big], pc, ec, where));
    const std::size_t held = pc.approx_bytes();
    const std::string small = unhex("3F 00 01 54 01 00"); // "T", EraseTable T
    REQUIRE(rc::decode_changeset(small, pc, ec, where));
    check_same(pc, small);
    CHECK(pc.approx_bytes() == held); // capacity kept
    // its own bytes decoded again, whole and in part (the bytes are replaced while being read otherwise)
    REQUIRE(rc::decode_changeset(frames[big], pc, ec, where));
    REQUIRE(rc::decode_changeset(pc.bytes(), pc, ec, where));
    check_same(pc, frames[big]);
    REQUIRE(rc::decode_changeset(small, pc, ec, where));
    REQUIRE(rc::decode_changeset(pc.bytes().substr(0, 4), pc, ec, where)); // the InternString record alone
    check_same(pc, small.substr(0, 4));
    REQUIRE(rc::decode_changeset(small, pc, ec, where));
    // a bad one: unknown instruction at offset 6
    CHECK_FALSE(rc::decode_changeset(small + unhex("3E"), pc, ec, where));
    CHECK(ec == make_error_code(realmwire::changeset_error::unknown_instruction));
    CHECK(where.offset == 6);
    CHECK(pc.empty());
    CHECK(pc.string_count() == 0);
    CHECK(pc.bytes().empty());
}

TEST_CASE("packed: an input over the size limit is refused before it is copied, with the decoder's error")
{
    rc::limits lim;
    lim.max_changeset_size = 4;
    rc::packed_changeset pc;
    std::error_code ec;
    realmwire::error_info where;
    CHECK_FALSE(rc::decode_changeset(unhex("3F 00 01 54 01 00"), pc, ec, where, lim));
    CHECK(ec == make_error_code(realmwire::changeset_error::changeset_too_large));
    CHECK(where.offset == 4);
    CHECK(where.field == "changeset");
    CHECK(pc.bytes().empty()); // nothing was copied
    CHECK(rc::decode_changeset(unhex("01 00"), pc, ec, where, lim) == false); // string #0 not interned
    CHECK(ec == make_error_code(realmwire::changeset_error::invalid_string_ref));
}

TEST_CASE("packed: the throwing form carries the error and its offset")
{
    try {
        (void)rc::decode_packed_changeset(unhex("3F 00 01 54 3E"));
        FAIL("no exception");
    }
    catch (const realmwire::system_error& e) {
        CHECK(e.code() == make_error_code(realmwire::changeset_error::unknown_instruction));
        CHECK(e.info().offset == 4);
    }
    std::error_code ec;
    realmwire::error_info where;
    CHECK(rc::decode_packed_changeset(unhex("3F 00 01 54 01 00"), ec, where).size() == 1);
    CHECK_FALSE(ec);
    CHECK(rc::decode_packed_changeset(unhex("3F 00 01 54 3E"), ec, where).empty());
    CHECK(ec == make_error_code(realmwire::changeset_error::unknown_instruction));
    CHECK(where.offset == 4);
}

TEST_CASE("packed: holds a changeset in less memory than the value model")
{
    // The model's memory: its slots, its strings, and the heap blocks behind strings, payload bytes and
    // paths (libstdc++ keeps up to 15 characters inside the string).
    auto model_bytes = [](const rc::changeset& m) {
        auto heap = [](const std::string& s) { return s.size() > 15 ? s.size() + 1 : 0; };
        std::size_t n = m.instructions.size() * sizeof(rc::instruction) + m.strings.size() * sizeof(std::string);
        for (const auto& s : m.strings)
            n += heap(s);
        for (const auto& in : m.instructions) {
            std::visit(
                [&](const auto& i) {
                    using T = std::decay_t<decltype(i)>;
                    if constexpr (std::is_base_of_v<rc::path_target, T>)
                        n += i.path.size() * sizeof(rc::path_element);
                    if constexpr (std::is_same_v<T, rc::update> || std::is_same_v<T, rc::array_insert> ||
                                  std::is_same_v<T, rc::set_insert> || std::is_same_v<T, rc::set_erase>)
                        n += heap(i.value.data);
                },
                in);
        }
        return n;
    };
    auto frames = cs_test::read_framed(vectors + "/changesets/basic.bin");
    std::size_t packed = 0, model = 0;
    for (const auto& f : frames) {
        rc::packed_changeset pc = rc::decode_packed_changeset(f); // fresh: shrunk to fit
        packed += pc.approx_bytes();
        model += model_bytes(rc::decode_changeset(f));
    }
    INFO("packed " << packed << " bytes, model " << model << " bytes");
    CHECK(packed * 10 < model * 8); // at least a fifth less, the input bytes included
}
