// `realmwire merge replay FILE...`
//
// Replays merge scenario files (tests/vectors/merge/README.md): every server integration and every
// client integration is transformed with realmwire::merge and compared byte for byte with what
// realm-core produced. One line per file, the first mismatch of a file with both changesets printed,
// then the totals. Exit: 0 everything matched, 1 a mismatch or a malformed file, 2 usage.
#include "command.hpp"

#include <realmwire/merge/scenario.hpp>
#include <realmwire/reference/state.hpp>

#include <cstdio>
#include <string>

namespace {

namespace sc = realmwire::merge::scenario;

std::string base_name(const std::string& path)
{
    auto slash = path.find_last_of('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

/// The final-state comparison: the server history the replay produced, applied in order by the
/// reference state applier, must dump exactly as the scenario's final_state.
bool state_equal(const sc::scenario& s, const sc::result& r)
{
    realmwire::reference::state st;
    for (const auto& bytes : r.server_history) {
        std::error_code ec;
        st.apply(bytes, ec);
        if (ec)
            return false;
    }
    return realmwire::reference::dump_state(st) == s.final_state;
}

int run(realmwire_tool::args& a)
{
    auto pos = a.positional();
    a.finish();
    if (pos.empty() || pos[0] != "replay" || pos.size() < 2)
        throw realmwire_tool::usage_error("usage: merge replay FILE...");
    std::size_t server_ok = 0, server_total = 0, client_ok = 0, client_total = 0, states_ok = 0, files = 0;
    bool all_good = true;
    for (std::size_t f = 1; f < pos.size(); ++f) {
        const std::string name = base_name(pos[f]);
        sc::scenario s;
        try {
            s = sc::parse(realmwire_tool::read_input(pos[f]));
        }
        catch (const std::exception& e) {
            std::printf("%s: malformed: %s\n", name.c_str(), e.what());
            all_good = false;
            continue;
        }
        ++files;
        sc::result r = sc::replay(s);
        const bool state = state_equal(s, r);
        std::printf("%s: server %zu/%zu, client %zu/%zu, state %s\n", name.c_str(), r.server_ok, r.server_total,
                    r.client_ok, r.client_total, state ? "equal" : "differs");
        if (r.first) {
            const auto& m = *r.first;
            std::printf("  first mismatch: event %zu (%s integration)%s%s\n", m.event, m.server ? "server" : "client",
                        m.error.empty() ? "" : ": ", m.error.c_str());
            std::printf("  expected:\n%s\n  actual:\n%s\n", sc::dump(m.expected).c_str(), sc::dump(m.actual).c_str());
        }
        server_ok += r.server_ok;
        server_total += r.server_total;
        client_ok += r.client_ok;
        client_total += r.client_total;
        states_ok += state;
        if (r.server_ok != r.server_total || r.client_ok != r.client_total || !state)
            all_good = false;
    }
    std::printf("server integrations: %zu/%zu byte-identical; client integrations: %zu/%zu byte-identical; "
                "final state: %zu/%zu scenarios equal\n",
                server_ok, server_total, client_ok, client_total, states_ok, files);
    return all_good ? 0 : 1;
}

realmwire_tool::registration reg{"merge", "replay merge scenario files (merge replay FILE...)", run};

} // namespace
