// Client→server message decoding. Input: one option byte, then the message bytes.
// Oracles: the decoder never crashes or reads out of bounds; whatever decodes re-encodes to exactly the
// input bytes (the strict grammar has one spelling per value) and decodes again to the same value;
// a compressed UPLOAD body that inflates (bounded by a small limit) rebuilds from its entries, and the
// rebuilt message (compressed again by realm-core's rule) decodes to the same entries.
// (Decoding takes one whole WebSocket message, so there is no chunking to vary.)
#include "fuzz_common.hpp"

#include <realmwire/protocol/compression.hpp>
#include <realmwire/protocol/decode.hpp>
#include <realmwire/protocol/encode.hpp>

#include <string>
#include <vector>

using namespace realmwire::protocol;

namespace {

template <class Entries>
std::vector<typename Entries::iterator::value_type> collect(const Entries& entries)
{
    return {entries.begin(), entries.end()};
}

void check_upload(upload_message m, const decode_options& opts)
{
    message_limits limits = opts.limits;
    limits.max_decompressed_size = 1u << 20;
    std::string buffer;
    std::error_code ec;
    std::string_view plain = decompress_body(m, buffer, limits, ec);
    if (ec)
        return;
    REALMWIRE_FUZZ_CHECK(plain.size() == m.uncompressed_body_size);
    std::string rebuilt;
    for (const auto& e : m.entries)
        append_entry(rebuilt, e);
    REALMWIRE_FUZZ_CHECK(rebuilt == plain);
    upload_message again = m;
    std::string scratch;
    compress_body(again, rebuilt, scratch, ec);
    REALMWIRE_FUZZ_CHECK(!ec);
    std::string wire;
    encode(again, wire, ec);
    REALMWIRE_FUZZ_CHECK(!ec);
    auto d = decode_client_message(wire, opts, ec);
    REALMWIRE_FUZZ_CHECK(!ec);
    auto& m2 = std::get<upload_message>(d);
    std::string buffer2;
    decompress_body(m2, buffer2, limits, ec);
    REALMWIRE_FUZZ_CHECK(!ec);
    REALMWIRE_FUZZ_CHECK(collect(m2.entries) == collect(m.entries));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    realmwire_fuzz::fuzz_input in(data, size);
    std::uint8_t opt = in.byte();
    decode_options opts;
    opts.mode = (opt & 1) ? sync_mode::flx : sync_mode::pbs;
    opts.allow_leading_zeros = (opt & 2) != 0;
    opts.limits.max_head_size = (opt & 4) ? 64 : 1024;
    opts.limits.max_bind_path_size = (opt & 8) ? 16 : 1024;
    std::string msg(in.rest()); // own copy: the decoder must not read past it
    std::error_code ec;
    client_message m = decode_client_message(msg, opts, ec);
    if (ec) {
        (void)realmwire::to_protocol_error_code(ec);
        return 0;
    }
    std::string bytes;
    encode(m, bytes, ec);
    REALMWIRE_FUZZ_CHECK(!ec);
    if (!opts.allow_leading_zeros)
        REALMWIRE_FUZZ_CHECK(bytes == msg);
    client_message m2 = decode_client_message(bytes, opts, ec);
    REALMWIRE_FUZZ_CHECK(!ec);
    REALMWIRE_FUZZ_CHECK(m2 == m);
    std::string bytes2;
    encode(m2, bytes2, ec);
    REALMWIRE_FUZZ_CHECK(bytes2 == bytes);
    if (auto* up = std::get_if<upload_message>(&m))
        check_upload(*up, opts);
    return 0;
}
