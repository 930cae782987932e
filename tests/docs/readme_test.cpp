// The README's examples, compiled from the README itself (see CMakeLists.txt), run, and compared with
// the output the README shows for them.
#include "markdown.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

using namespace realmwire_docs;

namespace {

std::string run(const std::string& program)
{
    std::string out;
    FILE* p = popen(("\"" + program + "\"").c_str(), "r");
    REQUIRE(p != nullptr);
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0)
        out.append(buf, n);
    CHECK(pclose(p) == 0);
    return out;
}

/// The ```text block that follows the index-th ```cpp block (the example's documented output).
std::string documented_output(const std::vector<code_block>& blocks, int index)
{
    int seen = 0;
    for (std::size_t i = 0; i < blocks.size(); ++i) {
        if (blocks[i].lang == "cpp" && seen++ == index)
            return i + 1 < blocks.size() && blocks[i + 1].lang == "text" ? blocks[i + 1].text : std::string();
    }
    return {};
}

} // namespace

TEST_CASE("README: every cpp example is compiled by the docs tests")
{
    int cpp = 0;
    for (const auto& b : code_blocks(read_text(REALMWIRE_SOURCE_DIR "/README.md")))
        cpp += b.lang == "cpp";
    CHECK(cpp == REALMWIRE_README_EXAMPLES); // a new example: raise readme_examples in tests/docs/CMakeLists.txt
}

TEST_CASE("README: the proxy example prints the request it describes")
{
    auto blocks = code_blocks(read_text(REALMWIRE_SOURCE_DIR "/README.md"));
    const std::string expected = documented_output(blocks, 0);
    REQUIRE_FALSE(expected.empty());
    const std::string bytes = run(REALMWIRE_README_EXAMPLE_0);

    // On the wire every line ends in CRLF; the README shows the lines.
    std::string lines;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (bytes[i] == '\r') {
            CHECK((i + 1 < bytes.size() && bytes[i + 1] == '\n'));
            continue;
        }
        if (bytes[i] == '\n')
            CHECK((i > 0 && bytes[i - 1] == '\r'));
        lines.push_back(bytes[i]);
    }
    CHECK(lines == expected);

    // What the example says it does: the URL prefix set explicitly, a real realm path with `~`
    // expanded, the Realm token in X-Realm-Auth and the proxy's credential in Authorization.
    CHECK(bytes.rfind("GET /my/url/prefix/%2Fb920bd7068ef2b470ff4226e0e85716a%2Ftasks HTTP/1.1\r\n", 0) == 0);
    CHECK(bytes.find("\r\nAuthorization: Bearer proxy-secret\r\n") != std::string::npos);
    CHECK(bytes.find("\r\nX-Realm-Auth: Realm-Access-Token version=1 token=\"realm-token\"\r\n") != std::string::npos);
    CHECK(bytes.size() >= 4);
    CHECK(bytes.compare(bytes.size() - 4, 4, "\r\n\r\n") == 0);
}
