// `realmwire handshake`: print the exact bytes of a client's WebSocket upgrade request, in any dialect.
//
//   realmwire handshake --dialect D --url URL [--path P] --token T [--auth-header-name N]
//       [--token-scheme realm|bearer|raw|query] [--header 'K: V']... [--url-prefix P] [--key K]
//       [--header-order as-set|realm-core|sorted] [--user-agent UA] [--user-id U] [--no-port-hack]
//
// With --dialect legacy_ros the URL's path is the realm path (as in the ROS-era SDKs); with the other
// dialects it is the URL prefix. --path and --url-prefix override either.
#include "command.hpp"

#include <realmwire/handshake.hpp>
#include <realmwire/url.hpp>

#include <cstdio>
#include <string>

namespace {

using realmwire_tool::usage_error;

realmwire::http::header_order parse_order(const std::string& s)
{
    if (s == "as-set")
        return realmwire::http::header_order::as_set;
    if (s == "realm-core")
        return realmwire::http::header_order::realm_core;
    if (s == "sorted")
        return realmwire::http::header_order::sorted;
    throw usage_error("--header-order must be as-set, realm-core or sorted");
}

int run(realmwire_tool::args& a)
{
    using namespace realmwire;
    const dialect* d = find_dialect(a.required("dialect"));
    if (!d)
        throw usage_error("--dialect must be legacy_ros, realm_sync_2020, mongodb_pbs or mongodb_flx");
    std::string url_text = a.required("url");
    std::string token = a.required("token");
    auto path = a.value("path");
    auto header_name = a.value("auth-header-name");
    auto scheme = a.value("token-scheme");
    auto headers = a.values("header");
    auto prefix = a.value("url-prefix");
    auto key = a.value("key");
    auto order = a.value("header-order");
    auto user_agent = a.value("user-agent");
    auto user_id = a.value("user-id");
    bool no_port_hack = a.flag("no-port-hack");
    a.finish();

    std::error_code ec;
    url_options uo;
    uo.enable_default_port_hack = !no_port_hack;
    uo.allow_http_schemes = false;
    server_url url = parse_server_url(url_text, ec, uo);
    if (ec)
        throw usage_error("--url: " + ec.message());

    client_handshake_options o;
    o.dialect = d;
    if (path)
        o.realm_path = *path;
    if (prefix)
        o.url_prefix = *prefix;
    apply_server_url(o, url);
    if (key)
        o.key = *key;
    if (order)
        o.order = parse_order(*order);
    if (user_agent)
        o.user_agent = *user_agent;
    if (user_id)
        o.user_id = *user_id;

    policy::any_token_placement placement = policy::default_token_placement(*d, header_name.value_or(""));
    if (scheme) {
        std::string name = header_name.value_or(std::string(d->token_header));
        if (*scheme == "realm")
            placement = policy::header_token{name, token_scheme::realm_access_token};
        else if (*scheme == "bearer")
            placement = policy::header_token{name, token_scheme::bearer};
        else if (*scheme == "raw")
            placement = policy::header_token{name, token_scheme::raw};
        else if (*scheme == "query")
            placement = policy::query_token{std::string(d->token_query_param)};
        else
            throw usage_error("--token-scheme must be realm, bearer, raw or query");
    }

    policy::custom_headers custom;
    for (const auto& h : headers) {
        custom.add_line(h, ec);
        if (ec)
            throw usage_error("--header '" + h + "': " + ec.message());
    }

    auto hs = build_handshake_request(o, token, placement, custom, ec);
    if (ec) {
        std::fprintf(stderr, "realmwire handshake: %s\n", ec.message().c_str());
        return 1;
    }
    std::string bytes = http::serialize(hs.request, hs.order, ec);
    if (ec) {
        std::fprintf(stderr, "realmwire handshake: %s\n", ec.message().c_str());
        return 1;
    }
    std::fwrite(bytes.data(), 1, bytes.size(), stdout);
    return 0;
}

realmwire_tool::registration reg{"handshake", "print the exact bytes of a client's WebSocket upgrade request", run};

} // namespace
