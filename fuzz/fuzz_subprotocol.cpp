// Sec-WebSocket-Protocol parsing (server) and the echo check (client): never crashes, never returns an
// invalid range, and what it parses re-parses to the same ranges; the chosen version lies in both the
// offer and the server's range; an accepted echo is exactly `<prefix><version>`. The parser (one
// forward pass) gives what the plain reading of the rule gives — split on ',', trim LWS, first
// matching prefix, a strict decimal or range — also for prefixes that hold ',' or LWS.
#include "fuzz_common.hpp"

#include <realmwire/dialect/dialect.hpp>
#include <realmwire/handshake/subprotocol.hpp>

#include <string>
#include <vector>

namespace {

using namespace realmwire;

bool is_lws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

bool strict_number(std::string_view s, int max, int& out)
{
    if (s.empty())
        return false;
    long long v = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
        if (v > max)
            return false;
    }
    out = static_cast<int>(v);
    return true;
}

/// The rule as written, element by element.
std::vector<offered_range> reference_offer(std::string_view value, const std::vector<std::string_view>& prefixes,
                                           std::error_code& ec, const offer_limits& limits)
{
    std::vector<offered_range> out;
    std::size_t elements = 0;
    ec.clear();
    while (true) {
        std::size_t comma = value.find(',');
        std::string_view e = value.substr(0, comma);
        while (!e.empty() && is_lws(e.front()))
            e.remove_prefix(1);
        while (!e.empty() && is_lws(e.back()))
            e.remove_suffix(1);
        if (!e.empty()) {
            if (++elements > limits.max_elements) {
                ec = make_error_code(handshake_error::too_many_subprotocols);
                return {};
            }
            for (std::size_t i = 0; i < prefixes.size(); ++i) {
                std::string_view pre = prefixes[i];
                if (pre.empty() || e.substr(0, pre.size()) != pre)
                    continue;
                std::string_view rest = e.substr(pre.size());
                std::size_t dash = rest.find('-');
                offered_range r;
                r.prefix_index = i;
                bool ok = dash == std::string_view::npos
                              ? strict_number(rest, limits.max_version, r.versions.min)
                              : strict_number(rest.substr(0, dash), limits.max_version, r.versions.min) &&
                                    strict_number(rest.substr(dash + 1), limits.max_version, r.versions.max) &&
                                    r.versions.min <= r.versions.max;
                if (dash == std::string_view::npos)
                    r.versions.max = r.versions.min;
                if (!ok) {
                    ec = make_error_code(handshake_error::malformed_subprotocol);
                    return {};
                }
                out.push_back(r);
                break;
            }
        }
        if (comma == std::string_view::npos)
            return out;
        value.remove_prefix(comma + 1);
    }
}

void check_against_reference(std::string_view value, const std::vector<std::string_view>& prefixes,
                             const offer_limits& limits)
{
    std::error_code ec, ref_ec;
    auto got = parse_offer(value, prefixes, ec, limits);
    auto want = reference_offer(value, prefixes, ref_ec, limits);
    REALMWIRE_FUZZ_CHECK(ec == ref_ec);
    REALMWIRE_FUZZ_CHECK(got.size() == want.size());
    for (std::size_t i = 0; i < got.size() && i < want.size(); ++i) {
        REALMWIRE_FUZZ_CHECK(got[i].prefix_index == want[i].prefix_index);
        REALMWIRE_FUZZ_CHECK(got[i].versions == want[i].versions);
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    realmwire_fuzz::fuzz_input in(data, size);
    int server_min = in.byte() % 32;
    int server_max = server_min + in.byte() % 32;
    // Tight limits too, from the same two bytes (the corpus keeps its layout).
    offer_limits small;
    small.max_elements = 1 + static_cast<std::size_t>(server_min % 16);
    small.max_version = server_max % 2 ? 1000 : 1000000;
    std::string_view value = in.rest();

    std::vector<std::string_view> prefixes;
    for (const dialect* d : dialects::all)
        prefixes.push_back(d->subprotocol_prefix);

    check_against_reference(value, prefixes, {});
    check_against_reference(value, prefixes, small);
    // Prefixes no real dialect has: overlapping ones (the first listed wins), and ones with ',' or
    // LWS in them, which a one-pass scan could match across an element's end.
    static const std::vector<std::string_view> odd{"io.realm.sync.1", "io.realm.sync.", "a ", "a", "b,c", "x\t",
                                                   "y y", "", "#"};
    check_against_reference(value, odd, {});
    check_against_reference(value, odd, small);

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
