// `realmwire client`: the reference sync client. Logs in (or uses a token), writes N Item objects,
// waits for upload and download completion (and, with --expect, for that many objects), prints them.
#include "command.hpp"

#include <realmwire/auth/client.hpp>
#include <realmwire/driver/http_client.hpp>
#include <realmwire/reference/client.hpp>
#include <realmwire/transport/proxy_env.hpp>
#include <realmwire/url.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace {

using namespace realmwire;

struct auth_setup {
    driver::http_target target;
    auth::auth_client_policy policy;
    driver::http_client_options options;
};

auth_setup parse_auth_url(const std::string& url, const std::string& ca)
{
    std::error_code ec;
    // http(s)://host:port[/auth]: reuse the sync URL parser on the ws form.
    std::string ws = url;
    if (ws.rfind("http://", 0) == 0)
        ws = "ws://" + ws.substr(7);
    else if (ws.rfind("https://", 0) == 0)
        ws = "wss://" + ws.substr(8);
    server_url u = parse_server_url(ws, ec);
    if (ec)
        throw realmwire_tool::usage_error("bad --auth URL: " + ec.message());
    auth_setup s;
    s.target.host = u.host;
    s.target.port = u.port;
    s.target.tls = u.tls();
    s.policy.host = u.host_header();
    if (!u.path.empty() && u.path != "/")
        s.policy.auth_path = u.path;
    if (!ca.empty()) {
        transport::tls_options o;
        o.ca_file = ca;
        s.options.tls_context = transport::make_client_tls_context(o, ec);
        if (ec)
            throw realmwire_tool::usage_error("bad --ca: " + ec.message());
    }
    return s;
}

[[noreturn]] void fail_auth(const std::string& what, std::error_code ec, const http::response* r = nullptr)
{
    std::fprintf(stderr, "error: %s: %s (%s:%d)\n", what.c_str(), ec.message().c_str(), ec.category().name(), ec.value());
    if (r && r->status)
        std::fprintf(stderr, "HTTP %d\n%s\n", r->status, r->body.c_str());
    std::exit(1);
}

int run(realmwire_tool::args& a)
{
    reference::client_config cfg;
    cfg.server_url = a.required("server");
    cfg.realm_path = a.required("path");
    auto auth_url = a.value("auth");
    auto provider = a.value("provider");
    auto user = a.value("user");
    auto password = a.value("password");
    auto token = a.value("token");
    auto token_file = a.value("token-file");
    if (auto d = a.value("dialect")) {
        cfg.dialect = find_dialect(*d);
        if (!cfg.dialect)
            throw realmwire_tool::usage_error("unknown dialect '" + *d + "'");
    }
    if (auto h = a.value("auth-header-name"))
        cfg.auth_header_name = *h;
    cfg.headers = a.values("header");
    if (auto p = a.value("url-prefix"))
        cfg.url_prefix = *p;
    std::string ca = a.value("ca").value_or("");
    if (!ca.empty())
        cfg.tls.ca_file = ca;
    if (auto p = a.value("proxy")) {
        std::error_code ec;
        cfg.proxy = transport::parse_proxy_url(*p, ec);
        if (ec)
            throw realmwire_tool::usage_error("bad --proxy: " + ec.message());
    }
    long long n_write = std::stoll(a.value("write").value_or("0"));
    long long start_id = std::stoll(a.value("start-id").value_or("1"));
    std::string name_prefix = a.value("name-prefix").value_or("obj-");
    long long expect = std::stoll(a.value("expect").value_or("-1"));
    double timeout_s = std::stod(a.value("timeout").value_or("30"));
    bool verbose = a.flag("verbose");
    a.finish();

    int token_sources = (auth_url ? 1 : 0) + (token ? 1 : 0) + (token_file ? 1 : 0);
    if (token_sources != 1)
        throw realmwire_tool::usage_error("give exactly one of --auth, --token, --token-file");

    if (token) {
        cfg.token = *token;
    }
    else if (token_file) {
        std::ifstream f(*token_file);
        if (!f)
            throw realmwire_tool::usage_error("cannot read --token-file");
        std::getline(f, cfg.token);
        while (!cfg.token.empty() && (cfg.token.back() == '\r' || cfg.token.back() == ' '))
            cfg.token.pop_back();
    }
    else {
        if (!provider || (!user && *provider != "anonymous"))
            throw realmwire_tool::usage_error("--auth needs --provider and --user");
        auth_setup s = parse_auth_url(*auth_url, ca);
        auth::credentials creds = *provider == "password" ? auth::credentials::password(*user, password.value_or(""), true)
                                  : *provider == "nickname" ? auth::credentials::nickname(*user)
                                  : *provider == "anonymous" ? auth::credentials::anonymous()
                                                             : throw realmwire_tool::usage_error("unknown --provider");
        std::error_code ec;
        http::response r = driver::http_request(s.target, auth::make_login_request(s.policy, creds), s.options, ec);
        if (ec)
            fail_auth("login", ec);
        auth::issued_token refresh = auth::parse_login_response(r, ec);
        if (ec)
            fail_auth("login refused", ec, &r);
        auto get_access = [s, refresh_token = refresh.token, path = cfg.realm_path]() -> std::string {
            std::error_code e;
            http::response ar = driver::http_request(s.target, auth::make_refresh_request(s.policy, refresh_token, path),
                                                     s.options, e);
            if (e)
                return {};
            auth::issued_token at = auth::parse_refresh_response(ar, e);
            return e ? std::string() : at.token;
        };
        r = driver::http_request(s.target, auth::make_refresh_request(s.policy, refresh.token, cfg.realm_path), s.options, ec);
        if (ec)
            fail_auth("access token", ec);
        cfg.token = auth::parse_refresh_response(r, ec).token;
        if (ec)
            fail_auth("access token refused", ec, &r);
        cfg.refresh_token = get_access;
    }
    if (verbose)
        cfg.log = [](const std::string& s) { std::cerr << s << "\n"; };

    asio::io_context ioc;
    reference::object_store store;
    if (n_write > 0)
        store.put_items([&] {
            std::vector<std::pair<std::int64_t, std::optional<std::string>>> v;
            for (long long i = start_id; i < start_id + n_write; ++i)
                v.emplace_back(i, name_prefix + std::to_string(i));
            return v;
        }());
    // A failed handshake or a fatal error ends the run; transient trouble is retried until the timeout.
    auto c = std::make_shared<reference::client>(ioc, cfg, store);
    c->start();
    auto count = [&] {
        const auto* t = store.find_table("Item");
        return t ? static_cast<long long>(t->objects.size()) : 0LL;
    };
    auto timeout = std::chrono::milliseconds(static_cast<long long>(timeout_s * 1000));
    auto start = std::chrono::steady_clock::now();
    bool ok = reference::client::run_until(
        ioc,
        [&] {
            if (c->failed())
                return true;
            if (c->failure().http_status != 0 && c->failure().http_status != 401 && c->failure().http_status < 500)
                return true;
            if (!c->synced())
                return false;
            if (expect >= 0 && count() < expect) {
                return false;
            }
            return true;
        },
        timeout);
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    bool good = ok && !c->failed() && c->synced() && (expect < 0 || count() >= expect);
    c->stop();
    reference::client::run_until(ioc, [] { return false; }, std::chrono::milliseconds(20));
    if (!good) {
        const auto& f = c->failure();
        std::string what = f.what.empty() ? (ok ? "not synced" : "timed out") : f.what;
        if (!ok)
            what = "timed out after " + std::to_string(timeout_s) + " s" + (f.what.empty() ? "" : " (last error: " + f.what + ")");
        std::fprintf(stderr, "error: %s", what.c_str());
        if (f.ec)
            std::fprintf(stderr, " [%s:%d %s]", f.ec.category().name(), f.ec.value(), f.ec.message().c_str());
        if (f.protocol_error)
            std::fprintf(stderr, " [protocol error %d]", f.protocol_error);
        std::fprintf(stderr, "\n");
        if (f.http_status)
            std::fprintf(stderr, "HTTP %d\n%s\n", f.http_status, f.http_body.c_str());
        if (expect >= 0)
            std::fprintf(stderr, "have %lld of %lld objects\n", count(), expect);
        return 1;
    }
    auto ident = store.client_file_ident();
    std::printf("synced realm %s as client file %llu in %.1f ms (%zu connection%s, %zu token refresh%s)\n",
                cfg.realm_path.c_str(), static_cast<unsigned long long>(ident ? ident->ident : 0), ms, c->connects(),
                c->connects() == 1 ? "" : "s", c->refreshes(), c->refreshes() == 1 ? "" : "es");
    std::printf("local table class_Item: %lld objects\n", count());
    for (const auto& line : store.describe())
        std::printf("  %s\n", line.c_str());
    return 0;
}

realmwire_tool::registration reg{
    "client",
    "reference sync client: --server URL --path P (--auth URL --provider nickname|password|anonymous --user U "
    "[--password W] | --token T | --token-file F) [--dialect D] [--auth-header-name N] [--header 'K: V']... "
    "[--url-prefix P] [--proxy URL] [--ca PEM] [--write N] [--start-id K] [--name-prefix S] [--expect N] "
    "[--timeout S] [--verbose]",
    run};

} // namespace
