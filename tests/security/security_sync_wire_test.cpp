// Wire-level findings: WebSocket mask keys (RFC 6455 §5.3: a strong source of entropy) and log lines
// that name the client's address (and never its token).

#include "security_sync_support.hpp"

#include <catch2/catch.hpp>

#include <array>
#include <cmath>
#include <mutex>
#include <set>

using namespace realmwire;
using namespace rw_sec;

namespace {

/// The mask keys of every frame in `bytes` (client frames, as sent).
std::vector<websocket::mask_key> mask_keys(std::string_view bytes)
{
    std::vector<websocket::mask_key> keys;
    std::size_t at = 0;
    while (at + 6 <= bytes.size()) {
        auto b1 = static_cast<std::uint8_t>(bytes[at + 1]);
        REQUIRE((b1 & 0x80) != 0); // a client frame is always masked
        std::uint64_t len = b1 & 0x7F;
        std::size_t head = 2;
        if (len == 126) {
            len = (std::uint64_t(static_cast<std::uint8_t>(bytes[at + 2])) << 8) | static_cast<std::uint8_t>(bytes[at + 3]);
            head = 4;
        }
        else if (len == 127) {
            len = 0;
            for (int i = 0; i < 8; ++i)
                len = (len << 8) | static_cast<std::uint8_t>(bytes[at + 2 + static_cast<std::size_t>(i)]);
            head = 10;
        }
        websocket::mask_key k;
        for (std::size_t i = 0; i < 4; ++i)
            k[i] = static_cast<std::uint8_t>(bytes[at + head + i]);
        keys.push_back(k);
        at += head + 4 + static_cast<std::size_t>(len);
    }
    REQUIRE(at == bytes.size());
    return keys;
}

/// Distinct keys and every bit set about half of the time (5 sigma): what a constant, counter or
/// low-entropy source fails.
void check_keys_look_random(const std::vector<websocket::mask_key>& keys)
{
    std::set<std::uint32_t> distinct;
    std::array<std::size_t, 32> ones{};
    for (const auto& k : keys) {
        std::uint32_t v = std::uint32_t(k[0]) | std::uint32_t(k[1]) << 8 | std::uint32_t(k[2]) << 16 | std::uint32_t(k[3]) << 24;
        distinct.insert(v);
        for (std::size_t b = 0; b < 32; ++b)
            ones[b] += (v >> b) & 1;
    }
    CHECK(distinct.size() + 2 >= keys.size()); // 32-bit birthday collisions: ~0.001 expected here
    const double n = static_cast<double>(keys.size());
    const double sigma = std::sqrt(n) / 2;
    for (std::size_t b = 0; b < 32; ++b) {
        INFO("bit " << b);
        CHECK(std::abs(static_cast<double>(ones[b]) - n / 2) < 5 * sigma);
    }
}

} // namespace

TEST_CASE("sync finding 12: mask keys come from OpenSSL's CSPRNG, batched")
{
    websocket::csprng_mask_keys source;
    std::vector<websocket::mask_key> keys;
    for (std::size_t i = 0; i < 4 * websocket::csprng_mask_keys::batch + 3; ++i) // several refills
        keys.push_back(source.next());
    check_keys_look_random(keys);

    // Two encoders never share a key stream (a per-process seed would repeat across encoders).
    websocket::encoder a(websocket::role::client), b(websocket::role::client);
    std::string fa, fb;
    a.message(fa, "x");
    b.message(fb, "x");
    CHECK(mask_keys(fa).front() != mask_keys(fb).front());
}

TEST_CASE("sync finding 12: the frames a client sends over loopback carry fresh keys")
{
    reference::server_config cfg;
    reference::server srv(cfg);
    srv.start();
    std::string token = token_of(srv, "alice", auth::token_kind::access);
    raw_client c;
    REQUIRE(c.open(srv.port()));
    REQUIRE(c.upgrade(dialects::mongodb_pbs, token) == 101);
    c.keep_sent(true);
    for (int i = 0; i < 2000; ++i) {
        protocol::ping_message p;
        p.timestamp = static_cast<std::uint64_t>(i);
        p.rtt = 0;
        c.send_msg(p);
    }
    std::size_t pongs = 0;
    while (pongs < 2000) {
        auto m = c.next(3s);
        if (!m)
            break;
        pongs += std::holds_alternative<protocol::pong_message>(*m);
    }
    CHECK(pongs == 2000); // the server unmasked every one
    auto keys = mask_keys(c.sent());
    REQUIRE(keys.size() == 2000);
    check_keys_look_random(keys);
    srv.stop();
}

TEST_CASE("sync finding 13a: log lines name the client's address and never its token")
{
    std::mutex m;
    std::vector<std::string> lines;
    reference::server_config cfg;
    reference::server_services svc;
    svc.log = [&](const std::string& s) {
        std::lock_guard<std::mutex> lock(m);
        lines.push_back(s);
    };
    reference::server srv(cfg, svc);
    srv.start();
    std::string refresh = token_of(srv, "eve", auth::token_kind::refresh);
    std::string access = token_of(srv, "eve", auth::token_kind::access, std::string("/eve/r"));
    {
        raw_client c; // a refused handshake
        REQUIRE(c.open(srv.port(), "127.0.0.5"));
        CHECK(c.upgrade(dialects::mongodb_pbs, refresh) == 403);
    }
    {
        raw_client c; // a session error
        REQUIRE(c.open(srv.port(), "127.0.0.6"));
        REQUIRE(c.upgrade(dialects::mongodb_pbs, access) == 101);
        CHECK_FALSE(c.bind_new(1, "/someone-else/r"));
    }
    srv.stop();
    std::lock_guard<std::mutex> lock(m);
    bool refused = false, session = false;
    for (const auto& l : lines) {
        INFO(l);
        refused |= l.rfind("[127.0.0.5:", 0) == 0 && l.find("handshake refused") != std::string::npos;
        session |= l.rfind("[127.0.0.6:", 0) == 0 && l.find("sync error") != std::string::npos;
        CHECK(l.find(refresh) == std::string::npos);
        CHECK(l.find(access) == std::string::npos);
        CHECK(l.find(access.substr(0, 20)) == std::string::npos);
    }
    CHECK(refused);
    CHECK(session);
}

TEST_CASE("docs/security.md: the example configures limits and serves")
{
    rw_ref_test::temp_dir dir;
    // --- as in docs/security.md (data_dir a temp dir here) ---
    realmwire::reference::server_config cfg;
    cfg.data_dir = dir.str();
    cfg.limits.max_connections_per_user = 8;      // a mobile app: a few devices per user
    cfg.limits.max_upload_size = 4u * 1024 * 1024;
    cfg.limits.max_realm_bytes = 256u * 1024 * 1024;
    realmwire::reference::server srv(cfg);
    srv.start();
    // ---
    CHECK(srv.config().limits.max_connections_per_user == 8);
    CHECK(good_client_syncs(srv, token_of(srv, "alice", auth::token_kind::access), "/alice/r"));
    srv.stop();
}
