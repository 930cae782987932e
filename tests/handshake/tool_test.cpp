#include "realmwire/handshake.hpp"

#include "handshake/support.hpp"
#include "support/tool_process.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <sys/wait.h>

// Runs the built `realmwire` tool (REALMWIRE_TOOL_PATH) through the shell.

namespace {

/// The tool's stdout only (its stderr is dropped), with `stdin_file` as its stdin if given.
rw_tool_test::run_result run_tool(const std::string& args, const std::string& stdin_file = {})
{
    return rw_tool_test::run_tool_shell(stdin_file.empty() ? args : args + " < '" + stdin_file + "'", false);
}

std::string write_temp(const std::string& name, const std::string& content)
{
    std::string path = std::string("/tmp/realmwire_handshake_tool_") + name;
    FILE* f = std::fopen(path.c_str(), "wb");
    REQUIRE(f != nullptr);
    std::fwrite(content.data(), 1, content.size(), f);
    std::fclose(f);
    return path;
}

const std::string guide_args = "handshake --dialect legacy_ros --url realm://myROS.internal.com "
                              "--path /b920bd7068ef2b470ff4226e0e85716a/foo --token '...' "
                              "--key dGhlIHNhbXBsZSBub25jZQ==";

} // namespace

TEST_CASE("tool: `realmwire handshake` prints the proxy guide's request byte for byte")
{
    auto r = run_tool(guide_args);
    CHECK(r.status == 0);
    CHECK(r.output == handshake_test::guide_request);

    auto custom = run_tool(guide_args + " --auth-header-name X-Realm-Auth --header 'Authorization: proxy-token'");
    CHECK(custom.status == 0);
    CHECK(custom.output.find("\r\nAuthorization: proxy-token\r\nConnection: Upgrade\r\n") != std::string::npos);
    CHECK(custom.output.find("\r\nX-Realm-Auth: Realm-Access-Token version=1 token=\"...\"\r\n\r\n") !=
          std::string::npos);

    auto prefixed = run_tool(guide_args + " --url-prefix /my/url/prefix");
    CHECK(prefixed.output.rfind("GET /my/url/prefix/%2Fb920bd7068ef2b470ff4226e0e85716a%2Ffoo HTTP/1.1\r\n", 0) == 0);

    // The token header clashing with a custom one is an error, not a silent replacement.
    auto clash = run_tool(guide_args + " --header 'Authorization: proxy-token'");
    CHECK(clash.status == 1);
    CHECK(clash.output.empty());
    CHECK(run_tool("handshake --dialect nope --url ws://h --token t").status == 2);
}

TEST_CASE("tool: `realmwire handshake` rebuilds a realm-core vector")
{
    std::string recorded = handshake_test::session("a-write5", "c2s.http");
    std::string token = handshake_test::admin_token();
    auto r = run_tool("handshake --dialect mongodb_pbs --url ws://127.0.0.1:34905 --token '" + token +
                      "' --key " + handshake_test::raw_header(recorded, "Sec-WebSocket-Key") +
                      " --user-agent rc-sync-client/14.14.0 --header 'X-Proxy-Token: abc'"
                      " --header 'X-Realm-Auth: Bearer " + token + "'");
    CHECK(r.status == 0);
    CHECK(r.output == recorded);
}

TEST_CASE("tool: `realmwire accept` judges the proxy guide's request and the 404 vector")
{
    auto guide = run_tool(guide_args);
    std::string file = write_temp("guide.http", guide.output);
    auto r = run_tool("accept", file);
    CHECK(r.status == 0);
    CHECK(r.output.find("verdict: accepted (101)\n") == 0);
    CHECK(r.output.find("dialect: legacy_ros\n") != std::string::npos);
    CHECK(r.output.find("realm path: /b920bd7068ef2b470ff4226e0e85716a/foo\n") != std::string::npos);
    CHECK(r.output.find("version: 22\n") != std::string::npos);
    CHECK(r.output.find("token: 3 bytes, starts with '...'\n") != std::string::npos);
    CHECK(r.output.find("Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n") != std::string::npos);

    // The token is never printed unless asked for.
    std::string token = handshake_test::admin_token();
    std::string pbs = handshake_test::vector_path("sessions/b-download5.c2s.http");
    r = run_tool("accept --server RealmSync/14.14.0", pbs);
    CHECK(r.status == 0);
    CHECK(r.output.find(token) == std::string::npos);
    CHECK(r.output.find("token: 533 bytes, starts with 'eyJp'\n") != std::string::npos);
    CHECK(r.output.find("--- response\n" + handshake_test::session("b-download5", "s2c.http")) != std::string::npos);
    r = run_tool("accept --show-token", pbs);
    CHECK(r.output.find("token: " + token + "\n") != std::string::npos);

    r = run_tool("accept", handshake_test::vector_path("sessions/e-wrong-prefix-404.c2s.http"));
    CHECK(r.status == 1);
    CHECK(r.output.find("verdict: refused (404)\n") == 0);
    CHECK(r.output.find("HTTP/1.1 404 Not Found\r\n") != std::string::npos);

    // A server-side prefix: the same request accepted once /wrong is configured.
    r = run_tool("accept --url-prefix /realm-sync --url-prefix /wrong --dialects mongodb_pbs",
                 handshake_test::vector_path("sessions/e-wrong-prefix-404.c2s.http"));
    CHECK(r.status == 0);
    CHECK(r.output.find("url prefix: /wrong\n") != std::string::npos);

    // Only legacy accepted: a PBS client gets no common version.
    r = run_tool("accept --dialects legacy_ros", pbs);
    CHECK(r.status == 1);
    CHECK(r.output.find("verdict: refused (400)\n") == 0);

    // Realm token in X-Realm-Auth, the proxy's own token in Authorization.
    auto custom = run_tool(guide_args + " --auth-header-name X-Realm-Auth --header 'Authorization: proxy-token'");
    file = write_temp("custom.http", custom.output);
    r = run_tool("accept --auth-header-name X-Realm-Auth", file);
    CHECK(r.status == 0);
    CHECK(r.output.find("token source: X-Realm-Auth\n") != std::string::npos);
    r = run_tool("accept", file);
    CHECK(r.status == 1);
    CHECK(r.output.find("verdict: refused (400)\n") == 0);
    CHECK(r.output.find("token header is not in a valid format") != std::string::npos);
}
