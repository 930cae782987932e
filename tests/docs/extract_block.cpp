// Build step of the docs tests: writes the N-th fenced block of one language of a Markdown file to a
// file, so that README examples are compiled exactly as the reader sees them.
//   realmwire_docs_extract <file.md> <lang> <index> <out>
#include "markdown.hpp"

#include <cstdio>
#include <cstdlib>
#include <fstream>

int main(int argc, char** argv)
{
    if (argc != 5) {
        std::fprintf(stderr, "usage: %s <file.md> <lang> <index> <out>\n", argv[0]);
        return 2;
    }
    const std::string lang = argv[2];
    const long index = std::strtol(argv[3], nullptr, 10);
    long seen = 0;
    for (const auto& b : realmwire_docs::code_blocks(realmwire_docs::read_text(argv[1]))) {
        if (b.lang != lang)
            continue;
        if (seen++ == index) {
            std::ofstream out(argv[4], std::ios::binary);
            out << "// Extracted from " << argv[1] << " (line " << b.line << "); edit it there.\n" << b.text;
            return out ? 0 : 1;
        }
    }
    std::fprintf(stderr, "%s: no %s block #%ld\n", argv[1], lang.c_str(), index);
    return 1;
}
