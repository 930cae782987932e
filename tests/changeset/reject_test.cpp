#include "realmwire/changeset/model_decoder.hpp"
#include "realmwire/changeset/packed.hpp"

#include "framed.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace rc = realmwire::changeset;
using cs_test::unhex;
using E = realmwire::changeset_error;

namespace {

// The negative vectors (run through realm-core's parser) start with these: string #0 "T", string #1 "f".
const std::string T = unhex("3F 00 01 54");
const std::string TF = unhex("3F 00 01 54 3F 01 01 66");

struct outcome {
    std::error_code ec;
    std::size_t offset = 0;
};

outcome try_decode(const std::string& bytes, const rc::limits& lim = {})
{
    std::error_code ec;
    realmwire::error_info where;
    rc::changeset m;
    bool ok = rc::decode_changeset(bytes, m, ec, where, lim);
    CHECK(ok == !ec);
    // The visitor decoder agrees exactly.
    rc::null_visitor nv;
    rc::decoder d(lim);
    std::error_code ec2;
    realmwire::error_info where2;
    CHECK(d.decode(bytes, nv, ec2, where2) == ok);
    CHECK(ec2 == ec);
    CHECK(where2.offset == where.offset);
    if (ec) {
        CHECK(where.has_offset());
        CHECK_FALSE(where.field.empty());
    }
    // So does the packed decoder, which is left empty on error (into an object that held another
    // changeset: nothing of it may remain).
    rc::packed_changeset pc = rc::decode_packed_changeset(T + unhex("01 00"));
    REQUIRE(pc.size() == 1);
    std::error_code ec3;
    realmwire::error_info where3;
    CHECK(rc::decode_changeset(bytes, pc, ec3, where3, lim) == ok);
    CHECK(ec3 == ec);
    CHECK(where3.offset == where.offset);
    if (ok) {
        CHECK(rc::to_model(pc) == m);
        CHECK(pc.bytes() == bytes);
    }
    else {
        CHECK(pc.empty());
        CHECK(pc.string_count() == 0);
        CHECK(pc.bytes().empty());
    }
    return {ec, ok ? std::size_t(0) : where.offset};
}

#define REJECTS(bytes, err, off)                                                                               \
    do {                                                                                                       \
        auto o_ = try_decode(bytes);                                                                               \
        CHECK(o_.ec == make_error_code(err));                                                                  \
        CHECK(o_.offset == std::size_t(off));                                                                  \
    } while (0)

#define ACCEPTS(bytes)                                                                                         \
    do {                                                                                                       \
        auto o_ = try_decode(bytes);                                                                               \
        CHECK_FALSE(o_.ec);                                                                                    \
    } while (0)

} // namespace

TEST_CASE("realm-core's own parser tests (test_changeset_encoding.cpp)")
{
    REJECTS(unhex("3E"), E::unknown_instruction, 0);                          // BadInstruction
    ACCEPTS(unhex("3F 00 01 61 3F 01 01 62"));                                // GoodInternString
    REJECTS(unhex("3F"), E::truncated, 1);                                    // MissingIndex
    REJECTS(unhex("3F FF FF FF FF FF FF FF FF FF 00 00"), E::varint_overflow, 1); // IndexTooLarge (u32)
    REJECTS(unhex("3F 01"), E::unexpected_intern_index, 1);                   // UnorderedIndex
    REJECTS(unhex("3F 00 F0 FF FF 07"), E::string_too_long, 2);               // LengthTooLong: 16777200
    REJECTS(unhex("3F 00 40"), E::varint_sign_on_unsigned, 2);                // NegativeLength
    REJECTS(unhex("3F 00 EF FF FF"), E::truncated, 2);                        // TruncatedLength
    REJECTS(unhex("3F 00 01"), E::length_exceeds_input, 2);                   // MissingBody
    REJECTS(unhex("3F 3F 00 01 61 3F 00 01 62"), E::unexpected_intern_index, 1); // RepeatedIndex
    REJECTS(unhex("3F 00 01 61 3F 01 01 61"), E::duplicate_intern_string, 6); // RepeatedBody
    REJECTS(unhex("02 00"), E::invalid_string_ref, 1);                       // InvalidUse
    ACCEPTS(unhex("3F 00 00"));                                               // empty strings are fine
    ACCEPTS("");                                                              // the empty changeset
}

TEST_CASE("each check of realm-core's parser, with error and offset")
{
    // 1 integer decoding failure: truncated varint inside an instruction
    REJECTS(TF + unhex("05 00 01 05 01 00 FF"), E::truncated, 14);
    // 2 decimal coefficient truncated / longer than 17 bytes
    REJECTS(TF + unhex("04 00 01 05 01 00 08 B9 E0"), E::truncated, 15);
    REJECTS(TF + unhex("04 00 01 05 01 00 08") + std::string(17, '\x80') + unhex("01 00 00 00"), E::decimal_coefficient_invalid, 15);
    // 3, 4: intern index and duplicates: see the test above; 5 string too long
    REJECTS(TF + unhex("04 00 01 05 01 00 03 F0 FF FF 07"), E::string_too_long, 15);
    // 7 raw bytes past the end: float, double, ObjectId, UUID, string/binary bodies
    REJECTS(TF + unhex("04 00 01 05 01 00 06 00 00 C0"), E::truncated, 15);
    REJECTS(TF + unhex("04 00 01 05 01 00 07 00 00"), E::truncated, 15);
    REJECTS(TF + unhex("04 00 01 05 01 00 0A 00 00 00"), E::truncated, 15);
    REJECTS(TF + unhex("04 00 01 05 01 00 0B 00"), E::truncated, 15);
    REJECTS(T + unhex("02 00 0A 01 02 03"), E::truncated, 7);
    REJECTS(TF + unhex("04 00 01 05 01 00 04 05 00"), E::length_exceeds_input, 15);
    // 8 istr >= count (N5)
    REJECTS(T + unhex("01 01"), E::invalid_string_ref, 5);
    // 9 unknown payload type (N17: -7)
    REJECTS(TF + unhex("04 00 01 05 01 00 46 00"), E::unknown_payload_type, 14);
    // 10 GlobalKey as a payload (N16)
    REJECTS(TF + unhex("04 00 01 05 01 00 40 01 02 00"), E::payload_type_not_allowed, 14);
    // 11 pk type not a key type (N12: Bool)
    REJECTS(T + unhex("02 00 02 01"), E::unknown_primary_key_type, 6);
    // 12 AddTable table type (N14)
    REJECTS(T + unhex("00 00 03"), E::unknown_table_type, 6);
    // 13 AddTable pk type (N13: Bool)
    REJECTS(TF + unhex("00 00 00 01 02 00"), E::invalid_primary_key_type, 12);
    // 14 collection type: AddColumn and Clear (N15, N21)
    REJECTS(TF + unhex("06 00 01 01 00 04"), E::unknown_collection_type, 13);
    REJECTS(TF + unhex("0B 00 01 05 01 00 04"), E::unknown_collection_type, 14);
    // 15 ArrayInsert/Move/Erase without a trailing index (N7)
    REJECTS(TF + unhex("08 00 01 05 01 00 01 05 00"), E::missing_list_index, 13);
    REJECTS(TF + unhex("09 00 01 05 01 01 40 00 00 00"), E::missing_list_index, 13);
    REJECTS(TF + unhex("0A 00 01 05 01 00 00"), E::missing_list_index, 13);
    // 16 timestamp nanoseconds > INT32_MAX (N10)
    REJECTS(TF + unhex("04 00 01 05 01 00 05 01 80 80 80 80 08 00"), E::timestamp_out_of_range, 15);
    // 17 unknown tag (N1)
    REJECTS(T + unhex("3E"), E::unknown_instruction, 4);
}

TEST_CASE("realm-core's parser gaps are closed, each with error and offset")
{
    SECTION("tags are checked before narrowing: 256 is not AddTable, 319 is not InternString, 255 (Multi) is unknown")
    {
        REJECTS(T + unhex("80 02 00 01"), E::unknown_instruction, 4); // N2
        REJECTS(T + unhex("BF 02"), E::unknown_instruction, 4);       // N33
        REJECTS(T + unhex("FF 01"), E::unknown_instruction, 4);
        REJECTS(T + unhex("0E"), E::unknown_instruction, 4);
    }
    SECTION("payload and pk types are checked before narrowing (N6: 257 is not Int)")
    {
        REJECTS(TF + unhex("04 00 01 05 01 00 81 02 05 00"), E::unknown_payload_type, 14);
        REJECTS(T + unhex("02 00 81 02 05"), E::unknown_payload_type, 6);
    }
    SECTION("path indices above UINT32_MAX do not become 0 (N8); string markers other than -1 (N20)")
    {
        REJECTS(TF + unhex("0A 00 01 05 01 01 80 80 80 80 10 05"), E::invalid_path_element, 14);
        REJECTS(TF + unhex("04 00 01 05 01 01 44 01 00 00"), E::invalid_path_element, 14);
        ACCEPTS(TF + unhex("0A 00 01 05 01 01 FF FF FF FF 0F 05"));
    }
    SECTION("lengths are checked against the input before anything is allocated (N19, N35)")
    {
        std::string huge = TF + unhex("04 00 01 05 00 00 04 80 80 80 80 80 80 80 80 3F");
        REJECTS(huge, E::binary_too_long, 15);
        rc::limits unlimited;
        unlimited.max_binary_size = SIZE_MAX;
        auto o = try_decode(huge, unlimited);
        CHECK(o.ec == make_error_code(E::length_exceeds_input));
        CHECK(o.offset == 15);
        // 4 GiB declared in a 20-byte input
        unlimited.max_string_size = SIZE_MAX;
        o = try_decode(TF + unhex("04 00 01 05 00 00 03 80 80 80 80 10"), unlimited);
        CHECK(o.ec == make_error_code(E::length_exceeds_input));
        CHECK(o.offset == 15);
        REJECTS(TF + unhex("04 00 01 05 00 00 04 81 80 80 08"), E::binary_too_long, 15); // 16777217
    }
    SECTION("invalid UTF-8 in interned strings and String payloads (N26); Binary is bytes")
    {
        REJECTS(unhex("3F 00 02 C3 28"), E::invalid_utf8, 3);
        REJECTS(unhex("3F 00 04 61 62 63 FF"), E::invalid_utf8, 6);
        REJECTS(unhex("3F 00 02 C0 80"), E::invalid_utf8, 3);       // overlong NUL
        REJECTS(unhex("3F 00 03 ED A0 80"), E::invalid_utf8, 3);    // surrogate
        REJECTS(unhex("3F 00 04 F4 90 80 80"), E::invalid_utf8, 3); // above U+10FFFF
        REJECTS(unhex("3F 00 02 E2 82"), E::invalid_utf8, 3);       // cut sequence
        REJECTS(TF + unhex("04 00 01 05 01 00 03 0A 61 62 63 64 65 66 67 68 C3 28 00"), E::invalid_utf8, 24);
        ACCEPTS(TF + unhex("04 00 01 05 01 00 04 02 C3 28 00"));
        ACCEPTS(unhex("3F 00 0B 71 75 C3 B8 E2 82 AC F0 9F 98 80"));
        rc::limits lax;
        lax.validate_utf8 = false;
        CHECK_FALSE(try_decode(unhex("3F 00 02 C3 28"), lax).ec);
    }
    SECTION("Decimal128 out of range: coefficient >= 2^113, exponent outside the 14-bit field, sign not 0/1 (N30)")
    {
        REJECTS(TF + unhex("04 00 01 05 00 00 08 FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF 03 00 00 00"),
                E::decimal_coefficient_invalid, 15);
        REJECTS(TF + unhex("04 00 01 05 00 00 08 0F FF FF FF FF 07 00 00"), E::decimal_out_of_range, 16);
        REJECTS(TF + unhex("04 00 01 05 00 00 08 0F 00 05 00"), E::decimal_out_of_range, 17);
        REJECTS(TF + unhex("04 00 01 05 00 00 08 81 00 00 00 00"), E::decimal_coefficient_invalid, 15);
        // exponent bounds: -6176 and 16383-6176 = 10207 (NaN/Inf unpack up there) are fine, one beyond is not
        ACCEPTS(TF + unhex("04 00 01 05 00 00 08 00 9F 70 00 00"));    // -6176
        REJECTS(TF + unhex("04 00 01 05 00 00 08 00 A0 70 00 00"), E::decimal_out_of_range, 16); // -6177
        ACCEPTS(TF + unhex("04 00 01 05 00 00 08 00 DF CF 00 00 00")); // 10207
        REJECTS(TF + unhex("04 00 01 05 00 00 08 00 E0 CF 00 00 00"), E::decimal_out_of_range, 16); // 10208
        ACCEPTS(TF + unhex("04 00 01 05 00 00 08 00 E0 C7 00 00 00")); // +Inf as realm-core writes it
    }
    SECTION("special payload types where they are not allowed")
    {
        // Erased only as an Update of a dictionary key (N31: Update on a list index with Erased)
        REJECTS(TF + unhex("04 00 01 05 01 01 03 43 00"), E::payload_type_not_allowed, 15);
        REJECTS(TF + unhex("04 00 01 05 01 00 43 00"), E::payload_type_not_allowed, 14);
        ACCEPTS(TF + unhex("04 00 01 05 01 01 40 01 43 00"));
        REJECTS(TF + unhex("08 00 01 05 01 01 00 43 00"), E::payload_type_not_allowed, 15);
        // Set*: scalars and links only
        for (const char* t : {"41", "42", "44", "45", "43"}) {
            REJECTS(TF + unhex("0C 00 01 05 01 00") + unhex(t), E::payload_type_not_allowed, 14);
            REJECTS(TF + unhex("0D 00 01 05 01 00") + unhex(t), E::payload_type_not_allowed, 14);
        }
        ACCEPTS(TF + unhex("0C 00 01 05 01 00 00"));
        // AddColumn type: no Erased (N29), collections, ObjectValue or GlobalKey
        for (const char* t : {"43", "45", "44", "42", "41", "40"})
            REJECTS(TF + unhex("06 00 01") + unhex(t) + unhex("00 00"), E::invalid_column_type, 11);
        // dictionary key type must be String
        REJECTS(TF + unhex("06 00 01 01 00 02 01"), E::invalid_dictionary_key, 14);
        ACCEPTS(TF + unhex("06 00 01 00 01 02 03"));
    }
    SECTION("bools other than 0/1 (N9)")
    {
        REJECTS(TF + unhex("04 00 01 05 01 00 02 02 00"), E::invalid_bool, 15);
        REJECTS(TF + unhex("04 00 01 05 01 00 00 02"), E::invalid_bool, 15); // is_default
        REJECTS(TF + unhex("00 00 00 01 01 02"), E::invalid_bool, 13);       // pk_nullable
        REJECTS(TF + unhex("06 00 01 01 05 00"), E::invalid_bool, 12);       // nullable
    }
    SECTION("over-long varints anywhere (N18)")
    {
        REJECTS(unhex("3F 80 00 81 00 54 81 00 80 80 00"), E::varint_non_minimal, 1);
        REJECTS(unhex("BF 00 00 01 54"), E::varint_non_minimal, 0);
        REJECTS(TF + unhex("05 00 01 85 00 01 00 01"), E::varint_non_minimal, 11);
    }
    SECTION("sign flags on unsigned fields (N32: prior_size 41 is not 4294967294)")
    {
        REJECTS(TF + unhex("0A 00 01 05 01 01 00 41"), E::varint_sign_on_unsigned, 15);
        REJECTS(TF + unhex("0A 00 01 05 01 41"), E::varint_sign_on_unsigned, 13); // path count
        REJECTS(unhex("3F 40"), E::varint_sign_on_unsigned, 1);                 // intern index
        REJECTS(T + unhex("01 40"), E::varint_sign_on_unsigned, 5);             // istr
    }
    SECTION("overflow of each width")
    {
        REJECTS(TF + unhex("05 00 01 05 01 00 FF FF FF FF FF FF FF FF FF 01"), E::varint_overflow, 14); // i64
        REJECTS(TF + unhex("0A 00 01 05 01 01 00 FF FF FF FF 10"), E::varint_overflow, 15);             // u32
        REJECTS(TF + unhex("00 00 80 02"), E::unknown_table_type, 10); // u8 field: 256 is not 0
        ACCEPTS(TF + unhex("05 00 01 05 01 00 FF FF FF FF FF FF FF FF FF 00"));                        // INT64_MAX
        ACCEPTS(TF + unhex("05 00 01 05 01 00 FF FF FF FF FF FF FF FF FF 40"));                        // INT64_MIN
    }
    SECTION("timestamps Realm would assert on (N22)")
    {
        REJECTS(TF + unhex("04 00 01 05 01 00 05 01 40 00"), E::timestamp_out_of_range, 15);         // {1, -1}
        REJECTS(TF + unhex("04 00 01 05 01 00 05 40 01 00"), E::timestamp_out_of_range, 15);         // {-1, 1}
        REJECTS(TF + unhex("04 00 01 05 01 00 05 00 80 94 EB DC 03 00"), E::timestamp_out_of_range, 15); // ns = 1e9
        ACCEPTS(TF + unhex("04 00 01 05 01 00 05 00 FF 93 EB DC 03 00"));                          // ns = 1e9 - 1
        ACCEPTS(TF + unhex("04 00 01 05 01 00 05 40 40 00"));                                      // {-1, -1}
        ACCEPTS(TF + unhex("04 00 01 05 01 00 05 00 40 00"));                                      // {0, -1}
    }
    SECTION("names longer than Realm allows")
    {
        std::string name58(58, 'C'), name57(57, 'C'), field64(64, 'f');
        std::string s58 = unhex("3F 00 3A") + name58;
        REJECTS(s58 + unhex("01 00"), E::name_too_long, 62);
        ACCEPTS(unhex("3F 00 39") + name57 + unhex("01 00"));
        REJECTS(T + unhex("3F 01 C0 00") + field64 + unhex("07 00 01"), E::name_too_long, 74);
        // a long dictionary key is not a name
        ACCEPTS(TF + unhex("3F 02 C0 00") + field64 + unhex("04 00 01 05 01 01 40 02 00 00"));
    }
}

TEST_CASE("limits: size, path depth, interned strings, instructions")
{
    rc::limits lim;
    lim.max_changeset_size = 10;
    CHECK_FALSE(try_decode(TF + unhex("01 00"), lim).ec);
    auto o = try_decode(TF + unhex("01 00 01 00"), lim);
    CHECK(o.ec == make_error_code(E::changeset_too_large));
    CHECK(o.offset == 10);

    lim = {};
    lim.max_path_depth = 2;
    CHECK_FALSE(try_decode(TF + unhex("0A 00 01 05 01 02 00 01 07"), lim).ec);
    o = try_decode(TF + unhex("0A 00 01 05 01 03 00 01 02 07"), lim);
    CHECK(o.ec == make_error_code(E::path_too_deep));
    CHECK(o.offset == 13);
    // the default bound rejects a huge declared count before reading any element
    REJECTS(TF + unhex("0A 00 01 05 01 FF FF FF FF 0F"), E::path_too_deep, 13);

    lim = {};
    lim.max_interned_strings = 1;
    o = try_decode(TF, lim);
    CHECK(o.ec == make_error_code(E::too_many_strings));
    CHECK(o.offset == 4);

    lim = {};
    lim.max_instructions = 2;
    CHECK_FALSE(try_decode(T + unhex("01 00 01 00"), lim).ec);
    o = try_decode(T + unhex("01 00 01 00 01 00"), lim);
    CHECK(o.ec == make_error_code(E::too_many_instructions));
    CHECK(o.offset == 8);

    lim = {};
    lim.max_string_size = 3;
    o = try_decode(unhex("3F 00 04 61 62 63 64"), lim);
    CHECK(o.ec == make_error_code(E::string_too_long));
    CHECK(o.offset == 2);
}

TEST_CASE("errors carry their category, condition, and the offset into the throwing form")
{
    std::error_code ec = E::varint_non_minimal;
    CHECK(std::string(ec.category().name()) == "realmwire.changeset");
    CHECK(ec == realmwire::condition::malformed_input);
    CHECK(std::error_code(E::path_too_deep) == realmwire::condition::limit_exceeded);
    try {
        rc::decode_changeset(T + unhex("80 02 00 01"));
        FAIL("no throw");
    }
    catch (const realmwire::system_error& e) {
        CHECK(e.code() == make_error_code(E::unknown_instruction));
        CHECK(e.info().offset == 4);
        CHECK(std::string(e.what()).find("at byte 4") != std::string::npos);
    }
}
