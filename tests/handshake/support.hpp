#ifndef REALMWIRE_TESTS_HANDSHAKE_SUPPORT_HPP
#define REALMWIRE_TESTS_HANDSHAKE_SUPPORT_HPP

// Shared by the handshake tests: reading the session vectors and pulling the random inputs (key, relay
// port) out of them, so a rebuilt request can be compared byte for byte.

#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace handshake_test {

inline std::string read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot open " + path);
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline std::string vector_path(const std::string& rel) { return std::string(REALMWIRE_VECTORS_DIR) + "/" + rel; }

inline std::string session(const std::string& name, const std::string& suffix)
{
    return read_file(vector_path("sessions/" + name + "." + suffix));
}

inline std::string admin_token() { return read_file(vector_path("tokens/admin.token")); }

/// The value of header `name` in raw request/response bytes (exact case, first occurrence).
inline std::string raw_header(std::string_view bytes, std::string_view name)
{
    std::string needle = "\r\n" + std::string(name) + ": ";
    auto pos = bytes.find(needle);
    if (pos == std::string_view::npos)
        return {};
    pos += needle.size();
    auto end = bytes.find("\r\n", pos);
    return std::string(bytes.substr(pos, end - pos));
}

/// The example upgrade request of Realm's ROS proxy guide (docs.realm.io): legacy_ros, headers sorted,
/// token "...", the RFC 6455 sample key.
inline const std::string guide_request = "GET /realm-sync/%2Fb920bd7068ef2b470ff4226e0e85716a%2Ffoo HTTP/1.1\r\n"
                                        "Authorization: Realm-Access-Token version=1 token=\"...\"\r\n"
                                        "Connection: Upgrade\r\n"
                                        "Host: myROS.internal.com\r\n"
                                        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                                        "Sec-WebSocket-Protocol: io.realm.sync.22\r\n"
                                        "Sec-WebSocket-Version: 13\r\n"
                                        "Upgrade: websocket\r\n"
                                        "\r\n";

inline const std::vector<std::string>& session_names()
{
    static const std::vector<std::string> names{"a-write5",           "b-download5",        "c-download-compressed",
                                                "c-upload-compressed", "d-max-protocol-10", "e-wrong-prefix-404",
                                                "f-bad-bind-path"};
    return names;
}

} // namespace handshake_test

#endif
