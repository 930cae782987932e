// `realmwire`: one tool, many subcommands (like git). See command.hpp for how subcommands register.

#include "command.hpp"

#include <realmwire/error.hpp>
#include <realmwire/version.hpp>

#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>

namespace realmwire_tool {

std::string read_input(const std::string& path)
{
    if (path == "-") {
        std::ostringstream ss;
        ss << std::cin.rdbuf();
        return ss.str();
    }
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw usage_error("cannot open " + path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

} // namespace realmwire_tool

static void print_usage(std::FILE* out)
{
    std::fprintf(out, "usage: realmwire <command> [options]\n\ncommands:\n");
    for (const auto& [name, info] : realmwire_tool::registry())
        std::fprintf(out, "  %-16s %s\n", name.c_str(), info.summary.c_str());
    std::fprintf(out, "\nrealmwire %s\n", REALMWIRE_VERSION_STRING);
}

int main(int argc, char** argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    std::string name = argv[1];
    if (name == "--help" || name == "-h" || name == "help") {
        print_usage(stdout);
        return 0;
    }
    if (name == "--version") {
        std::printf("realmwire %s\n", REALMWIRE_VERSION_STRING);
        return 0;
    }
    auto it = realmwire_tool::registry().find(name);
    if (it == realmwire_tool::registry().end()) {
        std::fprintf(stderr, "realmwire: unknown command '%s'\n\n", name.c_str());
        print_usage(stderr);
        return 2;
    }
    realmwire_tool::args a(std::vector<std::string>(argv + 2, argv + argc));
    try {
        return it->second.run(a);
    }
    catch (const realmwire_tool::usage_error& e) {
        std::fprintf(stderr, "realmwire %s: %s\n", name.c_str(), e.what());
        return 2;
    }
    catch (const std::exception& e) {
        std::fprintf(stderr, "realmwire %s: %s\n", name.c_str(), e.what());
        return 1;
    }
}
