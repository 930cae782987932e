// The client connection fed arbitrary server bytes, transport outcomes and time, with the in-memory
// client store of the endpoint tests. Everything a server sends reaches this state machine, so every
// byte here is hostile.
//
// Input: one config byte (dialect, whether the store already has a file ident, number of sessions,
// whether the store holds a local changeset), then records
//   op(1) len_lo(1) len_hi(1) bytes[len]
// op % 8: 0 = receive the bytes as one server message, 1 = drain the client's output,
//         2 = advance time by `len` seconds and run the timer, 3 = the transport closed with close
//         code `len`, 4 = connect if the connection wants to (negotiated version 1..14 from len),
//         5 = a connection attempt failed with HTTP status `len`, 6 = refresh the token,
//         7 = session calls (add, remove, local changes, upload/download completion) by len % 5.
// Oracles: no crash or sanitizer report; everything the client writes decodes as a client message
// at the negotiated version; next_deadline() is never before a time on_timer() just ran at, unless
// there is output waiting; events and output stay bounded.
#include "fuzz_common.hpp"

#include "../tests/endpoint/memory_backend.hpp"

#include <realmwire/endpoint/client_connection.hpp>
#include <realmwire/protocol/decode.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

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

/// Drains at most `max` messages; each must decode as a client message.
void drain(client_connection& c, time_point now, int max)
{
    rp::decode_options opts;
    opts.mode = c.config().dialect == realmwire::dialect_id::mongodb_flx ? rp::sync_mode::flx : rp::sync_mode::pbs;
    opts.protocol_version = c.protocol_version();
    for (int i = 0; i < max; ++i) {
        auto out = c.next_output(now);
        if (!out)
            break;
        std::error_code ec;
        rp::decode_client_message(*out, opts, ec);
        REALMWIRE_FUZZ_CHECK(!ec);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size < 1)
        return 0;
    const std::uint8_t config_byte = data[0];
    client_connection_config cfg;
    cfg.dialect = dialect_of(config_byte);
    cfg.token = "fuzz-token";
    cfg.limits.max_decompressed_size = 1 << 20;
    cfg.max_upload_bytes = 64;

    const int store_count = 1 + ((config_byte >> 3) & 1);
    std::vector<std::unique_ptr<realmwire_test::memory_store>> stores;
    for (int i = 0; i < store_count; ++i) {
        auto st = std::make_unique<realmwire_test::memory_store>();
        if (config_byte & 0x04)
            st->ident = salted_file_ident{2 + std::uint64_t(i), 1234};
        if (config_byte & 0x10)
            st->write(std::string("\x3f\x01" "T", 3));
        stores.push_back(std::move(st));
    }

    time_point now = time_point{} + std::chrono::hours(1000);
    client_connection conn(cfg, now);
    const bool flx = cfg.dialect == realmwire::dialect_id::mongodb_flx;
    for (auto& st : stores)
        conn.add_session({flx ? std::string() : std::string("/fuzz"), st.get(), std::nullopt});
    std::size_t events = 0;

    std::size_t pos = 1;
    while (pos + 3 <= size) {
        const std::uint8_t op = data[pos];
        std::size_t len = data[pos + 1] | (std::size_t(data[pos + 2]) << 8);
        pos += 3;
        const std::size_t value = len;
        if (len > size - pos)
            len = size - pos;
        std::string_view bytes(reinterpret_cast<const char*>(data) + pos, len);
        switch (op & 7) {
            case 0:
                pos += len;
                conn.receive(bytes, now);
                break;
            case 1: drain(conn, now, 64); break;
            case 2:
                now += std::chrono::seconds(value);
                conn.on_timer(now);
                if (auto d = conn.next_deadline(); d && conn.current_state() == client_connection::state::connected)
                    REALMWIRE_FUZZ_CHECK(*d > now || conn.next_output(now)); // a due deadline has produced work
                break;
            case 3: conn.on_closed(now, static_cast<std::uint16_t>(value)); break;
            case 4:
                if (conn.wants_connect(now)) {
                    conn.on_connecting(now);
                    conn.on_connected(now, 1 + int(value % 14));
                }
                break;
            case 5:
                if (conn.current_state() == client_connection::state::disconnected && conn.wants_connect(now))
                    conn.on_connecting(now);
                conn.on_connect_failed(now, std::make_error_code(std::errc::connection_refused), int(value % 600));
                break;
            case 6: conn.refresh_token("fuzz-token-" + std::to_string(value), now, (value & 1) ? 1 : 0); break;
            case 7: {
                const std::uint64_t ident = 1 + (value >> 3) % 3;
                switch (value % 5) {
                    case 0: conn.remove_session(ident); break;
                    case 1:
                        if (auto* st = stores[ident % stores.size()].get())
                            st->write(std::string("\x3f\x01" "T", 3));
                        conn.notify_local_changes(ident);
                        break;
                    case 2: conn.request_upload_completion(ident); break;
                    case 3: conn.request_download_completion(ident); break;
                    default: break;
                }
                break;
            }
        }
        if (conn.close_requested()) // the driver closes the transport; no on_closed() for it
            conn.close_done();
        events += conn.take_events().size();
        REALMWIRE_FUZZ_CHECK(events < 1000000);
    }
    drain(conn, now, 100000);
    return 0;
}
