#include "realmwire/changeset/integer_codec.hpp"

#include "framed.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <string>

namespace rc = realmwire::changeset;
using cs_test::unhex;
using realmwire::changeset_error;

namespace {

template <class T>
std::string enc(T v)
{
    std::string s;
    rc::append_varint(s, v);
    return s;
}

template <class T>
std::error_code dec(const std::string& bytes, T& v, std::size_t& used)
{
    return rc::decode_varint(std::string_view(bytes), v, used);
}

template <class T>
realmwire::changeset_error dec_err(const std::string& bytes)
{
    T v{};
    std::size_t used = 0;
    auto ec = dec(bytes, v, used);
    return static_cast<realmwire::changeset_error>(ec.value());
}

} // namespace

TEST_CASE("varint encoding matches realm-core's encode_int (docs/protocol.md examples)")
{
    CHECK(enc<std::int64_t>(0) == unhex("00"));
    CHECK(enc<std::int64_t>(1) == unhex("01"));
    CHECK(enc<std::int64_t>(63) == unhex("3F"));
    CHECK(enc<std::int64_t>(64) == unhex("C0 00"));
    CHECK(enc<std::int64_t>(127) == unhex("FF 00"));
    CHECK(enc<std::int64_t>(128) == unhex("80 01"));
    CHECK(enc<std::int64_t>(300) == unhex("AC 02"));
    CHECK(enc<std::int64_t>(8191) == unhex("FF 3F"));
    CHECK(enc<std::int64_t>(8192) == unhex("80 C0 00"));
    CHECK(enc<std::int64_t>(1000000) == unhex("C0 84 3D"));
    CHECK(enc<std::int64_t>(-1) == unhex("40"));
    CHECK(enc<std::int64_t>(-2) == unhex("41"));
    CHECK(enc<std::int64_t>(-64) == unhex("7F"));
    CHECK(enc<std::int64_t>(-65) == unhex("C0 40"));
    CHECK(enc<std::int64_t>(-128) == unhex("FF 40"));
    CHECK(enc<std::int64_t>(-300) == unhex("AB 42"));
    CHECK(enc<std::int64_t>(std::numeric_limits<std::int64_t>::max()) == unhex("FF FF FF FF FF FF FF FF FF 00"));
    CHECK(enc<std::int64_t>(std::numeric_limits<std::int64_t>::min()) == unhex("FF FF FF FF FF FF FF FF FF 40"));
    CHECK(enc<std::uint64_t>(std::numeric_limits<std::uint64_t>::max()) == unhex("FF FF FF FF FF FF FF FF FF 01"));
    CHECK(enc<std::uint64_t>(16777199) == unhex("EF FF FF 07"));
    CHECK(rc::varint_max_bytes<std::int64_t>() == 10);
    CHECK(rc::varint_max_bytes<std::uint64_t>() == 10);
    CHECK(rc::varint_max_bytes<std::int32_t>() == 5);
    CHECK(rc::varint_max_bytes<std::uint32_t>() == 5);
    CHECK(rc::varint_max_bytes<std::uint8_t>() == 2);
}

TEST_CASE("varint round trip at the extremes of every width")
{
    auto rt = [](auto v) {
        using T = decltype(v);
        std::string s = enc(v);
        CHECK(s.size() <= rc::varint_max_bytes<T>());
        T back{};
        std::size_t used = 0;
        REQUIRE_FALSE(dec(s, back, used));
        CHECK(back == v);
        CHECK(used == s.size());
    };
    for (std::int64_t v : {std::numeric_limits<std::int64_t>::min(), std::numeric_limits<std::int64_t>::min() + 1,
                           std::int64_t{-8193}, std::int64_t{-8192}, std::int64_t{-65}, std::int64_t{-64}, std::int64_t{-1},
                           std::int64_t{0}, std::int64_t{63}, std::int64_t{64}, std::int64_t{8191}, std::int64_t{8192},
                           std::numeric_limits<std::int64_t>::max() - 1, std::numeric_limits<std::int64_t>::max()})
        rt(v);
    for (std::uint64_t v : {std::uint64_t{0}, std::uint64_t{63}, std::uint64_t{64}, std::uint64_t{1} << 63,
                            std::numeric_limits<std::uint64_t>::max()})
        rt(v);
    for (std::int32_t v : {std::numeric_limits<std::int32_t>::min(), -1, 0, std::numeric_limits<std::int32_t>::max()})
        rt(v);
    for (std::uint32_t v : {0u, 64u, std::numeric_limits<std::uint32_t>::max()})
        rt(v);
    for (std::uint8_t v : {std::uint8_t{0}, std::uint8_t{63}, std::uint8_t{64}, std::uint8_t{255}})
        rt(v);
    // Every value of a window around each power of two, both signs.
    for (int bit = 0; bit < 63; ++bit) {
        for (std::int64_t d = -2; d <= 2; ++d) {
            rt((std::int64_t{1} << bit) + d);
            rt(-(std::int64_t{1} << bit) + d);
        }
    }
}

TEST_CASE("varint decoding rejects what realm-core accepts but its encoder never writes")
{
    // Over-long forms (realm-core: 0).
    CHECK(dec_err<std::int64_t>(unhex("80 00")) == changeset_error::varint_non_minimal);
    CHECK(dec_err<std::int64_t>(unhex("80 80 80 00")) == changeset_error::varint_non_minimal);
    CHECK(dec_err<std::int64_t>(unhex("81 00")) == changeset_error::varint_non_minimal);
    CHECK(dec_err<std::int64_t>(unhex("80 40")) == changeset_error::varint_non_minimal); // -1 written in two bytes
    // `C0 00` (64) and `C0 40` (-65) are minimal: the previous byte's bit 6 is needed.
    std::int64_t v = 0;
    std::size_t used = 0;
    CHECK_FALSE(dec(unhex("C0 00"), v, used));
    CHECK(v == 64);
    CHECK_FALSE(dec(unhex("C0 40"), v, used));
    CHECK(v == -65);
    // Sign flag on unsigned fields (realm-core: 40 fails, 41 gives ~1).
    CHECK(dec_err<std::uint64_t>(unhex("40")) == changeset_error::varint_sign_on_unsigned);
    CHECK(dec_err<std::uint64_t>(unhex("41")) == changeset_error::varint_sign_on_unsigned);
    CHECK(dec_err<std::uint32_t>(unhex("FF FF FF FF 4F")) == changeset_error::varint_sign_on_unsigned);
    // Overflow.
    CHECK(dec_err<std::uint32_t>(unhex("FF FF FF FF 10")) == changeset_error::varint_overflow);
    CHECK(dec_err<std::uint8_t>(unhex("FF 03")) == changeset_error::varint_overflow);
    CHECK(dec_err<std::int64_t>(unhex("FF FF FF FF FF FF FF FF FF 01")) == changeset_error::varint_overflow);
    CHECK(dec_err<std::uint64_t>(unhex("FF FF FF FF FF FF FF FF FF 02")) == changeset_error::varint_overflow);
    CHECK(dec_err<std::int32_t>(unhex("FF FF FF FF 08")) == changeset_error::varint_overflow);
    // Too many bytes for any 64-bit field.
    CHECK(dec_err<std::uint64_t>(unhex("FF FF FF FF FF FF FF FF FF FF 00")) == changeset_error::varint_too_long);
    // Truncated.
    CHECK(dec_err<std::uint64_t>("") == changeset_error::truncated);
    CHECK(dec_err<std::uint64_t>(unhex("EF FF FF")) == changeset_error::truncated);
    // realm-core's accepted boundary values still decode.
    std::uint32_t u = 0;
    CHECK_FALSE(dec(unhex("FF FF FF FF 0F"), u, used));
    CHECK(u == 4294967295u);
    std::int32_t i = 0;
    CHECK_FALSE(dec(unhex("FF FF FF FF 47"), i, used));
    CHECK(i == std::numeric_limits<std::int32_t>::min());
}

TEST_CASE("Bid128 coefficient varint: realm-core's bytes, strict decoding")
{
    auto enc128 = [](rc::uint128 v) {
        char buf[24];
        return std::string(buf, rc::encode_bid128_varint(v, buf));
    };
    auto dec128 = [](const std::string& s, rc::uint128& v) {
        auto p = reinterpret_cast<const std::uint8_t*>(s.data());
        auto e = rc::decode_bid128_varint(p, p + s.size(), v);
        if (e == realmwire::changeset_error{})
            CHECK(p == reinterpret_cast<const std::uint8_t*>(s.data()) + s.size());
        return e;
    };
    CHECK(enc128({12345, 0}) == unhex("B9 E0 00"));
    CHECK(enc128({0, 0}) == unhex("00"));
    rc::uint128 max113{~std::uint64_t{0}, (std::uint64_t{1} << 49) - 1};
    CHECK(enc128(max113) == unhex("FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF 01"));
    rc::uint128 v;
    REQUIRE(dec128(enc128(max113), v) == realmwire::changeset_error{});
    CHECK(v == max113);
    for (int bit = 0; bit < 113; ++bit) {
        rc::uint128 x = bit < 64 ? rc::uint128{std::uint64_t{1} << bit, 0} : rc::uint128{0, std::uint64_t{1} << (bit - 64)};
        REQUIRE(dec128(enc128(x), v) == realmwire::changeset_error{});
        CHECK(v == x);
    }
    // >= 2^113 (realm-core accepts up to 119 bits)
    CHECK(dec128(unhex("FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF 03"), v) == changeset_error::decimal_coefficient_invalid);
    CHECK(dec128(unhex("FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF FF 3F"), v) == changeset_error::decimal_coefficient_invalid);
    // 18 bytes
    CHECK(dec128(unhex("80 80 80 80 80 80 80 80 80 80 80 80 80 80 80 80 80 01"), v) == changeset_error::decimal_coefficient_invalid);
    // last byte with bit 6 set (realm-core's encoder never writes it) and over-long forms
    CHECK(dec128(unhex("40"), v) == changeset_error::decimal_coefficient_invalid);
    CHECK(dec128(unhex("80 00"), v) == changeset_error::decimal_coefficient_invalid);
    CHECK(dec128(unhex("B9 E0"), v) == changeset_error::truncated);
}
