#include "realmwire/changeset.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace rc = realmwire::changeset;

namespace {

/// One payload of every type that has a body, each with a non-zero value.
std::vector<rc::payload> one_of_each()
{
    rc::object_id oid;
    oid.bytes[0] = 0x5f;
    oid.bytes[11] = 0x2b;
    rc::uuid u;
    u.bytes[3] = 0xe2;
    u.bytes[15] = 0x62;
    rc::decimal128 d;
    d.coefficient_lo = 12345;
    d.coefficient_hi = 7;
    d.exponent = -3;
    d.negative = true;
    return {rc::payload::make_int(-5),
            rc::payload::make_bool(true),
            rc::payload::make_string("a string longer than the small-string buffer"),
            rc::payload::make_binary(std::string("\0\1\2", 3)),
            rc::payload::make_timestamp({-10, -5}),
            rc::payload::make_float(2.5f),
            rc::payload::make_double(-0.25),
            rc::payload::make_decimal(d),
            rc::payload::make_link(rc::string_id{2}, rc::global_key{3, 4}),
            rc::payload::make_link(rc::string_id{1}, rc::string_id{5}),
            rc::payload::make_object_id(oid),
            rc::payload::make_uuid(u)};
}

} // namespace

TEST_CASE("payload: the scalar members share storage, the model stays small")
{
    // The scalars are in a union: a payload is the largest of them, the string and the type.
    CHECK(sizeof(rc::payload) <= sizeof(rc::link) + sizeof(std::string) + alignof(std::string));
    // An instruction is its largest alternative (a path_target, a payload, two small fields) plus the
    // variant's index: 144 bytes with a 32-byte std::string (it was 256).
    CHECK(sizeof(rc::instruction) <= sizeof(rc::path_target) + sizeof(rc::payload) + 16);
    if (sizeof(std::string) == 32 && sizeof(void*) == 8)
        CHECK(sizeof(rc::instruction) == 144);
}

TEST_CASE("payload: make(t) is t's zero, a default payload is null")
{
    using pt = rc::payload_type;
    CHECK(rc::payload{}.type == pt::null);
    CHECK(rc::payload{} == rc::payload::null());
    CHECK(rc::payload{}.data.empty());
    CHECK(rc::payload{}.link_value == rc::link{});

    CHECK(rc::payload::make(pt::integer) == rc::payload::make_int(0));
    CHECK(rc::payload::make(pt::boolean) == rc::payload::make_bool(false));
    CHECK(rc::payload::make(pt::string) == rc::payload::make_string(""));
    CHECK(rc::payload::make(pt::binary) == rc::payload::make_binary(""));
    CHECK(rc::payload::make(pt::timestamp) == rc::payload::make_timestamp({}));
    CHECK(rc::payload::make(pt::float_) == rc::payload::make_float(0.0f));
    CHECK(rc::payload::make(pt::double_) == rc::payload::make_double(0.0));
    CHECK(rc::payload::make(pt::decimal) == rc::payload::make_decimal({}));
    CHECK(rc::payload::make(pt::object_id) == rc::payload::make_object_id({}));
    CHECK(rc::payload::make(pt::uuid) == rc::payload::make_uuid({}));
    CHECK(rc::payload::make(pt::link) == rc::payload::make_link({}, std::monostate{}));
    // -0.0 is not the zero: floats compare by bits.
    CHECK(rc::payload::make(pt::double_) != rc::payload::make_double(-0.0));
    for (pt t : {pt::list, pt::set, pt::dictionary, pt::object_value, pt::erased}) {
        CHECK(rc::payload::make(t).type == t);
        CHECK(rc::payload::make(t) == rc::payload::make(t));
        CHECK(rc::payload::make(t).data.empty());
    }
}

TEST_CASE("payload: copies and assignments across types keep the value the type names")
{
    const std::vector<rc::payload> all = one_of_each();
    for (std::size_t i = 0; i < all.size(); ++i) {
        for (std::size_t j = 0; j < all.size(); ++j) {
            INFO(i << " over " << j);
            rc::payload p = all[j];
            p = all[i];
            CHECK(p == all[i]);
            CHECK((p == all[j]) == (i == j));
            rc::payload moved = std::move(p);
            CHECK(moved == all[i]);
        }
    }
    // Setting the member and then the type is the other way to build one.
    rc::payload p = rc::payload::make_string("x");
    p.integer = 7;
    p.type = rc::payload_type::integer;
    CHECK(p == rc::payload::make_int(7)); // `data` is not compared for an Int
}

TEST_CASE("decoding into reused slots of every payload type equals a fresh decode, data emptied")
{
    // One changeset per payload type (an Update of the same field), decoded over each other into the
    // same changeset object: the slot changes type every time.
    const std::vector<rc::payload> all = one_of_each();
    std::vector<std::string> frames;
    for (const auto& v : all) {
        rc::changeset c;
        rc::update u;
        u.table = c.intern("class_T");
        u.object = std::int64_t(1);
        u.field = c.intern("f");
        u.value = v;
        if (v.type == rc::payload_type::link) { // its ids must name interned strings
            c.intern("class_U");
            c.intern("k");
            c.intern("pk");
            c.intern("more");
        }
        c.instructions.push_back(u);
        frames.push_back(rc::encode(c));
        REQUIRE(rc::decode_changeset(frames.back()) == c);
    }
    rc::changeset reused;
    std::error_code ec;
    realmwire::error_info where;
    for (std::size_t i = 0; i < frames.size(); ++i) {
        for (std::size_t j = 0; j < frames.size(); ++j) {
            INFO(i << " over " << j);
            REQUIRE(rc::decode_changeset(frames[j], reused, ec, where));
            REQUIRE(rc::decode_changeset(frames[i], reused, ec, where));
            REQUIRE(reused == rc::decode_changeset(frames[i]));
            const auto& u = std::get<rc::update>(reused.instructions.at(0));
            CHECK(u.value == all[i]);
            if (u.value.type != rc::payload_type::string && u.value.type != rc::payload_type::binary)
                CHECK(u.value.data.empty());
            CHECK(rc::encode(reused) == frames[i]);
        }
    }
}
