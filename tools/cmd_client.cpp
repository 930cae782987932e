// `realmwire client`: the reference sync client. Logs in (or uses a token), writes N Item objects,
// waits for upload and download completion (and, with --expect, for that many objects), prints them.
// --timeout is ONE deadline over everything: the /auth login, resolve, TCP, proxy, TLS, upgrade, sync.
// --local FILE keeps the objects, the sync progress and the changes not uploaded yet on disk
// (reference/local_store.hpp): writes are durable once reported, and a later run uploads them. Its log
// is compacted into a snapshot when it outgrows --compact-log BYTES (64 MiB; 0: never), or at once
// with --compact.
// --subscribe 'TABLE: QUERY' (repeatable, --dialect mongodb_flx) makes the subscription set; several on
// one table are OR-ed. A query alone does not name its table, so the table comes first. The run waits
// for the set to be complete (its bootstrap integrated); a QUERY_ERROR prints its code and text and
// fails the run. Without --subscribe the default set ({"Item":"TRUEPREDICATE"}) stays.
#include "command.hpp"

#include <realmwire/reference/client.hpp>
#include <realmwire/reference/local_store.hpp>
#include <realmwire/transport/proxy_env.hpp>
#include <realmwire/url.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

namespace {

using namespace realmwire;

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
    if (!cfg.proxy) {
        // No --proxy: the usual environment (https_proxy / http_proxy / all_proxy, no_proxy).
        std::error_code ec;
        server_url u = parse_server_url(cfg.server_url, ec);
        if (!ec) {
            cfg.proxy = transport::proxy_from_environment(u.host, u.port, u.tls(), ec);
            if (ec)
                throw realmwire_tool::usage_error("bad proxy in the environment: " + ec.message());
        }
    }
    long long n_write = std::stoll(a.value("write").value_or("0"));
    long long start_id = std::stoll(a.value("start-id").value_or("1"));
    std::string name_prefix = a.value("name-prefix").value_or("obj-");
    long long expect = std::stoll(a.value("expect").value_or("-1"));
    double timeout_s = std::stod(a.value("timeout").value_or("30"));
    bool verbose = a.flag("verbose");
    auto local_file = a.value("local");
    bool compact_now = a.flag("compact");
    // The --local log is rewritten as a snapshot whenever it outgrows this (and twice its size after
    // the last compaction): a client that runs for months does not replay months of records at start.
    unsigned long long compact_log = std::stoull(a.value("compact-log").value_or(std::to_string(64u << 20)));
    std::vector<std::string> subscribe = a.values("subscribe");
    a.finish();
    if (!subscribe.empty()) {
        if (cfg.dialect->id != dialect_id::mongodb_flx)
            throw realmwire_tool::usage_error("--subscribe needs --dialect mongodb_flx");
        reference::flx_subscription_set set;
        for (const std::string& s : subscribe) {
            std::size_t colon = s.find(':');
            auto trim = [](std::string t) {
                while (!t.empty() && t.front() == ' ')
                    t.erase(t.begin());
                while (!t.empty() && t.back() == ' ')
                    t.pop_back();
                return t;
            };
            std::string table = colon == std::string::npos ? std::string() : trim(s.substr(0, colon));
            std::string query = colon == std::string::npos ? std::string() : trim(s.substr(colon + 1));
            if (table.empty() || query.empty() || table.find_first_of(" \t\"(=<>!") != std::string::npos)
                throw realmwire_tool::usage_error("--subscribe wants 'TABLE: QUERY' (got '" + s + "')");
            set.add(std::move(table), std::move(query));
        }
        cfg.subscriptions = std::move(set);
    }
    const bool flx = cfg.dialect->id == dialect_id::mongodb_flx;
    // ONE deadline over every phase: login, resolve, TCP, proxy, TLS, upgrade, sync.
    const auto start = std::chrono::steady_clock::now();
    const auto deadline = start + std::chrono::milliseconds(static_cast<long long>(timeout_s * 1000));
    cfg.deadline = deadline;

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
        reference::login_config lc;
        lc.auth_url = *auth_url;
        lc.credentials = *provider == "password" ? auth::credentials::password(*user, password.value_or(""), true)
                         : *provider == "nickname" ? auth::credentials::nickname(*user)
                         : *provider == "anonymous" ? auth::credentials::anonymous()
                                                    : throw realmwire_tool::usage_error("unknown --provider");
        lc.realm_path = cfg.realm_path;
        lc.ca_file = ca;
        lc.deadline = deadline; // the login is inside the one --timeout
        std::error_code ec;
        reference::login_result lr;
        asio::io_context lioc;
        reference::async_login(lioc, lc, [&](std::error_code e, reference::login_result r) {
            ec = e;
            lr = std::move(r);
        });
        lioc.run();
        if (ec) {
            std::fprintf(stderr, "error: %s (%s:%d)\n", lr.what.c_str(), ec.category().name(), ec.value());
            if (lr.response.status)
                std::fprintf(stderr, "HTTP %d\n%s\n", lr.response.status, lr.response.body.c_str());
            return 1;
        }
        cfg.token = lr.access_token;
        cfg.refresh_token = [lr, path = cfg.realm_path] { return lr.refresh(path); };
    }
    if (verbose)
        cfg.log = [](const std::string& s) { std::cerr << s << "\n"; };

    asio::io_context ioc;
    // --local FILE: the durable store (reference/local_store.hpp); otherwise objects live in memory.
    reference::object_store memory;
    reference::local_store local;
    if (local_file) {
        std::error_code ec;
        local.open(*local_file, ec);
        if (ec) {
            std::fprintf(stderr, "error: cannot open --local %s: %s\n", local_file->c_str(), ec.message().c_str());
            return 1;
        }
        std::printf("local file %s: %zu records replayed\n", local_file->c_str(), local.replayed());
        local.set_auto_compact(compact_log);
        if (compact_now) {
            const std::uint64_t before = local.log_bytes();
            local.compact(ec);
            if (ec) {
                std::fprintf(stderr, "error: cannot compact --local %s: %s\n", local_file->c_str(), ec.message().c_str());
                return 1;
            }
            std::printf("local file %s compacted: %llu -> %llu bytes\n", local_file->c_str(),
                        static_cast<unsigned long long>(before), static_cast<unsigned long long>(local.log_bytes()));
            std::fflush(stdout);
        }
    }
    else if (compact_now) {
        throw realmwire_tool::usage_error("--compact needs --local FILE");
    }
    reference::object_store& store = local_file ? local.objects() : memory;
    if (n_write > 0) {
        std::vector<std::pair<std::int64_t, std::optional<std::string>>> v;
        for (long long i = start_id; i < start_id + n_write; ++i)
            v.emplace_back(i, name_prefix + std::to_string(i));
        if (local_file) {
            std::error_code ec;
            std::uint64_t version = local.put_items(v, reference::sync_timestamp_now(), ec);
            if (ec) {
                std::fprintf(stderr, "error: local write to %s: %s\n", local_file->c_str(), ec.message().c_str());
                return 1;
            }
            // On disk now (fdatasync'd): a kill from here on loses nothing of it.
            std::printf("wrote %lld objects to %s (client version %llu)\n", n_write, local_file->c_str(),
                        static_cast<unsigned long long>(version));
            std::fflush(stdout);
        }
        else {
            store.put_items(v);
        }
    }
    // A failed handshake or a fatal error ends the run; transient trouble is retried until the timeout.
    auto c = std::make_shared<reference::client>(ioc, cfg, store, local_file ? &local : nullptr);
    c->start();
    // FLX: the subscription set (version 1) must be complete, or refused.
    std::optional<std::error_code> subs_done;
    if (flx)
        c->async_wait_for_subscriptions(1, [&](std::error_code e) { subs_done = e; });
    auto count = [&] {
        const auto* t = store.find_table("Item");
        return t ? static_cast<long long>(t->objects.size()) : 0LL;
    };
    bool ok = reference::client::run_until(
        ioc,
        [&] {
            if (c->failed() || (subs_done && *subs_done))
                return true;
            if (flx && !subs_done)
                return false;
            if (c->failure().http_status != 0 && c->failure().http_status != 401 && c->failure().http_status < 500)
                return true;
            if (!c->synced())
                return false;
            if (expect >= 0 && count() < expect) {
                return false;
            }
            return true;
        },
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()) +
            std::chrono::milliseconds(50));
    double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    bool good = ok && !c->failed() && c->synced() && (expect < 0 || count() >= expect) &&
                (!flx || (subs_done && !*subs_done));
    c->stop();
    reference::client::run_until(ioc, [] { return false; }, std::chrono::milliseconds(20));
    if (const reference::flx_subscription_version* v = flx ? c->subscription_version(1) : nullptr;
        v && v->state == reference::flx_subscription_state::error) {
        // the server refused the set: its code and sentence
        std::fprintf(stderr, "error: query error %d: %s\nsubscriptions: %s\n", v->error_code, v->error_message.c_str(),
                     v->json.c_str());
        return 1;
    }
    if (!good) {
        const auto& f = c->failure();
        std::string what = f.what.empty() ? (ok ? "not synced" : "timed out") : f.what;
        if (!ok || f.ec == std::errc::timed_out) {
            // the client's own deadline says "timed out (last error: …)"; keep the part in brackets
            std::string last = f.ec == std::errc::timed_out ? f.what.substr(std::min<std::size_t>(f.what.size(), 9))
                               : f.what.empty()               ? std::string()
                                                              : " (last error: " + f.what + ")";
            what = "timed out after " + std::to_string(timeout_s) + " s" + last;
        }
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
    if (flx)
        std::printf("subscriptions (query version 1, %s): %s\n",
                    reference::to_string(c->subscription_version(1)->state), c->subscription_version(1)->json.c_str());
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
    "[--timeout S] [--local FILE [--compact] [--compact-log BYTES]] [--subscribe 'TABLE: QUERY']... [--verbose]",
    run};

} // namespace
