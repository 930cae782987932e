// `realmwire merge replay` with the state applier wired in: every scenario's merged server history must
// end in realm-core's final state, and the tool says so on its last line.
#include "merge_sync/vectors.hpp"
#include "support/tool_process.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

TEST_CASE("merge replay tool: all scenarios byte-identical and every final state equal")
{
    std::string args = "merge replay";
    for (int n = 0; n < rw_merge_test::scenario_count; ++n) {
        char name[32];
        std::snprintf(name, sizeof name, "/scenario-%03d.json", n);
        args += " " + rw_merge_test::vectors_dir() + name;
    }
    auto run = rw_tool_test::run_tool_shell(args, false);
    CHECK(run.status == 0);
    const std::string& out = run.output;
    auto nl = out.find_last_of('\n', out.size() >= 2 ? out.size() - 2 : 0);
    std::string last = out.substr(nl == std::string::npos ? 0 : nl + 1);
    INFO(last);
    CHECK(last.find("server integrations: 1208/1208 byte-identical") != std::string::npos);
    CHECK(last.find("client integrations: 2789/2789 byte-identical") != std::string::npos);
    CHECK(last.find("final state: 40/40 scenarios equal") != std::string::npos);
}
