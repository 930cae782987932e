// `realmwire probe`: opens a sync connection step by step (DNS, TCP, proxy CONNECT, TLS, HTTP upgrade,
// BIND), prints what each step saw, and names the likely cause of a failure in plain words.
// Exit 0 when BIND was answered without error, 1 when a step failed, 2 for usage errors.
// The token is never printed.
#include "command.hpp"

#include <realmwire/driver/probe.hpp>
#include <realmwire/probe/diagnose.hpp>
#include <realmwire/transport/proxy_env.hpp>

#include <cstdio>
#include <fstream>
#include <string>

namespace {

using namespace realmwire;

const char* mark(const probe::step_result& s)
{
    switch (s.status) {
        case probe::step_status::ok: return "ok  ";
        case probe::step_status::failed: return "FAIL";
        case probe::step_status::not_run: return "-   ";
    }
    return "?";
}

int run(realmwire_tool::args& a)
{
    probe::probe_options o;
    o.server_url = a.required("server");
    o.realm_path = a.required("path");
    auto token = a.value("token");
    auto token_file = a.value("token-file");
    if (auto d = a.value("dialect")) {
        o.dialect = find_dialect(*d);
        if (!o.dialect)
            throw realmwire_tool::usage_error("unknown dialect '" + *d + "'");
    }
    if (auto h = a.value("auth-header-name"))
        o.auth_header_name = *h;
    o.headers = a.values("header");
    if (auto p = a.value("url-prefix"))
        o.url_prefix = *p;
    if (auto ca = a.value("ca"))
        o.tls.ca_file = *ca;
    if (a.flag("insecure"))
        o.tls.verify_peer = false;
    if (auto p = a.value("proxy")) {
        std::error_code ec;
        o.proxy = transport::parse_proxy_url(*p, ec);
        if (ec)
            throw realmwire_tool::usage_error("bad --proxy: " + ec.message());
    }
    if (auto t = a.value("timeout")) {
        auto ms = std::chrono::milliseconds(static_cast<long long>(std::stod(*t) * 1000));
        o.timeouts.resolve = o.timeouts.connect = o.timeouts.proxy = o.timeouts.tls = o.timeouts.upgrade = ms;
        o.bind_timeout = ms;
    }
    bool show_headers = a.flag("show-headers");
    a.finish();
    if (bool(token) == bool(token_file))
        throw realmwire_tool::usage_error("give exactly one of --token, --token-file");
    if (token) {
        o.token = *token;
    }
    else {
        std::ifstream f(*token_file);
        if (!f)
            throw realmwire_tool::usage_error("cannot read --token-file");
        std::getline(f, o.token);
        while (!o.token.empty() && (o.token.back() == '\r' || o.token.back() == ' '))
            o.token.pop_back();
    }

    probe::report r = probe::run_probe(o);
    const auto& q = r.request;
    std::printf("probe %s  realm %s  dialect %s\n", q.server_url.c_str(), q.realm_path.c_str(), q.dialect.c_str());
    std::printf("  request: GET %s  token in %s%s\n", q.target.c_str(),
                q.token_header.empty() ? ("?" + q.token_query_param).c_str() : q.token_header.c_str(),
                q.token_in_bind ? " and in BIND" : "");
    if (!q.proxy.empty())
        std::printf("  via proxy %s%s\n", q.proxy.c_str(), q.proxy_auth ? " (with credentials)" : "");
    for (probe::step_kind k : {probe::step_kind::url, probe::step_kind::dns, probe::step_kind::tcp, probe::step_kind::proxy,
                               probe::step_kind::tls, probe::step_kind::upgrade, probe::step_kind::bind}) {
        const auto& s = r.step(k);
        if (s.status == probe::step_status::not_run && (k == probe::step_kind::proxy || k == probe::step_kind::tls))
            continue; // not part of this route
        std::printf("[%s] %-8s %7.1f ms  %s\n", mark(s), probe::to_string(k), s.ms, s.detail.c_str());
    }
    const auto& u = r.upgrade_facts;
    if (u.sent && u.status) {
        std::printf("  upgrade answer: %d %s; subprotocol %s\n", u.status, u.reason.c_str(),
                    u.subprotocol_echoed ? ("echoed (" + u.subprotocol + ")").c_str() : "NOT echoed");
        std::string names;
        for (const auto& f : u.headers)
            names += (names.empty() ? "" : ", ") + f.name;
        std::printf("  headers back: %s\n", names.empty() ? "(none)" : names.c_str());
        if (show_headers)
            for (const auto& f : u.headers)
                std::printf("    %s: %s\n", f.name.c_str(), f.value.c_str());
        if (u.status != 101 && !u.body.empty()) {
            std::string first = u.body.substr(0, u.body.find('\n'));
            std::printf("  body: %s\n", first.substr(0, 200).c_str());
        }
    }
    probe::diagnosis d = probe::diagnose(r);
    if (d.cause == probe::cause::none && r.ok()) {
        std::printf("diagnosis: ok — %s\n", d.summary.c_str());
        return 0;
    }
    std::printf("diagnosis: %s (at %s, likely the %s)\n  %s\n", probe::to_string(d.cause), probe::to_string(d.step),
                d.hop.c_str(), d.summary.c_str());
    if (!d.advice.empty())
        std::printf("  fix: %s\n", d.advice.c_str());
    return 1;
}

realmwire_tool::registration reg{
    "probe",
    "diagnose a sync connection step by step: --server URL --path P (--token T | --token-file F) [--dialect D] "
    "[--auth-header-name N] [--header 'K: V']... [--url-prefix P] [--proxy URL] [--ca PEM] [--insecure] "
    "[--timeout S] [--show-headers]",
    run};

} // namespace
