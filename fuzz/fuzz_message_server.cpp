// Server→client message decoding. Input: one option byte, then the message bytes.
// Oracles as for fuzz_message_client: no crash, decode → encode → decode gives the same value, the
// bytes are reproduced exactly (except an FLX progress estimate, whose decimal spelling is free), and a
// DOWNLOAD body that inflates rebuilds from its entries and survives compress → encode → decode.
#include "fuzz_message_common.hpp"

#include <string>

using namespace realmwire::protocol;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    realmwire_fuzz::fuzz_input in(data, size);
    std::uint8_t opt = in.byte();
    decode_options opts = realmwire_fuzz::base_options(opt);
    opts.allow_unknown_error_codes = (opt & 4) != 0;
    static const int versions[] = {14, 13, 11, 2};
    opts.protocol_version = versions[(opt >> 3) & 3];
    std::string msg(in.rest());
    auto m = realmwire_fuzz::check_round_trip<server_message>(msg, opts, [&](const server_message& v) {
        auto* dl = std::get_if<download_message>(&v);
        return !opts.allow_leading_zeros && !(dl && dl->form == download_form::flx);
    });
    if (!m)
        return 0;
    if (auto* dl = std::get_if<download_message>(&*m))
        realmwire_fuzz::check_compressed_body<server_message>(
            *dl, opts, [](const download_entry& e) { REALMWIRE_FUZZ_CHECK(e.server_version != 0); });
    return 0;
}
