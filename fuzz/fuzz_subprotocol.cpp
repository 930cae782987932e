// Sec-WebSocket-Protocol parsing (server) and the echo check (client): never crashes, never returns an
// invalid range, and what it parses re-parses to the same ranges; the chosen version lies in both the
// offer and the server's range; an accepted echo is exactly `<prefix><version>`.
#include "fuzz_common.hpp"

#include <realmwire/dialect/dialect.hpp>
#include <realmwire/handshake/subprotocol.hpp>

#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace realmwire;
    realmwire_fuzz::fuzz_input in(data, size);
    int server_min = in.byte() % 32;
    int server_max = server_min + in.byte() % 32;
    std::string_view value = in.rest();

    std::vector<std::string_view> prefixes;
    for (const dialect* d : dialects::all)
        prefixes.push_back(d->subprotocol_prefix);

    std::error_code ec;
    auto offers = parse_offer(value, prefixes, ec);
    if (ec) {
        REALMWIRE_FUZZ_CHECK(offers.empty());
        REALMWIRE_FUZZ_CHECK(ec == handshake_error::malformed_subprotocol || ec == handshake_error::too_many_subprotocols);
    }
    std::string again;
    for (const auto& o : offers) {
        REALMWIRE_FUZZ_CHECK(o.prefix_index < prefixes.size());
        REALMWIRE_FUZZ_CHECK(o.versions.valid());
        if (!again.empty())
            again += ", ";
        again += std::string(prefixes[o.prefix_index]) + std::to_string(o.versions.min) + "-" +
                 std::to_string(o.versions.max);
    }
    if (!ec) {
        std::error_code ec2;
        auto reparsed = parse_offer(again, prefixes, ec2);
        REALMWIRE_FUZZ_CHECK(!ec2);
        REALMWIRE_FUZZ_CHECK(reparsed.size() == offers.size());
        for (std::size_t i = 0; i < offers.size(); ++i) {
            REALMWIRE_FUZZ_CHECK(reparsed[i].prefix_index == offers[i].prefix_index);
            REALMWIRE_FUZZ_CHECK(reparsed[i].versions == offers[i].versions);
        }
        for (std::size_t p = 0; p < prefixes.size(); ++p) {
            auto v = choose_version(offers, p, {server_min, server_max});
            if (!v)
                continue;
            REALMWIRE_FUZZ_CHECK(*v >= server_min && *v <= server_max);
            bool inside = false;
            for (const auto& o : offers)
                inside = inside || (o.prefix_index == p && o.versions.contains(*v));
            REALMWIRE_FUZZ_CHECK(inside);
        }
    }

    for (auto prefix : prefixes) {
        std::error_code eec;
        int v = check_echo(value, prefix, {server_min, server_max}, eec);
        if (!eec) {
            REALMWIRE_FUZZ_CHECK(value == make_subprotocol(prefix, v));
            REALMWIRE_FUZZ_CHECK(v >= server_min && v <= server_max);
        }
    }
    return 0;
}
