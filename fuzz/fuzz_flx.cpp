// Flexible sync on the server: the permission file parser, and any changeset through a client's view.
// The first byte picks the mode:
//  * even: the rest is a permission file (parse_flx_permissions): never crash; what parses has roles
//    whose every filter parses (check() agrees);
//  * odd: the rest is a changeset applied to a small realm and filtered for a client whose view is
//    `price < 5`: never crash, and what the filter sends applies to the client's realm, which then
//    holds exactly the objects of the realm in view (the view's invariant).
#include "fuzz_common.hpp"

#include <realmwire/reference/flx_permissions_file.hpp>
#include <realmwire/reference/flx_state.hpp>

namespace {

using namespace realmwire;
namespace cs = realmwire::changeset;

cs::changeset seed_realm()
{
    cs::changeset c;
    cs::add_table t;
    t.table = c.intern("Item");
    t.pk_field = c.intern("_id");
    t.pk_type = cs::payload_type::integer;
    c.instructions.push_back(t);
    cs::add_column p;
    p.table = t.table;
    p.field = c.intern("price");
    p.type = cs::payload_type::integer;
    c.instructions.push_back(p);
    for (std::int64_t i = 0; i < 8; ++i) {
        cs::create_object o;
        o.table = t.table;
        o.object = i;
        c.instructions.push_back(o);
        cs::update u;
        u.table = t.table;
        u.object = i;
        u.field = p.field;
        u.value = cs::payload::make_int(i);
        c.instructions.push_back(u);
    }
    return c;
}

void check_view(std::string_view bytes)
{
    std::error_code ec;
    cs::changeset input = cs::decode_changeset(bytes, ec);
    if (ec)
        return;
    for (const auto& in : input.instructions)
        if (std::holds_alternative<cs::erase_table>(in) || std::holds_alternative<cs::erase_column>(in))
            return; // the server refuses destructive schema changes in flexible sync (ERROR 225)
    reference::flx_realm realm;
    realm.apply(seed_realm(), ec);
    if (ec)
        std::abort();
    auto schema = reference::flx_query_schema(realm.current());
    auto sub = reference::flx_subscription::parse(R"j({"Item":"price < 5"})j", schema, ec);
    if (ec)
        std::abort();
    reference::flx_access access;
    for (auto& [t, q] : sub.bind(schema))
        access.tables[t].subscription = q;
    reference::flx_client_view view;
    reference::state client;
    for (const auto& b : view.bootstrap(realm, access, 1 << 20)) {
        client.apply(b, ec);
        if (ec)
            std::abort();
    }
    realm.apply(input, ec);
    if (ec)
        return; // does not apply to the realm: the server would have refused the upload
    std::string out;
    if (view.filter(realm, access, realm.version(), input, bytes, false, out)) {
        client.apply(out, ec);
        if (ec)
            return; // instructions of the input that only make sense with objects the client lacks
    }
    // every object the client holds of Item is in view in the realm, and vice versa
    const reference::table* theirs = client.find_table("Item");
    const reference::table* ours = realm.find("Item");
    if (!ours || !theirs)
        return;
    for (const auto& [k, o] : ours->objects)
        if (access.sees(realm, "Item", k, o) != (theirs->objects.count(k) != 0))
            std::abort();
    for (const auto& [k, o] : theirs->objects)
        if (!ours->objects.count(k) || !view.holds("Item", k))
            std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    realmwire_fuzz::fuzz_input in(data, size);
    std::uint8_t mode = in.byte();
    if ((mode & 1) == 0) {
        std::error_code ec;
        std::string why;
        auto p = reference::parse_flx_permissions(in.rest(), ec, why);
        if (!ec) {
            p.check(ec, why);
            if (ec)
                std::abort();
        }
        return 0;
    }
    check_view(in.rest());
    return 0;
}
