#ifndef REALMWIRE_TESTS_DOCS_MARKDOWN_HPP
#define REALMWIRE_TESTS_DOCS_MARKDOWN_HPP

// Just enough Markdown for the docs tests: fenced code blocks, headings and their GitHub anchors,
// and the targets of inline links.

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace realmwire_docs {

inline std::string read_text(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

inline std::vector<std::string> split_lines(const std::string& text)
{
    std::vector<std::string> lines;
    std::string line;
    std::istringstream in(text);
    while (std::getline(in, line))
        lines.push_back(line);
    return lines;
}

struct code_block {
    std::string lang;  ///< the word after the opening fence ("" when none)
    std::string text;  ///< the lines between the fences, each ending in '\n'
    std::size_t line = 0; ///< 1-based line of the opening fence
};

/// Every ``` fenced block, in order.
inline std::vector<code_block> code_blocks(const std::string& markdown)
{
    std::vector<code_block> out;
    auto lines = split_lines(markdown);
    for (std::size_t i = 0; i < lines.size(); ++i) {
        if (lines[i].rfind("```", 0) != 0)
            continue;
        code_block b;
        b.lang = lines[i].substr(3);
        b.line = i + 1;
        for (++i; i < lines.size() && lines[i].rfind("```", 0) != 0; ++i)
            b.text += lines[i] + "\n";
        out.push_back(b);
    }
    return out;
}

/// The lines outside fenced blocks (links and headings inside code do not count).
inline std::vector<std::string> prose_lines(const std::string& markdown)
{
    std::vector<std::string> out;
    bool in_code = false;
    for (const auto& l : split_lines(markdown)) {
        if (l.rfind("```", 0) == 0) {
            in_code = !in_code;
            out.emplace_back();
            continue;
        }
        out.push_back(in_code ? std::string() : l);
    }
    return out;
}

/// GitHub's anchor for a heading text: lowercase, spaces to '-', only letters, digits, '-' and '_'
/// kept. Non-ASCII letters are kept; the punctuation, arrows and math signs these docs use in headings
/// (U+2000..U+2BFF: '—', '→', '≥', '…', three UTF-8 bytes starting with 0xE2) are dropped.
inline std::string anchor_of(const std::string& heading)
{
    std::string a;
    for (std::size_t i = 0; i < heading.size(); ++i) {
        const auto c = static_cast<unsigned char>(heading[i]);
        if (c == 0xE2) {
            i += 2;
            continue;
        }
        if (std::isalnum(c) || c == '-' || c == '_' || c >= 0x80)
            a.push_back(static_cast<char>(std::tolower(c)));
        else if (c == ' ')
            a.push_back('-');
    }
    return a;
}

/// The anchors of every heading of a document (duplicates get -1, -2 … as on GitHub).
inline std::vector<std::string> anchors(const std::string& markdown)
{
    std::vector<std::string> out;
    for (const auto& l : prose_lines(markdown)) {
        std::size_t hashes = 0;
        while (hashes < l.size() && l[hashes] == '#')
            ++hashes;
        if (hashes == 0 || hashes > 6 || hashes >= l.size() || l[hashes] != ' ')
            continue;
        std::string a = anchor_of(l.substr(hashes + 1));
        std::string unique = a;
        for (int n = 1; std::find(out.begin(), out.end(), unique) != out.end(); ++n)
            unique = a + "-" + std::to_string(n);
        out.push_back(unique);
    }
    return out;
}

struct link {
    std::string target;
    std::size_t line = 0;
};

/// The targets of inline links `[text](target)` outside code (inline code spans skipped).
inline std::vector<link> links(const std::string& markdown)
{
    std::vector<link> out;
    auto lines = prose_lines(markdown);
    for (std::size_t n = 0; n < lines.size(); ++n) {
        const std::string& l = lines[n];
        bool in_span = false;
        for (std::size_t i = 0; i < l.size(); ++i) {
            if (l[i] == '`')
                in_span = !in_span;
            if (in_span || l[i] != ']' || i + 1 >= l.size() || l[i + 1] != '(')
                continue;
            std::size_t end = l.find(')', i + 2);
            if (end == std::string::npos)
                continue;
            std::string t = l.substr(i + 2, end - i - 2);
            if (auto sp = t.find(' '); sp != std::string::npos) // [x](target "title")
                t = t.substr(0, sp);
            out.push_back({t, n + 1});
        }
    }
    return out;
}

} // namespace realmwire_docs

#endif
