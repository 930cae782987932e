// The areas of include/realmwire/ form layers: an area may include the areas below it, never one that
// (directly or through others) includes it back. A cycle between areas means neither can be taken alone
// — a user who vendors only the sans-I/O floors would drag the upper one in — so this test reads every
// header's `#include "realmwire/..."` lines and fails naming the edges of any cycle it finds.
//
// An area is a directory under include/realmwire/ (`handshake/`, `driver/`, ...). A top-level header
// with a directory of the same name (`handshake.hpp`) is that area's umbrella and belongs to it;
// `error.hpp` is the umbrella of `errors/`; realmwire.hpp (everything) is left out; any other top-level
// header (`path.hpp`, `config.hpp`) is an area of its own.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;

namespace {

struct area_graph {
    std::map<std::string, std::set<std::string>> edges;
    std::map<std::pair<std::string, std::string>, std::string> example; // edge -> "file includes target"
};

std::string area_of(const std::string& rel)
{
    auto slash = rel.find('/');
    if (slash != std::string::npos)
        return rel.substr(0, slash);
    std::string stem = rel.substr(0, rel.size() - 4); // drop ".hpp"
    if (stem == "error")
        return "errors";
    return stem;
}

area_graph read_graph(const fs::path& root)
{
    area_graph g;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
        if (!e.is_regular_file() || e.path().extension() != ".hpp")
            continue;
        std::string rel = fs::relative(e.path(), root).generic_string();
        if (rel == "realmwire.hpp")
            continue;
        std::string from = area_of(rel);
        std::ifstream in(e.path());
        std::string line;
        const std::string marker = "#include \"realmwire/";
        while (std::getline(in, line)) {
            auto at = line.find(marker);
            if (at == std::string::npos || line.find_first_not_of(" \t") != at)
                continue;
            auto begin = at + marker.size();
            auto end = line.find('"', begin);
            if (end == std::string::npos)
                continue;
            std::string target = line.substr(begin, end - begin);
            std::string to = area_of(target);
            if (to == from)
                continue;
            g.edges[from].insert(to);
            g.example.emplace(std::make_pair(from, to), rel + " includes " + target);
        }
    }
    return g;
}

// Tarjan's strongly connected components; every component of more than one area is a cycle.
std::vector<std::vector<std::string>> cycles(const area_graph& g)
{
    std::map<std::string, int> index, low;
    std::set<std::string> on_stack;
    std::vector<std::string> stack;
    std::vector<std::vector<std::string>> out;
    int next = 0;
    std::function<void(const std::string&)> visit = [&](const std::string& v) {
        index[v] = low[v] = next++;
        stack.push_back(v);
        on_stack.insert(v);
        auto it = g.edges.find(v);
        if (it != g.edges.end()) {
            for (const auto& w : it->second) {
                if (!index.count(w)) {
                    visit(w);
                    low[v] = std::min(low[v], low[w]);
                } else if (on_stack.count(w)) {
                    low[v] = std::min(low[v], index[w]);
                }
            }
        }
        if (low[v] == index[v]) {
            std::vector<std::string> component;
            std::string w;
            do {
                w = stack.back();
                stack.pop_back();
                on_stack.erase(w);
                component.push_back(w);
            } while (w != v);
            if (component.size() > 1)
                out.push_back(component);
        }
    };
    for (const auto& [v, _] : g.edges)
        if (!index.count(v))
            visit(v);
    return out;
}

std::string describe(const area_graph& g, const std::vector<std::string>& component)
{
    std::set<std::string> in(component.begin(), component.end());
    std::ostringstream os;
    os << "areas that include each other:";
    for (const auto& a : component)
        for (const auto& b : g.edges.at(a))
            if (in.count(b))
                os << "\n  " << a << " -> " << b << " (" << g.example.at({a, b}) << ")";
    return os.str();
}

} // namespace

TEST_CASE("the areas of include/realmwire include each other in layers, with no cycle")
{
    area_graph g = read_graph(fs::path(REALMWIRE_SOURCE_DIR) / "include" / "realmwire");
    REQUIRE(g.edges.size() > 10); // the walk found the headers

    for (const auto& component : cycles(g)) {
        INFO(describe(g, component));
        CHECK(component.empty());
    }

    // The floors the issue of vendored cores is about, named so a regression says what broke.
    CHECK_FALSE(g.edges["dialect"].count("handshake"));
    CHECK_FALSE(g.edges["errors"].count("protocol"));
    CHECK_FALSE(g.edges["transport"].count("driver"));
    CHECK_FALSE(g.edges["endpoint"].count("driver"));
    CHECK_FALSE(g.edges["endpoint"].count("transport"));
}

TEST_CASE("the layering check sees a cycle when there is one")
{
    area_graph g;
    g.edges["a"] = {"b"};
    g.edges["b"] = {"c"};
    g.edges["c"] = {"a"};
    g.edges["d"] = {"a"};
    g.example[{"a", "b"}] = "a.hpp includes b.hpp";
    g.example[{"b", "c"}] = "b.hpp includes c.hpp";
    g.example[{"c", "a"}] = "c.hpp includes a.hpp";
    auto found = cycles(g);
    REQUIRE(found.size() == 1);
    CHECK(std::set<std::string>(found[0].begin(), found[0].end()) == std::set<std::string>{"a", "b", "c"});
    CHECK(describe(g, found[0]).find("c -> a (c.hpp includes a.hpp)") != std::string::npos);
}
