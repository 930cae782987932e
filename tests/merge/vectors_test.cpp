// The 40 recorded merge scenarios: every server and client integration byte-identical to realm-core.
#include "realmwire/merge/scenario.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>

namespace {

namespace sc = realmwire::merge::scenario;

const std::string dir = std::string(REALMWIRE_VECTORS_DIR) + "/merge/";

std::string read(const std::string& path)
{
    std::ifstream f(path, std::ios::binary);
    REQUIRE(f);
    std::stringstream ss;
    ss << f.rdbuf();
    return ss.str();
}

std::string name(int i)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "scenario-%03d.json", i);
    return buf;
}

struct tool_result {
    int status = -1;
    std::string out;
};

tool_result run_tool(const std::string& args)
{
    std::string cmd = std::string(REALMWIRE_TOOL_PATH) + " merge " + args + " 2>&1";
    tool_result r;
    FILE* p = popen(cmd.c_str(), "r");
    REQUIRE(p);
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        r.out.append(buf, n);
    int st = pclose(p);
    r.status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    return r;
}

} // namespace

TEST_CASE("merge vectors: all 40 scenarios integrate byte for byte on the server and the clients")
{
    std::size_t server = 0, client = 0, transformed = 0;
    for (int i = 0; i < 40; ++i) {
        INFO(name(i));
        const sc::scenario s = sc::parse(read(dir + name(i)));
        REQUIRE(!s.events.empty());
        const sc::result r = sc::replay(s);
        if (r.first) {
            INFO("first mismatch at event " << r.first->event << " " << r.first->error << "\nexpected:\n"
                                            << sc::dump(r.first->expected) << "\nactual:\n"
                                            << sc::dump(r.first->actual));
            CHECK(false);
        }
        CHECK(r.server_ok == r.server_total);
        CHECK(r.client_ok == r.client_total);
        server += r.server_total;
        client += r.client_total;
        for (const auto& e : s.events) {
            if (e.kind != sc::event::server_integrate)
                continue;
            // Integrations the merge really changed (not just re-encoded).
            auto cs = realmwire::changeset::decode_changeset(e.input);
            if (realmwire::changeset::encode(cs) != e.expected)
                ++transformed;
        }
    }
    // The totals the vectors' summary states: the replay saw every integration, and the merge really
    // changed 535 uploads (so a transformer that did nothing could not pass).
    CHECK(server == 1208);
    CHECK(client == 2789);
    CHECK(transformed == 535);
}

TEST_CASE("merge vectors: a wrong expectation is reported as a mismatch at its event")
{
    sc::scenario s = sc::parse(read(dir + name(0)));
    std::size_t target = 0;
    for (std::size_t i = 0; i < s.events.size(); ++i) {
        if (s.events[i].kind == sc::event::server_integrate && !s.events[i].expected.empty() && i > 3) {
            target = i;
            break;
        }
    }
    REQUIRE(target != 0);
    s.events[target].expected.back() ^= 1;
    const sc::result r = sc::replay(s);
    REQUIRE(r.first);
    CHECK(r.first->event == target);
    CHECK(r.first->server);
    CHECK(r.server_ok + 1 == r.server_total);
}

TEST_CASE("merge vectors: malformed scenario files name the event and field")
{
    CHECK_THROWS_WITH(sc::parse("[]"), Catch::Contains("not a JSON object"));
    CHECK_THROWS_WITH(sc::parse(R"({"server_file_ident":1})"), Catch::Contains("missing \"events\""));
    CHECK_THROWS_WITH(sc::parse(R"({"server_file_ident":1,"events":[{"event":"x","origin_file_ident":2,)"
                                R"("origin_timestamp":1,"client_version":2,"server_version":2}]})"),
                      Catch::Contains("event 0: unknown event"));
    CHECK_THROWS_WITH(
        sc::parse(R"({"server_file_ident":1,"events":[{"event":"server_integrate","origin_file_ident":2,)"
                  R"("origin_timestamp":1,"client_version":2,"server_version":2,"last_integrated_server_version":0,)"
                  R"("upload_changeset_hex":"0g","integrated_changeset_hex":""}]})"),
        Catch::Contains("event 0 upload_changeset_hex: not hex"));
    CHECK_THROWS_WITH(sc::parse(R"({"server_file_ident":1,"events":[{"event":"client_integrate"}]})"),
                      Catch::Contains("event 0: missing \"origin_file_ident\""));
}

TEST_CASE("realmwire merge replay: per-file lines, the totals and the exit status")
{
    auto r = run_tool("replay " + dir + name(0) + " " + dir + name(1));
    CHECK(r.out.find("scenario-000.json: server 25/25, client 50/50, state ") != std::string::npos);
    CHECK(r.out.find("scenario-001.json: server 29/29, client 87/87, state ") != std::string::npos);
    CHECK(r.out.find("server integrations: 54/54 byte-identical; client integrations: 137/137 byte-identical; "
                     "final state: ") != std::string::npos);

    auto bad = run_tool("replay " + dir + "README.md");
    CHECK(bad.status == 1);
    CHECK(bad.out.find("README.md: malformed: not a JSON object") != std::string::npos);

    auto usage = run_tool("");
    CHECK(usage.status == 2);
}
