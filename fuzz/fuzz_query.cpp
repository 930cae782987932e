// The realm query language parser and the subscription-set reader: never crash, never loop, and
// whatever parses prints back to text that parses to the same tree, which prints the same again.
// Parsed queries are also bound to a small schema and evaluated on an object (no crash, no UB).
// The first byte picks the mode: a query (even) or a subscription-set JSON (odd).
#include "fuzz_common.hpp"

#include <realmwire/query.hpp>

namespace {

using namespace realmwire;
using namespace realmwire::query;

const schema& fuzz_schema()
{
    static const schema s = [] {
        schema x;
        for (const char* table : {"Item", "T"}) {
            x.add_field(table, "a", changeset::payload_type::integer)
                .add_field(table, "b", changeset::payload_type::string, true)
                .add_field(table, "c", changeset::payload_type::double_, true)
                .add_field(table, "d", changeset::payload_type::timestamp)
                .add_field(table, "m", changeset::payload_type::null, true)
                .add_field(table, "o", changeset::payload_type::object_id)
                .add_field(table, "l", changeset::payload_type::link, true);
        }
        return x;
    }();
    return s;
}

const map_object& fuzz_object()
{
    static const map_object o = [] {
        map_object x;
        x.set("a", changeset::payload::make_int(3))
            .set("b", changeset::payload::make_string("Hello"))
            .set("c", changeset::payload::make_double(2.5))
            .set("d", changeset::payload::make_timestamp({10, 0}))
            .set("m", changeset::payload::make_string("x"));
        return x;
    }();
    return o;
}

void check_query(std::string_view text, const limits& lim)
{
    std::error_code ec;
    diagnostic d;
    expression e = parse(text, ec, &d, lim);
    if (ec) {
        REALMWIRE_FUZZ_CHECK(d.offset <= text.size());
        REALMWIRE_FUZZ_CHECK(!d.message.empty());
        return;
    }
    (void)evaluate(e, fuzz_object());
    std::error_code bec;
    bound_query q = query::bind(e, fuzz_schema(), "Item", bec);
    if (!bec)
        (void)q.matches(fuzz_object());

    // printing adds parentheses (one level per NOT of a comparison): allow for them on the way back
    std::string printed = e.to_string();
    limits wide = lim;
    wide.max_depth = lim.max_depth * 2 + 2;
    wide.max_length = printed.size() + 1;
    wide.max_nodes = lim.max_nodes * 2 + 2;
    expression again = parse(printed, ec, &d, wide);
    REALMWIRE_FUZZ_CHECK(!ec);
    REALMWIRE_FUZZ_CHECK(again == e);
    REALMWIRE_FUZZ_CHECK(again.to_string() == printed);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    realmwire_fuzz::fuzz_input in(data, size);
    std::uint8_t mode = in.byte();
    limits lim;
    lim.max_length = 4096;
    lim.max_depth = 16;
    lim.max_list_size = 64;
    lim.max_nodes = 512;
    if ((mode & 1) == 0) {
        check_query(in.rest(), lim);
        return 0;
    }
    subscription_limits sl;
    sl.max_size = 8192;
    sl.max_tables = 16;
    sl.query = lim;
    std::error_code ec;
    diagnostic d;
    auto raw = read_subscriptions(in.rest(), ec, &d, sl);
    if (ec) {
        REALMWIRE_FUZZ_CHECK(d.offset <= in.rest().size());
        return 0;
    }
    for (const auto& s : raw)
        check_query(s.query, lim);
    // writing what was read and reading it back gives the same tables (each query now parenthesised)
    std::string written = write_subscriptions(raw);
    auto back = read_subscriptions(written, ec);
    REALMWIRE_FUZZ_CHECK(!ec);
    REALMWIRE_FUZZ_CHECK(back.size() == raw.size());
    return 0;
}
