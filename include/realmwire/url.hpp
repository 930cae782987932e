#ifndef REALMWIRE_URL_HPP
#define REALMWIRE_URL_HPP

// Server URLs as a Realm sync client is configured with them (`realms://sync.example.com/my/prefix`):
// realm-core's ClientImpl::decompose_server_url rules (noinst/client_impl_base.cpp) plus proper IPv6
// literals, which realm-core's util::Uri cannot split (it takes the port after the LAST ':').
//
//  * schemes realm:, realms:, ws:, wss: (sync), and http:, https: (the auth server); case-insensitive
//    (RFC 3986 §3.1; realm-core compares them case-sensitively);
//  * default ports 80/443; realm:/realms: get 7800/7801 when url_options::enable_default_port_hack is
//    off (realm-core's ClientConfig::enable_default_port_hack, default true);
//  * an explicit port is decimal in 1..65535; an empty port (`host:`) means the default, as in realm-core;
//  * the path becomes the HTTP request path prefix (realm-core's service_identifier);
//  * userinfo, a non-empty query and a non-empty fragment are rejected. A bare `?` or `#` is accepted
//    and dropped, because realm-core's Uri::canonicalize() drops it too. Unlike realm-core, an empty
//    userinfo (`ws://@host`) is rejected as well.

#include "realmwire/detail/ascii.hpp"
#include "realmwire/detail/percent.hpp"
#include "realmwire/error.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>

namespace realmwire {

enum class url_scheme { realm, realms, ws, wss, http, https };

/// The scheme's name as written in a URL (without ':').
constexpr std::string_view to_string(url_scheme s) noexcept
{
    switch (s) {
        case url_scheme::realm: return "realm";
        case url_scheme::realms: return "realms";
        case url_scheme::ws: return "ws";
        case url_scheme::wss: return "wss";
        case url_scheme::http: return "http";
        case url_scheme::https: return "https";
    }
    return "";
}

constexpr bool is_tls(url_scheme s) noexcept
{
    return s == url_scheme::realms || s == url_scheme::wss || s == url_scheme::https;
}

struct server_url {
    url_scheme scheme = url_scheme::wss;
    std::string host;          ///< without brackets, as written (an IPv6 literal is `::1`, not `[::1]`)
    bool host_is_ipv6 = false;
    std::uint16_t port = 0;    ///< always set: explicit, or the scheme's default
    std::string path;          ///< the URL's path = the request path prefix; "" when the URL has none

    bool tls() const noexcept { return is_tls(scheme); }

    /// True when `port` is what realm-core's default socket provider leaves out of `Host`: 443 with
    /// TLS, 80 without (default_socket.cpp). So realm:/realms: on 7800/7801 are NOT default here.
    bool default_port() const noexcept { return port == (tls() ? 443 : 80); }

    /// The value of the Host header: host (bracketed if IPv6), plus ":port" unless default_port().
    std::string host_header() const
    {
        std::string out;
        append_host(out);
        if (!default_port()) {
            out.push_back(':');
            out.append(std::to_string(port));
        }
        return out;
    }

    /// A URL that parses back to this value. The port is written unless it is the default of a
    /// ws/wss/http/https scheme; realm:/realms: always get theirs, because their default depends on
    /// url_options::enable_default_port_hack.
    std::string to_string() const
    {
        std::string out(realmwire::to_string(scheme));
        out.append("://");
        append_host(out);
        bool realm_scheme = scheme == url_scheme::realm || scheme == url_scheme::realms;
        if (realm_scheme || !default_port()) {
            out.push_back(':');
            out.append(std::to_string(port));
        }
        out.append(path);
        return out;
    }

    friend bool operator==(const server_url& a, const server_url& b)
    {
        return a.scheme == b.scheme && a.host == b.host && a.host_is_ipv6 == b.host_is_ipv6 && a.port == b.port &&
               a.path == b.path;
    }
    friend bool operator!=(const server_url& a, const server_url& b) { return !(a == b); }

private:
    void append_host(std::string& out) const
    {
        if (host_is_ipv6)
            out.push_back('[');
        out.append(host);
        if (host_is_ipv6)
            out.push_back(']');
    }
};

struct url_options {
    /// realm-core's ClientConfig::enable_default_port_hack (default true): realm: -> 80 and
    /// realms: -> 443. Off: realm: -> 7800, realms: -> 7801 (docs/protocol.md).
    bool enable_default_port_hack = true;
    bool allow_sync_schemes = true;  ///< realm, realms, ws, wss
    bool allow_http_schemes = true;  ///< http, https (the auth server; realm-core's sync client refuses them)
    std::size_t max_length = 4096;   ///< bytes of the whole URL
};

namespace detail {

/// RFC 3986 IPv6address (without zone id), e.g. `::1`, `fe80::1:2`, `::ffff:192.0.2.1`.
inline bool is_ipv6_literal(std::string_view s) noexcept
{
    if (s.empty() || s.size() > 45)
        return false;
    int groups = 0;          // 16-bit groups seen (an IPv4 tail counts as 2)
    bool compressed = false; // "::" seen
    std::size_t i = 0;
    if (s.size() >= 2 && s[0] == ':' && s[1] == ':') {
        compressed = true;
        i = 2;
        if (i == s.size())
            return true;
    }
    else if (s[0] == ':') {
        return false;
    }
    while (i < s.size()) {
        // one group: up to 4 hex digits, or a dotted IPv4 as the last element
        std::size_t start = i;
        while (i < s.size() && is_hex_digit(s[i]) && i - start < 5)
            ++i;
        std::size_t len = i - start;
        if (i < s.size() && s[i] == '.') {
            // IPv4 tail: d.d.d.d, each 0..255 without leading zeros, must end the string
            std::string_view v4 = s.substr(start);
            int parts = 0;
            std::size_t j = 0;
            while (true) {
                std::size_t k = j;
                while (k < v4.size() && is_digit(v4[k]))
                    ++k;
                unsigned value = 0;
                if (k == j || k - j > 3 || !parse_decimal<unsigned>(v4.substr(j, k - j), value, 255u, false))
                    return false;
                ++parts;
                if (k == v4.size())
                    break;
                if (v4[k] != '.' || parts == 4)
                    return false;
                j = k + 1;
            }
            if (parts != 4)
                return false;
            groups += 2;
            return compressed ? groups <= 6 : groups == 8;
        }
        if (len == 0 || len > 4)
            return false;
        ++groups;
        if (i == s.size())
            break;
        if (s[i] != ':')
            return false;
        ++i;
        if (i < s.size() && s[i] == ':') {
            if (compressed)
                return false;
            compressed = true;
            ++i;
            if (i == s.size())
                break;
        }
        else if (i == s.size()) {
            return false; // trailing single ':'
        }
    }
    return compressed ? groups <= 7 : groups == 8;
}

constexpr bool is_reg_name_char(char c) noexcept
{
    return is_uri_unreserved(c) || is_uri_sub_delim(c);
}

} // namespace detail

/// Parses a server URL. On failure `ec` is set and, when `where` is given, the offset of the
/// offending byte.
inline server_url parse_server_url(std::string_view url, std::error_code& ec, const url_options& options,
                                   error_info* where)
{
    ec.clear();
    server_url out;
    auto fail = [&](url_error e, std::size_t offset) {
        ec = make_error_code(e);
        if (where) {
            where->offset = offset;
            where->field = "url";
        }
        return server_url{};
    };
    if (url.empty())
        return fail(url_error::empty, 0);
    if (url.size() > options.max_length)
        return fail(url_error::too_long, options.max_length);
    for (std::size_t i = 0; i < url.size(); ++i) {
        auto u = static_cast<unsigned char>(url[i]);
        if (u <= 0x20 || u >= 0x7F)
            return fail(url_error::invalid_character, i);
    }

    // scheme ":"
    std::size_t colon = url.find_first_of(":/?#");
    if (colon == std::string_view::npos || url[colon] != ':' || colon == 0)
        return fail(url_error::missing_scheme, 0);
    std::string_view scheme = url.substr(0, colon);
    if (!detail::is_alpha(scheme[0]))
        return fail(url_error::missing_scheme, 0);
    for (std::size_t i = 1; i < scheme.size(); ++i) {
        char c = scheme[i];
        if (!(detail::is_alnum(c) || c == '+' || c == '-' || c == '.'))
            return fail(url_error::missing_scheme, i);
    }
    struct scheme_entry {
        std::string_view name;
        url_scheme value;
        bool sync;
    };
    constexpr scheme_entry schemes[] = {
        {"realm", url_scheme::realm, true}, {"realms", url_scheme::realms, true}, {"ws", url_scheme::ws, true},
        {"wss", url_scheme::wss, true},     {"http", url_scheme::http, false},    {"https", url_scheme::https, false},
    };
    bool found = false;
    for (const auto& s : schemes) {
        if (detail::iequals(s.name, scheme) && (s.sync ? options.allow_sync_schemes : options.allow_http_schemes)) {
            out.scheme = s.value;
            found = true;
        }
    }
    if (!found)
        return fail(url_error::unsupported_scheme, 0);

    // "//" authority
    std::size_t pos = colon + 1;
    if (url.substr(pos, 2) != "//")
        return fail(url_error::missing_authority, pos);
    pos += 2;
    std::size_t auth_end = url.find_first_of("/?#", pos);
    if (auth_end == std::string_view::npos)
        auth_end = url.size();
    std::string_view auth = url.substr(pos, auth_end - pos);
    if (std::size_t at = auth.find('@'); at != std::string_view::npos)
        return fail(url_error::userinfo_not_allowed, pos + at);

    std::string_view port_text;
    bool has_port = false;
    std::size_t port_offset = 0;
    if (!auth.empty() && auth[0] == '[') {
        std::size_t close = auth.find(']');
        if (close == std::string_view::npos)
            return fail(url_error::invalid_ipv6, pos);
        std::string_view literal = auth.substr(1, close - 1);
        if (!detail::is_ipv6_literal(literal))
            return fail(url_error::invalid_ipv6, pos + 1);
        out.host.assign(literal.data(), literal.size());
        out.host_is_ipv6 = true;
        std::string_view after = auth.substr(close + 1);
        if (!after.empty()) {
            if (after[0] != ':')
                return fail(url_error::invalid_host, pos + close + 1);
            has_port = true;
            port_text = after.substr(1);
            port_offset = pos + close + 2;
        }
    }
    else {
        std::size_t c = auth.find(':');
        std::string_view host = auth.substr(0, c);
        if (host.empty())
            return fail(url_error::empty_host, pos);
        for (std::size_t i = 0; i < host.size(); ++i) {
            if (!detail::is_reg_name_char(host[i]))
                return fail(url_error::invalid_host, pos + i);
        }
        out.host.assign(host.data(), host.size());
        if (c != std::string_view::npos) {
            has_port = true;
            port_text = auth.substr(c + 1);
            port_offset = pos + c + 1;
        }
    }

    switch (out.scheme) {
        case url_scheme::realm: out.port = options.enable_default_port_hack ? 80 : 7800; break;
        case url_scheme::realms: out.port = options.enable_default_port_hack ? 443 : 7801; break;
        case url_scheme::ws:
        case url_scheme::http: out.port = 80; break;
        case url_scheme::wss:
        case url_scheme::https: out.port = 443; break;
    }
    if (has_port && !port_text.empty()) {
        std::uint16_t port = 0;
        if (!detail::parse_decimal<std::uint16_t>(port_text, port) || port == 0)
            return fail(url_error::invalid_port, port_offset);
        out.port = port;
    }

    // path
    pos = auth_end;
    std::size_t path_end = url.find_first_of("?#", pos);
    if (path_end == std::string_view::npos)
        path_end = url.size();
    std::string_view path = url.substr(pos, path_end - pos);
    for (std::size_t i = 0; i < path.size(); ++i) {
        char c = path[i];
        if (c == '%') {
            if (detail::percent_triplet_at(path, i) < 0)
                return fail(url_error::invalid_path, pos + i);
            i += 2;
        }
        else if (c != '/' && !detail::is_uri_pchar_literal(c)) {
            return fail(url_error::invalid_path, pos + i);
        }
    }
    out.path.assign(path.data(), path.size());

    // query and fragment: only empty ones (realm-core's canonicalize() drops a bare '?' or '#')
    pos = path_end;
    if (pos < url.size() && url[pos] == '?') {
        std::size_t hash = url.find('#', pos);
        std::size_t qend = hash == std::string_view::npos ? url.size() : hash;
        if (qend - pos > 1)
            return fail(url_error::query_not_allowed, pos);
        pos = qend;
    }
    if (pos < url.size()) {
        // url[pos] == '#'
        if (url.size() - pos > 1)
            return fail(url_error::fragment_not_allowed, pos);
    }
    return out;
}

inline server_url parse_server_url(std::string_view url, std::error_code& ec, const url_options& options = {})
{
    return parse_server_url(url, ec, options, nullptr);
}

/// Throwing form: realmwire::system_error carrying the offset.
inline server_url parse_server_url(std::string_view url, const url_options& options = {})
{
    std::error_code ec;
    error_info info;
    server_url out = parse_server_url(url, ec, options, &info);
    if (ec)
        throw_error(ec, "parse_server_url", info);
    return out;
}

} // namespace realmwire

#endif
