#ifndef REALMWIRE_TESTS_PROTOCOL_SESSION_VECTORS_HPP
#define REALMWIRE_TESTS_PROTOCOL_SESSION_VECTORS_HPP

// Test helper: the sync messages of the realm-core session captures (tests/vectors/sessions/).
// Messages are taken from the raw TCP streams (*.c2s.bin / *.s2c.bin): the HTTP head is skipped, the
// WebSocket frames are walked and client frames unmasked. The transcripts (*.json) give the decoded
// view that the tests compare against.

#include <realmwire/detail/json.hpp>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace realmwire_test {

inline std::string vectors_dir() { return REALMWIRE_VECTORS_DIR; }

inline std::string read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot open " + path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline std::string from_hex(const std::string& hex)
{
    auto nib = [](char c) -> int {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        throw std::runtime_error("bad hex");
    };
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        out.push_back(static_cast<char>(nib(hex[i]) * 16 + nib(hex[i + 1])));
    return out;
}

/// The payloads of every WebSocket data frame in a raw stream (after the HTTP head), unmasked.
/// Throws on anything but complete, unfragmented binary frames (which is all realm-core sends).
inline std::vector<std::string> websocket_payloads(const std::string& stream)
{
    std::vector<std::string> out;
    std::size_t pos = stream.find("\r\n\r\n");
    if (pos == std::string::npos)
        throw std::runtime_error("no HTTP head");
    pos += 4;
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(stream.at(i)); };
    while (pos < stream.size()) {
        unsigned b0 = byte(pos), b1 = byte(pos + 1);
        if ((b0 & 0x80) == 0 || (b0 & 0x0f) != 2)
            throw std::runtime_error("not a FIN binary frame");
        bool masked = (b1 & 0x80) != 0;
        std::uint64_t len = b1 & 0x7f;
        std::size_t p = pos + 2;
        if (len == 126) {
            len = (std::uint64_t(byte(p)) << 8) | byte(p + 1);
            p += 2;
        }
        else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; ++i)
                len = (len << 8) | byte(p + static_cast<std::size_t>(i));
            p += 8;
        }
        unsigned char key[4] = {0, 0, 0, 0};
        if (masked) {
            for (int i = 0; i < 4; ++i)
                key[i] = byte(p + static_cast<std::size_t>(i));
            p += 4;
        }
        if (p + len > stream.size())
            throw std::runtime_error("truncated frame");
        std::string payload = stream.substr(p, static_cast<std::size_t>(len));
        for (std::size_t i = 0; i < payload.size(); ++i)
            payload[i] = static_cast<char>(static_cast<unsigned char>(payload[i]) ^ key[i % 4]);
        out.push_back(std::move(payload));
        pos = p + static_cast<std::size_t>(len);
    }
    return out;
}

/// One sync message of a capture, with its transcript entry.
struct captured_message {
    std::string dir;        ///< "c2s" or "s2c"
    std::string bytes;      ///< from the raw stream
    realmwire::picojson::value sync;   ///< the transcript's decoded view
};

inline std::vector<captured_message> load_session(const std::string& name)
{
    std::string base = vectors_dir() + "/sessions/" + name;
    auto json = realmwire::detail::parse_json(read_file(base + ".json"));
    if (!json)
        throw std::runtime_error("bad transcript " + name);
    auto c2s = websocket_payloads(read_file(base + ".c2s.bin"));
    auto s2c = websocket_payloads(read_file(base + ".s2c.bin"));
    std::size_t ic = 0, is = 0;
    std::vector<captured_message> out;
    for (const auto& ev : json->get("events").get<realmwire::picojson::array>()) {
        if (ev.get("kind").get<std::string>() != "ws")
            continue;
        captured_message m;
        m.dir = ev.get("dir").get<std::string>();
        auto& src = m.dir == "c2s" ? c2s : s2c;
        auto& idx = m.dir == "c2s" ? ic : is;
        m.bytes = src.at(idx++);
        if (m.bytes != from_hex(ev.get("payload_hex").get<std::string>()))
            throw std::runtime_error("raw stream and transcript disagree in " + name);
        m.sync = ev.get("sync");
        out.push_back(std::move(m));
    }
    if (ic != c2s.size() || is != s2c.size())
        throw std::runtime_error("frames without transcript events in " + name);
    return out;
}

/// The framed changesets file (uint32 LE length + bytes per changeset).
inline std::vector<std::string> load_changesets(const std::string& name)
{
    std::string data = read_file(vectors_dir() + "/sessions/" + name + ".changesets.bin");
    std::vector<std::string> out;
    std::size_t p = 0;
    while (p + 4 <= data.size()) {
        std::uint32_t n = 0;
        for (int i = 3; i >= 0; --i)
            n = (n << 8) | static_cast<unsigned char>(data[p + static_cast<std::size_t>(i)]);
        out.push_back(data.substr(p + 4, n));
        p += 4 + n;
    }
    return out;
}

inline const std::vector<std::string>& session_names()
{
    static const std::vector<std::string> names = {"a-write5", "b-download5", "c-download-compressed",
                                                   "c-upload-compressed", "d-max-protocol-10", "f-bad-bind-path"};
    return names;
}

} // namespace realmwire_test

#endif
