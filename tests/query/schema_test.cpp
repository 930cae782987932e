// Binding a query to a schema: field names, queryable fields, operand types, with realm-core's sentences.
#include "realmwire/query.hpp"

#include <catch2/catch.hpp>

using namespace realmwire;
using namespace realmwire::query;
using changeset::payload;
using changeset::payload_type;

namespace {

schema sample()
{
    schema s;
    s.add_field("Item", "_id", payload_type::object_id)
        .add_field("Item", "name", payload_type::string, true)
        .add_field("Item", "count", payload_type::integer)
        .add_field("Item", "price", payload_type::double_, true)
        .add_field("Item", "done", payload_type::boolean)
        .add_field("Item", "when", payload_type::timestamp, true)
        .add_field("Item", "key", payload_type::uuid)
        .add_field("Item", "blob", payload_type::binary)
        .add_field("Item", "mixed", payload_type::null, true) // Mixed
        .add_field("Item", "owner", payload_type::link, true)
        .add_field("Item", "tags", payload_type::string, false, changeset::collection_type::list);
    s.add_table("Other");
    return s;
}

struct failure {
    std::error_code ec;
    diagnostic d;
};

failure bind_fails(std::string_view text, const schema& s = sample(), std::string_view table = "Item")
{
    failure f;
    bound_query q = parse_for(text, s, table, f.ec, &f.d);
    INFO(text);
    REQUIRE(f.ec);
    CHECK(q.table.empty());
    return f;
}

void binds(std::string_view text, const schema& s = sample())
{
    std::error_code ec;
    diagnostic d;
    parse_for(text, s, "Item", ec, &d);
    INFO(text << " -> " << d.message);
    CHECK(!ec);
}

} // namespace

TEST_CASE("schema: well-typed queries bind")
{
    for (const char* text :
         {"TRUEPREDICATE", "name == 'x'", "name == null", "name BEGINSWITH[c] 'a' AND count > 3",
          "count == 2.0", "count IN {1, 2, 3}", "price < 10", "price >= 1.5f", "price BETWEEN {1, 2.5}",
          "done == true", "when > T0:0", "when BETWEEN {1970-01-01@00:00:00, T10:0}",
          "_id == oid(5f3c7d1e2b4a6c8d9e0f1a2b)", "key == uuid(3b241101-e2bb-4255-8caf-4136c566a962)",
          "blob == B64\"AQI=\"", "blob BEGINSWITH 'x'", "mixed == 1", "mixed == 'x'", "mixed CONTAINS[c] 'x'",
          "count < price", "mixed == name", "name LIKE 'a*'", "'abc' CONTAINS name", "3 < count"}) {
        binds(text);
    }
}

TEST_CASE("schema: unknown tables and fields")
{
    auto t = bind_fails("a == 1", sample(), "Nope");
    CHECK(t.ec == query_error::unknown_table);
    CHECK(t.ec == condition::invalid_argument);
    CHECK(t.d.message == "No table 'Nope' in the schema");

    auto f = bind_fails("count == 1 AND colour == 'red'");
    CHECK(f.ec == query_error::unknown_field);
    CHECK(f.d.offset == 15);
    CHECK(f.d.message == "'Item' has no property 'colour'");
    CHECK(bind_fails("1 == nope").d.offset == 5);
    CHECK(bind_fails("count IN {1, 2} AND x == 1", sample()).ec == query_error::unknown_field);
}

TEST_CASE("schema: links and collections are not queryable, and the list can be restricted")
{
    auto l = bind_fails("owner == null");
    CHECK(l.ec == query_error::field_not_queryable);
    CHECK(l.d.message == "unsupported query for table \"Item\": key \"owner\" is not a queryable field");
    CHECK(bind_fails("tags == 'x'").ec == query_error::field_not_queryable);

    schema s = sample();
    s.restrict_queryable({"Item.name", "Item.count"});
    binds("name == 'x' AND count > 1", s);
    auto r = bind_fails("price > 1", s);
    CHECK(r.ec == query_error::field_not_queryable);
    CHECK(r.d.offset == 0);
    // fields added after a restriction are not queryable either
    s.add_field("Item", "later", payload_type::integer);
    CHECK(bind_fails("later == 1", s).ec == query_error::field_not_queryable);

    std::error_code ec;
    diagnostic d;
    schema t = sample();
    t.restrict_queryable({"Item.nope"}, ec, &d);
    CHECK(ec == query_error::unknown_field);
    CHECK(d.message == "'Item' has no property 'nope'");
    binds("price > 1", t); // a failed restriction changed nothing
    t.restrict_queryable({"Nope.x"}, ec);
    CHECK(ec == query_error::unknown_table);
    t.restrict_queryable({"Item.tags"}, ec);
    CHECK(ec == query_error::field_not_queryable);
    t.restrict_queryable({"Itemname"}, ec);
    CHECK(ec == query_error::unknown_field);
    CHECK_THROWS_AS(t.restrict_queryable({"Item.zzz"}), realmwire::system_error);
}

TEST_CASE("schema: operand types are checked with realm-core's sentences")
{
    struct row {
        const char* text;
        std::size_t offset;
        const char* message;
    };
    for (auto r : {row{"count == 'x'", 9, "Unsupported comparison between type 'int' and type 'string'"},
                   row{"name == 5", 8, "Unsupported comparison between type 'string' and type 'int'"},
                   row{"name == oid(5f3c7d1e2b4a6c8d9e0f1a2b)", 8,
                       "Unsupported comparison between type 'string' and type 'objectId'"},
                   row{"_id == 'x'", 7, "Unsupported comparison between type 'objectId' and type 'string'"},
                   row{"done == 1", 8, "Unsupported comparison between type 'bool' and type 'int'"},
                   row{"when > 5", 7, "Unsupported comparison between type 'timestamp' and type 'int'"},
                   row{"key == 'x'", 7, "Unsupported comparison between type 'uuid' and type 'string'"},
                   row{"count BEGINSWITH 'x'", 17, "Unsupported comparison between type 'int' and type 'string'"},
                   row{"name BEGINSWITH 5", 16,
                       "Unsupported comparison operator 'beginswith' against type 'int', right side must be a string "
                       "or binary type"},
                   row{"name ==[c] 5", 11,
                       "Unsupported comparison operator '=[c]' against type 'int', right side must be a string or "
                       "binary type"},
                   row{"count ==[c] 5", 12,
                       "Unsupported comparison operator '=[c]' against type 'int', right side must be a string or "
                       "binary type"},
                   row{"count == inf", 9, "Infinity not supported for int"},
                   row{"count IN {1, 'a'}", 13, "Unsupported comparison between type 'int' and type 'string'"},
                   row{"price BETWEEN {1, 'z'}", 18, "Unsupported comparison between type 'double' and type 'string'"},
                   row{"count == name", 9, "Unsupported comparison between type 'int' and type 'string'"},
                   row{"'x' == count", 0, "Unsupported comparison between type 'int' and type 'string'"}}) {
        INFO(r.text);
        auto f = bind_fails(r.text);
        CHECK(f.ec == query_error::type_mismatch);
        CHECK(f.d.offset == r.offset);
        CHECK(f.d.message == r.message);
    }
}

TEST_CASE("schema: constants are converted as realm-core converts them")
{
    bound_query q = query::bind(parse("count == 2.0"), sample(), "Item");
    CHECK(q.table == "Item");
    CHECK(q.where.root().right[0].value.type == payload_type::integer);
    CHECK(q.where.root().right[0].value.integer == 2);
    bound_query r = query::bind(parse("count == 2.5"), sample(), "Item");
    CHECK(r.where.root().right[0].value.type == payload_type::double_);
    map_object o;
    o.set("count", payload::make_int(2));
    CHECK(q.matches(o));
    CHECK_FALSE(r.matches(o));
    CHECK_THROWS_AS(query::bind(parse("nope == 1"), sample(), "Item"), realmwire::system_error);
}
