// Client→server message decoding. Input: one option byte, then the message bytes.
// Oracles: the decoder never crashes or reads out of bounds; whatever decodes re-encodes to exactly the
// input bytes (the strict grammar has one spelling per value) and decodes again to the same value;
// a compressed UPLOAD body that inflates (bounded by a small limit) rebuilds from its entries, and the
// rebuilt message (compressed again by realm-core's rule) decodes to the same entries.
// (Decoding takes one whole WebSocket message, so there is no chunking to vary.)
#include "fuzz_message_common.hpp"

#include <string>

using namespace realmwire::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    realmwire_fuzz::fuzz_input in(data, size);
    std::uint8_t opt = in.byte();
    decode_options opts = realmwire_fuzz::base_options(opt);
    opts.limits.max_head_size = (opt & 4) ? 64 : 1024;
    opts.limits.max_bind_path_size = (opt & 8) ? 16 : 1024;
    std::string msg(in.rest()); // own copy: the decoder must not read past it
    auto m = realmwire_fuzz::check_round_trip<client_message>(
        msg, opts, [&](const client_message&) { return !opts.allow_leading_zeros; });
    if (!m)
        return 0;
    if (auto* up = std::get_if<upload_message>(&*m))
        realmwire_fuzz::check_compressed_body<client_message>(*up, opts, [](const upload_entry&) {});
    return 0;
}
