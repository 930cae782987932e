// The docs stand alone: every relative link resolves (file and heading anchor), every header they name
// exists, and nothing in the repository sends the reader to a document the repository does not have.
#include "markdown.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace realmwire_docs;

namespace {

const fs::path root = REALMWIRE_SOURCE_DIR;

/// README.md, every Markdown file under docs/, and the other READMEs a reader of the tree meets.
std::vector<fs::path> documents()
{
    std::vector<fs::path> out{root / "README.md"};
    for (const auto& e : fs::recursive_directory_iterator(root / "docs"))
        if (e.is_regular_file() && e.path().extension() == ".md")
            out.push_back(e.path());
    for (const char* extra : {"fuzz/README.md", "bench/README.md", "tests/vectors/README.md"})
        if (fs::exists(root / extra))
            out.push_back(root / extra);
    return out;
}

std::string rel(const fs::path& p) { return fs::relative(p, root).generic_string(); }

bool is_external(const std::string& t)
{
    return t.rfind("http://", 0) == 0 || t.rfind("https://", 0) == 0 || t.rfind("mailto:", 0) == 0;
}

} // namespace

TEST_CASE("docs: every relative link resolves to a file, and an anchor to a heading")
{
    auto docs = documents();
    REQUIRE(docs.size() > 10);
    std::size_t checked = 0;
    for (const fs::path& doc : docs) {
        const std::string text = read_text(doc.string());
        for (const link& l : links(text)) {
            if (is_external(l.target))
                continue;
            INFO(rel(doc) << ":" << l.line << ": (" << l.target << ")");
            std::string file = l.target, anchor;
            if (auto h = file.find('#'); h != std::string::npos) {
                anchor = file.substr(h + 1);
                file.resize(h);
            }
            fs::path target = file.empty() ? doc : doc.parent_path() / file;
            CHECK(fs::exists(target));
            if (!anchor.empty() && fs::is_regular_file(target) && target.extension() == ".md") {
                auto as = anchors(read_text(target.string()));
                CHECK(std::find(as.begin(), as.end(), anchor) != as.end());
            }
            ++checked;
        }
    }
    CHECK(checked > 15);
}

TEST_CASE("docs: every header and include/ path they name exists")
{
    // `include/realmwire/x/y.hpp`, `realmwire/x/y.hpp`, and the short `area/name.hpp` form the tables
    // use (relative to include/realmwire/). Placeholders such as `errors/<area>.hpp` do not match.
    const std::regex full(R"((?:include/)?realmwire/[A-Za-z0-9_/]+\.hpp)");
    const std::regex short_form(R"(`([a-z_]+/[a-z_]+\.hpp)`)");
    std::size_t checked = 0;
    for (const fs::path& doc : documents()) {
        const std::string text = read_text(doc.string());
        for (std::sregex_iterator it(text.begin(), text.end(), full), end; it != end; ++it) {
            std::string p = it->str();
            if (p.rfind("include/", 0) != 0)
                p = "include/" + p;
            INFO(rel(doc) << " names " << it->str());
            CHECK(fs::exists(root / p));
            ++checked;
        }
        for (std::sregex_iterator it(text.begin(), text.end(), short_form), end; it != end; ++it) {
            std::string p = (*it)[1].str();
            INFO(rel(doc) << " names " << p);
            CHECK((fs::exists(root / "include/realmwire" / p) || fs::exists(root / "include" / p) ||
                   fs::exists(root / p) || fs::exists(doc.parent_path() / p)));
            ++checked;
        }
    }
    CHECK(checked > 50);
}

TEST_CASE("repository: no file mentions documents that are not in it")
{
    // Spelled in pieces so that this file does not match itself.
    const std::vector<std::string> banned{std::string("shared/") + "spec", std::string("shared/") + "vectors",
                                          std::string("wire-") + "protocol.md"};
    std::size_t files = 0;
    for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
        const fs::path& p = it->path();
        if (it->is_directory() && (p.filename() == ".git" || p.filename().string().rfind("build", 0) == 0)) {
            it.disable_recursion_pending();
            continue;
        }
        if (!it->is_regular_file() || it->file_size() > (8u << 20))
            continue;
        const std::string text = read_text(p.string());
        ++files;
        for (const auto& b : banned) {
            INFO(rel(p) << " mentions " << b);
            CHECK(text.find(b) == std::string::npos);
        }
    }
    CHECK(files > 100);
}
