#include "realmwire/detail/json.hpp"

#include <catch2/catch.hpp>

#include <string>

using realmwire::detail::parse_json;

TEST_CASE("parse_json accepts one value with surrounding whitespace")
{
    auto v = parse_json(" {\"a\": [1, 2, {\"b\": null}]}\r\n");
    REQUIRE(v);
    CHECK(v->get("a").get<realmwire::picojson::array>().size() == 3);
    CHECK(v->get("a").get(0).get<std::int64_t>() == 1); // PICOJSON_USE_INT64 is in effect
}

TEST_CASE("parse_json refuses, without throwing, what picojson would throw or recurse on")
{
    std::string why;
    CHECK_FALSE(parse_json("[1e400]", &why)); // picojson throws std::overflow_error here
    CHECK(why == "JSON number out of range");
    CHECK_FALSE(parse_json(std::string(100000, '['), &why)); // would overflow the stack
    CHECK(why == "JSON nested too deeply");
    CHECK(parse_json(std::string(64, '[') + std::string(64, ']')));
    CHECK_FALSE(parse_json(std::string(65, '[') + std::string(65, ']')));
    CHECK(parse_json(std::string(65, '[') + std::string(65, ']'), nullptr, 65));
    // Brackets inside strings do not count.
    CHECK(parse_json("\"" + std::string(1000, '[') + "\""));
}

TEST_CASE("parse_json refuses trailing bytes and syntax errors")
{
    std::string why;
    CHECK_FALSE(parse_json("{} x", &why));
    CHECK(why == "trailing characters after JSON value");
    CHECK_FALSE(parse_json("{\"a\":}", &why));
    CHECK_FALSE(why.empty());
    CHECK_FALSE(parse_json(""));
}
