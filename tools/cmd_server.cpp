// `realmwire server`: the reference sync server (sync + /auth on one listener) until SIGTERM/SIGINT.
// SIGHUP re-reads --flx-permissions FILE: the new roles apply at once, and FLX sessions whose view
// changes get a server-initiated bootstrap (protocol 14+). A file that does not parse keeps the old.
#include "command.hpp"

#include <realmwire/reference/flx_permissions_file.hpp>
#include <realmwire/reference/server.hpp>

#include <chrono>
#include <csignal>
#include <fstream>
#include <iterator>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <pthread.h>
#include <stdexcept>
#include <string>
#include <type_traits>

namespace {

/// The roles of an --flx-permissions file; `why` says what is wrong (empty = fine).
realmwire::reference::flx_permissions read_flx_permissions(const std::string& file, std::string& why)
{
    std::ifstream in(file, std::ios::binary);
    if (!in) {
        why = "cannot read " + file;
        return {};
    }
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::error_code ec;
    auto p = realmwire::reference::parse_flx_permissions(text, ec, why);
    if (ec && why.empty())
        why = ec.message();
    return p;
}

std::vector<std::string> split_commas(const std::string& s)
{
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        std::size_t c = s.find(',', start);
        if (c == std::string::npos)
            c = s.size();
        if (c > start)
            out.push_back(s.substr(start, c - start));
        start = c + 1;
    }
    return out;
}

int run(realmwire_tool::args& a)
{
    using namespace realmwire;
    reference::server_config cfg;
    std::string listen = a.required("listen");
    cfg.data_dir = a.required("data");
    auto cert = a.value("tls-cert");
    auto key = a.value("tls-key");
    if (bool(cert) != bool(key))
        throw realmwire_tool::usage_error("--tls-cert and --tls-key go together");
    if (cert) {
        cfg.tls_cert_file = *cert;
        cfg.tls_key_file = *key;
    }
    cfg.url_prefixes = a.values("url-prefix");
    cfg.flx.queryable = a.values("queryable");
    auto flx_permissions_file = a.value("flx-permissions");
    if (flx_permissions_file) {
        std::string why;
        cfg.flx.permissions = read_flx_permissions(*flx_permissions_file, why);
        if (!why.empty())
            throw realmwire_tool::usage_error("--flx-permissions " + *flx_permissions_file + ": " + why);
    }
    if (auto h = a.value("auth-header-name"))
        cfg.auth_header_name = *h;
    if (auto d = a.value("dialects")) {
        cfg.dialects.clear();
        for (const auto& name : split_commas(*d)) {
            const dialect* found = find_dialect(name);
            if (!found)
                throw realmwire_tool::usage_error("unknown dialect '" + name + "'");
            cfg.dialects.push_back(found);
        }
        if (cfg.dialects.empty())
            throw realmwire_tool::usage_error("--dialects is empty");
    }
    if (auto k = a.value("public-key"))
        cfg.public_key_file = *k;
    if (auto k = a.value("private-key"))
        cfg.private_key_file = *k;
    if (auto t = a.value("access-token-lifetime"))
        cfg.token_lifetimes.access = std::stoll(*t);
    cfg.public_realms = a.values("public-realm");
    // /auth against hostile clients (docs/security.md): every limit has a flag, every default is safe.
    auto number = [&](const char* name, auto& field) {
        if (auto v = a.value(name)) {
            try {
                std::size_t used = 0;
                long long n = std::stoll(*v, &used);
                if (used != v->size() || n < 0)
                    throw std::invalid_argument(name);
                field = static_cast<std::remove_reference_t<decltype(field)>>(n);
            }
            catch (const std::exception&) {
                throw realmwire_tool::usage_error(std::string("--") + name + " wants a number >= 0");
            }
        }
    };
    auto& as = cfg.auth_service;
    for (const auto& p : a.values("enable-provider")) {
        for (const auto& name : split_commas(p)) {
            if (name == "nickname")
                as.enable_nickname = true;
            else if (name == "anonymous")
                as.enable_anonymous = true;
            else
                throw realmwire_tool::usage_error("--enable-provider knows nickname and anonymous, not '" + name + "'");
        }
    }
    if (a.flag("no-registration"))
        as.allow_registration = false;
    number("max-users", as.max_users);
    number("max-anonymous-users", as.max_anonymous_users);
    number("password-iterations", as.password.iterations);
    if (as.password.iterations < 1)
        throw realmwire_tool::usage_error("--password-iterations must be at least 1");
    number("login-free-failures", as.login.free_failures);
    long long backoff_ms = as.login.backoff_base.count(), backoff_max_ms = as.login.backoff_max.count();
    number("login-backoff-ms", backoff_ms);
    number("login-backoff-max-ms", backoff_max_ms);
    as.login.backoff_base = std::chrono::milliseconds(backoff_ms);
    as.login.backoff_max = std::chrono::milliseconds(backoff_max_ms);
    if (auto r = a.value("login-rate")) {
        try {
            as.login.address_rate = std::stod(*r);
        }
        catch (const std::exception&) {
            throw realmwire_tool::usage_error("--login-rate wants attempts per second");
        }
    }
    number("login-burst", as.login.address_burst);
    number("auth-workers", cfg.auth_workers.threads);
    number("auth-queue", cfg.auth_workers.max_pending);
    // Sync connections against hostile clients (docs/security.md).
    auto millis = [&](const char* flag, std::chrono::milliseconds& target) {
        long long ms = target.count();
        number(flag, ms);
        target = std::chrono::milliseconds(ms);
    };
    reference::sync_limits& lim = cfg.limits;
    number("max-connections", cfg.max_connections);
    number("max-connections-per-user", lim.max_connections_per_user);
    number("max-connections-per-address", lim.max_connections_per_address);
    number("reserved-auth-connections", lim.reserved_auth_connections);
    millis("bind-deadline-ms", lim.bind_deadline);
    millis("http-deadline-ms", lim.http_deadline);
    millis("idle-timeout-ms", cfg.idle_timeout);
    number("max-message-size", lim.max_message_size);
    number("max-upload-size", lim.max_upload_size);
    number("max-changeset-size", lim.max_changeset_size);
    number("max-open-realms", lim.max_open_realms);
    number("max-realms-per-user", lim.max_realms_per_user);
    number("max-realm-bytes", lim.max_realm_bytes);
    number("max-reciprocal-bytes", lim.max_reciprocal_bytes);
    number("send-queue-cap", lim.max_send_queue);
    number("flx-max-past-values", cfg.flx.max_past_values);
    number("flx-max-past-bytes", cfg.flx.max_past_value_bytes);
    bool verbose = a.flag("verbose");
    bool print_admin = a.flag("print-admin-token");
    a.finish();

    std::size_t colon = listen.rfind(':');
    if (colon == std::string::npos)
        throw realmwire_tool::usage_error("--listen wants HOST:PORT");
    cfg.address = listen.substr(0, colon);
    if (cfg.address.size() > 2 && cfg.address.front() == '[' && cfg.address.back() == ']')
        cfg.address = cfg.address.substr(1, cfg.address.size() - 2);
    unsigned long port = 0;
    try {
        port = std::stoul(listen.substr(colon + 1));
    }
    catch (const std::exception&) {
        throw realmwire_tool::usage_error("bad port in --listen");
    }
    if (port > 65535)
        throw realmwire_tool::usage_error("bad port in --listen");
    cfg.port = static_cast<std::uint16_t>(port);

    // Block the stop signals before any thread starts, so only sigwait() below sees them.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);

    reference::server_services svc;
    std::mutex log_mutex;
    if (verbose)
        svc.log = [&](const std::string& s) {
            std::lock_guard<std::mutex> lock(log_mutex);
            std::cerr << s << "\n";
        };
    reference::server srv(cfg, svc);
    std::error_code ec;
    srv.start(ec);
    if (ec) {
        std::fprintf(stderr, "error: cannot start: %s (%s:%d)\n", ec.message().c_str(), ec.category().name(), ec.value());
        return 1;
    }
    std::string shown = cfg.address.find(':') != std::string::npos ? "[" + cfg.address + "]" : cfg.address;
    std::printf("listening on %s:%u%s\n", shown.c_str(), static_cast<unsigned>(srv.port()), srv.tls() ? " (TLS)" : "");
    if (print_admin) // asked for explicitly
        std::printf("admin token: %s\n", srv.auth().admin_token().c_str());
    std::fflush(stdout);
    int sig = 0;
    while (sigwait(&set, &sig) == 0 && sig == SIGHUP) {
        if (!flx_permissions_file) {
            std::fprintf(stderr, "SIGHUP: no --flx-permissions file to re-read\n");
            continue;
        }
        std::string why;
        auto p = read_flx_permissions(*flx_permissions_file, why);
        if (!why.empty()) {
            std::fprintf(stderr, "SIGHUP: --flx-permissions %s: %s (the previous roles stay)\n",
                         flx_permissions_file->c_str(), why.c_str());
            continue;
        }
        srv.set_flx_permissions(std::move(p));
        std::printf("flx permissions re-read from %s\n", flx_permissions_file->c_str());
        std::fflush(stdout);
    }
    srv.stop();
    const auto& st = srv.stats();
    std::printf("stopped (%zu connections served, %zu messages in, %zu out, peak send queue %zu bytes of %zu)\n",
                st.accepted.load(), st.messages_in.load(), st.messages_out.load(), st.peak_send_queue_bytes.load(),
                cfg.limits.max_send_queue);
    return 0;
}

realmwire_tool::registration reg{
    "server",
    "run the reference sync server: --listen HOST:PORT --data DIR [--tls-cert PEM --tls-key PEM] "
    "[--url-prefix P]... [--auth-header-name N] [--dialects a,b] [--public-key PEM] [--private-key PEM] "
    "[--public-realm PATH]... [--access-token-lifetime S] [--verbose] [--print-admin-token] "
    "[--enable-provider nickname,anonymous] [--no-registration] [--max-users N] [--max-anonymous-users N] "
    "[--password-iterations N] [--login-rate PER_S] [--login-burst N] [--login-free-failures N] "
    "[--login-backoff-ms MS] [--login-backoff-max-ms MS] [--auth-workers N] [--auth-queue N] "
    "[--max-connections N] [--max-connections-per-user N] [--max-connections-per-address N] "
    "[--reserved-auth-connections N] [--bind-deadline-ms MS] [--http-deadline-ms MS] [--idle-timeout-ms MS] "
    "[--max-message-size BYTES] [--max-upload-size BYTES] [--max-changeset-size BYTES] [--max-open-realms N] "
    "[--max-realms-per-user N] [--max-realm-bytes BYTES] [--max-reciprocal-bytes BYTES] [--send-queue-cap BYTES] [--queryable TABLE.FIELD]... "
    "[--flx-max-past-values N] [--flx-max-past-bytes BYTES] "
    "[--flx-permissions FILE]",
    run};

} // namespace
