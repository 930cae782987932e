#ifndef REALMWIRE_REFERENCE_SERVER_HPP
#define REALMWIRE_REFERENCE_SERVER_HPP

// The reference sync server: what a ROS 3.x start config assembled — sync, auth, realm directory,
// permissions, log — as replaceable services, with a data directory, serving the `/auth` API and the
// sync WebSocket endpoint on ONE listener (ROS served both on 9080), plain TCP or TLS, several dialects
// at once, configurable URL prefixes and token header name.
//
//   reference::server_config cfg;
//   cfg.data_dir = "/var/lib/realmwire";        // history, users (users.json), keys (auth.key/.pub)
//   reference::server srv(cfg);                 // default services
//   srv.start();                                // binds, runs on its own thread
//   srv.port();                                 // the bound port (cfg.port 0 picks one)
//   srv.stop();
//
// Data directory: `realms/<hex path>.log` (durable_log per realm, see history.hpp), `users.json`
// (auth::file_user_store), `auth.key` + `auth.pub` (generated on first start unless given).
// Threading: one I/O thread; every connection and the sync service run on it, so uploads are merged
// (sync_backend.hpp, docs/merge.md) one at a time, in arrival order.
// Layers: driver::http_server is the one accept loop (TLS, connection caps per address and in total,
// request deadlines) and routes: `/auth` to the auth service on worker threads, a sync path to
// driver::sync_server, anything else 404. sync_server judges the upgrade (handshake/acceptor.hpp), asks
// this file to admit it (sync slots, connections per user) and runs the general
// endpoint::server_connection over the WebSocket (ordering rules, error codes, token checks at
// BIND/IDENT/UPLOAD/MARK/REFRESH, DOWNLOAD generation under the send-queue cap, wake-ups of the other
// connections of a realm that changed). This file only wires them and keeps the per-user accounting.

#include "realmwire/auth/keys.hpp"
#include "realmwire/auth/server.hpp"
#include "realmwire/auth/store.hpp"
#include "realmwire/dialect/dialect.hpp"
#include "realmwire/driver/http_server.hpp"
#include "realmwire/driver/sync_server.hpp"
#include "realmwire/driver/work_pool.hpp"
#include "realmwire/handshake/acceptor.hpp"
#include "realmwire/policy/url_prefix.hpp"
#include "realmwire/endpoint/default_codecs.hpp"
#include "realmwire/endpoint/server_connection.hpp"
#include "realmwire/reference/sync_backend.hpp"
#include "realmwire/transport/tls.hpp"

#include <asio.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace realmwire::reference {

/// What sync clients can make the server hold. The defaults are meant for a public deployment; each
/// one is a `realmwire server` flag (docs/security.md lists them with the attack each one stops).
struct sync_limits {
    /// Upgraded sync connections one identity may hold at once (429 beyond). 0 = no cap.
    std::size_t max_connections_per_user = 32;
    /// TCP connections (sync and /auth) one source address may hold at once (closed at accept
    /// beyond). 0 = no cap.
    std::size_t max_connections_per_address = 256;
    /// Connection slots of server_config::max_connections that sync connections never take, so that
    /// /auth (login, refresh) stays reachable when sync is full (503 for the upgrade beyond).
    std::size_t reserved_auth_connections = 64;
    /// A sync connection that has not bound a session this long after its upgrade is closed.
    std::chrono::milliseconds bind_deadline{10'000};
    /// An HTTP connection must complete each request within this long (slow-loris bound).
    std::chrono::milliseconds http_deadline{30'000};
    /// One WebSocket message as received (a compressed UPLOAD counts with its compressed size).
    std::size_t max_message_size = 16u * 1024 * 1024;
    /// The declared uncompressed size of an UPLOAD body: checked before inflating, so a small
    /// compressed message can never make the server allocate more than this.
    std::size_t max_upload_size = 16u * 1024 * 1024;
    /// One changeset, checked while decoding each uploaded changeset before it is stored.
    std::size_t max_changeset_size = 16u * 1024 * 1024;
    /// Realm files (histories) open at once; the least recently used is closed beyond.
    std::size_t max_open_realms = realm_directory::default_max_open;
    /// Distinct realms one identity may have bound at once (224 beyond).
    std::size_t max_realms_per_user = 128;
    /// Bytes a sync connection may have handed to the WebSocket layer and not yet written: its next
    /// message (a DOWNLOAD, ...) is produced only below this, so a client that stops reading costs
    /// the server this much, not what it would have been sent. 0 = one message at a time.
    std::size_t max_send_queue = 1024 * 1024;
    /// Changeset bytes one realm may store (201 for the UPLOAD beyond).
    std::uint64_t max_realm_bytes = std::uint64_t(1) << 30;
    /// Reciprocal-history bytes one realm may keep (the merge's per-client-file state, trimmed at each
    /// client's upload cursor); 201 for the UPLOAD beyond.
    std::uint64_t max_reciprocal_bytes = std::uint64_t(256) << 20;
};

struct server_config {
    std::string data_dir;                  ///< "" = everything in memory (keys generated per run)
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;                ///< 0 = any free port
    std::string tls_cert_file;             ///< PEM chain; with tls_key_file: serve TLS only
    std::string tls_key_file;
    std::vector<std::string> url_prefixes; ///< empty = the dialects' defaults (`/realm-sync`)
    std::string auth_header_name;          ///< token header of header-based dialects ("" = dialect's)
    std::vector<const realmwire::dialect*> dialects{dialects::all.begin(), dialects::all.end()};
    std::string public_key_file;           ///< PEM; "" = <data_dir>/auth.pub (generated)
    std::string private_key_file;          ///< PEM; "" = <data_dir>/auth.key (generated)
    bool require_auth = true;              ///< false: no token checks at all (realm-core's server)
    /// Realms every user may download from and upload to (a permission for user "" in the store);
    /// other realms: the user's own `/<user id>/...` tree and what the store grants.
    std::vector<std::string> public_realms;
    std::size_t max_download_size = 128 * 1024;
    std::size_t max_connections = 4096;
    /// Close a sync connection from which nothing arrived for this long (0 = never).
    std::chrono::milliseconds idle_timeout{30 * 60 * 1000};
    sync_limits limits{};
    auth::token_lifetimes token_lifetimes{};
    auth::unix_clock clock = auth::system_unix_now;
    /// The default /auth service's settings: development providers (off), registration, user caps,
    /// login brakes (docs/security.md). Its header name, lifetimes and clock come from the fields above.
    auth::auth_service_config auth_service{};
    /// /auth requests run on these workers, never on the I/O thread (hashing would stall every sync
    /// connection); when `max_pending` are queued, more get 503 at once.
    driver::work_pool_options auth_workers{2, 64};
    /// Flexible sync (the default sync backend's FLX realm): queryable fields, permissions by role.
    flx_options flx{};
};

/// The replaceable services; null members get the defaults.
struct server_services {
    std::shared_ptr<auth::auth_service> auth;             ///< the /auth API and the token verifier
    std::shared_ptr<realm_directory> realms;              ///< realm path → durable history
    std::shared_ptr<permission_service> permissions;
    std::shared_ptr<endpoint::server_backend> sync;       ///< default: history_backend(realms, permissions)
    std::function<void(const std::string&)> log;          ///< one line per event; null = silent
};

/// Counters, readable from any thread. The sync connection counters are driver::sync_server's
/// (connections, max_connections, accepted, messages_in/out, out_of_memory, send_queue_bytes,
/// peak_send_queue_bytes).
struct server_stats : driver::sync_server_stats {
    std::atomic<std::size_t> auth_requests{0};
    std::atomic<std::size_t> refused_handshakes{0};
    std::atomic<std::size_t> refused_connections{0}; ///< closed at accept (total or per-address cap)
};

class server {
public:
    explicit server(server_config config, server_services services = {})
        : cfg_(std::move(config))
        , svc_(std::move(services))
    {
    }
    server(const server&) = delete;
    server& operator=(const server&) = delete;
    ~server() { stop(); }

    /// Loads or creates the data, binds, and starts the I/O thread.
    void start(std::error_code& ec)
    {
        ec.clear();
        if (thread_.joinable())
            return;
        build_services(ec);
        if (ec)
            return;
        build_drivers();
        http_->start(ec);
        if (ec)
            return;
        port_ = http_->port();
        thread_ = std::thread([this] { ioc_.run(); });
    }
    void start()
    {
        std::error_code ec;
        start(ec);
        if (ec)
            throw_error(ec, "reference server start");
    }

    /// Closes the listener and every connection and joins the I/O thread.
    void stop()
    {
        if (!thread_.joinable())
            return;
        asio::post(ioc_, [this] {
            http_->stop();
            sync_->shutdown();
        });
        guard_.reset();
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!ioc_.stopped() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        ioc_.stop();
        thread_.join();
    }

    std::uint16_t port() const noexcept { return port_; }
    bool tls() const noexcept { return !cfg_.tls_cert_file.empty(); }
    const server_config& config() const noexcept { return cfg_; }
    auth::auth_service& auth() { return *svc_.auth; }
    realm_directory& realms() { return *svc_.realms; }
    const server_stats& stats() const noexcept { return stats_; }

    /// New FLX roles at runtime (`realmwire server`: SIGHUP re-reads --flx-permissions): in force at
    /// once for writes; every FLX session whose view they change gets a server-initiated bootstrap of
    /// its current query version (protocol 14+), an older client ERROR 228. False when the sync
    /// backend is not the reference one or the server is not running.
    bool set_flx_permissions(flx_permissions p)
    {
        auto backend = std::dynamic_pointer_cast<history_backend>(svc_.sync);
        if (!backend || !thread_.joinable())
            return false;
        on_io_thread([&] {
            backend->flx.set_permissions(std::move(p));
            sync_->notify_realm_changed(backend->flx_realm);
        });
        return true;
    }

    /// Runs `f` on the I/O thread and waits for it (to read the histories safely).
    template <class F>
    auto on_io_thread(F&& f) -> decltype(f())
    {
        std::promise<decltype(f())> p;
        auto fut = p.get_future();
        asio::post(ioc_, [&] {
            if constexpr (std::is_void_v<decltype(f())>) {
                f();
                p.set_value();
            }
            else {
                p.set_value(f());
            }
        });
        return fut.get();
    }

private:
    void log(const std::string& s)
    {
        if (svc_.log)
            svc_.log(s);
    }

    void build_services(std::error_code& ec)
    {
        if (!cfg_.data_dir.empty() && ::mkdir(cfg_.data_dir.c_str(), 0700) != 0 && errno != EEXIST) {
            ec = std::error_code(errno, std::generic_category());
            return;
        }
        if (!svc_.auth) {
            auth::key_pair keys;
            if (!cfg_.private_key_file.empty() || !cfg_.public_key_file.empty()) {
                std::string pem;
                if (!cfg_.private_key_file.empty() && auth::detail::read_file(cfg_.private_key_file, pem))
                    keys.private_key = auth::rsa_key::from_private_pem(pem, ec);
                if (!ec && !cfg_.public_key_file.empty() && auth::detail::read_file(cfg_.public_key_file, pem))
                    keys.public_key = auth::rsa_key::from_public_pem(pem, ec);
                if (ec)
                    return;
            }
            else if (!cfg_.data_dir.empty()) {
                keys = auth::load_or_generate_keys(cfg_.data_dir, ec);
                if (ec)
                    return;
            }
            else {
                // In memory means in memory: a key written to a temporary directory outlived the process,
                // and a fallback path let a key planted there sign tokens.
                keys = auth::generate_key_pair(ec);
                if (ec)
                    return;
            }
            std::shared_ptr<auth::user_store> users;
            if (cfg_.data_dir.empty()) {
                users = std::make_shared<auth::memory_user_store>();
            }
            else {
                auto fs = std::make_shared<auth::file_user_store>(cfg_.data_dir + "/users.json", ec);
                if (ec)
                    return;
                users = fs;
            }
            auth::auth_service_config ac = cfg_.auth_service;
            if (!cfg_.auth_header_name.empty())
                ac.authorization_header_name = cfg_.auth_header_name;
            ac.lifetimes = cfg_.token_lifetimes;
            ac.clock = cfg_.clock;
            svc_.auth = std::make_shared<auth::auth_service>(std::move(keys), std::move(users), std::move(ac));
        }
        const std::uint32_t rw = auth::privilege::download | auth::privilege::upload;
        for (const auto& p : cfg_.public_realms) {
            if ((svc_.auth->store().permissions("", p) & rw) != rw) {
                svc_.auth->store().grant(auth::realm_permission{"", p, rw}, ec);
                if (ec)
                    return;
            }
        }
        if (!svc_.realms)
            svc_.realms = std::make_shared<realm_directory>(cfg_.data_dir, cfg_.limits.max_open_realms);
        if (!svc_.permissions)
            svc_.permissions = std::make_shared<permission_service>();
        if (!svc_.sync) {
            history_backend_limits hl;
            hl.max_realms_per_user = cfg_.limits.max_realms_per_user;
            hl.max_realm_bytes = cfg_.limits.max_realm_bytes;
            hl.max_reciprocal_bytes = cfg_.limits.max_reciprocal_bytes;
            auto backend = std::make_shared<history_backend>(svc_.realms, svc_.permissions, hl);
            backend->flx.options = cfg_.flx;
            svc_.sync = std::move(backend);
        }
        if (tls()) {
            tls_ctx_ = transport::make_server_tls_context(cfg_.tls_cert_file, cfg_.tls_key_file, ec);
            if (ec)
                return;
        }
        acceptor_opts_.dialects.clear();
        for (const auto* d : cfg_.dialects)
            acceptor_opts_.dialects.push_back(realmwire::accept_dialect(*d, cfg_.auth_header_name));
        acceptor_opts_.url_prefixes = cfg_.url_prefixes;
        acceptor_opts_.server = std::string("realmwire-reference/") + REALMWIRE_VERSION_STRING;
        if (cfg_.require_auth) {
            auth::auth_service* a = svc_.auth.get();
            // Signature, expiry, kind and revocation at the upgrade; path and privileges per session
            // at BIND (where kind and revocation are checked again: a token can be revoked later).
            acceptor_opts_.authorize = [a](const realmwire::handshake_verdict& verdict) -> std::error_code {
                if (verdict.token.empty())
                    return {};
                auth::verification v = a->verifier().verify(verdict.token, sync_token_request());
                if (v.error)
                    return v.error;
                if (a->store().is_revoked(v.revocation_key))
                    return auth_error::token_revoked;
                return {};
            };
        }
    }

    /// Sync takes access tokens only: a refresh token (years of lifetime) or a user token would
    /// otherwise open realms without ever asking /auth, which is where permissions are decided.
    static auth::verify_request sync_token_request()
    {
        auth::verify_request r;
        r.kind = auth::token_kind::access;
        return r;
    }

    // ---- the drivers ----

    /// What this server knows about one sync connection (I/O thread only).
    struct sync_conn {
        std::string peer;                 ///< IP:port, the prefix of its log lines
        std::optional<std::string> user;  ///< the identity counted against max_connections_per_user
    };

    void build_drivers()
    {
        const sync_limits& lim = cfg_.limits;
        driver::sync_server_options so;
        so.stats = &stats_;
        so.max_send_queue = lim.max_send_queue;
        so.bind_deadline = lim.bind_deadline;
        so.on_event = [this](std::uint64_t id, const endpoint::server_event& e) {
            if (e.type == endpoint::server_event_type::connection_error ||
                e.type == endpoint::server_event_type::session_error)
                log_conn(id, "sync error " + std::to_string(e.code) + " (session " + std::to_string(e.session_ident) +
                                 "): " + e.message);
        };
        so.on_session_bound = [this](std::uint64_t id, const endpoint::server_connection& c,
                                     const endpoint::server_event& e) { return account_session(id, c, e.session_ident); };
        so.on_closed = [this](std::uint64_t id, std::error_code ec) {
            auto it = sync_conns_.find(id);
            if (it == sync_conns_.end())
                return;
            if (ec == std::errc::timed_out)
                log_conn(id, "sync connection closed: no BIND within the deadline");
            else if (ec == std::errc::not_enough_memory)
                log_conn(id, "connection closed: out of memory");
            else if (ec == std::errc::permission_denied)
                log_conn(id, "sync connection closed: too many sync connections for one user");
            if (it->second.user)
                release(user_conns_, *it->second.user);
            sync_conns_.erase(it);
        };
        sync_ = std::make_unique<driver::sync_server>(*svc_.sync, std::move(so));

        auto u = std::make_shared<driver::sync_upgrade_options>();
        u->acceptor = acceptor_opts_;
        u->websocket.limits = websocket::decoder_limits{lim.max_message_size, true, 256 * 1024};
        endpoint::server_connection_config& c = u->base;
        c.verifier = cfg_.require_auth ? &svc_.auth->verifier() : nullptr;
        if (cfg_.require_auth) {
            c.token_kind = auth::token_kind::access;
            auto a = svc_.auth;
            c.is_revoked = [a](std::string_view key) { return a->store().is_revoked(key); };
        }
        c.limits.max_message_size = lim.max_message_size;
        c.limits.max_decompressed_size = lim.max_upload_size;
        c.validate_changesets = true; // the history stores and serves exactly what was uploaded
        c.changeset_limits.max_changeset_size = lim.max_changeset_size;
        c.max_download_body = cfg_.max_download_size;
        c.idle_timeout = cfg_.idle_timeout;
        upgrade_ = u;

        driver::http_server_options ho;
        ho.address = cfg_.address;
        ho.port = cfg_.port;
        ho.max_connections = cfg_.max_connections;
        ho.max_connections_per_address = lim.max_connections_per_address;
        // One deadline per request, from the end of the previous one (or the accept) to its last byte.
        ho.read_timeout = lim.http_deadline;
        ho.idle_timeout = lim.http_deadline;
        ho.write_timeout = lim.http_deadline;
        ho.max_requests_per_connection = std::size_t(-1);
        ho.server_header.clear();
        ho.worker_threads = cfg_.auth_workers.threads == 0 ? 1 : cfg_.auth_workers.threads;
        ho.max_pending = cfg_.auth_workers.max_pending;
        http::response busy = auth::make_problem_response(auth::problems::server_busy);
        busy.headers.set("Retry-After", "1");
        ho.busy_response = std::move(busy);
        if (tls())
            ho.tls = tls_ctx_;
        ho.on_refused = [this](const driver::http_peer& p, const char* why) {
            ++stats_.refused_connections;
            if (std::string_view(why) == "max_connections")
                log("[" + p.endpoint + "] connection refused: the server holds its maximum of " +
                    std::to_string(cfg_.max_connections) + " connections");
            else
                log("[" + p.endpoint + "] connection refused: " + std::to_string(cfg_.limits.max_connections_per_address) +
                    " connections from this address");
        };
        auto a = svc_.auth;
        http_ = std::make_unique<driver::http_server>(
            ioc_,
            driver::http_peer_handler([this, a](const http::request& req, const std::string& address) {
                if (a->matches(req)) {
                    ++stats_.auth_requests;
                    return a->handle(req, address);
                }
                http::response nf;
                nf.status = 404;
                nf.reason = "Not Found";
                nf.body = "Realm sync server\n\nPage not found\n";
                return nf;
            }),
            std::move(ho));
        // An upgrade, or a plain GET on a sync path: the acceptor's 400 names what is missing (no
        // Upgrade, HTTP/1.0), which behind a proxy tells "upgrade not forwarded" from "prefix not
        // rewritten" (a 404). /auth always goes to the auth service.
        http_->set_upgrade_handler(
            [this](transport::any_transport t, http::request req, std::string rest, driver::http_peer peer,
                   std::shared_ptr<void> slot) { on_upgrade(std::move(t), std::move(req), std::move(rest), std::move(peer), std::move(slot)); },
            [this, a](const http::request& req) {
                return !a->matches(req) && (driver::is_upgrade_request(req) || is_sync_path(req.target));
            });
    }

    void on_upgrade(transport::any_transport t, http::request req, std::string rest, driver::http_peer peer,
                    std::shared_ptr<void> slot)
    {
        // admit and on_refused run inside upgrade(), on this thread: they see this request's peer.
        auto u = std::make_shared<driver::sync_upgrade_options>(*upgrade_);
        u->admit = [this, peer](const handshake_verdict& v, endpoint::server_connection_config& c) {
            return admit(v, c, peer);
        };
        u->on_refused = [this, peer](const handshake_verdict& v) {
            ++stats_.refused_handshakes;
            if (v.ec != std::errc::resource_unavailable_try_again) // admit logged why
                log("[" + peer.endpoint + "] handshake refused: " + std::to_string(v.status) + " " + v.ec.message());
        };
        sync_->upgrade(std::move(t), req, std::move(rest), std::move(u), std::move(slot));
    }

    /// A judged upgrade: a sync slot (sync never takes the slots kept for /auth) and, for a token in
    /// the handshake, a connection slot of its identity.
    std::optional<http::response> admit(const handshake_verdict& v, endpoint::server_connection_config& c,
                                        const driver::http_peer& peer)
    {
        const sync_limits& lim = cfg_.limits;
        std::size_t sync_cap =
            cfg_.max_connections > lim.reserved_auth_connections ? cfg_.max_connections - lim.reserved_auth_connections : 0;
        if (sync_conns_.size() >= sync_cap) { // admitted: running, or their 101 still being written
            log("[" + peer.endpoint + "] handshake refused: 503 every sync connection slot is taken");
            return busy(503, "Service Unavailable", "the server holds its maximum of sync connections\n");
        }
        std::optional<std::string> user;
        if (cfg_.require_auth && !v.token.empty()) {
            auth::verification who = svc_.auth->verifier().verify(v.token, sync_token_request());
            if (!who.valid() || !take_user_slot(who.token_claims.identity)) {
                log("[" + peer.endpoint + "] handshake refused: 429 too many sync connections for one user");
                return busy(429, "Too Many Requests", "too many sync connections for this user\n");
            }
            user = who.token_claims.identity;
        }
        c.connection_id = ++next_conn_id_;
        sync_conns_[c.connection_id] = sync_conn{peer.endpoint, std::move(user)};
        return std::nullopt;
    }

    /// The first bound session names the user of a connection whose handshake carried no token.
    bool account_session(std::uint64_t id, const endpoint::server_connection& c, std::uint64_t session_ident)
    {
        auto it = sync_conns_.find(id);
        if (it == sync_conns_.end() || it->second.user || !cfg_.require_auth)
            return true;
        const auth::claims* who = c.session_user(session_ident);
        if (!who)
            return true;
        if (!take_user_slot(who->identity))
            return false;
        it->second.user = who->identity;
        return true;
    }

    void log_conn(std::uint64_t id, const std::string& s)
    {
        auto it = sync_conns_.find(id);
        log("[" + (it == sync_conns_.end() ? std::string("?") : it->second.peer) + "] " + s);
    }

    static http::response busy(int status, const char* reason, const char* body)
    {
        http::response r;
        r.status = status;
        r.reason = reason;
        r.headers.set("Retry-After", "30");
        r.headers.set("Content-Length", std::to_string(std::strlen(body)));
        r.body = body;
        return r;
    }

    bool is_sync_path(std::string_view target) const
    {
        std::string_view path = target.substr(0, target.find('?'));
        std::string_view rest;
        auto matches = [&](std::string_view prefix) {
            return policy::match_url_prefix(path, prefix, rest) != policy::prefix_match::none;
        };
        if (!acceptor_opts_.url_prefixes.empty()) {
            for (const auto& p : acceptor_opts_.url_prefixes)
                if (matches(p))
                    return true;
            return false;
        }
        for (const auto& d : acceptor_opts_.dialects)
            if (matches(d.dialect->default_url_prefix))
                return true;
        return false;
    }

    static void release(std::map<std::string, std::size_t>& counts, const std::string& key)
    {
        auto it = counts.find(key);
        if (it != counts.end() && --it->second == 0)
            counts.erase(it);
    }

    /// Counts a sync connection for `identity`; false when that identity holds its maximum already.
    bool take_user_slot(const std::string& identity)
    {
        std::size_t cap = cfg_.limits.max_connections_per_user;
        std::size_t& n = user_conns_[identity];
        if (cap != 0 && n >= cap) {
            if (n == 0)
                user_conns_.erase(identity);
            return false;
        }
        ++n;
        return true;
    }

    server_config cfg_;
    server_services svc_;
    server_stats stats_;                            ///< before the drivers: they count into it
    std::shared_ptr<asio::ssl::context> tls_ctx_;
    realmwire::acceptor_options acceptor_opts_;
    std::map<std::uint64_t, sync_conn> sync_conns_; ///< admitted sync connections
    std::map<std::string, std::size_t> user_conns_; ///< open sync connections per identity
    std::uint16_t port_ = 0;
    std::uint64_t next_conn_id_ = 0;
    std::shared_ptr<const driver::sync_upgrade_options> upgrade_;
    asio::io_context ioc_;                          ///< destroyed before the services its handlers use
    asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(ioc_);
    std::unique_ptr<driver::sync_server> sync_;     ///< after ioc_: gone before it (its hub only watches)
    std::unique_ptr<driver::http_server> http_;     ///< after ioc_: its worker pool stops first
    std::thread thread_;
};

} // namespace realmwire::reference

#endif
