// The example of docs/query.md, compiled and run. Keep the two in step.
#include "realmwire/query.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

namespace {

// --- docs/query.md example begins ---
using namespace realmwire;
namespace q = realmwire::query;
using changeset::payload;

// The server's view of one client: which of these objects does its subscription set select?
std::vector<std::string> selected(const std::string& query_body, const std::vector<q::map_object>& items)
{
    q::schema schema;
    schema.add_field("Item", "name", changeset::payload_type::string, true)
        .add_field("Item", "price", changeset::payload_type::double_)
        .add_field("Item", "added", changeset::payload_type::timestamp);

    std::error_code ec;
    q::diagnostic why;
    q::subscription_queries tables = q::parse_subscriptions(query_body, ec, &why);
    if (ec)
        return {"refused: " + why.message};

    std::vector<std::string> out;
    for (const auto& [table, where] : tables) {
        q::bound_query bound = q::bind(where, schema, table, ec, &why);
        if (ec)
            return {"refused: " + why.message};
        for (const auto& item : items)
            if (bound.matches(item))
                out.push_back(item.field("name")->data);
    }
    return out;
}
// --- docs/query.md example ends ---

} // namespace

TEST_CASE("docs/query.md example")
{
    std::vector<q::map_object> items(3);
    items[0].set("name", payload::make_string("apple")).set("price", payload::make_double(1.5));
    items[1].set("name", payload::make_string("Avocado")).set("price", payload::make_double(3));
    items[2].set("name", payload::make_string("banana")).set("price", payload::make_double(0.5));

    // what a realm-core client sends: its subscriptions on Item, OR-ed
    std::string body = q::write_subscriptions({{"Item", "name BEGINSWITH[c] \"a\""}, {"Item", "price < 1"}});
    CHECK(body == R"j({"Item":"(name BEGINSWITH[c] \"a\") OR (price < 1)"})j");
    CHECK(selected(body, items) == std::vector<std::string>{"apple", "Avocado", "banana"});
    CHECK(selected(R"j({"Item":"price BETWEEN {1, 2}"})j", items) == std::vector<std::string>{"apple"});
    CHECK(selected(R"j({"Item":"name == 5"})j", items) ==
          std::vector<std::string>{"refused: Unsupported comparison between type 'string' and type 'int'"});
    CHECK(selected(R"j({"Item":"owner.name == 'x'"})j", items) ==
          std::vector<std::string>{"refused: subscription on 'Item': Invalid predicate: 'owner.name == 'x'': key "
                                   "path 'owner....' is not supported in flexible sync subscriptions (only "
                                   "top-level fields)"});
}
