// `realmwire client --dialect mongodb_flx --subscribe 'TABLE: QUERY'` against a real `realmwire server`
// process on loopback (started and stopped here).
#include "reference/support.hpp"
#include "support/tool_process.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <signal.h>

using namespace realmwire;
using namespace std::chrono_literals;
using rw_tool_test::run_result;
using rw_tool_test::run_tool;
using rw_tool_test::tool_server;

TEST_CASE("realmwire client --subscribe: two subscriptions on one table OR-ed, and a refused one fails the run with its code and text")
{
    rw_ref_test::temp_dir dir;
    const std::string data = dir.str() + "/data";
    tool_server srv({"--listen", "127.0.0.1:0", "--data", data, "--dialects", "mongodb_flx"});
    const std::string url = "ws://127.0.0.1:" + std::to_string(srv.port());
    const std::string token = rw_tool_test::server_token(data, "alice");
    const std::vector<std::string> base{"client", "--server", url, "--path", "/", "--dialect", "mongodb_flx",
                                        "--token", token, "--timeout", "20"};

    // the default set (every Item): writes objects 1..4
    auto args = base;
    args.insert(args.end(), {"--write", "4"});
    run_result w = run_tool(args);
    INFO(w.output);
    REQUIRE(w.status == 0);
    CHECK(w.output.find("local table class_Item: 4 objects") != std::string::npos);

    // two --subscribe on Item: (_id == 1) OR (name == "obj-3")
    args = base;
    args.insert(args.end(), {"--subscribe", "Item: _id == 1", "--subscribe", "Item: name == \"obj-3\""});
    run_result r = run_tool(args);
    INFO(r.output);
    REQUIRE(r.status == 0);
    CHECK(r.output.find(R"x(subscriptions (query version 1, complete): {"Item":"(_id == 1) OR (name == \"obj-3\")"})x") !=
          std::string::npos);
    CHECK(r.output.find("local table class_Item: 2 objects") != std::string::npos);
    CHECK(r.output.find("Item{_id=1, name=\"obj-1\"}") != std::string::npos);
    CHECK(r.output.find("Item{_id=3, name=\"obj-3\"}") != std::string::npos);
    CHECK(r.output.find("obj-2") == std::string::npos);

    // one good and one bad subscription: the set is refused, QUERY_ERROR's code and text, exit 1
    args = base;
    args.insert(args.end(), {"--subscribe", "Item: _id == 1", "--subscribe", "Item: nosuchfield == 1"});
    run_result bad = run_tool(args);
    INFO(bad.output);
    CHECK(bad.status == 1);
    CHECK(bad.output.find("error: query error 226: ") != std::string::npos);
    CHECK(bad.output.find("nosuchfield") != std::string::npos);

    // a --subscribe without a table is a usage error
    args = base;
    args.insert(args.end(), {"--subscribe", "_id == 1"});
    run_result usage = run_tool(args);
    CHECK(usage.status != 0);
    CHECK(usage.output.find("TABLE: QUERY") != std::string::npos);
}

TEST_CASE("realmwire server: SIGHUP re-reads --flx-permissions (a file that does not parse keeps the previous roles)")
{
    rw_ref_test::temp_dir dir;
    const std::string data = dir.str() + "/data";
    const std::string perms = dir.str() + "/perms.json";
    auto write_perms = [&](const std::string& alice_reads) {
        FILE* f = std::fopen(perms.c_str(), "w");
        REQUIRE(f);
        std::string text = R"j({"roles": [{"name": "alice", "identities": ["alice"], "tables": {"Item": {"read": ")j" +
                           alice_reads + R"j(", "write": true}}}, {"name": "everyone", "identities": [], "default": {"read": true, "write": true}}]})j";
        std::fputs(text.c_str(), f);
        std::fclose(f);
    };
    write_perms("_id <= 2");
    tool_server srv({"--listen", "127.0.0.1:0", "--data", data, "--dialects", "mongodb_flx", "--flx-permissions", perms});
    const std::string url = "ws://127.0.0.1:" + std::to_string(srv.port());
    auto client = [&](const std::string& who, std::vector<std::string> extra) {
        std::vector<std::string> args{"client", "--server", url, "--path", "/", "--dialect", "mongodb_flx",
                                      "--token", rw_tool_test::server_token(data, who), "--timeout", "20"};
        args.insert(args.end(), extra.begin(), extra.end());
        return run_tool(args);
    };
    run_result w = client("root", {"--write", "4"});
    INFO(w.output);
    REQUIRE(w.status == 0);
    run_result a1 = client("alice", {});
    INFO(a1.output);
    CHECK(a1.output.find("local table class_Item: 2 objects") != std::string::npos);
    CHECK(a1.output.find("_id=1,") != std::string::npos);

    write_perms("_id >= 3");
    srv.signal(SIGHUP);
    REQUIRE(srv.wait_for("flx permissions re-read from " + perms));
    run_result a2 = client("alice", {});
    INFO(a2.output);
    CHECK(a2.output.find("local table class_Item: 2 objects") != std::string::npos);
    CHECK(a2.output.find("_id=3,") != std::string::npos);
    CHECK(a2.output.find("_id=1,") == std::string::npos);

    // a broken file: the roles stay
    FILE* f = std::fopen(perms.c_str(), "w");
    REQUIRE(f);
    std::fputs("{\"roles\": [", f);
    std::fclose(f);
    srv.signal(SIGHUP);
    run_result a3 = client("alice", {});
    INFO(a3.output);
    CHECK(a3.output.find("_id=3,") != std::string::npos);
    CHECK(a3.output.find("_id=1,") == std::string::npos);
}
