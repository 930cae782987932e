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

TEST_CASE("parse_json refuses an infinite number wherever it is, and only that")
{
    std::string why;
    for (const char* bad : {"1e400", "-1e400", "{\"a\": [0, 1.5E+309]}", "[1" "000000000000000000000000000000000000000000"
                            "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
                            "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
                            "0000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
                            "00000000000000000000000000000000000000]"}) {
        INFO(bad);
        CHECK_FALSE(parse_json(bad, &why));
        CHECK(why == "JSON number out of range");
    }
    // Near the edges, in strings, and integers beyond int64 (picojson reads those as doubles): accepted.
    auto v = parse_json("[1.7976931348623157e308, -9223372036854775808, 9223372036854775807, 18446744073709551616, "
                        "1e-400, \"1e400\", \"\\\"1e400\", true, false, null, 0]",
                        &why);
    REQUIRE(v);
    const auto& a = v->get<realmwire::picojson::array>();
    REQUIRE(a.size() == 11);
    CHECK(a[0].get<double>() == 1.7976931348623157e308);
    CHECK(a[1].get<std::int64_t>() == INT64_MIN);
    CHECK(a[2].get<std::int64_t>() == INT64_MAX);
    CHECK(a[3].get<double>() == 18446744073709551616.0);
    CHECK(a[4].get<double>() == 0.0);
    CHECK(a[5].get<std::string>() == "1e400");
    CHECK(a[6].get<std::string>() == "\"1e400");
    // A malformed literal is picojson's syntax error, as before.
    CHECK_FALSE(parse_json("[1e4e5]", &why));
    CHECK(why != "JSON number out of range");
}
