// The parser: every operator and literal form, the canonical printing, every refusal with its code,
// offset and sentence, and the limits.
#include "realmwire/query.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <string>

using namespace realmwire;
using namespace realmwire::query;
using changeset::payload;
using changeset::payload_type;

namespace {

expression ok(std::string_view text)
{
    std::error_code ec;
    diagnostic d;
    expression e = parse(text, ec, &d);
    INFO(text << " -> " << d.message);
    REQUIRE(!ec);
    return e;
}

struct failure {
    std::error_code ec;
    diagnostic d;
};

failure bad(std::string_view text, const limits& lim = {})
{
    failure f;
    expression e = parse(text, f.ec, &f.d, lim);
    INFO(text);
    REQUIRE(f.ec);
    CHECK(e == expression{}); // nothing half-parsed comes back
    return f;
}

const node& single(const expression& e)
{
    REQUIRE(e.root().kind == node_kind::compare);
    return e.root();
}

payload constant_of(std::string_view text)
{
    expression e = ok(std::string("f == ") + std::string(text));
    const node& n = single(e);
    REQUIRE(n.right.size() == 1);
    REQUIRE(!n.right[0].is_field);
    return n.right[0].value;
}

} // namespace

TEST_CASE("parser: comparison operators and their spellings")
{
    struct row {
        const char* text;
        compare_op op;
    };
    for (auto r : {row{"a == 1", compare_op::equal}, row{"a = 1", compare_op::equal}, row{"a != 1", compare_op::not_equal},
                   row{"a <> 1", compare_op::not_equal}, row{"a < 1", compare_op::less}, row{"a <= 1", compare_op::less_equal},
                   row{"a =< 1", compare_op::less_equal}, row{"a > 1", compare_op::greater},
                   row{"a >= 1", compare_op::greater_equal}, row{"a => 1", compare_op::greater_equal},
                   row{"a BEGINSWITH 'x'", compare_op::begins_with}, row{"a beginsWith 'x'", compare_op::begins_with},
                   row{"a ENDSWITH 'x'", compare_op::ends_with}, row{"a contains 'x'", compare_op::contains},
                   row{"a LIKE 'x*'", compare_op::like}, row{"a IN {1, 2}", compare_op::in}, row{"a in {1}", compare_op::in},
                   row{"a BETWEEN {1, 2}", compare_op::between}}) {
        INFO(r.text);
        expression e = ok(r.text);
        const node& n = single(e);
        CHECK(n.op == r.op);
        CHECK(n.left.is_field);
        CHECK(n.left.field == "a");
        CHECK_FALSE(n.case_insensitive);
    }
}

TEST_CASE("parser: [c] after equality and string operators")
{
    for (const char* text : {"a ==[c] 'x'", "a !=[c] 'x'", "a BEGINSWITH[c] 'x'", "a ENDSWITH[c] 'x'",
                             "a CONTAINS[c] 'x'", "a LIKE[c] 'x'", "a IN[c] {'x'}"}) {
        INFO(text);
        CHECK(single(ok(text)).case_insensitive);
    }
    auto f = bad("a <[c] 'x'");
    CHECK(f.ec == query_error::syntax_error);
    CHECK(f.d.offset == 3);
    CHECK(f.d.message == "Invalid predicate: 'a <[c] 'x'': syntax error, unexpected [c]");
}

TEST_CASE("parser: AND, OR, NOT, parentheses and precedence")
{
    expression e = ok("a == 1 && b == 2 || NOT c == 3 and (d == 4 OR !e == 5)");
    REQUIRE(e.root().kind == node_kind::or_);
    REQUIRE(e.root().children.size() == 2);
    const node& left = e.at(e.root().children[0]);
    CHECK(left.kind == node_kind::and_);
    CHECK(left.children.size() == 2);
    const node& right = e.at(e.root().children[1]);
    REQUIRE(right.kind == node_kind::and_);
    CHECK(e.at(right.children[0]).kind == node_kind::not_);
    CHECK(e.at(right.children[1]).kind == node_kind::or_);
    CHECK(e.to_string() == "(a == 1 AND b == 2) OR (NOT (c == 3) AND (d == 4 OR NOT (e == 5)))");
    CHECK(parse(e.to_string()) == e);

    CHECK(ok("TRUEPREDICATE").root().kind == node_kind::true_predicate);
    CHECK(ok("falsepredicate").root().kind == node_kind::false_predicate);
    CHECK(ok("(TRUEPREDICATE) OR (name BEGINSWITH \"a\")").to_string() == "TRUEPREDICATE OR name BEGINSWITH \"a\"");
    // a long chain is one n-ary node, not a deep tree
    std::string chain = "a == 0";
    for (int i = 1; i < 5000; ++i)
        chain += " || a == " + std::to_string(i);
    expression big = ok(chain);
    CHECK(big.root().children.size() == 5000);
    CHECK(big.depth() == 0);
}

TEST_CASE("parser: keywords are case-insensitive where realm-core's are")
{
    CHECK(single(ok("a between {1,2}")).op == compare_op::between);
    CHECK(ok("a == 1 AnD b == 2").root().kind == node_kind::and_);
    CHECK(ok("TruePredicate").root().kind == node_kind::true_predicate);
    CHECK(constant_of("NiL").type == payload_type::null);
    // in/IN, not/NOT, true/TRUE, false/FALSE only: `True` is a field
    expression e = ok("a == True");
    CHECK(single(e).right[0].is_field);
    CHECK(single(e).right[0].field == "True");
    CHECK(bad("a In {1}").ec == query_error::syntax_error);
}

TEST_CASE("parser: integer literals as strtoll with base 0")
{
    CHECK(constant_of("42").integer == 42);
    CHECK(constant_of("-42").integer == -42);
    CHECK(constant_of("+7").integer == 7);
    CHECK(constant_of("0x1F").integer == 31);
    CHECK(constant_of("017").integer == 15); // octal, as realm-core reads it
    CHECK(constant_of("9223372036854775807").integer == INT64_MAX);
    CHECK(constant_of("99999999999999999999").integer == INT64_MAX); // saturates
    CHECK(constant_of("-99999999999999999999").integer == INT64_MIN);
    CHECK(constant_of("1").type == payload_type::integer);
}

TEST_CASE("parser: float, double, infinity and NaN literals")
{
    CHECK(constant_of("1.5").double_value == 1.5);
    CHECK(constant_of("-.5").double_value == -0.5);
    CHECK(constant_of("2.").double_value == 2.0);
    CHECK(constant_of("1e3").double_value == 1000.0);
    CHECK(constant_of("1.5E-1").double_value == 0.15);
    payload f = constant_of("2.5f");
    CHECK(f.type == payload_type::float_);
    CHECK(f.float_value == 2.5f);
    for (const char* t : {"inf", "INF", "infinity", "Infinity", "+inf"}) {
        payload p = constant_of(t);
        CHECK(p.type == payload_type::double_);
        CHECK(std::isinf(p.double_value));
        CHECK(p.double_value > 0);
    }
    CHECK(constant_of("-infinity").double_value < 0);
    for (const char* t : {"nan", "NaN", "-nan", "NAN"})
        CHECK(std::isnan(constant_of(t).double_value));
}

TEST_CASE("parser: bool and null literals")
{
    CHECK(constant_of("true").boolean);
    CHECK(constant_of("TRUE").type == payload_type::boolean);
    CHECK_FALSE(constant_of("false").boolean);
    CHECK(constant_of("FALSE").type == payload_type::boolean);
    CHECK(constant_of("null").type == payload_type::null);
    CHECK(constant_of("NULL").type == payload_type::null);
    CHECK(constant_of("nil").type == payload_type::null);
}

TEST_CASE("parser: string literals are taken verbatim between quotes")
{
    CHECK(constant_of("'abc'").data == "abc");
    CHECK(constant_of("\"abc\"").data == "abc");
    CHECK(constant_of("''").data.empty());
    CHECK(constant_of("\"it's\"").data == "it's");
    // realm-core keeps escapes as written (two bytes for \")
    CHECK(constant_of(R"("a\"b")").data == R"(a\"b)");
    CHECK(constant_of(R"('a\'b\n\u00e9')").data == R"(a\'b\n\u00e9)");
    CHECK(constant_of("'h\xc3\xa9'").data == "h\xc3\xa9");
    auto f = bad(R"(a == "a\qb")");
    CHECK(f.ec == query_error::syntax_error);
    CHECK(f.d.offset == 5);
    CHECK(bad("a == 'unterminated").d.offset == 5);
}

TEST_CASE("parser: base64 literal")
{
    payload p = constant_of("B64\"aGVsbG8=\"");
    CHECK(p.type == payload_type::binary);
    CHECK(p.data == "hello");
}

TEST_CASE("parser: timestamp literals")
{
    payload t = constant_of("T1:2");
    REQUIRE(t.type == payload_type::timestamp);
    CHECK(t.time == changeset::timestamp{1, 2});
    CHECK(constant_of("T-10:-5").time == changeset::timestamp{-10, -5});
    CHECK(constant_of("T0:0").time == changeset::timestamp{0, 0});
    CHECK(constant_of("2017-12-04@10:30:00").time == changeset::timestamp{1512383400, 0});
    CHECK(constant_of("2017-12-04T10:30:00").time == changeset::timestamp{1512383400, 0});
    CHECK(constant_of("2017-12-04@10:30:00:123").time == changeset::timestamp{1512383400, 123});
    CHECK(constant_of("1970-01-01@00:00:00").time == changeset::timestamp{0, 0});
    // before 1970: the nanoseconds take the sign of the seconds
    CHECK(constant_of("1969-12-31@23:59:59:5").time == changeset::timestamp{-1, -5});
    CHECK(constant_of("1900-01-01@00:00:00").time.seconds == -2208988800);
    // out-of-range fields carry over as timegm does
    CHECK(constant_of("2017-13-01@00:00:00").time == constant_of("2018-01-01@00:00:00").time);

    auto f = bad("a == T1:-2");
    CHECK(f.ec == query_error::invalid_literal);
    CHECK(f.d.offset == 5);
    CHECK(f.d.message == "Invalid predicate: 'a == T1:-2': Invalid timestamp format");
    auto g = bad("a > 1899-12-31@23:59:59");
    CHECK(g.ec == query_error::invalid_literal);
    CHECK(g.d.message == "Invalid predicate: 'a > 1899-12-31@23:59:59': Conversion of dates before 1900 is not supported.");
    CHECK(bad("a == 2017-01-01@00:00:00:99999999999").ec == query_error::invalid_literal);
}

TEST_CASE("parser: ObjectId and UUID literals")
{
    payload o = constant_of("oid(5f3c7d1e2b4a6c8d9e0f1a2b)");
    REQUIRE(o.type == payload_type::object_id);
    CHECK(o.oid.bytes[0] == 0x5f);
    CHECK(o.oid.bytes[11] == 0x2b);
    payload u = constant_of("uuid(3b241101-e2bb-4255-8caf-4136c566a962)");
    REQUIRE(u.type == payload_type::uuid);
    CHECK(u.uuid_value.bytes[0] == 0x3b);
    CHECK(u.uuid_value.bytes[4] == 0xe2);
    CHECK(u.uuid_value.bytes[15] == 0x62);
    // malformed ones are not literals: oid(...) with 23 digits is a field name and a syntax error
    CHECK(bad("a == oid(5f3c7d1e2b4a6c8d9e0f1a2)").ec == query_error::syntax_error);
    CHECK(bad("a == uuid(3b241101e2bb42558caf4136c566a962)").ec == query_error::syntax_error);
}

TEST_CASE("parser: constants on the left, fields on both sides")
{
    const node& n = single(ok("5 < age"));
    CHECK_FALSE(n.left.is_field);
    CHECK(n.right[0].is_field);
    const node& m = single(ok("a == b"));
    CHECK(m.left.is_field);
    CHECK(m.right[0].is_field);
    auto f = bad("1 == 2");
    CHECK(f.ec == query_error::constant_comparison);
    CHECK(f.d.message == "Comparison between two constants is not supported ('1' and '2')");
}

TEST_CASE("parser: identifiers with utf-8, digits, dashes and escaped spaces")
{
    CHECK(single(ok("caf\xc3\xa9 == 1")).left.field == "caf\xc3\xa9");
    CHECK(single(ok("_a-b$9 == 1")).left.field == "_a-b$9");
    CHECK(single(ok("first\\ name == 'x'")).left.field == "first name");
    CHECK(single(ok("android == 1")).left.field == "android"); // not AND
    CHECK(single(ok("Title == 1")).left.field == "Title");     // not a timestamp
}

TEST_CASE("parser: keywords realm-core also takes as field names")
{
    for (const char* name : {"sort", "limit", "distinct", "beginswith", "contains", "like", "between", "in", "text",
                             "binary", "bin", "asc", "desc", "first", "SIZE"}) {
        INFO(name);
        expression e = ok(std::string(name) + " == 1");
        CHECK(single(e).left.field == name);
    }
    CHECK(single(ok("a == limit")).right[0].field == "limit");
    CHECK(bad("a IN {sort}").ec == query_error::syntax_error);
    CHECK(bad("obj == 1").ec == query_error::syntax_error);
}

TEST_CASE("parser: syntax errors read as realm-core's")
{
    struct row {
        const char* text;
        std::size_t offset;
        const char* message;
    };
    for (auto r : {row{"a ==", 4, "Invalid predicate: 'a ==': syntax error, unexpected end of file"},
                   row{"", 0, "Invalid predicate: '': syntax error, unexpected end of file"},
                   row{"a == 1 b", 7, "Invalid predicate: 'a == 1 b': syntax error, unexpected identifier"},
                   row{"(a == 1", 7, "Invalid predicate: '(a == 1': syntax error, unexpected end of file"},
                   row{"a == 1)", 6, "Invalid predicate: 'a == 1)': syntax error, unexpected ')'"},
                   row{"a 1", 2, "Invalid predicate: 'a 1': syntax error, unexpected number"},
                   row{"a == ==", 5, "Invalid predicate: 'a == ==': syntax error, unexpected =="},
                   row{"a BETWEEN 1", 10, "Invalid predicate: 'a BETWEEN 1': syntax error, unexpected number"},
                   row{"a == 1 &&", 9, "Invalid predicate: 'a == 1 &&': syntax error, unexpected end of file"},
                   row{"a IN {1,}", 8, "Invalid predicate: 'a IN {1,}': syntax error, unexpected '}'"},
                   row{"a == #", 5, "Invalid predicate: 'a == #': invalid character: #"},
                   row{"a & b", 2, "Invalid predicate: 'a & b': invalid character: &"}}) {
        INFO(r.text);
        auto f = bad(r.text);
        CHECK(f.ec == query_error::syntax_error);
        CHECK(f.ec == condition::malformed_input);
        CHECK(f.d.offset == r.offset);
        CHECK(f.d.message == r.message);
    }
    auto b = bad("a BETWEEN {1, 2, 3}");
    CHECK(b.ec == query_error::syntax_error);
    CHECK(b.d.message == "Operator 'BETWEEN' requires list with 2 elements.");
}

TEST_CASE("parser: what flexible sync does not take is refused precisely")
{
    struct row {
        const char* text;
        query_error code;
        std::size_t offset;
    };
    for (auto r : {row{"a.b == 1", query_error::key_path, 0}, row{"x == 1 && list.@count > 2", query_error::key_path, 10},
                   row{"list.@size == 0", query_error::key_path, 0}, row{"list@count == 0", query_error::key_path, 0},
                   row{"@links.A.b == 1", query_error::key_path, 0}, row{"ANY tags == 'x'", query_error::key_path, 0},
                   row{"all tags == 'x'", query_error::key_path, 0}, row{"NONE tags == 'x'", query_error::key_path, 0},
                   row{"SUBQUERY(items, $x, $x.a == 1).@count > 0", query_error::key_path, 0},
                   row{"a[1] == 2", query_error::key_path, 0},
                   row{"a == $0", query_error::argument, 5}, row{"$1 == a", query_error::argument, 0},
                   row{"a IN $0", query_error::argument, 5},
                   row{"a == 1 SORT(a ASC)", query_error::descriptor, 7},
                   row{"TRUEPREDICATE DISTINCT(a)", query_error::descriptor, 14},
                   row{"a == 1 LIMIT(5)", query_error::descriptor, 7},
                   row{"a + 1 == 2", query_error::unsupported_expression, 2},
                   row{"a == 1 * 2", query_error::unsupported_expression, 7},
                   row{"a TEXT 'x'", query_error::unsupported_expression, 2},
                   row{"loc geoWithin geoCircle([1, 2], 3)", query_error::unsupported_expression, 4},
                   row{"a == O5", query_error::unsupported_expression, 5},
                   row{"a == L1:2", query_error::unsupported_expression, 5},
                   row{"a IN tags", query_error::unsupported_expression, 5},
                   row{"{1, 2} == a", query_error::unsupported_expression, 0},
                   row{"a == {1, 2}", query_error::unsupported_expression, 5}}) {
        INFO(r.text);
        auto f = bad(r.text);
        CHECK(f.ec == r.code);
        CHECK(f.d.offset == r.offset);
        CHECK(f.d.message.rfind("Invalid predicate: '" + std::string(r.text) + "': ", 0) == 0);
    }
    auto s = bad("a == 1 SORT(a ASC)");
    CHECK(s.ec == condition::unsupported);
    CHECK(s.d.message == "Invalid predicate: 'a == 1 SORT(a ASC)': SORT is not supported in flexible sync subscriptions");
    CHECK(bad("a.b == 1").d.message ==
          "Invalid predicate: 'a.b == 1': key path 'a....' is not supported in flexible sync subscriptions (only "
          "top-level fields)");
}

TEST_CASE("parser: limits on length, depth, list size and terms")
{
    limits lim;
    lim.max_length = 10;
    auto f = bad("abcdef == 1", lim);
    CHECK(f.ec == query_error::too_long);
    CHECK(f.ec == condition::limit_exceeded);
    CHECK(f.d.offset == 10);

    lim = {};
    lim.max_depth = 3;
    CHECK(!parse("((( a == 1 )))", lim).to_string().empty());
    auto d = bad("(((( a == 1 ))))", lim);
    CHECK(d.ec == query_error::too_deep);
    CHECK(d.d.offset == 3);
    CHECK(bad("NOT NOT NOT NOT a == 1", lim).ec == query_error::too_deep);
    CHECK(bad("!!!!a == 1", lim).d.offset == 3);

    lim = {};
    lim.max_list_size = 3;
    CHECK(single(parse("a IN {1, 2, 3}", lim)).right.size() == 3);
    auto l = bad("a IN {1, 2, 3, 4}", lim);
    CHECK(l.ec == query_error::list_too_large);
    CHECK(l.d.offset == 15);

    lim = {};
    lim.max_nodes = 4;
    CHECK(bad("a == 1 || a == 2 || a == 3 || a == 4", lim).ec == query_error::too_many_nodes);

    // the default depth limit stops a hostile nesting long before the stack could
    std::string deep(100000, '(');
    CHECK(bad(deep).ec == query_error::too_deep);
    std::string nots;
    for (int i = 0; i < 100000; ++i)
        nots += '!';
    CHECK(bad(nots + "a == 1").ec == query_error::too_deep);
}

TEST_CASE("parser: the throwing form carries the sentence and the offset")
{
    try {
        parse("a == ");
        FAIL("no throw");
    }
    catch (const realmwire::system_error& e) {
        CHECK(e.code() == query_error::syntax_error);
        CHECK(e.info().offset == 5);
        CHECK(std::string(e.what()).find("Invalid predicate: 'a == ': syntax error, unexpected end of file") !=
              std::string::npos);
    }
    CHECK(parse("a == 1").root().kind == node_kind::compare);
}

TEST_CASE("parser: printing round-trips")
{
    for (const char* text :
         {"TRUEPREDICATE", "a == 1", "name BEGINSWITH[c] 'x' AND age >= 18",
          "NOT (a == 1 OR b != 'z')", "a IN {1, 2.5, 'x', null}", "t BETWEEN {T1:0, 2020-01-01@00:00:00}",
          "o == oid(5f3c7d1e2b4a6c8d9e0f1a2b) OR u == uuid(3b241101-e2bb-4255-8caf-4136c566a962)",
          "(a == 1 OR a == 2) AND (b == 3 OR FALSEPREDICATE)", "first\\ name == 'x' AND sort == 1", "x LIKE '*a?b*'", "d > -inf AND d != nan"}) {
        INFO(text);
        expression e = ok(text);
        expression again = ok(e.to_string());
        CHECK(again == e);
        CHECK(again.to_string() == e.to_string());
    }
}
