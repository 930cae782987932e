#ifndef REALMWIRE_FUZZ_MESSAGE_COMMON_HPP
#define REALMWIRE_FUZZ_MESSAGE_COMMON_HPP

// Shared oracles of the protocol message fuzz targets (fuzz_message_client, fuzz_message_server):
// the two directions differ only in their message variant, the message carrying a changeset body
// (UPLOAD, DOWNLOAD) and what counts as an exact spelling.

#include "fuzz_common.hpp"

#include <realmwire/protocol/compression.hpp>
#include <realmwire/protocol/decode.hpp>
#include <realmwire/protocol/encode.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

namespace realmwire_fuzz {

/// The options both targets take from the option byte: bit 0 FLX, bit 1 leading zeros allowed.
inline realmwire::protocol::decode_options base_options(std::uint8_t opt)
{
    realmwire::protocol::decode_options opts;
    opts.mode = (opt & 1) ? realmwire::protocol::sync_mode::flx : realmwire::protocol::sync_mode::pbs;
    opts.allow_leading_zeros = (opt & 2) != 0;
    return opts;
}

template <class Variant>
Variant decode_as(std::string_view msg, const realmwire::protocol::decode_options& opts, std::error_code& ec)
{
    static_assert(std::is_same_v<Variant, realmwire::protocol::client_message> ||
                      std::is_same_v<Variant, realmwire::protocol::server_message>,
                  "decode_as: Variant must be client_message or server_message");
    if constexpr (std::is_same_v<Variant, realmwire::protocol::client_message>)
        return realmwire::protocol::decode_client_message(msg, opts, ec);
    else
        return realmwire::protocol::decode_server_message(msg, opts, ec);
}

/// decode → encode → decode → encode: the value survives, the second encoding repeats the first, and
/// where exact(message) holds the first encoding reproduces the input. Nothing when msg does not decode.
template <class Variant, class Exact>
std::optional<Variant> check_round_trip(const std::string& msg, const realmwire::protocol::decode_options& opts,
                                        Exact exact)
{
    std::error_code ec;
    Variant m = decode_as<Variant>(msg, opts, ec);
    if (ec) {
        (void)realmwire::to_protocol_error_code(ec);
        return std::nullopt;
    }
    std::string bytes;
    realmwire::protocol::encode(m, bytes, ec);
    REALMWIRE_FUZZ_CHECK(!ec);
    if (exact(m))
        REALMWIRE_FUZZ_CHECK(bytes == msg);
    Variant m2 = decode_as<Variant>(bytes, opts, ec);
    REALMWIRE_FUZZ_CHECK(!ec);
    REALMWIRE_FUZZ_CHECK(m2 == m);
    std::string bytes2;
    realmwire::protocol::encode(m2, bytes2, ec);
    REALMWIRE_FUZZ_CHECK(bytes2 == bytes);
    return m;
}

template <class Entries>
std::vector<typename Entries::iterator::value_type> collect(const Entries& entries)
{
    return {entries.begin(), entries.end()};
}

/// A body that inflates (bounded by a small limit) rebuilds from its entries (each passing
/// check_entry), and the rebuilt message, compressed again by realm-core's rule, encodes and decodes
/// to the same entries.
template <class Variant, class Message, class EntryCheck>
void check_compressed_body(Message m, const realmwire::protocol::decode_options& opts, EntryCheck check_entry)
{
    using namespace realmwire::protocol;
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
        check_entry(e);
        append_entry(rebuilt, e);
    }
    REALMWIRE_FUZZ_CHECK(rebuilt == plain);
    Message again = m;
    std::string scratch;
    compress_body(again, rebuilt, scratch, ec);
    REALMWIRE_FUZZ_CHECK(!ec);
    std::string wire;
    encode(again, wire, ec);
    REALMWIRE_FUZZ_CHECK(!ec);
    Variant d = decode_as<Variant>(wire, opts, ec);
    REALMWIRE_FUZZ_CHECK(!ec);
    auto& m2 = std::get<Message>(d);
    std::string buffer2;
    decompress_body(m2, buffer2, limits, ec);
    REALMWIRE_FUZZ_CHECK(!ec);
    REALMWIRE_FUZZ_CHECK(collect(m2.entries) == collect(m.entries));
}

} // namespace realmwire_fuzz

#endif
