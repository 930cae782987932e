#include "realmwire/changeset.hpp"

#include "framed.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace rc = realmwire::changeset;
using cs_test::read_dump;
using cs_test::read_framed;

namespace {

const std::string vectors = REALMWIRE_VECTORS_DIR;

/// Decodes every frame of `bin`, compares with the dump `txt` line by line (hex line = the bytes; the
/// rendering of the model = realm-core's print), and re-encodes with `l`. Returns the models.
std::vector<rc::changeset> check_file(const std::string& bin, const std::string& txt, rc::layout l)
{
    auto frames = read_framed(bin);
    auto dump = read_dump(txt);
    REQUIRE(frames.size() == dump.size());
    std::vector<rc::changeset> models;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        INFO(bin << " changeset " << i);
        CHECK(cs_test::hex(frames[i]) == dump[i].hex);
        std::error_code ec;
        realmwire::error_info where;
        rc::changeset m = rc::decode_changeset(frames[i], ec, where);
        REQUIRE_FALSE(ec);
        // The dump: "InternStrings ..." then one line per instruction.
        REQUIRE(dump[i].lines.size() == m.instructions.size() + 1);
        CHECK(rc::to_string_interned(m) == dump[i].lines[0]);
        for (std::size_t k = 0; k < m.instructions.size(); ++k)
            CHECK(rc::to_string(m, m.instructions[k]) == dump[i].lines[k + 1]);
        // Byte-identical re-encoding, in the producer's layout and from the recorded placement.
        CHECK(rc::encode(m, l) == frames[i]);
        CHECK(rc::encode(m, rc::layout::preserve) == frames[i]);
        models.push_back(std::move(m));
    }
    return models;
}

} // namespace

TEST_CASE("changesets/basic.bin: 300 changesets decode to their dump and re-encode byte-identically")
{
    auto models = check_file(vectors + "/changesets/basic.bin", vectors + "/changesets/basic.txt", rc::layout::strings_first);
    REQUIRE(models.size() == 300);
    std::size_t instructions = 0;
    for (const auto& m : models)
        instructions += m.instructions.size();
    CHECK(instructions == 7673); // as the vectors README states
}

TEST_CASE("changesets/tiny: every one-purpose changeset decodes to its dump and re-encodes byte-identically")
{
    const char* names[] = {"schema", "add_table", "add_column", "add_column_list", "create_object_int_pk",
                           "create_object_objectid_pk", "create_object_string_pk", "erase_object", "update_int",
                           "update_bool", "update_string", "update_string_long", "update_binary", "update_timestamp",
                           "update_float", "update_double", "update_decimal", "update_objectid", "update_uuid",
                           "update_link", "update_null", "update_is_default", "array_update", "dict_update",
                           "dict_erase", "array_insert", "array_erase", "array_move", "set_insert", "set_erase",
                           "clear_list", "clear_set", "add_integer", "erase_table", "erase_column", "empty"};
    for (const char* n : names) {
        std::string base = vectors + "/changesets/tiny/" + n;
        auto models = check_file(base + ".bin", base + ".txt", rc::layout::strings_first);
        REQUIRE(models.size() == 1);
    }
    auto empty = read_framed(vectors + "/changesets/tiny/empty.bin");
    REQUIRE(empty.size() == 1);
    CHECK(empty[0].empty());
}

TEST_CASE("sessions: UPLOAD changesets re-encode in the client layout, DOWNLOAD ones in the server layout")
{
    for (const char* n : {"a-write5", "c-upload-compressed", "d-max-protocol-10"}) {
        std::string base = vectors + "/sessions/" + n + ".changesets";
        auto models = check_file(base + ".bin", base + ".txt", rc::layout::client);
        auto frames = read_framed(base + ".bin");
        for (std::size_t i = 0; i < models.size(); ++i) {
            // realm-core's own round trip (all strings first) gives other bytes of the same length that
            // decode to the same changeset.
            std::string server = rc::encode(models[i], rc::layout::strings_first);
            CHECK(server != frames[i]);
            CHECK(server.size() == frames[i].size());
            CHECK(rc::decode_changeset(server) == models[i]);
            // The client interns "" although no instruction uses it.
            CHECK(std::find(models[i].strings.begin(), models[i].strings.end(), "") != models[i].strings.end());
        }
    }
    for (const char* n : {"b-download5", "c-download-compressed"}) {
        std::string base = vectors + "/sessions/" + n + ".changesets";
        check_file(base + ".bin", base + ".txt", rc::layout::strings_first);
    }
    // The same data written by the client and sent back by the server.
    auto up = read_framed(vectors + "/sessions/a-write5.changesets.bin");
    auto down = read_framed(vectors + "/sessions/b-download5.changesets.bin");
    REQUIRE(up.size() == 1);
    REQUIRE(down.size() == 1);
    auto m = rc::decode_changeset(up[0]);
    CHECK(rc::encode(m, rc::layout::strings_first) == down[0]);
    CHECK(rc::encode(rc::decode_changeset(down[0]), rc::layout::client) == up[0]);
}

namespace {

/// Records what the visitor sees, converted to the model, to compare with the model decoder.
struct collecting_visitor {
    rc::changeset out;
    std::size_t last_offset = 0;
    bool offsets_increase = true;
    void intern_string(std::uint32_t index, std::string_view s)
    {
        CHECK(index == out.strings.size());
        out.strings.emplace_back(s);
    }
    void instruction(const rc::instruction_view& in)
    {
        if (!out.instructions.empty() && in.offset <= last_offset)
            offsets_increase = false;
        last_offset = in.offset;
        out.instructions.push_back(rc::to_model(in));
    }
};

} // namespace

TEST_CASE("the visitor decoder sees what the model decoder builds, with views into the input")
{
    auto frames = read_framed(vectors + "/changesets/basic.bin");
    rc::decoder d;
    std::size_t instructions = 0;
    for (const auto& f : frames) {
        collecting_visitor v;
        std::error_code ec;
        REQUIRE(d.decode(f, v, ec));
        CHECK(v.out == rc::decode_changeset(f));
        CHECK(v.offsets_increase);
        instructions += v.out.instructions.size();
        // The strings are views into the input, not copies.
        for (auto s : d.strings())
            CHECK((s.empty() || (s.data() >= f.data() && s.data() + s.size() <= f.data() + f.size())));
    }
    CHECK(instructions == 7673);
}

TEST_CASE("realm-core encoder outputs are reproduced from hand-built models")
{
    using cs_test::unhex;
    SECTION("E2: AddTable with Int pk + AddColumn")
    {
        rc::changeset c;
        auto person = c.intern("Person"), id = c.intern("_id"), name = c.intern("name");
        c.instructions.push_back(rc::add_table{person, rc::table_type::top_level, id, rc::payload_type::integer, false});
        rc::add_column col;
        col.table = person;
        col.field = name;
        col.type = rc::payload_type::string;
        col.nullable = true;
        c.instructions.push_back(col);
        CHECK(rc::encode(c) == unhex("3F 00 06 50 65 72 73 6F 6E 3F 01 03 5F 69 64 3F 02 04 6E 61 6D 65 00 00 00 01 01 00 06 00 02 03 01 00"));
    }
    SECTION("E5: primary-key variants")
    {
        rc::changeset c;
        auto dog = c.intern("Dog"), rex = c.intern("rex"), cat = c.intern("Cat"), eel = c.intern("Eel"),
             fox = c.intern("Fox"), gnu = c.intern("Gnu");
        rc::object_id oid;
        const std::uint8_t ob[12] = {0x5F, 0x1B, 0x2C, 0x3D, 0x4E, 0x5F, 0x60, 0x71, 0x82, 0x93, 0xA4, 0xB5};
        std::copy(ob, ob + 12, oid.bytes.begin());
        rc::uuid u;
        for (int i = 0; i < 16; ++i)
            u.bytes[i] = static_cast<std::uint8_t>(i * 0x11);
        c.instructions.push_back(rc::create_object{dog, rex});
        c.instructions.push_back(rc::create_object{cat, oid});
        c.instructions.push_back(rc::create_object{eel, u});
        c.instructions.push_back(rc::erase_object{fox, std::monostate{}});
        c.instructions.push_back(rc::create_object{gnu, rc::global_key{1, 2}});
        CHECK(cs_test::hex(rc::encode(c)) ==
              cs_test::hex(unhex("3F 00 03 446F67 3F 01 03 726578 3F 02 03 436174 3F 03 03 45656C 3F 04 03 466F78 3F 05 03 476E75"
                                 "02 00 03 01"
                                 "02 02 0A 5F 1B 2C 3D 4E 5F 60 71 82 93 A4 B5"
                                 "02 03 0B 00 11 22 33 44 55 66 77 88 99 AA BB CC DD EE FF"
                                 "03 04 00"
                                 "02 05 40 01 02")));
    }
    SECTION("E8: scalar payloads")
    {
        rc::changeset c;
        auto t = c.intern("T"), s = c.intern("s"), f = c.intern("f"), d = c.intern("d"), ts = c.intern("t"),
             b = c.intern("b"), m = c.intern("m"), n = c.intern("n");
        auto target = [&](rc::path_target& x, rc::string_id field) {
            x.table = t;
            x.object = std::int64_t{7};
            x.field = field;
        };
        rc::set_insert si;
        target(si, s);
        si.value = rc::payload::make_bool(true);
        c.instructions.push_back(si);
        rc::set_erase se;
        target(se, s);
        rc::object_id one;
        one.bytes[11] = 1;
        se.value = rc::payload::make_object_id(one);
        c.instructions.push_back(se);
        auto upd = [&](rc::string_id field, rc::payload v, bool is_default) {
            rc::update u;
            target(u, field);
            u.value = std::move(v);
            u.is_default = is_default;
            c.instructions.push_back(u);
        };
        upd(f, rc::payload::make_float(1.5f), true);
        upd(d, rc::payload::make_double(-2.0), false);
        upd(ts, rc::payload::make_timestamp({1700000000, 5}), false);
        upd(b, rc::payload::make_binary(std::string("\x00\xFF", 2)), false);
        rc::decimal128 dec;
        dec.coefficient_lo = 15;
        dec.exponent = -1;
        dec.negative = true;
        upd(m, rc::payload::make_decimal(dec), false);
        upd(n, rc::payload::null(), false);
        std::string bytes = rc::encode(c);
        std::string strings = unhex("3F 00 01 54 3F 01 01 73 3F 02 01 66 3F 03 01 64 3F 04 01 74 3F 05 01 62 3F 06 01 6D 3F 07 01 6E");
        CHECK(cs_test::hex(bytes) ==
              cs_test::hex(strings + unhex("0C 00 01 07 01 00 02 01"
                                           "0D 00 01 07 01 00 0A 00 00 00 00 00 00 00 00 00 00 00 01"
                                           "04 00 01 07 02 00 06 00 00 C0 3F 01"
                                           "04 00 01 07 03 00 07 00 00 00 00 00 00 00 C0 00"
                                           "04 00 01 07 04 00 05 80 E2 CF AA 06 05 00"
                                           "04 00 01 07 05 00 04 02 00 FF 00"
                                           "04 00 01 07 06 00 08 0F 40 01 00"
                                           "04 00 01 07 07 00 00 00")));
        CHECK(bytes.size() == 131);
        CHECK(rc::decode_changeset(bytes) == c);
    }
    SECTION("E10: replication-style interleaving is the client layout")
    {
        rc::changeset c;
        auto person = c.intern("Person"), name = c.intern("name");
        c.instructions.push_back(rc::create_object{person, std::int64_t{64}});
        rc::update u;
        u.table = person;
        u.object = std::int64_t{64};
        u.field = name;
        u.value = rc::payload::make_string("Bob");
        c.instructions.push_back(u);
        auto expected = unhex("3F 00 06 50 65 72 73 6F 6E 02 00 01 C0 00 3F 01 04 6E 61 6D 65 04 00 01 C0 00 01 00 03 03 42 6F 62 00");
        CHECK(rc::encode(c, rc::layout::client) == expected);
        auto back = rc::decode_changeset(expected);
        CHECK(back.placement == std::vector<std::size_t>{0, 1});
        CHECK(rc::encode(back, rc::layout::preserve) == expected);
    }
    SECTION("E1: an empty changeset is zero bytes, even with interned strings")
    {
        rc::changeset c;
        c.intern("unused");
        CHECK(rc::encode(c).empty());
        CHECK(rc::decode_changeset("").instructions.empty());
    }
}
