// Server-side merging against realm-core's own: each scenario's uploads go through history_backend's
// merge path (endpoint::upload_merger over a realm_history), in the order realm-core's server received
// them; what gets stored must be byte for byte what realm-core's server stored.
#include <realmwire/reference/sync_backend.hpp>

#include "merge_sync/vectors.hpp"

#include <catch2/catch.hpp>

using namespace realmwire;
using namespace rw_merge_test;

namespace {

using source = reference::history_source;

struct replay_result {
    std::size_t uploads = 0, matched = 0, refused = 0;
    std::vector<std::string> final_state;
};

replay_result replay(const scenario& sc)
{
    replay_result r;
    reference::realm_history h;
    h.open_in_memory();
    std::error_code ec;
    for (std::size_t i = 0; i < sc.clients.size(); ++i)
        REQUIRE(h.allocate_client_file(ec).ident == sc.clients[i]);
    endpoint::upload_merger<> merger;
    reference::state st;
    for (const auto& ev : sc.events) {
        if (!ev.server)
            continue;
        // The simulation's server counts its empty initial state as version 1 (realm-core's sync server,
        // and ours, start at 0): shift its versions down by one.
        server_event e = ev.s;
        e.server_version -= 1;
        e.last_integrated_server_version = e.last_integrated_server_version > 0 ? e.last_integrated_server_version - 1 : 0;
        ++r.uploads;
        std::vector<protocol::upload_entry> in{
            {e.client_version, e.last_integrated_server_version, e.origin_timestamp, 0, e.upload}};
        endpoint::merged_upload m;
        auto status = merger.merge(source(h), e.origin_file_ident,
                                   h.find_client(e.origin_file_ident)->last_integrated_client_version, in, m);
        if (!status || m.changesets.size() != 1) {
            ++r.refused;
            continue;
        }
        std::vector<protocol::upload_entry> store{{e.client_version, e.last_integrated_server_version,
                                                   e.origin_timestamp, 0, m.changesets[0].changeset}};
        h.integrate(e.origin_file_ident, store, e.client_version, e.last_integrated_server_version, ec, &m.reciprocal);
        REQUIRE_FALSE(ec);
        REQUIRE(h.version() == e.server_version);
        if (m.changesets[0].changeset == e.integrated)
            ++r.matched;
        st.apply(m.changesets[0].decoded, ec);
        ec.clear();
    }
    r.final_state = reference::dump_state(st);
    return r;
}

} // namespace

TEST_CASE("server merge: uploads of every scenario, transformed as realm-core's server did")
{
    std::size_t uploads = 0, matched = 0, refused = 0, states_equal = 0;
    for (int n = 0; n < scenario_count; ++n) {
        scenario sc = load_scenario(n);
        replay_result r = replay(sc);
        uploads += r.uploads;
        matched += r.matched;
        refused += r.refused;
        if (r.final_state == sc.final_state)
            ++states_equal;
    }
    INFO("matched " << matched << "/" << uploads << ", refused " << refused << ", final states equal " << states_equal);
    CHECK(uploads == 1208);
    CHECK(refused == 0);
    CHECK(matched == uploads);
    CHECK(states_equal == scenario_count);
    WARN("server merge: " << matched << "/" << uploads << " integrated changesets byte-exact, " << states_equal
                          << "/40 final states equal");
}

#include "realmwire/endpoint/server_connection.hpp"
#include "realmwire/protocol/decode.hpp"

// Hostile uploads: one that does not decode, one that decodes but does not apply to the realm's state.
// Both are refused with 212 bad_changeset (realm-core's code for a changeset it cannot integrate) and
// nothing is stored.
TEST_CASE("server merge: a changeset that does not decode or does not apply is refused with 212, nothing stored")
{
    for (int attack = 0; attack < 2; ++attack) {
        auto dir = std::make_shared<reference::realm_directory>();
        reference::history_backend backend(dir);
        endpoint::server_connection_config cfg;
        cfg.log_message_on_connect = false;
        auto now = std::chrono::steady_clock::now();
        endpoint::server_connection conn(backend, cfg, now);
        auto drain = [&] {
            std::vector<std::string> out;
            while (auto m = conn.next_output(now))
                out.push_back(*m);
            return out;
        };
        conn.receive("bind 1 5 0 1 0\n/test", now);
        auto out = drain();
        REQUIRE(out.size() == 1);
        auto ident = std::get<protocol::server_ident_message>(protocol::decode_server_message(out[0]));
        conn.receive("ident 1 2 " + std::to_string(ident.client_file_ident_salt) + " 0 0 0 0\n", now);
        drain();
        std::string cs;
        if (attack == 0) {
            cs = std::string("\x3f\x00\x04Item\x3f\x01\x03_id\x00\x00\x00\x01", 17); // cut short
        }
        else {
            changeset::changeset c; // Update of an object in a table nobody created
            changeset::update u;
            u.table = c.intern("Item");
            u.object = std::int64_t{1};
            u.field = c.intern("name");
            u.value = changeset::payload::make_string("x");
            c.instructions.emplace_back(u);
            cs = changeset::encode(c);
        }
        std::string entry = "2 0 0 0 " + std::to_string(cs.size()) + " " + cs;
        conn.receive("upload 1 0 " + std::to_string(entry.size()) + " 0 2 0 0\n" + entry, now);
        out = drain();
        REQUIRE_FALSE(out.empty());
        INFO(out.front());
        CHECK(out.front().rfind("error 212 ", 0) == 0);
        std::error_code ec;
        CHECK(dir->get("/test", ec)->version() == 0);
        CHECK(dir->get("/test", ec)->find_client(ident.client_file_ident)->last_integrated_client_version == 0);
    }
}
