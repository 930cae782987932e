// Client-side merging against realm-core's: every client of every scenario is replayed through a
// reference::object_store — its own writes committed at the client versions and timestamps realm-core's
// client made them, each server changeset it received delivered as one DOWNLOAD — and must end in the
// scenario's converged final state.
#include <realmwire/protocol/entries.hpp>
#include <realmwire/reference/object_store.hpp>

#include "merge_sync/vectors.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace realmwire;
using namespace rw_merge_test;

namespace {

struct step {
    bool local = false;
    server_event up;
    client_event down;
};

/// Replays one client; returns its final dump, or an empty vector with `why` set.
std::vector<std::string> replay_client(const scenario& sc, std::uint64_t ident, std::string& why)
{
    std::map<std::uint64_t, step> steps; // by the client version each step produced
    for (const auto& e : sc.events) {
        if (e.server && e.s.origin_file_ident == ident)
            steps[e.s.client_version] = {true, e.s, {}};
        else if (!e.server && e.c.client_file_ident == ident)
            steps[e.c.client_version] = {false, {}, e.c};
    }
    reference::object_store st;
    st.set_client_file_ident({ident, 1});
    for (const auto& [version, s] : steps) {
        if (st.version() + 1 != version) {
            why = "version gap before " + std::to_string(version);
            return {};
        }
        std::error_code ec;
        if (s.local) {
            auto cs = changeset::decode_changeset(s.up.upload, ec);
            if (!ec)
                st.commit(cs, s.up.origin_timestamp, ec);
            if (ec) {
                why = "local write " + std::to_string(version) + ": " + ec.message();
                return {};
            }
            if (st.local_history().back().last_integrated_server_version != s.up.last_integrated_server_version) {
                why = "local write " + std::to_string(version) + " based on another server version";
                return {};
            }
            continue;
        }
        std::string body;
        protocol::append_entry(body, protocol::download_entry{s.down.server_version, s.down.last_integrated_client_version,
                                                              s.down.origin_timestamp, s.down.origin_file_ident,
                                                              s.down.changeset.size(), s.down.changeset});
        endpoint::incoming_download d;
        d.changesets = protocol::parse_download_entries(body, ec);
        if (ec) {
            why = "entry: " + ec.message();
            return {};
        }
        d.progress = st.sync_state();
        d.progress.download = {s.down.server_version, s.down.last_integrated_client_version};
        endpoint::status r = st.integrate(d);
        if (!r) {
            why = "download " + std::to_string(s.down.server_version) + ": " + r.message;
            return {};
        }
    }
    return st.state().dump();
}

} // namespace

TEST_CASE("client merge: every client of every scenario ends in realm-core's final state")
{
    std::size_t clients = 0, equal = 0;
    for (int n = 0; n < scenario_count; ++n) {
        scenario sc = load_scenario(n);
        for (std::uint64_t ident : sc.clients) {
            ++clients;
            std::string why;
            auto got = replay_client(sc, ident, why);
            INFO(sc.name << " client " << ident << " " << why);
            CHECK(why.empty());
            CHECK(got == sc.final_state);
            equal += got == sc.final_state;
        }
    }
    WARN("client merge: " << equal << "/" << clients << " clients end in the final state");
    CHECK(equal == clients);
}
