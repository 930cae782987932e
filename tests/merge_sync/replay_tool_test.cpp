// `realmwire merge replay` with the state applier wired in: every scenario's merged server history must
// end in realm-core's final state, and the tool says so on its last line.
#include "merge_sync/vectors.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

TEST_CASE("merge replay tool: all scenarios byte-identical and every final state equal")
{
    std::string cmd = std::string(REALMWIRE_TOOL_PATH) + " merge replay";
    for (int n = 0; n < rw_merge_test::scenario_count; ++n) {
        char name[32];
        std::snprintf(name, sizeof name, "/scenario-%03d.json", n);
        cmd += " " + rw_merge_test::vectors_dir() + name;
    }
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p != nullptr);
    std::string out;
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0 && out.size() < (1u << 22))
        out.append(buf, n);
    int rc = ::pclose(p);
    CHECK(rc == 0);
    auto nl = out.find_last_of('\n', out.size() >= 2 ? out.size() - 2 : 0);
    std::string last = out.substr(nl == std::string::npos ? 0 : nl + 1);
    INFO(last);
    CHECK(last.find("server integrations: 1208/1208 byte-identical") != std::string::npos);
    CHECK(last.find("client integrations: 2789/2789 byte-identical") != std::string::npos);
    CHECK(last.find("final state: 40/40 scenarios equal") != std::string::npos);
}
