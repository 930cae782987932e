// Flexible sync in the reference backend: compensating writes and permissions by role.
#include "support.hpp"

#include "realmwire/auth/keys.hpp"
#include "realmwire/auth/token.hpp"
#include "realmwire/auth/verifier.hpp"
#include "realmwire/detail/base64.hpp"
#include "realmwire/reference/flx_permissions_file.hpp"

#include <unistd.h>

using namespace rw_flx_test;

namespace {

flx_peer& seeded_writer(flx_world& w, const auth::token_checker* v = nullptr, std::string token = {})
{
    flx_peer& writer = w.add(v, std::move(token));
    writer.connect(R"j({"Item":"TRUEPREDICATE"})j", 1);
    writer.write(item_schema());
    for (std::int64_t i = 1; i <= 6; ++i)
        writer.write(create_item(i, "item" + std::to_string(i), i));
    w.settle();
    REQUIRE(writer.errors.empty());
    return writer;
}

/// A client whose view is `query` (query version 1), its bootstrap integrated.
flx_peer& subscribed(flx_world& w, const std::string& query)
{
    flx_peer& p = w.add();
    p.connect(query, 1);
    w.settle();
    return p;
}

std::int64_t price_of(const flx_peer& p, std::int64_t id)
{
    return p.realm.find_table("Item")->objects.at(reference::object_key{id}).fields.at("price").scalar.scalar.integer;
}

protocol::json_error_body compensation(const flx_peer& p, std::size_t i)
{
    REQUIRE(p.json_errors.size() > i);
    CHECK(p.json_errors[i].first == 231);
    return protocol::parse_json_error_body(p.json_errors[i].second, 231);
}

} // namespace

TEST_CASE("flx: a write outside the view is compensated: ERROR 231, then a DOWNLOAD that reverts it")
{
    flx_world w;
    flx_peer& writer = seeded_writer(w);
    flx_peer& c = subscribed(w, R"j({"Item":"(price < 4)"})j");
    REQUIRE(c.items() == std::set<std::int64_t>{1, 2, 3});

    // creates an object its view does not select
    c.write(create_item(100, "outside", 50));
    w.settle();
    auto body = compensation(c, 0);
    REQUIRE(body.rejected_updates.size() == 1);
    CHECK(body.rejected_updates[0].table == "Item");
    CHECK(body.rejected_updates[0].pk == "AeQA"); // payload Int (1), then 100 as realm's varint (E4 00)
    CHECK(body.rejected_updates[0].reason.find("outside the current query view") != std::string::npos);
    CHECK(body.rejected_client_version == std::optional<std::int64_t>(1));
    REQUIRE(body.compensating_write_server_version);
    CHECK(c.items() == std::set<std::int64_t>{1, 2, 3}); // reverted
    CHECK(c.downloads.back().server_version >= std::uint64_t(*body.compensating_write_server_version));
    CHECK(writer.items().count(100) == 0); // the others end without it too
    CHECK(c.errors.empty());

    // moves an object out of its own view: put back as it was
    c.write(set_price(2, 40));
    w.settle();
    auto second = compensation(c, 1);
    CHECK(second.rejected_client_version == std::optional<std::int64_t>(2));
    CHECK(price_of(c, 2) == 2);
    CHECK(price_of(writer, 2) == 2);

    // a write inside the view goes through
    c.write(set_price(3, 0));
    c.write(create_item(7, "inside", 1));
    w.settle();
    CHECK(c.json_errors.size() == 2);
    CHECK(price_of(writer, 3) == 0);
    CHECK(writer.items().count(7) == 1);
    CHECK(c.items() == std::set<std::int64_t>{1, 2, 3, 7});
    CHECK(c.errors.empty());
}

TEST_CASE("flx: permissions by role: the verified identity selects read and write filters")
{
    auth::key_pair keys = auth::load_or_generate_keys(std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                                                      "/realmwire-flx-keys-" + std::to_string(::getpid()));
    auth::token_verifier verifier(keys.public_key);
    auto token = [&](const std::string& identity) {
        auth::claims c;
        c.identity = identity;
        c.has_access = true;
        c.access = auth::privilege::download | auth::privilege::upload;
        return auth::sign_claims(c, keys.private_key);
    };
    flx_world w;
    reference::flx_role reader;
    reader.name = "reader";
    reader.identities = {"bob"};
    reader.tables["Item"] = {std::string("price < 5"), std::nullopt}; // reads cheap items, writes nothing
    reference::flx_role member;
    member.name = "member";
    member.tables["Item"] = {std::string("TRUEPREDICATE"), std::string("price < 100 AND owner == %user%")};
    reference::flx_role admin;
    admin.name = "admin";
    admin.identities = {"root"};
    admin.other_tables = {std::string("TRUEPREDICATE"), std::string("TRUEPREDICATE")};
    w.backend.flx.options.permissions.roles = {admin, reader, member};
    std::error_code ec;
    std::string why;
    w.backend.flx.options.permissions.check(ec, why);
    REQUIRE_FALSE(ec);

    flx_peer& root = w.add(&verifier, token("root"));
    root.connect(R"j({"Item":"TRUEPREDICATE"})j", 1);
    cs::changeset schema = item_schema();
    cs::add_column owner;
    owner.table = schema.intern("Item");
    owner.field = schema.intern("owner");
    owner.type = cs::payload_type::string;
    owner.nullable = true;
    schema.instructions.push_back(owner);
    root.write(schema);
    for (std::int64_t i = 1; i <= 6; ++i)
        root.write(create_item(i, "item" + std::to_string(i), i));
    w.settle();
    REQUIRE(root.json_errors.empty());

    flx_peer& bob = w.add(&verifier, token("bob"));
    flx_peer& alice = w.add(&verifier, token("alice"));
    bob.connect(R"j({"Item":"TRUEPREDICATE"})j", 1);
    alice.connect(R"j({"Item":"TRUEPREDICATE"})j", 1);
    w.settle();
    CHECK(bob.items() == std::set<std::int64_t>{1, 2, 3, 4}); // the role's read filter narrows his view
    CHECK(alice.items() == std::set<std::int64_t>{1, 2, 3, 4, 5, 6});

    // bob may not write at all
    bob.write(set_price(1, 2));
    w.settle();
    auto b = compensation(bob, 0);
    REQUIRE(b.rejected_updates.size() == 1);
    CHECK(b.rejected_updates[0].reason.find("not allowed by the role") != std::string::npos);
    CHECK(price_of(bob, 1) == 1);
    CHECK(price_of(root, 1) == 1);

    // alice may write her own cheap items only
    cs::changeset mine = create_item(50, "mine", 5);
    add_set(mine, 50, "owner", cs::payload::make_string("alice"));
    alice.write(mine);
    cs::changeset theirs = create_item(51, "theirs", 5);
    add_set(theirs, 51, "owner", cs::payload::make_string("bob"));
    alice.write(theirs);
    w.settle();
    REQUIRE(alice.json_errors.size() == 1);
    auto a = compensation(alice, 0);
    REQUIRE(a.rejected_updates.size() == 1);
    CHECK(a.rejected_updates[0].reason.find("write permission") != std::string::npos);
    CHECK(root.items().count(50) == 1);
    CHECK(root.items().count(51) == 0);
    CHECK(alice.items().count(51) == 0);
    // a new object in bob's read filter reaches him; one outside it does not
    CHECK(bob.items() == std::set<std::int64_t>{1, 2, 3, 4});
    root.write(create_item(8, "cheap", 0));
    root.write(create_item(9, "dear", 90));
    w.settle();
    CHECK(bob.items() == std::set<std::int64_t>{1, 2, 3, 4, 8});
    for (auto* p : {&root, &bob, &alice})
        CHECK(p->errors.empty());
}

TEST_CASE("flx: a permission filter that does not parse is a configuration error naming the role")
{
    reference::flx_permissions p;
    reference::flx_role r;
    r.name = "broken";
    r.tables["Item"] = {std::string("price <"), std::nullopt};
    p.roles = {r};
    std::error_code ec;
    std::string why;
    p.check(ec, why);
    CHECK(ec == query_error::syntax_error);
    CHECK(why.rfind("role 'broken', table 'Item' read: ", 0) == 0);
}

TEST_CASE("flx: the permission file: roles, true/false/query rules, and every refusal says where")
{
    std::error_code ec;
    std::string why;
    auto p = reference::parse_flx_permissions(R"j({"roles":[
        {"name":"admin","identities":["root"],"default":{"read":true,"write":true}},
        {"name":"user","identities":[],"tables":{"Item":{"read":true,"write":"owner == %user%"}},
         "default":{"read":false,"write":false}}]})j", ec, why);
    REQUIRE_FALSE(ec);
    REQUIRE(p.roles.size() == 2);
    auth::claims root;
    root.identity = "root";
    auth::claims ann;
    ann.identity = "ann";
    CHECK(p.role_for(&root)->name == "admin");
    CHECK(p.role_for(&ann)->name == "user");
    CHECK(p.role_for(nullptr)->name == "user");
    auto r = p.rule(&ann, "Item");
    CHECK(r.read == std::optional<std::string>("TRUEPREDICATE"));
    CHECK(r.write == std::optional<std::string>("owner == \"ann\""));
    auto other = p.rule(&ann, "Secret");
    CHECK_FALSE(other.read);
    CHECK_FALSE(other.write);
    auth::claims quote;
    quote.identity = "a\"b"; // cannot be a literal: the filter selects nothing
    CHECK(p.rule(&quote, "Item").write == std::optional<std::string>("FALSEPREDICATE"));

    reference::parse_flx_permissions(R"j({"roles":[{"name":"x","tables":{"Item":{"read":true,"wirte":true}}}]})j", ec, why);
    CHECK(ec == query_error::malformed_subscriptions);
    CHECK(why == "roles[0].tables.Item: unknown key 'wirte'");
    reference::parse_flx_permissions(R"j({"roles":[{"name":"x","tables":{"Item":{"read":"price <"}}}]})j", ec, why);
    CHECK(ec == query_error::syntax_error);
    CHECK(why.rfind("role 'x', table 'Item' read: ", 0) == 0);
    reference::parse_flx_permissions("[]", ec, why);
    CHECK(ec == query_error::malformed_subscriptions);
    reference::parse_flx_permissions(R"j({"roles":[{"name":"x","default":{"read":5}}]})j", ec, why);
    CHECK(why == "roles[0].default.read must be true, false or a query string");
}

TEST_CASE("flx: a dropped table or column in an upload is refused with 225 and stored nowhere")
{
    // Found by fuzz_flx: EraseColumn of the field a view queries changed every object of the table
    // without an instruction on any of them, and subscribed clients kept objects no longer in view.
    flx_world w;
    flx_peer& writer = seeded_writer(w);
    flx_peer& c = subscribed(w, R"j({"Item":"(price < 4)"})j");
    REQUIRE(c.items() == std::set<std::int64_t>{1, 2, 3});

    cs::changeset drop_column;
    cs::erase_column ec;
    ec.table = drop_column.intern("Item");
    ec.field = drop_column.intern("price");
    drop_column.instructions.push_back(ec);
    writer.write(drop_column);
    w.settle();
    REQUIRE(writer.errors.size() == 1);
    CHECK(writer.errors[0] == 225);
    CHECK(c.items() == std::set<std::int64_t>{1, 2, 3});
    CHECK(c.errors.empty());

    cs::changeset drop_table;
    cs::erase_table et;
    et.table = drop_table.intern("Item");
    drop_table.instructions.push_back(et);
    flx_peer& other = subscribed(w, R"j({"Item":"TRUEPREDICATE"})j");
    other.write(drop_table);
    w.settle();
    REQUIRE(other.errors.size() == 1);
    CHECK(other.errors[0] == 225);

    // The realm kept its table and column: a new view by price selects as before.
    flx_peer& d = subscribed(w, R"j({"Item":"(price < 2)"})j");
    CHECK(d.items() == std::set<std::int64_t>{1});
    CHECK(d.errors.empty());
}
