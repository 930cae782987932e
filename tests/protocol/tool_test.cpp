#include <realmwire/protocol/decode.hpp>

#include "protocol/session_vectors.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {

struct tool_result {
    int status;
    std::string out;
};

tool_result run_tool(const std::string& args, const std::string& input)
{
    std::string in = "/tmp/realmwire_protocol_tool_in_" + std::to_string(::getpid());
    std::string out = "/tmp/realmwire_protocol_tool_out_" + std::to_string(::getpid());
    {
        std::ofstream f(in, std::ios::binary);
        f << input;
    }
    std::string cmd = std::string("'") + REALMWIRE_TOOL_PATH + "' decode-message " + args + " '" + in + "' > '" + out + "' 2>&1";
    int rc = std::system(cmd.c_str());
    tool_result r{WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, realmwire_test::read_file(out)};
    std::remove(in.c_str());
    std::remove(out.c_str());
    return r;
}

} // namespace

TEST_CASE("realmwire decode-message prints every field and each changeset entry")
{
    auto caps = realmwire_test::load_session("c-upload-compressed");
    std::string upload;
    for (const auto& c : caps)
        if (c.bytes.rfind("upload 1 1 ", 0) == 0)
            upload = c.bytes;
    REQUIRE_FALSE(upload.empty());
    auto r = run_tool("--from client", upload);
    CHECK(r.status == 0);
    CHECK(r.out.find("type: upload\n") != std::string::npos);
    CHECK(r.out.find("uncompressed_body_size: 20026\n") != std::string::npos);
    CHECK(r.out.find("compressed_body_size: 1570\n") != std::string::npos);
    CHECK(r.out.find("entries: 1\n") != std::string::npos);
    CHECK(r.out.find("[0] client_version=2 server_version=0 origin_timestamp=375595302015 origin_file_ident=0 "
                     "changeset_size=20001\n") != std::string::npos);

    // --hex, and the server direction found without --from.
    static const char digits[] = "0123456789abcdef";
    std::string hex;
    for (unsigned char c : std::string("error 204 25 0 1\nIllegal Realm path (BIND)")) {
        hex.push_back(digits[c >> 4]);
        hex.push_back(digits[c & 15]);
    }
    r = run_tool("--hex", hex + "\n");
    CHECK(r.status == 0);
    CHECK(r.out.find("direction: server->client\n") != std::string::npos);
    CHECK(r.out.find("error_code: 204 (illegal_realm_path)\n") != std::string::npos);
    CHECK(r.out.find("message: \"Illegal Realm path (BIND)\"\n") != std::string::npos);
}

TEST_CASE("realmwire decode-message: tokens hidden unless asked, exit 1 on bad input, 2 on bad usage")
{
    auto r = run_tool("", "bind 1 5 6 1 0\n/testsecret");
    CHECK(r.status == 0);
    CHECK(r.out.find("secret") == std::string::npos);
    CHECK(r.out.find("signed_user_token_size: 6\n") != std::string::npos);
    r = run_tool("--show-token", "bind 1 5 6 1 0\n/testsecret");
    CHECK(r.out.find("signed_user_token: \"secret\"") != std::string::npos);
    r = run_tool("", "mark 1  2\n");
    CHECK(r.status == 1);
    CHECK(r.out.find("ProtocolError 103") != std::string::npos);
    r = run_tool("", "nonsense 1\n");
    CHECK(r.status == 1);
    CHECK(r.out.find("ProtocolError 102") != std::string::npos);
    r = run_tool("--from nowhere", "mark 1 2\n");
    CHECK(r.status == 2);
}
