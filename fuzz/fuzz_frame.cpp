// The WebSocket frame decoder fed in fuzzer-chosen chunks. Oracles:
//  * never crashes, never reads out of bounds, never buffers more than the message limit;
//  * the events and the error are the same however the bytes are cut (one chunk vs. many);
//  * every event's payload re-encodes and decodes to the same event (encoder/decoder agree).
#include "fuzz_common.hpp"

#include <realmwire/websocket/decoder.hpp>
#include <realmwire/websocket/encoder.hpp>

#include <string>
#include <vector>

namespace {

using namespace realmwire::websocket;

struct seen {
    event_kind kind;
    std::string payload;
    std::uint16_t code;
    bool operator==(const seen& o) const { return kind == o.kind && payload == o.payload && code == o.code; }
};

template <class NextChunk>
std::vector<seen> run(role self, decoder_limits limits, std::string_view wire, NextChunk next_chunk,
                      std::error_code& ec)
{
    decoder d(self, limits);
    std::vector<seen> out;
    while (!wire.empty()) {
        std::string_view piece = wire.substr(0, std::min(next_chunk(), wire.size()));
        wire.remove_prefix(piece.size());
        while (!piece.empty()) {
            std::size_t n = d.feed(piece, ec);
            REALMWIRE_FUZZ_CHECK(n <= piece.size());
            if (ec)
                return out;
            piece.remove_prefix(n);
            if (d.has_event()) {
                const auto& e = d.event();
                // Messages respect the limit; control payloads (≤ 125 bytes) are outside it.
                const bool message = e.kind == event_kind::text || e.kind == event_kind::binary;
                REALMWIRE_FUZZ_CHECK(e.payload.size() <= (message ? limits.max_message_size : max_control_payload));
                out.push_back({e.kind, std::string(e.payload), e.close_code});
            }
            else {
                REALMWIRE_FUZZ_CHECK(piece.empty());
            }
        }
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    realmwire_fuzz::fuzz_input in(data, size);
    const std::uint8_t flags = in.byte();
    const role self = (flags & 1) ? role::server : role::client;
    decoder_limits limits;
    limits.max_message_size = (flags & 2) ? std::size_t{1} << ((flags >> 2) & 15) : limits.max_message_size;
    limits.validate_text_utf8 = (flags & 0x40) == 0;
    std::uint8_t pattern[8];
    for (auto& p : pattern)
        p = in.byte();
    const std::string_view wire = in.rest();

    std::error_code ec_whole;
    auto whole = run(self, limits, wire, [&] { return wire.size(); }, ec_whole);

    std::size_t i = 0;
    std::error_code ec_cut;
    auto cut = run(self, limits, wire, [&] { return std::size_t{pattern[i++ & 7]} % 32 + 1; }, ec_cut);
    REALMWIRE_FUZZ_CHECK(whole == cut);
    REALMWIRE_FUZZ_CHECK(ec_whole == ec_cut);

    // Re-encode what was decoded, as the peer would send it, and decode it again.
    const role peer = self == role::client ? role::server : role::client;
    encoder enc(peer, [] { return mask_key{0xA5, 0x5A, 0x01, 0xFE}; });
    std::string again;
    for (const auto& e : whole) {
        switch (e.kind) {
            case event_kind::text: enc.message(again, e.payload, opcode::text); break;
            case event_kind::binary: enc.message(again, e.payload, opcode::binary); break;
            case event_kind::ping: enc.ping(again, e.payload); break;
            case event_kind::pong: enc.pong(again, e.payload); break;
            case event_kind::close:
                if (e.code == 1005)
                    enc.close_empty(again);
                else
                    enc.close(again, e.code, e.payload);
                break;
            case event_kind::none: REALMWIRE_FUZZ_CHECK(false);
        }
    }
    std::error_code ec_again;
    auto redecoded = run(self, limits, again, [&] { return std::size_t{7}; }, ec_again);
    REALMWIRE_FUZZ_CHECK(!ec_again);
    REALMWIRE_FUZZ_CHECK(redecoded == whole);
    return 0;
}
