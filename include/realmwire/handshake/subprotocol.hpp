#ifndef REALMWIRE_HANDSHAKE_SUBPROTOCOL_HPP
#define REALMWIRE_HANDSHAKE_SUBPROTOCOL_HPP

// Sec-WebSocket-Protocol for Realm sync: the client's offer, the server's parse and choice, the client's
// check of the server's echo.
//
// A Realm subprotocol is `<prefix><n>` (or, offered by 2020 clients and still accepted by realm-core's
// server, `<prefix><a>-<b>`), where the prefix names the dialect: `io.realm.sync.`,
// `com.mongodb.realm-sync/`, `com.mongodb.realm-sync#`, `com.mongodb.realm-query-sync#`.
//
// * Offer: versions descending, "to ensure that the server selects the highest possible version"
//   (realm-core client_impl_base.cpp:767-779), joined with ", ".
// * Parse (server): split on ',', trim HTTP LWS (SP, HT, CR, LF, as realm-core's server does), ignore
//   tokens with an unknown prefix; a known prefix followed by anything but `<n>` or `<a>-<b>` (a <= b)
//   is an error (realm-core: 400).
// * Choose: the maximum of min(client_max, server_max) over offered ranges overlapping the server's.
// * Echo check (client): the value must be exactly the client's own prefix and a decimal integer that
//   consumes the rest (no whitespace, no leading zero), inside the offered range
//   (client_impl_base.cpp:457-497). RFC 6455 §4.1 wants one of the offered values echoed, so `#07` —
//   never offered — is refused.

#include "realmwire/detail/ascii.hpp"
#include "realmwire/dialect/version_range.hpp"
#include "realmwire/error.hpp"
#include "realmwire/errors/handshake.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace realmwire {

/// The offer list: one subprotocol string per element.
inline std::vector<std::string> make_offer(std::string_view prefix, version_range versions,
                                           offer_style style = offer_style::descending)
{
    std::vector<std::string> out;
    if (!versions.valid())
        return out;
    if (style == offer_style::range && versions.min != versions.max) {
        out.push_back(std::string(prefix) + std::to_string(versions.min) + "-" + std::to_string(versions.max));
        return out;
    }
    out.reserve(static_cast<std::size_t>(versions.max - versions.min + 1));
    for (int v = versions.max; v >= versions.min; --v)
        out.push_back(std::string(prefix) + std::to_string(v));
    return out;
}

/// The Sec-WebSocket-Protocol header value for an offer (elements joined with ", ", as realm-core does).
inline std::string format_offer(const std::vector<std::string>& offer)
{
    std::string out;
    for (std::size_t i = 0; i < offer.size(); ++i) {
        if (i != 0)
            out += ", ";
        out += offer[i];
    }
    return out;
}

/// One offered element with a known prefix.
struct offered_range {
    std::size_t prefix_index = 0; ///< index into the prefixes given to parse_offer
    version_range versions;
};

/// Limits of the offer parser.
struct offer_limits {
    std::size_t max_elements = 64; ///< elements of any prefix, known or not (realm-core sends 13)
    int max_version = 1000000;     ///< larger numbers are malformed, never overflow
};

namespace detail {

constexpr bool is_http_lws(char c) noexcept { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

inline bool parse_version_number(std::string_view s, int max, int& out, bool allow_leading_zeros = true) noexcept
{
    unsigned v = 0;
    if (!parse_decimal<unsigned>(s, v, static_cast<unsigned>(max), allow_leading_zeros))
        return false;
    out = static_cast<int>(v);
    return true;
}

} // namespace detail

namespace detail {

/// Consumes the run of decimal digits at `p` and reads it as parse_version_number does: false when
/// there is none or the number is above `max`.
inline bool scan_version_number(const char*& p, const char* end, int max, int& out) noexcept
{
    const char* first = p;
    while (p != end && is_digit(*p))
        ++p;
    return parse_version_number(std::string_view(first, static_cast<std::size_t>(p - first)), max, out);
}

/// True when `s` holds a ',' or HTTP LWS: such a prefix cannot start a list element that the split
/// on ',' and the trim would give, so the forward scan below must not match it.
inline bool crosses_element_bounds(std::string_view s) noexcept
{
    for (char c : s)
        if (c == ',' || is_http_lws(c))
            return true;
    return false;
}

/// The offer parser's loop over one Sec-WebSocket-Protocol value: calls `on_offer(offered_range)` for
/// each element whose prefix is one of the `count` `prefixes` (the first that matches), in order. On a
/// malformed element or too many elements `ec` is set and the loop stops. The acceptor folds the
/// offers into its choice as they come, so it needs no list of them.
///
/// What it computes is the split on ',', the LWS trim of each element and a prefix match on it; it
/// does that in one forward pass (a prefix is compared where the element starts, the version is read
/// up to the ',' that ends it) because this runs on every connection a server accepts, and splitting
/// first ran a tenth more instructions (two library searches per element). A prefix holding ',' or
/// LWS is checked the slow way, on its first match.
template <class OnOffer>
inline void for_each_offer(std::string_view value, const std::string_view* prefixes, std::size_t count,
                           std::error_code& ec, const offer_limits& limits, OnOffer&& on_offer)
{
    ec.clear();
    const char* p = value.data();
    const char* const end = p + value.size();
    std::size_t elements = 0;
    // Per prefix (the first 64): whether it was checked for ',' and LWS, and whether it holds any.
    std::uint64_t checked = 0, unusual = 0;
    auto is_unusual = [&](std::size_t i) {
        if (i >= 64)
            return crosses_element_bounds(prefixes[i]);
        const std::uint64_t bit = std::uint64_t{1} << i;
        if (!(checked & bit)) {
            checked |= bit;
            if (crosses_element_bounds(prefixes[i]))
                unusual |= bit;
        }
        return (unusual & bit) != 0;
    };
    auto skip_lws = [&](const char* q) {
        while (q != end && is_http_lws(*q))
            ++q;
        return q;
    };
    auto element_end = [&](const char* q) {
        const void* comma = q == end ? nullptr : std::memchr(q, ',', static_cast<std::size_t>(end - q));
        return comma ? static_cast<const char*>(comma) : end;
    };
    auto trimmed_end = [&](const char* from, const char* to) {
        while (to != from && is_http_lws(to[-1]))
            --to;
        return to;
    };
    while (true) {
        p = skip_lws(p);
        if (p == end)
            return;
        if (*p == ',') {
            ++p;
            continue;
        }
        if (++elements > limits.max_elements) {
            ec = make_error_code(handshake_error::too_many_subprotocols);
            return;
        }
        const std::size_t left = static_cast<std::size_t>(end - p);
        std::size_t i = 0;
        for (; i < count; ++i) {
            std::string_view prefix = prefixes[i];
            // The prefix's last byte first: it tells the dialects apart ('.', '/', '#') before any
            // full comparison.
            if (prefix.empty() || prefix.size() > left || p[prefix.size() - 1] != prefix.back() ||
                std::memcmp(p, prefix.data(), prefix.size()) != 0)
                continue;
            if (is_unusual(i)) {
                // Compare against the element as split and trimmed.
                const char* stop = trimmed_end(p, element_end(p));
                if (prefix.size() > static_cast<std::size_t>(stop - p))
                    continue;
            }
            break;
        }
        if (i == count) {
            p = element_end(p);
            continue;
        }
        // `<n>` or `<a>-<b>` (a <= b), then only LWS up to the ',' or the end.
        const char* q = p + prefixes[i].size();
        offered_range r;
        r.prefix_index = i;
        bool ok = scan_version_number(q, end, limits.max_version, r.versions.min);
        r.versions.max = r.versions.min;
        if (ok && q != end && *q == '-') {
            ++q;
            ok = scan_version_number(q, end, limits.max_version, r.versions.max) && r.versions.min <= r.versions.max;
        }
        if (ok) {
            q = skip_lws(q);
            ok = q == end || *q == ',';
        }
        if (!ok) {
            ec = make_error_code(handshake_error::malformed_subprotocol);
            return;
        }
        on_offer(r);
        p = q;
    }
}

} // namespace detail

/// Parses one Sec-WebSocket-Protocol value (call once per header line and concatenate the results, or
/// join the lines with ','). Elements whose prefix is not in `prefixes` are skipped.
inline std::vector<offered_range> parse_offer(std::string_view value, const std::vector<std::string_view>& prefixes,
                                              std::error_code& ec, const offer_limits& limits = {})
{
    std::vector<offered_range> out;
    // One allocation for the usual offer: room for every element, up to the limit.
    out.reserve(std::min<std::size_t>(static_cast<std::size_t>(std::count(value.begin(), value.end(), ',')) + 1,
                                      limits.max_elements));
    detail::for_each_offer(value, prefixes.data(), prefixes.size(), ec, limits,
                           [&](const offered_range& r) { out.push_back(r); });
    if (ec)
        out.clear();
    return out;
}

inline std::vector<offered_range> parse_offer(std::string_view value, const std::vector<std::string_view>& prefixes,
                                              const offer_limits& limits = {})
{
    return throw_on_error("parse_offer",
                          [&](std::error_code& ec) { return parse_offer(value, prefixes, ec, limits); });
}

/// The highest version both sides support among the offers with prefix index `prefix_index`, or
/// std::nullopt when none overlaps `server`.
inline std::optional<int> choose_version(const std::vector<offered_range>& offers, std::size_t prefix_index,
                                         version_range server) noexcept
{
    std::optional<int> best;
    for (const auto& o : offers) {
        if (o.prefix_index != prefix_index)
            continue;
        if (o.versions.max < server.min || o.versions.min > server.max)
            continue;
        int v = o.versions.max < server.max ? o.versions.max : server.max;
        if (!best || v > *best)
            best = v;
    }
    return best;
}

/// The subprotocol string a server answers with.
inline std::string make_subprotocol(std::string_view prefix, int version)
{
    // One allocation: the digits are written backwards into a small buffer, then appended.
    char digits[12];
    std::size_t n = 0;
    bool negative = version < 0;
    unsigned v = negative ? 0u - static_cast<unsigned>(version) : static_cast<unsigned>(version);
    do {
        digits[sizeof digits - 1 - n++] = static_cast<char>('0' + v % 10);
        v /= 10;
    } while (v != 0);
    if (negative)
        digits[sizeof digits - 1 - n++] = '-';
    std::string out;
    out.reserve(prefix.size() + n);
    out.append(prefix.data(), prefix.size());
    out.append(digits + sizeof digits - n, n);
    return out;
}

/// The client's check of the server's echo: returns the negotiated version.
inline int check_echo(std::string_view value, std::string_view prefix, version_range offered, std::error_code& ec)
{
    if (value.empty()) {
        ec = make_error_code(handshake_error::missing_protocol_in_response);
        return 0;
    }
    int v = 0;
    if (value.substr(0, prefix.size()) != prefix ||
        !detail::parse_version_number(value.substr(prefix.size()), 1000000, v, false)) {
        ec = make_error_code(handshake_error::bad_protocol_in_response);
        return 0;
    }
    if (!offered.contains(v)) {
        ec = make_error_code(handshake_error::protocol_not_offered);
        return 0;
    }
    ec.clear();
    return v;
}

inline int check_echo(std::string_view value, std::string_view prefix, version_range offered)
{
    return throw_on_error("check_echo", [&](std::error_code& ec) { return check_echo(value, prefix, offered, ec); });
}

} // namespace realmwire

#endif
