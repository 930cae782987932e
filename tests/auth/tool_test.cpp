#include "realmwire/auth/verifier.hpp"

#include "auth_test_util.hpp"
#include "support/tool_process.hpp"

#include <catch2/catch.hpp>

namespace {

using rw_tool_test::run_result;
using rw_tool_test::run_tool_shell;

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
            run_result r = run_tool_shell(args);
            CHECK(r.status == co.at("exit").get<std::int64_t>());
            std::string verdict = co.at("verdict").get<std::string>();
            if (verdict != "valid")
                CHECK(r.output.find("INVALID (" + verdict + ")") != std::string::npos);
            else
                CHECK(r.output.find("VALID") != std::string::npos);
        }
    }
}

TEST_CASE("realmwire keygen, token sign, verify and decode work together")
{
    auth_test::temp_dir dir;
    run_result k = run_tool_shell("keygen " + dir.path + "/keys");
    REQUIRE(k.status == 0);
    CHECK(run_tool_shell("keygen " + dir.path + "/keys").status == 1); // never overwrites
    {
        std::ofstream(dir.path + "/claims.json") << R"({"identity":"u9","access":["download"],"path":"/u9/a","expires":2000000000})";
    }
    for (const char* format : {"legacy", "jwt"}) {
        INFO(format);
        run_result s = run_tool_shell("token sign --private-key " + dir.path + "/keys/auth.key --claims " + dir.path +
                                "/claims.json --format " + format);
        REQUIRE(s.status == 0);
        std::string token = s.output.substr(0, s.output.find('\n'));
        CHECK((token.find(':') != std::string::npos) == (std::string(format) == "legacy"));
        std::string key = " --public-key " + dir.path + "/keys/auth.pub --token " + token;
        CHECK(run_tool_shell("token verify" + key + " --now 1999999999").status == 0);
        run_result expired = run_tool_shell("token verify" + key + " --now 2000000001");
        CHECK(expired.status == 1);
        CHECK(expired.output.find("check expiry    FAILED") != std::string::npos);
        // download alone is not download+upload: refused for the path
        CHECK(run_tool_shell("token verify" + key + " --now 1 --path /u9/a").status == 1);
        CHECK(run_tool_shell("token verify --public-key " + vdir + "test-public.pem --token " + token).status == 1);
        run_result d = run_tool_shell("token decode --token " + token);
        CHECK(d.status == 0);
        CHECK(d.output.find("identity: u9") != std::string::npos);
    }
    // the vector signatures are reproduced byte for byte
    run_result s = run_tool_shell("token sign --private-key " + vdir + "test-private.pem --claims " + vdir + "admin.json");
    CHECK(s.output == auth_test::read_vector("admin.token") + "\n");
    // usage errors exit 2
    CHECK(run_tool_shell("token verify --token x").status == 2);
    CHECK(run_tool_shell("token frob").status == 2);
    CHECK(run_tool_shell("token sign --private-key a --claims b --path x").status == 2);
    CHECK(run_tool_shell("token decode --token nonsense").status == 1);
}
