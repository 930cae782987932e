// Server→client message decoding. Input: one option byte, then the message bytes.
// Oracles as for fuzz_message_client: no crash, decode → encode → decode gives the same value, the
// bytes are reproduced exactly (except an FLX progress estimate, whose decimal spelling is free), and a
// DOWNLOAD body that inflates rebuilds from its entries and survives compress → encode → decode.
#include "fuzz_common.hpp"

#include <realmwire/protocol/compression.hpp>
#include <realmwire/protocol/decode.hpp>
#include <realmwire/protocol/encode.hpp>

#include <string>
#include <vector>

using namespace realmwire::protocol;

namespace {

void check_download(download_message m, const decode_options& opts)
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
    for (const auto& e : m.entries) {
        REALMWIRE_FUZZ_CHECK(e.server_version != 0);
        append_entry(rebuilt, e);
    }
    REALMWIRE_FUZZ_CHECK(rebuilt == plain);
    download_message again = m;
    std::string scratch;
    compress_body(again, rebuilt, scratch, ec);
    REALMWIRE_FUZZ_CHECK(!ec);
    std::string wire;
    encode(again, wire, ec);
    REALMWIRE_FUZZ_CHECK(!ec);
    auto d = decode_server_message(wire, opts, ec);
    REALMWIRE_FUZZ_CHECK(!ec);
    auto& m2 = std::get<download_message>(d);
    std::string buffer2;
    decompress_body(m2, buffer2, limits, ec);
    REALMWIRE_FUZZ_CHECK(!ec);
    REALMWIRE_FUZZ_CHECK(std::vector<download_entry>(m2.entries.begin(), m2.entries.end()) ==
                         std::vector<download_entry>(m.entries.begin(), m.entries.end()));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    realmwire_fuzz::fuzz_input in(data, size);
    std::uint8_t opt = in.byte();
    decode_options opts;
    opts.mode = (opt & 1) ? sync_mode::flx : sync_mode::pbs;
    opts.allow_leading_zeros = (opt & 2) != 0;
    opts.allow_unknown_error_codes = (opt & 4) != 0;
    static const int versions[] = {14, 13, 11, 2};
    opts.protocol_version = versions[(opt >> 3) & 3];
    std::string msg(in.rest());
    std::error_code ec;
    server_message m = decode_server_message(msg, opts, ec);
    if (ec) {
        (void)realmwire::to_protocol_error_code(ec);
        return 0;
    }
    std::string bytes;
    encode(m, bytes, ec);
    REALMWIRE_FUZZ_CHECK(!ec);
    auto* dl = std::get_if<download_message>(&m);
    if (!opts.allow_leading_zeros && !(dl && dl->form == download_form::flx))
        REALMWIRE_FUZZ_CHECK(bytes == msg);
    server_message m2 = decode_server_message(bytes, opts, ec);
    REALMWIRE_FUZZ_CHECK(!ec);
    REALMWIRE_FUZZ_CHECK(m2 == m);
    std::string bytes2;
    encode(m2, bytes2, ec);
    REALMWIRE_FUZZ_CHECK(bytes2 == bytes);
    if (dl)
        check_download(*dl, opts);
    return 0;
}
