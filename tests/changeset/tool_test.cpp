#include "realmwire/changeset.hpp"

#include "framed.hpp"
#include "support/tool_process.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>
#include <sys/wait.h>
#include <unistd.h>

namespace {

rw_tool_test::run_result run_tool(const std::string& args)
{
    return rw_tool_test::run_tool_shell("changesets " + args);
}

const std::string vectors = REALMWIRE_VECTORS_DIR;

} // namespace

TEST_CASE("realmwire changesets: verifies the vectors and reports the failing index")
{
    auto r = run_tool(vectors + "/changesets/basic.bin --verify-roundtrip");
    CHECK(r.status == 0);
    CHECK(r.output == "OK: decoded 300 changesets, 330028 bytes, 7673 instructions, re-encoding byte-identical\n");

    // UPLOAD changesets: identical in their own (client) layout, not in realm-core's strings-first one.
    std::string upload = vectors + "/sessions/a-write5.changesets.bin";
    CHECK(run_tool(upload + " --verify-roundtrip").status == 0);
    CHECK(run_tool(upload + " --verify-roundtrip --layout client").status == 0);
    r = run_tool(upload + " --verify-roundtrip --layout strings_first");
    CHECK(r.status == 1);
    CHECK(r.output.rfind("FAILED index=0: re-encoding differs (original 125 bytes, re-encoded 125 bytes", 0) == 0);

    // A corrupt changeset: the index and the error with its offset.
    auto frames = cs_test::read_framed(vectors + "/changesets/basic.bin");
    std::string path = "/tmp/realmwire_changesets_tool_test_" + std::to_string(getpid()) + ".bin";
    {
        std::ofstream f(path, std::ios::binary);
        for (int i = 0; i < 3; ++i) {
            std::string c = frames[i];
            if (i == 2)
                c += "\x3E";
            std::uint32_t n = static_cast<std::uint32_t>(c.size());
            char len[4] = {char(n & 255), char(n >> 8 & 255), char(n >> 16 & 255), char(n >> 24 & 255)};
            f.write(len, 4);
            f.write(c.data(), static_cast<std::streamsize>(c.size()));
        }
    }
    r = run_tool(path);
    CHECK(r.status == 1);
    CHECK(r.output == "FAILED index=2: decode: unknown instruction type (field tag, at byte " + std::to_string(frames[2].size()) + ")\n");
    CHECK(run_tool(path + " --index 1").status == 0);
    std::remove(path.c_str());

    CHECK(run_tool("").status == 2);
    CHECK(run_tool(upload + " --layout nope").status == 2);
    CHECK(run_tool(upload + " --index x").status == 2);
    CHECK(run_tool(upload + " --index 5").status == 1);
}

TEST_CASE("realmwire changesets --dump prints the instructions as the vectors' dumps do")
{
    auto r = run_tool(vectors + "/changesets/tiny/update_int.bin --dump");
    CHECK(r.status == 0);
    std::string expected = "# changeset 0: 24 bytes, 1 instructions\n"
                           "InternStrings  0=\"Person\", 1=\"age\"\n"
                           "Update        path=Person[Int(2)].age, value=Int(8), default=0\n"
                           "OK: decoded 1 changesets, 24 bytes, 1 instructions\n";
    CHECK(r.output == expected);
    r = run_tool(vectors + "/changesets/basic.bin --dump --index 7");
    CHECK(r.status == 0);
    auto dump = cs_test::read_dump(vectors + "/changesets/basic.txt");
    std::string lines;
    for (const auto& l : dump[7].lines)
        lines += l + "\n";
    CHECK(r.output.find(lines) != std::string::npos);
}
