// The example of docs/merge.md, compiled and run; the test also checks that the page shows exactly
// this code (with main renamed), so the two stay in step.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

// --- docs/merge.md example begins ---
#include <realmwire/endpoint/upload_merge.hpp>
#include <cstdio>
#include <map>
#include <string>
#include <vector>

using namespace realmwire;

// A minimal history: entries in memory, reciprocal forms per client file.
class my_history : public endpoint::merge_history_source {
public:
    std::uint64_t current_version() const override { return log_.size(); }
    endpoint::merge_history_entry entry(std::uint64_t v) const override
    {
        const stored& e = log_[v - 1];
        return {e.origin, e.client_version, e.timestamp, e.bytes};
    }
    const std::string* reciprocal(std::uint64_t client, std::uint64_t v) const override
    {
        auto it = reciprocal_.find({client, v});
        return it == reciprocal_.end() ? nullptr : &it->second;
    }

    // What integrate_upload would do: merge, then store both results in one step.
    endpoint::status upload(std::uint64_t client, const std::vector<protocol::upload_entry>& in)
    {
        endpoint::merged_upload m;
        endpoint::status st = merger_.merge(*this, client, last_client_version_[client], in, m);
        if (!st)
            return st; // 212 bad_changeset: refuse, store nothing
        for (auto& c : m.changesets) {
            log_.push_back({client, c.client_version, c.origin_timestamp, std::move(c.changeset)});
            last_client_version_[client] = c.client_version;
        }
        for (auto& [v, bytes] : m.reciprocal)
            reciprocal_[{client, v}] = std::move(bytes);
        return st;
    }
    std::size_t size() const { return log_.size(); }
    const std::string& bytes(std::uint64_t v) const { return log_[v - 1].bytes; }

private:
    struct stored {
        std::uint64_t origin, client_version, timestamp;
        std::string bytes; // transformed, as served to other clients
    };
    endpoint::upload_merger<> merger_;
    std::vector<stored> log_;
    std::map<std::pair<std::uint64_t, std::uint64_t>, std::string> reciprocal_;
    std::map<std::uint64_t, std::uint64_t> last_client_version_;
};

// Two clients set Item 1's name offline; the later write (client 2's) must win everywhere.
std::string set_name(const char* name)
{
    changeset::changeset cs;
    changeset::update u;
    u.table = cs.intern("Item");
    u.object = std::int64_t{1};
    u.field = cs.intern("name");
    u.value = changeset::payload::make_string(name);
    cs.instructions.emplace_back(u);
    return changeset::encode(cs);
}

int merge_doc_main()
{
    my_history h;
    std::string a = set_name("from A"), b = set_name("from B");
    // client_version, last_integrated_server_version, origin_timestamp, origin_file_ident, bytes
    endpoint::status s1 = h.upload(2, {{2, 0, 1001, 0, a}});
    endpoint::status s2 = h.upload(3, {{2, 0, 1000, 0, b}}); // based on version 0: concurrent with A
    std::error_code ec;
    auto second = changeset::decode_changeset(h.bytes(2), ec);
    // B's write is older than A's, which the server already has: the merge drops it.
    std::printf("%s %s, B's stored changeset has %zu instruction(s)\n", s1 ? "ok" : "refused",
                s2 ? "ok" : "refused", second.instructions.size());
    // An upload that is not a changeset is refused with 212 and stores nothing.
    endpoint::status bad = h.upload(3, {{3, 0, 1002, 0, "\x07"}});
    std::printf("bad upload: %d, stored %zu\n", bad.code, h.size());
    return s1 && s2 && !ec && second.instructions.empty() && bad.code == 212 ? 0 : 1;
}
// --- docs/merge.md example ends ---

TEST_CASE("docs/merge.md example: a backend merges two concurrent uploads and refuses a bad one")
{
    CHECK(merge_doc_main() == 0);
}

TEST_CASE("docs/merge.md example: the page shows the code this test runs")
{
    auto read = [](const std::string& path) {
        std::ifstream f(path);
        std::stringstream ss;
        ss << f.rdbuf();
        return ss.str();
    };
    std::string doc = read(std::string(REALMWIRE_SOURCE_DIR) + "/docs/merge.md");
    std::string self = read(std::string(REALMWIRE_SOURCE_DIR) + "/tests/merge_sync/docs_example_test.cpp");
    auto a = doc.find("```cpp\n", doc.find("## Plugging the transformer into your own backend"));
    REQUIRE(a != std::string::npos);
    a += 7;
    auto b = doc.find("```\n", a);
    REQUIRE(b != std::string::npos);
    std::string shown = doc.substr(a, b - a);
    const std::string begin = "// --- docs/merge.md example begins ---\n";
    auto x = self.find(begin);
    auto y = self.find("// --- docs/merge.md example ends ---");
    REQUIRE(x != std::string::npos);
    REQUIRE(y != std::string::npos);
    std::string ran = self.substr(x + begin.size(), y - x - begin.size());
    auto m = ran.find("int merge_doc_main()");
    REQUIRE(m != std::string::npos);
    ran.replace(m, std::string("int merge_doc_main()").size(), "int main()");
    CHECK(ran == shown);
}
