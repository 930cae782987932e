#include "realmwire/auth/verifier.hpp"

#include "auth_test_util.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <sys/wait.h>

namespace {

struct run_result {
    int exit = -1;
    std::string out;
};

run_result run_tool(const std::string& args)
{
    std::string cmd = std::string(REALMWIRE_TOOL_PATH) + " " + args + " 2>&1";
    run_result r;
    FILE* p = ::popen(cmd.c_str(), "r");
    REQUIRE(p);
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        r.out.append(buf, n);
    int status = ::pclose(p);
    r.exit = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return r;
}

const std::string vdir = std::string(REALMWIRE_VECTORS_DIR) + "/tokens/";

} // namespace

TEST_CASE("realmwire token verify: exit status matches realm-core's for every vector check")
{
    auto verdicts = realmwire::detail::parse_json(auth_test::read_vector("verdicts.json"));
    REQUIRE(verdicts);
    for (const auto& entry : verdicts->get<realmwire::picojson::array>()) {
        const auto& o = entry.get<realmwire::picojson::object>();
        for (const auto& check : o.at("checks").get<realmwire::picojson::array>()) {
            const auto& co = check.get<realmwire::picojson::object>();
            std::string command = co.at("command").get<std::string>();
            // "rc-token verify --public-key test-public.pem --token-file X [--path P]" → our tool
            std::string args = "token verify --public-key " + vdir + "test-public.pem --token-file " + vdir +
                               o.at("token_file").get<std::string>() + " --now 1795000000";
            auto p = command.find("--path ");
            if (p != std::string::npos)
                args += " --path " + command.substr(p + 7);
            INFO(command);
            run_result r = run_tool(args);
            CHECK(r.exit == co.at("exit").get<std::int64_t>());
            std::string verdict = co.at("verdict").get<std::string>();
            if (verdict != "valid")
                CHECK(r.out.find("INVALID (" + verdict + ")") != std::string::npos);
            else
                CHECK(r.out.find("VALID") != std::string::npos);
        }
    }
}

TEST_CASE("realmwire keygen, token sign, verify and decode work together")
{
    auth_test::temp_dir dir;
    run_result k = run_tool("keygen " + dir.path + "/keys");
    REQUIRE(k.exit == 0);
    CHECK(run_tool("keygen " + dir.path + "/keys").exit == 1); // never overwrites
    {
        std::ofstream(dir.path + "/claims.json") << R"({"identity":"u9","access":["download"],"path":"/u9/a","expires":2000000000})";
    }
    for (const char* format : {"legacy", "jwt"}) {
        INFO(format);
        run_result s = run_tool("token sign --private-key " + dir.path + "/keys/auth.key --claims " + dir.path +
                                "/claims.json --format " + format);
        REQUIRE(s.exit == 0);
        std::string token = s.out.substr(0, s.out.find('\n'));
        CHECK((token.find(':') != std::string::npos) == (std::string(format) == "legacy"));
        std::string key = " --public-key " + dir.path + "/keys/auth.pub --token " + token;
        CHECK(run_tool("token verify" + key + " --now 1999999999").exit == 0);
        run_result expired = run_tool("token verify" + key + " --now 2000000001");
        CHECK(expired.exit == 1);
        CHECK(expired.out.find("check expiry    FAILED") != std::string::npos);
        // download alone is not download+upload: refused for the path
        CHECK(run_tool("token verify" + key + " --now 1 --path /u9/a").exit == 1);
        CHECK(run_tool("token verify --public-key " + vdir + "test-public.pem --token " + token).exit == 1);
        run_result d = run_tool("token decode --token " + token);
        CHECK(d.exit == 0);
        CHECK(d.out.find("identity: u9") != std::string::npos);
    }
    // the vector signatures are reproduced byte for byte
    run_result s = run_tool("token sign --private-key " + vdir + "test-private.pem --claims " + vdir + "admin.json");
    CHECK(s.out == auth_test::read_vector("admin.token") + "\n");
    // usage errors exit 2
    CHECK(run_tool("token verify --token x").exit == 2);
    CHECK(run_tool("token frob").exit == 2);
    CHECK(run_tool("token sign --private-key a --claims b --path x").exit == 2);
    CHECK(run_tool("token decode --token nonsense").exit == 1);
}
