// Evaluation: truth tables of every operator over realm's value kinds, nulls, [c], LIKE, Mixed.
#include "realmwire/query.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

using namespace realmwire;
using namespace realmwire::query;
using changeset::payload;

namespace {

bool eval(std::string_view text, const map_object& o)
{
    return evaluate(parse(text), o);
}

map_object item()
{
    map_object o;
    o.set("i", payload::make_int(5))
        .set("d", payload::make_double(2.5))
        .set("f", payload::make_float(1.5f))
        .set("b", payload::make_bool(true))
        .set("s", payload::make_string("Hello World"))
        .set("e", payload::make_string(""))
        .set("bin", payload::make_binary("\x01\x02"))
        .set("t", payload::make_timestamp({100, 5}))
        .set("n", payload::null())
        .set("m", payload::make_string("5"));
    changeset::object_id oid;
    oid.bytes[11] = 7;
    o.set("o", payload::make_object_id(oid));
    changeset::uuid u;
    u.bytes[0] = 0x3b;
    o.set("u", payload::make_uuid(u));
    return o;
}

} // namespace

TEST_CASE("evaluate: integer comparisons")
{
    auto o = item();
    CHECK(eval("i == 5", o));
    CHECK(eval("i = 5", o));
    CHECK_FALSE(eval("i == 6", o));
    CHECK(eval("i != 6", o));
    CHECK(eval("i < 6", o));
    CHECK_FALSE(eval("i < 5", o));
    CHECK(eval("i <= 5", o));
    CHECK(eval("i > 4", o));
    CHECK_FALSE(eval("i > 5", o));
    CHECK(eval("i >= 5", o));
    CHECK(eval("6 > i", o)); // constant on the left
    CHECK(eval("i BETWEEN {5, 7}", o));
    CHECK(eval("i BETWEEN {3, 5}", o));
    CHECK_FALSE(eval("i BETWEEN {6, 7}", o));
    CHECK(eval("i IN {1, 5, 9}", o));
    CHECK_FALSE(eval("i IN {1, 9}", o));
    CHECK_FALSE(eval("i IN {}", o));
}

TEST_CASE("evaluate: numbers compare across int, float and double, bool is its own kind")
{
    auto o = item();
    CHECK(eval("i == 5.0", o));
    CHECK(eval("i < 5.5", o));
    CHECK(eval("d > 2", o));
    CHECK(eval("d == 2.5", o));
    CHECK(eval("f == 1.5", o));
    CHECK(eval("f < d", o)); // field against field
    CHECK(eval("i > d", o));
    CHECK(eval("d < inf", o));
    CHECK(eval("d > -inf", o));
    CHECK_FALSE(eval("d == nan", o));
    CHECK_FALSE(eval("d < nan", o));
    CHECK(eval("b == true", o));
    CHECK_FALSE(eval("b == 1", o)); // Bool never equals Int
    CHECK(eval("b != 1", o));
    map_object nan;
    nan.set("d", payload::make_double(std::numeric_limits<double>::quiet_NaN()));
    CHECK(eval("d == nan", nan)); // NaN equals NaN as in realm
    CHECK_FALSE(eval("d > 0", nan));
    CHECK_FALSE(eval("d < 0", nan));
    // int64 extremes stay exact
    map_object big;
    big.set("i", payload::make_int(INT64_MAX));
    CHECK(eval("i == 9223372036854775807", big));
    CHECK(eval("i > 9223372036854775806", big));
}

TEST_CASE("evaluate: null truth table")
{
    auto o = item();
    // a null field, an absent field: both read as null
    for (const char* f : {"n", "absent"}) {
        std::string F(f);
        INFO(F);
        CHECK(eval(F + " == null", o));
        CHECK_FALSE(eval(F + " != null", o));
        CHECK_FALSE(eval(F + " == 1", o));
        CHECK(eval(F + " != 1", o));
        CHECK_FALSE(eval(F + " < 1", o));
        CHECK_FALSE(eval(F + " > 1", o));
        CHECK_FALSE(eval(F + " <= 1", o));
        CHECK_FALSE(eval(F + " >= 1", o));
        CHECK(eval(F + " <= null", o));
        CHECK(eval(F + " >= null", o));
        CHECK_FALSE(eval(F + " < null", o));
        CHECK_FALSE(eval(F + " BEGINSWITH ''", o));
        CHECK_FALSE(eval(F + " CONTAINS 'a'", o));
        CHECK_FALSE(eval(F + " LIKE '*'", o));
        CHECK(eval(F + " IN {1, null}", o));
        CHECK_FALSE(eval(F + " IN {1, 2}", o));
    }
    CHECK_FALSE(eval("i == null", o));
    CHECK(eval("i != null", o));
    CHECK_FALSE(eval("i > null", o));
    CHECK_FALSE(eval("i >= null", o));
}

TEST_CASE("evaluate: strings, bytewise and [c]")
{
    auto o = item();
    CHECK(eval("s == 'Hello World'", o));
    CHECK_FALSE(eval("s == 'hello world'", o));
    CHECK(eval("s ==[c] 'hello world'", o));
    CHECK(eval("s !=[c] 'hello'", o));
    CHECK_FALSE(eval("s !=[c] 'HELLO WORLD'", o));
    CHECK(eval("s BEGINSWITH 'Hello'", o));
    CHECK_FALSE(eval("s BEGINSWITH 'hello'", o));
    CHECK(eval("s BEGINSWITH[c] 'hello'", o));
    CHECK(eval("s ENDSWITH 'World'", o));
    CHECK(eval("s ENDSWITH[c] 'WORLD'", o));
    CHECK_FALSE(eval("s ENDSWITH 'Hello World!'", o));
    CHECK(eval("s CONTAINS 'o W'", o));
    CHECK(eval("s CONTAINS[c] 'O w'", o));
    CHECK_FALSE(eval("s CONTAINS 'xyz'", o));
    CHECK(eval("s CONTAINS ''", o));
    CHECK(eval("e BEGINSWITH ''", o));
    CHECK(eval("s > 'Hello'", o));
    CHECK(eval("s < 'hello'", o)); // 'H' (0x48) < 'h' (0x68)
    CHECK(eval("s IN[c] {'x', 'HELLO world'}", o));
    CHECK(eval("'Hello World' == s", o));
    CHECK(eval("'Hello World, everyone' CONTAINS s", o)); // field on the right of a string operator
    // bytewise ordering: UTF-8 after ASCII
    map_object u;
    u.set("s", payload::make_string("\xc3\xa9t\xc3\xa9"));
    CHECK(eval("s > 'z'", u));
    CHECK(eval("s ==[c] '\xc3\xa9t\xc3\xa9'", u));
    CHECK_FALSE(eval("s ==[c] '\xc3\x89T\xc3\x89'", u)); // [c] folds ASCII only
    CHECK(eval("s LIKE '?t?'", u));                          // ? is one UTF-8 character
    // a string operator on a number never matches
    CHECK_FALSE(eval("i BEGINSWITH '5'", o));
    // string and binary compare with each other
    CHECK(eval("bin == B64\"AQI=\"", o));
    CHECK(eval("bin BEGINSWITH B64\"AQ==\"", o));
}

TEST_CASE("evaluate: LIKE wildcards")
{
    struct row {
        const char* text;
        const char* pattern;
        bool ci;
        bool match;
    };
    for (auto r : {row{"abc", "abc", false, true},   row{"abc", "a*", false, true},     row{"abc", "*c", false, true},
                   row{"abc", "*b*", false, true},   row{"abc", "a?c", false, true},    row{"abc", "a??c", false, false},
                   row{"abc", "???", false, true},   row{"abc", "??", false, false},    row{"abc", "*", false, true},
                   row{"", "*", false, true},        row{"", "?", false, false},        row{"", "", false, true},
                   row{"abc", "", false, false},     row{"aXbXc", "a*b*c", false, true}, row{"abcbd", "*b?", false, true},
                   row{"mississippi", "*sip*", false, true}, row{"mississippi", "m*iss*ppi", false, true},
                   row{"mississippi", "m*x*", false, false}, row{"ABC", "a*", false, false}, row{"ABC", "a*", true, true},
                   row{"ABC", "?b?", true, true},    row{"a*c", "a*c", false, true},    row{"aaaaaaaaaaaaaaaaaaaaab", "*a*a*a*a*a*c", false, false}}) {
        INFO(r.text << " LIKE " << r.pattern);
        CHECK(like_match(r.text, r.pattern, r.ci) == r.match);
    }
    auto o = item();
    CHECK(eval("s LIKE 'Hello*'", o));
    CHECK(eval("s LIKE '*o W*'", o));
    CHECK(eval("s LIKE 'H?llo World'", o));
    CHECK_FALSE(eval("s LIKE 'hello*'", o));
    CHECK(eval("s LIKE[c] 'hello*'", o));
}

TEST_CASE("evaluate: timestamps, ObjectId and UUID")
{
    auto o = item();
    CHECK(eval("t == T100:5", o));
    CHECK(eval("t > T100:4", o));
    CHECK(eval("t < T101:0", o));
    CHECK(eval("t BETWEEN {T0:0, 1970-01-01@00:01:40:5}", o));
    CHECK_FALSE(eval("t > 1970-01-01@00:01:40:5", o));
    CHECK(eval("o == oid(000000000000000000000007)", o));
    CHECK(eval("o > oid(000000000000000000000006)", o));
    CHECK(eval("o != oid(000000000000000000000008)", o));
    CHECK(eval("u == uuid(3b000000-0000-0000-0000-000000000000)", o));
    CHECK(eval("u < uuid(3c000000-0000-0000-0000-000000000000)", o));
    // kinds that do not compare: unequal and unordered
    CHECK_FALSE(eval("t == 100", o));
    CHECK(eval("t != 100", o));
    CHECK_FALSE(eval("t > 0", o));
}

TEST_CASE("evaluate: a Mixed field compares across kinds as realm does")
{
    map_object o;
    o.set("m", payload::make_string("5"));
    CHECK_FALSE(eval("m == 5", o)); // a string is not a number
    CHECK(eval("m == '5'", o));
    CHECK_FALSE(eval("m > 4", o));
    o.set("m", payload::make_double(5.0));
    CHECK(eval("m == 5", o));
    CHECK(eval("m IN {'5', 5}", o));
    o.set("m", payload::make_bool(false));
    CHECK_FALSE(eval("m == 0", o));
    CHECK(eval("m == false", o));
}

TEST_CASE("evaluate: logic")
{
    auto o = item();
    CHECK(eval("TRUEPREDICATE", o));
    CHECK_FALSE(eval("FALSEPREDICATE", o));
    CHECK(eval("NOT FALSEPREDICATE", o));
    CHECK(eval("i == 5 AND s BEGINSWITH 'H'", o));
    CHECK_FALSE(eval("i == 5 AND s BEGINSWITH 'h'", o));
    CHECK(eval("i == 6 OR s BEGINSWITH 'H'", o));
    CHECK_FALSE(eval("i == 6 || s BEGINSWITH 'h'", o));
    CHECK(eval("!(i == 6) && !(i == 7)", o));
    CHECK(eval("(TRUEPREDICATE) OR (s BEGINSWITH \"a\")", o));
    CHECK(eval("NOT (i == 6 OR (d > 3 AND FALSEPREDICATE))", o));
}

TEST_CASE("evaluate: any object view plugs in, and the type-erased one behaves the same")
{
    struct row {
        std::int64_t id;
        std::string name;
        changeset::payload id_value, name_value;
        const changeset::payload* field(std::string_view f) const
        {
            if (f == "id")
                return &id_value;
            if (f == "name")
                return &name_value;
            return nullptr;
        }
    };
    static_assert(is_object_view_v<row>);
    static_assert(is_object_view_v<map_object>);
    static_assert(!is_object_view_v<int>);
    row r{1, "x", payload::make_int(1), payload::make_string("x")};
    expression e = parse("id == 1 AND name == 'x'");
    CHECK(evaluate(e, r));
    any_object any(r);
    CHECK(evaluate(e, any));
    CHECK_FALSE(evaluate(parse("id == 2"), any));
}
