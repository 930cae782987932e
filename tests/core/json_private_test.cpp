// realmwire's picojson is its own: a program that includes picojson itself, without PICOJSON_USE_INT64,
// keeps its own ::picojson (doubles for numbers) beside realmwire::picojson (64-bit integers), in one
// translation unit, whichever is included first — no define to agree on, no layout to disagree about.
#include <picojson.h> // the program's own, first, without PICOJSON_USE_INT64

#include "realmwire/detail/json.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <type_traits>

#ifdef PICOJSON_USE_INT64
#error "this test must see picojson without PICOJSON_USE_INT64 (the build sets no such define any more)"
#endif

TEST_CASE("json: realmwire's picojson has 64-bit integers beside a program's own picojson without them")
{
    STATIC_REQUIRE_FALSE(std::is_same<::picojson::value, realmwire::picojson::value>::value);

    // 2^53 + 1 is not a double: only a 64-bit integer keeps it.
    auto ours = realmwire::detail::parse_json(R"({"v":9007199254740993})");
    REQUIRE(ours);
    const auto& v = ours->get<realmwire::picojson::object>().at("v");
    REQUIRE(v.is<std::int64_t>());
    CHECK(v.get<std::int64_t>() == 9007199254740993LL);

    ::picojson::value theirs;
    std::string err = ::picojson::parse(theirs, std::string(R"({"v":9007199254740993})"));
    REQUIRE(err.empty());
    CHECK(theirs.get<::picojson::object>().at("v").is<double>());
}
