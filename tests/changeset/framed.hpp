#ifndef REALMWIRE_TESTS_CHANGESET_FRAMED_HPP
#define REALMWIRE_TESTS_CHANGESET_FRAMED_HPP

// Test helpers: the vectors' framed files, their text dumps, and hex.

#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace cs_test {

inline std::string read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot open " + path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Splits a framed file: 4-byte little-endian length, then that many bytes, repeated.
inline std::vector<std::string> read_framed(const std::string& path)
{
    std::string all = read_file(path);
    std::vector<std::string> out;
    std::size_t off = 0;
    while (off < all.size()) {
        if (all.size() - off < 4)
            throw std::runtime_error("short frame header in " + path);
        std::uint32_t n = std::uint8_t(all[off]) | std::uint32_t(std::uint8_t(all[off + 1])) << 8 |
                          std::uint32_t(std::uint8_t(all[off + 2])) << 16 | std::uint32_t(std::uint8_t(all[off + 3])) << 24;
        off += 4;
        if (all.size() - off < n)
            throw std::runtime_error("short frame in " + path);
        out.push_back(all.substr(off, n));
        off += n;
    }
    return out;
}

/// One changeset of a dump: its hex line and its other lines (InternStrings + instructions).
struct dump_entry {
    std::string hex;
    std::vector<std::string> lines;
};

/// Parses `rc-changeset dump --all --hex` output (read as bytes: it is not always valid UTF-8).
inline std::vector<dump_entry> read_dump(const std::string& path)
{
    std::string all = read_file(path);
    std::vector<dump_entry> out;
    std::size_t pos = 0;
    while (pos < all.size()) {
        std::size_t nl = all.find('\n', pos);
        if (nl == std::string::npos)
            nl = all.size();
        std::string line = all.substr(pos, nl - pos);
        pos = nl + 1;
        if (line.rfind("# changeset ", 0) == 0)
            out.emplace_back();
        else if (line.rfind("# hex: ", 0) == 0)
            out.back().hex = line.substr(7);
        else if (line.rfind("# hex:", 0) == 0)
            out.back().hex = "";
        else if (!line.empty() && !out.empty())
            out.back().lines.push_back(line);
    }
    return out;
}

inline std::string hex(const std::string& bytes)
{
    static const char d[] = "0123456789abcdef";
    std::string s;
    for (unsigned char c : bytes) {
        s += d[c >> 4];
        s += d[c & 15];
    }
    return s;
}

/// "3F 00 01 54" (spaces optional) to bytes.
inline std::string unhex(const std::string& text)
{
    std::string out;
    int hi = -1;
    for (char c : text) {
        int v;
        if (c >= '0' && c <= '9')
            v = c - '0';
        else if (c >= 'a' && c <= 'f')
            v = c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v = c - 'A' + 10;
        else
            continue;
        if (hi < 0)
            hi = v;
        else {
            out += static_cast<char>(hi * 16 + v);
            hi = -1;
        }
    }
    if (hi >= 0)
        throw std::runtime_error("odd hex");
    return out;
}

} // namespace cs_test

#endif
