// `realmwire accept`: judge an upgrade request read on stdin as a realmwire server would, and print the
// verdict and the response bytes. Exit 0 when accepted, 1 when refused.
//
//   realmwire accept [--url-prefix P]... [--auth-header-name N] [--auth-fallback N]...
//       [--dialects a,b] [--server S] [--strict-connection] [--show-token] [--input FILE]
//
// The token is shown as its length and first 4 characters unless --show-token is given.
#include "command.hpp"

#include <realmwire/handshake.hpp>

#include <cstdio>
#include <string>
#include <vector>

namespace {

using realmwire_tool::usage_error;

int run(realmwire_tool::args& a)
{
    using namespace realmwire;
    auto prefixes = a.values("url-prefix");
    auto header_name = a.value("auth-header-name");
    auto fallbacks = a.values("auth-fallback");
    auto dialect_list = a.value("dialects");
    auto server = a.value("server");
    bool strict = a.flag("strict-connection");
    bool show_token = a.flag("show-token");
    std::string input = a.value("input").value_or("-");
    a.finish();

    acceptor_options o;
    for (const auto& p : prefixes) {
        if (!policy::is_valid_url_prefix(p))
            throw usage_error("--url-prefix '" + p + "' is not a valid URL prefix");
        o.url_prefixes.push_back(p);
    }
    std::vector<const dialect*> chosen;
    if (dialect_list) {
        std::string list = *dialect_list;
        std::size_t start = 0;
        while (start <= list.size()) {
            std::size_t comma = list.find(',', start);
            std::string name = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
            const dialect* d = find_dialect(name);
            if (!d)
                throw usage_error("--dialects: unknown dialect '" + name + "'");
            chosen.push_back(d);
            if (comma == std::string::npos)
                break;
            start = comma + 1;
        }
    }
    else {
        chosen = {&dialects::mongodb_flx, &dialects::mongodb_pbs, &dialects::realm_sync_2020, &dialects::legacy_ros};
    }
    o.dialects.clear();
    for (const dialect* d : chosen) {
        accepted_dialect ad = accept_dialect(*d, header_name.value_or(""));
        if (d->token_at == token_location::header && !fallbacks.empty()) {
            ad.lookup = policy::header_token_lookup{header_name.value_or(std::string(d->token_header)), d->scheme,
                                                    fallbacks};
        }
        o.dialects.push_back(std::move(ad));
    }
    if (server)
        o.server = *server;
    o.strict_connection = strict;

    std::string bytes = realmwire_tool::read_input(input);
    auto v = accept_handshake(bytes, o);
    if (v.accepted()) {
        std::printf("verdict: accepted (101)\n");
        std::printf("dialect: %s\n", std::string(v.dialect->name).c_str());
        std::printf("url prefix: %s\n", v.url_prefix.c_str());
        std::printf("realm path: %s\n", v.realm_path.empty() ? "(not in the URL)" : v.realm_path.c_str());
        std::printf("version: %d\n", v.version);
        std::printf("subprotocol: %s\n", v.subprotocol.c_str());
        if (show_token)
            std::printf("token: %s\n", v.token.c_str());
        else
            std::printf("token: %zu bytes, starts with '%s'\n", v.token.size(), v.token.substr(0, 4).c_str());
        std::printf("token source: %s\n", v.token_source.c_str());
        if (!v.user_agent.empty())
            std::printf("user agent: %s\n", v.user_agent.c_str());
    }
    else {
        std::printf("verdict: refused (%d)\n", v.status);
        std::printf("reason: %s: %s\n", v.ec.category().name(), v.ec.message().c_str());
        if (!v.where.empty())
            std::printf("where: %s\n", describe_error("", v.ec, v.where).c_str());
        if (v.dialect)
            std::printf("dialect: %s\n", std::string(v.dialect->name).c_str());
    }
    std::printf("--- response\n");
    std::string response = v.response_bytes();
    std::fwrite(response.data(), 1, response.size(), stdout);
    return v.accepted() ? 0 : 1;
}

realmwire_tool::registration reg{"accept", "judge an upgrade request on stdin and print the verdict and response",
                                 run};

} // namespace
