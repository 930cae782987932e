// The server's reciprocal history is durable: written in the same log record as the upload it came
// with, replayed on reopen, and a history with merged uploads converges with one that was reopened
// half-way (what a kill -9 between two uploads amounts to).
#include <realmwire/reference/sync_backend.hpp>

#include "merge_sync/vectors.hpp"
#include "reference/support.hpp"

#include <catch2/catch.hpp>

using namespace realmwire;
using namespace rw_merge_test;

namespace {

using source = reference::history_source;

/// Integrates the scenario's uploads [from, to) into `h` through the merger; returns how many matched.
std::size_t run(reference::realm_history& h, const std::vector<server_event>& evs, std::size_t from, std::size_t to)
{
    endpoint::upload_merger<> merger;
    std::size_t matched = 0;
    for (std::size_t i = from; i < to; ++i) {
        const auto& e = evs[i];
        std::uint64_t lisv = e.last_integrated_server_version > 0 ? e.last_integrated_server_version - 1 : 0;
        std::vector<protocol::upload_entry> in{{e.client_version, lisv, e.origin_timestamp, 0, e.upload}};
        endpoint::merged_upload m;
        auto st = merger.merge(source(h), e.origin_file_ident,
                               h.find_client(e.origin_file_ident)->last_integrated_client_version, in, m);
        REQUIRE(st);
        REQUIRE(m.changesets.size() == 1);
        std::vector<protocol::upload_entry> store{{e.client_version, lisv, e.origin_timestamp, 0, m.changesets[0].changeset}};
        std::error_code ec;
        h.integrate(e.origin_file_ident, store, e.client_version, lisv, ec, &m.reciprocal);
        REQUIRE_FALSE(ec);
        matched += m.changesets[0].changeset == e.integrated;
    }
    return matched;
}

} // namespace

TEST_CASE("server merge: reciprocal history survives a reopen, and merging goes on byte-exact after it")
{
    // Scenario 4 has enough concurrency that later uploads need the reciprocal forms of earlier ones.
    for (int n : {4, 17, 33}) {
        scenario sc = load_scenario(n);
        auto evs = sc.server_events();
        rw_ref_test::temp_dir dir;
        const std::string file = dir.str() + "/r.log";
        std::size_t half = evs.size() / 2, matched = 0, recips = 0;
        {
            reference::realm_history h;
            std::error_code ec;
            h.open(file, ec);
            REQUIRE_FALSE(ec);
            for (auto ident : sc.clients)
                REQUIRE(h.allocate_client_file(ec).ident == ident);
            matched += run(h, evs, 0, half);
            recips = h.reciprocal_count();
        } // closed: as if the process died here
        reference::realm_history h;
        std::error_code ec;
        h.open(file, ec);
        REQUIRE_FALSE(ec);
        REQUIRE(h.version() == half);
        CHECK(recips > 0);
        CHECK(h.reciprocal_count() == recips);
        matched += run(h, evs, half, evs.size());
        INFO(sc.name);
        CHECK(matched == evs.size());
        CHECK(reference::dump_state(h.current_state()) == sc.final_state);
    }
}
