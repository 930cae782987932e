#ifndef REALMWIRE_TRANSPORT_PROXY_ENV_HPP
#define REALMWIRE_TRANSPORT_PROXY_ENV_HPP

// Opt-in: a proxy_config from the conventional environment variables. Nothing in realmwire reads the
// environment unless you call this.
//
//   ws://  → http_proxy    (lower case only, as curl: a CGI server sets HTTP_PROXY from a request
//                           header — "httpoxy")
//   wss:// → https_proxy, then HTTPS_PROXY
//   no_proxy / NO_PROXY: comma-separated; "*" = everything; "example.com" or ".example.com" matches the
//   host and its subdomains; "host:port" matches only that port; IP literals match exactly (no CIDR).
//
// Proxy URLs: [http://|https://][user[:password]@]host[:port][/], user and password percent-decoded
// and sent as Basic credentials; the default port is 80 (http) or 443 (https); https:// means TLS to
// the proxy itself.

#include "realmwire/detail/ascii.hpp"
#include "realmwire/errors/transport.hpp"
#include "realmwire/transport/http_connect.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace realmwire::transport {

using env_getter = std::function<const char*(const char*)>;

namespace detail {

inline bool percent_decode(std::string_view in, std::string& out)
{
    out.clear();
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out += in[i];
            continue;
        }
        if (i + 2 >= in.size() || !realmwire::detail::is_hex_digit(in[i + 1]) ||
            !realmwire::detail::is_hex_digit(in[i + 2]))
            return false;
        out += static_cast<char>(realmwire::detail::hex_value(in[i + 1]) * 16 + realmwire::detail::hex_value(in[i + 2]));
        i += 2;
    }
    return true;
}

inline std::string lower(std::string_view s)
{
    std::string r(s);
    for (auto& c : r)
        c = realmwire::detail::to_lower(c);
    return r;
}

} // namespace detail

/// Parses a proxy URL (see above).
inline std::optional<proxy_config> parse_proxy_url(std::string_view url, std::error_code& ec)
{
    ec = transport_error::bad_proxy_url;
    proxy_config p;
    p.port = 80;
    auto scheme_end = url.find("://");
    if (scheme_end != std::string_view::npos) {
        std::string scheme = detail::lower(url.substr(0, scheme_end));
        if (scheme == "https") {
            p.tls = true;
            p.port = 443;
        }
        else if (scheme != "http")
            return std::nullopt; // socks5:// and friends are not HTTP proxies
        url.remove_prefix(scheme_end + 3);
    }
    auto slash = url.find('/');
    if (slash != std::string_view::npos) {
        if (url.substr(slash) != "/")
            return std::nullopt;
        url = url.substr(0, slash);
    }
    auto at = url.rfind('@');
    if (at != std::string_view::npos) {
        std::string_view userinfo = url.substr(0, at);
        url.remove_prefix(at + 1);
        auto colon = userinfo.find(':');
        std::string user, pass;
        if (!detail::percent_decode(userinfo.substr(0, colon), user))
            return std::nullopt;
        if (colon != std::string_view::npos && !detail::percent_decode(userinfo.substr(colon + 1), pass))
            return std::nullopt;
        p.auth = proxy_auth::basic(std::move(user), std::move(pass));
    }
    std::string_view hostport = url;
    std::string_view host, port;
    if (!hostport.empty() && hostport.front() == '[') {
        auto close = hostport.find(']');
        if (close == std::string_view::npos)
            return std::nullopt;
        host = hostport.substr(1, close - 1);
        std::string_view rest = hostport.substr(close + 1);
        if (!rest.empty()) {
            if (rest.front() != ':')
                return std::nullopt;
            port = rest.substr(1);
        }
    }
    else {
        auto colon = hostport.rfind(':');
        host = hostport.substr(0, colon);
        if (colon != std::string_view::npos)
            port = hostport.substr(colon + 1);
    }
    if (host.empty())
        return std::nullopt;
    for (char c : host) {
        if (!(realmwire::detail::is_alnum(c) || c == '-' || c == '.' || c == ':' || c == '_'))
            return std::nullopt;
    }
    if (!port.empty() && !realmwire::detail::parse_decimal(port, p.port, std::uint16_t{65535}))
        return std::nullopt;
    if (!port.empty() && p.port == 0)
        return std::nullopt;
    p.host = std::string(host);
    p.tls_opts.server_name.clear();
    ec.clear();
    return p;
}

/// Throwing form of parse_proxy_url: realmwire::system_error (transport_error::bad_proxy_url).
inline std::optional<proxy_config> parse_proxy_url(std::string_view url)
{
    return throw_on_error("parse_proxy_url", [&](std::error_code& ec) { return parse_proxy_url(url, ec); });
}

/// Does `no_proxy` exclude host:port?
inline bool no_proxy_matches(std::string_view no_proxy, std::string_view host, std::uint16_t port)
{
    std::string h = detail::lower(host);
    if (h.size() > 2 && h.front() == '[' && h.back() == ']')
        h = h.substr(1, h.size() - 2);
    while (!h.empty() && h.back() == '.')
        h.pop_back();
    std::size_t pos = 0;
    while (pos <= no_proxy.size()) {
        auto comma = no_proxy.find(',', pos);
        std::string_view entry =
            realmwire::detail::trim_ows(no_proxy.substr(pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos));
        pos = comma == std::string_view::npos ? no_proxy.size() + 1 : comma + 1;
        if (entry.empty())
            continue;
        if (entry == "*")
            return true;
        std::string e = detail::lower(entry);
        // optional :port (not for bare IPv6)
        std::optional<std::uint16_t> want_port;
        if (!e.empty() && e.front() == '[') {
            auto close = e.find(']');
            if (close == std::string::npos)
                continue;
            std::string rest = e.substr(close + 1);
            e = e.substr(1, close - 1);
            std::uint16_t p = 0;
            if (rest.size() > 1 && rest[0] == ':' && realmwire::detail::parse_decimal(std::string_view(rest).substr(1), p))
                want_port = p;
        }
        else if (std::count(e.begin(), e.end(), ':') == 1) {
            auto colon = e.find(':');
            std::uint16_t p = 0;
            if (!realmwire::detail::parse_decimal(std::string_view(e).substr(colon + 1), p))
                continue;
            want_port = p;
            e.resize(colon);
        }
        if (want_port && *want_port != port)
            continue;
        if (!e.empty() && e.front() == '.')
            e.erase(0, 1);
        if (e.empty())
            continue;
        if (h == e)
            return true;
        if (h.size() > e.size() && h.compare(h.size() - e.size(), e.size(), e) == 0 && h[h.size() - e.size() - 1] == '.')
            return true;
    }
    return false;
}

/// The proxy to use for a connection to host:port (`secure`: wss), or nullopt for "connect directly".
/// An unusable proxy URL is an error (bad_proxy_url), not a silent direct connection.
inline std::optional<proxy_config> proxy_from_environment(std::string_view host, std::uint16_t port, bool secure,
                                                          std::error_code& ec, const env_getter& getenv = {})
{
    ec.clear();
    auto get = [&](const char* name) -> std::string_view {
        const char* v = getenv ? getenv(name) : std::getenv(name);
        return v ? std::string_view(v) : std::string_view();
    };
    std::string_view url = secure ? get("https_proxy") : get("http_proxy");
    if (secure && url.empty())
        url = get("HTTPS_PROXY");
    if (url.empty())
        return std::nullopt;
    std::string_view no_proxy = get("no_proxy");
    if (no_proxy.empty())
        no_proxy = get("NO_PROXY");
    if (no_proxy_matches(no_proxy, host, port))
        return std::nullopt;
    return parse_proxy_url(url, ec);
}

inline std::optional<proxy_config> proxy_from_environment(std::string_view host, std::uint16_t port, bool secure)
{
    return throw_on_error("proxy_from_environment",
                          [&](std::error_code& ec) { return proxy_from_environment(host, port, secure, ec); });
}

} // namespace realmwire::transport

#endif
