// The server connection fed arbitrary client message sequences after a valid handshake, with the
// trivial in-memory backend of the endpoint tests.
//
// Input: one config byte (dialect, protocol version, batch cap), then records
//   op(1) len_lo(1) len_hi(1) bytes[len]
// op % 4: 0 = receive the bytes as one message, 1 = drain the output, 2 = notify "/a" changed,
//         3 = advance time by `len` seconds and run the timer.
// Oracles: no crash or sanitizer report; after the sequence a good client's BIND and IDENT on a
// fresh session are still answered (server IDENT, then a DOWNLOAD) — on the same connection when it
// is still open, else on a new connection over the same backend (the backend was not corrupted).
#include "fuzz_common.hpp"

#include "../tests/endpoint/memory_backend.hpp"

#include <realmwire/endpoint/server_connection.hpp>
#include <realmwire/protocol/decode.hpp>
#include <realmwire/protocol/encode.hpp>

#include <chrono>
#include <memory>
#include <string>

using namespace realmwire::endpoint;
namespace rp = realmwire::protocol;

namespace {

realmwire::dialect_id dialect_of(std::uint8_t b)
{
    switch (b & 3) {
        case 0: return realmwire::dialect_id::mongodb_pbs;
        case 1: return realmwire::dialect_id::legacy_ros;
        case 2: return realmwire::dialect_id::realm_sync_2020;
        default: return realmwire::dialect_id::mongodb_flx;
    }
}

/// Runs a good client's BIND + IDENT on a fresh session; true when both were answered.
bool good_client_answered(server_connection& c, time_point now)
{
    std::uint64_t ident = (std::uint64_t(1) << 62) + 1;
    while (c.has_session(ident))
        ++ident;
    const bool flx = c.config().dialect == realmwire::dialect_id::mongodb_flx;
    rp::bind_message b;
    b.session_ident = ident;
    b.path = flx ? std::string_view() : std::string_view("/oracle");
    b.need_client_file_ident = true;
    c.receive(rp::encode(b), now);
    rp::decode_options opts;
    opts.mode = flx ? rp::sync_mode::flx : rp::sync_mode::pbs;
    opts.protocol_version = c.config().protocol_version;
    opts.allow_unknown_error_codes = true;
    std::optional<rp::server_ident_message> si;
    while (auto out = c.next_output(now)) {
        std::error_code ec;
        auto m = rp::decode_server_message(*out, opts, ec);
        REALMWIRE_FUZZ_CHECK(!ec); // everything the server writes decodes
        if (auto* p = std::get_if<rp::server_ident_message>(&m); p && p->session_ident == ident)
            si = *p;
    }
    if (!si)
        return false;
    rp::client_ident_message im;
    im.session_ident = ident;
    im.client_file_ident = si->client_file_ident;
    im.client_file_ident_salt = si->client_file_ident_salt;
    im.has_query = flx;
    c.receive(rp::encode(im), now);
    bool download = false;
    while (auto out = c.next_output(now)) {
        std::error_code ec;
        auto m = rp::decode_server_message(*out, opts, ec);
        REALMWIRE_FUZZ_CHECK(!ec);
        if (auto* p = std::get_if<rp::download_message>(&m); p && p->session_ident == ident)
            download = true;
    }
    return download;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1)
        return 0;
    realmwire_test::memory_backend backend;
    server_connection_config cfg;
    cfg.dialect = dialect_of(data[0]);
    cfg.protocol_version = 8 + ((data[0] >> 2) & 7); // 8..15 → clamp below
    if (cfg.protocol_version > 14)
        cfg.protocol_version = 14;
    cfg.max_download_body = (data[0] & 0x20) ? 16 : 128 * 1024;
    cfg.log_message_on_connect = (data[0] & 0x40) != 0;
    cfg.idle_timeout = std::chrono::seconds(60);
    cfg.limits.max_decompressed_size = 1 << 20;
    time_point now = time_point{} + std::chrono::hours(1);
    auto conn = std::make_unique<server_connection>(backend, cfg, now);

    rp::decode_options out_opts;
    out_opts.mode = cfg.dialect == realmwire::dialect_id::mongodb_flx ? rp::sync_mode::flx : rp::sync_mode::pbs;
    out_opts.protocol_version = cfg.protocol_version;
    out_opts.allow_unknown_error_codes = true;

    std::size_t pos = 1;
    while (pos + 3 <= size) {
        std::uint8_t op = data[pos];
        std::size_t len = data[pos + 1] | (std::size_t(data[pos + 2]) << 8);
        pos += 3;
        if (len > size - pos)
            len = size - pos;
        std::string_view bytes(reinterpret_cast<const char*>(data) + pos, len);
        pos += len;
        switch (op & 3) {
            case 0: conn->receive(bytes, now); break;
            case 1:
                for (int i = 0; i < 64; ++i) {
                    auto out = conn->next_output(now);
                    if (!out)
                        break;
                    std::error_code ec;
                    rp::decode_server_message(*out, out_opts, ec);
                    REALMWIRE_FUZZ_CHECK(!ec);
                }
                break;
            case 2: conn->notify_realm_changed("/a"); break;
            case 3:
                now += std::chrono::seconds(len);
                conn->on_timer(now);
                break;
        }
        conn->take_events();
    }
    // drain what is left (bounded: every DOWNLOAD advances the cursor)
    for (int i = 0; i < 100000 && conn->next_output(now); ++i) {
    }
    if (!conn->should_close()) {
        REALMWIRE_FUZZ_CHECK(good_client_answered(*conn, now));
    }
    else {
        server_connection fresh(backend, cfg, now);
        REALMWIRE_FUZZ_CHECK(good_client_answered(fresh, now));
    }
    return 0;
}
