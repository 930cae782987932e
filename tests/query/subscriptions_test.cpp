// The subscription set's JSON: written as realm-core's to_ext_json writes it, read back into queries.
#include "realmwire/query.hpp"

#include <catch2/catch.hpp>

using namespace realmwire;
using namespace realmwire::query;

TEST_CASE("subscriptions: written as realm-core writes them")
{
    CHECK(write_subscriptions({}) == "{}");
    CHECK(write_subscriptions({{"Item", "TRUEPREDICATE"}}) == R"j({"Item":"(TRUEPREDICATE)"})j");
    // several on a table: distinct, sorted, OR-ed; tables in name order
    CHECK(write_subscriptions({{"Item", "name BEGINSWITH \"a\""},
                               {"Dog", "age > 3"},
                               {"Item", "TRUEPREDICATE"},
                               {"Item", "name BEGINSWITH \"a\""}}) ==
          R"j({"Dog":"(age > 3)","Item":"(TRUEPREDICATE) OR (name BEGINSWITH \"a\")"})j");
    // escapes as nlohmann::json dumps them
    CHECK(write_subscriptions({{"T", std::string("a == 'x\\y'\n\t\x01/\xc3\xa9")}}) ==
          "{\"T\":\"(a == 'x\\\\y'\\n\\t\\u0001/\xc3\xa9)\"}");
}

TEST_CASE("subscriptions: read back into per-table queries")
{
    std::string json = R"j({"Item":"(TRUEPREDICATE) OR (name BEGINSWITH \"a\")", "Dog" : "(age > 3)"})j";
    subscription_queries q = parse_subscriptions(json);
    REQUIRE(q.size() == 2);
    CHECK(q.at("Item").to_string() == "TRUEPREDICATE OR name BEGINSWITH \"a\"");
    CHECK(q.at("Dog").to_string() == "age > 3");
    CHECK(parse_subscriptions("{}").empty());
    CHECK(parse_subscriptions(" { } ").empty());

    // a round trip: write, read, the same strings
    std::vector<subscription> subs{{"A", "x == 'q\"uote'"}, {"B\xc3\xa9", "y IN {1, 2}"}, {"A", "z < 3"}};
    std::string text = write_subscriptions(subs);
    std::error_code ec;
    auto raw = read_subscriptions(text, ec);
    REQUIRE(!ec);
    REQUIRE(raw.size() == 2);
    CHECK(raw[0].table == "A");
    CHECK(raw[0].query == "(x == 'q\"uote') OR (z < 3)");
    CHECK(raw[1].table == "B\xc3\xa9");
    CHECK(raw[1].query == "(y IN {1, 2})");
    CHECK(write_subscriptions({{"A", "x == 'q\"uote'"}, {"A", "z < 3"}}) == "{\"A\":\"(x == 'q\\\"uote') OR (z < 3)\"}");

    // JSON escapes decode, surrogate pairs too
    raw = read_subscriptions(R"j({"T\u00e9\ud83d\ude00":"a == '\/'"})j", ec);
    REQUIRE(!ec);
    CHECK(raw[0].table == "T\xc3\xa9\xf0\x9f\x98\x80");
    CHECK(raw[0].query == "a == '/'");
}

TEST_CASE("subscriptions: malformed JSON and bad queries are precise errors")
{
    struct row {
        const char* text;
        std::size_t offset;
    };
    for (auto r : {row{"", 0}, row{"[]", 0}, row{"{", 1}, row{R"j({"a")j", 4}, row{R"j({"a":1})j", 5},
                   row{R"j({"a":"x",})j", 9}, row{R"j({"a":"x"} x)j", 10}, row{R"j({"a":"x","a":"y"})j", 9},
                   row{"{\"a\":\"x\ny\"}", 7}, row{R"j({"a":"\q"})j", 7}, row{R"j({"a":"\ud800"})j", 12},
                   row{R"j({"a":"\udc00"})j", 8}, row{R"j({"a":"\u12"})j", 10}, row{R"j({"a":"x)j", 7}}) {
        INFO(r.text);
        std::error_code ec;
        diagnostic d;
        auto q = parse_subscriptions(r.text, ec, &d);
        CHECK(ec == query_error::malformed_subscriptions);
        CHECK(d.offset == r.offset);
        CHECK(q.empty());
    }
    std::error_code ec;
    diagnostic d;
    auto q = parse_subscriptions(R"j({"Item":"a.b == 1"})j", ec, &d);
    CHECK(ec == query_error::key_path);
    CHECK(d.offset == 0);
    CHECK(d.message.rfind("subscription on 'Item': Invalid predicate: 'a.b == 1'", 0) == 0);
    CHECK(q.empty());

    subscription_limits lim;
    lim.max_tables = 2;
    parse_subscriptions(R"j({"a":"TRUEPREDICATE","b":"TRUEPREDICATE","c":"TRUEPREDICATE"})j", ec, &d, lim);
    CHECK(ec == query_error::list_too_large);
    lim = {};
    lim.max_size = 5;
    parse_subscriptions(R"j({"a":"TRUEPREDICATE"})j", ec, &d, lim);
    CHECK(ec == query_error::too_long);
    lim = {};
    lim.query.max_length = 4;
    parse_subscriptions(R"j({"a":"TRUEPREDICATE"})j", ec, &d, lim);
    CHECK(ec == query_error::too_long);
    CHECK_THROWS_AS(parse_subscriptions("{"), realmwire::system_error);
}
