// The reference state applier against realm-core: replaying a scenario's server history (the changesets
// realm-core's server stored, in server-version order) must end in realm-core's converged state.
#include <realmwire/reference/state.hpp>

#include "merge_sync/vectors.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace realmwire;
using namespace rw_merge_test;

namespace {

std::vector<std::string> replay_server_history(const scenario& sc, std::string& failure)
{
    auto evs = sc.server_events();
    std::sort(evs.begin(), evs.end(), [](const auto& a, const auto& b) { return a.server_version < b.server_version; });
    reference::state st;
    for (const auto& e : evs) {
        std::error_code ec;
        reference::apply_info where;
        st.apply(e.integrated, ec, &where);
        if (ec) {
            failure = "server version " + std::to_string(e.server_version) + ", instruction " +
                      std::to_string(where.instruction) + ": " + ec.message();
            break;
        }
    }
    return reference::dump_state(st);
}

} // namespace

TEST_CASE("state applier: server history of every merge scenario ends in realm-core's final state")
{
    int equal = 0;
    for (int n = 0; n < scenario_count; ++n) {
        scenario sc = load_scenario(n);
        std::string failure;
        auto got = replay_server_history(sc, failure);
        INFO(sc.name << " " << failure);
        CHECK(failure.empty());
        CHECK(got == sc.final_state);
        if (failure.empty() && got == sc.final_state)
            ++equal;
    }
    CHECK(equal == scenario_count);
}
