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
// Protocol: each upgraded connection runs the general endpoint::server_connection (ordering rules,
// error codes, token checks at BIND/IDENT/UPLOAD/MARK/REFRESH, DOWNLOAD generation); this file only
// moves its messages over the WebSocket and wakes the other connections of a realm that changed.

#include "realmwire/auth/keys.hpp"
#include "realmwire/auth/server.hpp"
#include "realmwire/auth/store.hpp"
#include "realmwire/dialect/dialect.hpp"
#include "realmwire/driver/http_server.hpp"
#include "realmwire/driver/work_pool.hpp"
#include "realmwire/handshake/acceptor.hpp"
#include "realmwire/http/parser.hpp"
#include "realmwire/http/serializer.hpp"
#include "realmwire/policy/url_prefix.hpp"
#include "realmwire/reference/detail/ws_link.hpp"
#include "realmwire/endpoint/default_codecs.hpp"
#include "realmwire/endpoint/server_connection.hpp"
#include "realmwire/reference/sync_backend.hpp"
#include "realmwire/transport/any_transport.hpp"
#include "realmwire/transport/tcp.hpp"
#include "realmwire/transport/tls.hpp"

#include <asio.hpp>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <future>
#include <mutex>
#include <new>
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
    std::size_t max_send_queue = 1024 * 1024;
    /// Changeset bytes one realm may store (201 for the UPLOAD beyond).
    std::uint64_t max_realm_bytes = std::uint64_t(1) << 30;
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
};

/// The replaceable services; null members get the defaults.
struct server_services {
    std::shared_ptr<auth::auth_service> auth;             ///< the /auth API and the token verifier
    std::shared_ptr<realm_directory> realms;              ///< realm path → durable history
    std::shared_ptr<permission_service> permissions;
    std::shared_ptr<endpoint::server_backend> sync;       ///< default: history_backend(realms, permissions)
    std::function<void(const std::string&)> log;          ///< one line per event; null = silent
};

/// Counters, readable from any thread.
struct server_stats {
    std::atomic<std::size_t> connections{0};      ///< open sync connections now
    std::atomic<std::size_t> max_connections{0};  ///< the most held at once
    std::atomic<std::size_t> accepted{0};         ///< sync connections accepted in total
    std::atomic<std::size_t> auth_requests{0};
    std::atomic<std::size_t> refused_handshakes{0};
    std::atomic<std::size_t> messages_in{0};
    std::atomic<std::size_t> messages_out{0};
    std::atomic<std::size_t> refused_connections{0}; ///< closed at accept (total or per-address cap)
    std::atomic<std::size_t> out_of_memory{0};       ///< connections closed on an allocation failure
    std::atomic<std::size_t> send_queue_bytes{0};
    std::atomic<std::size_t> peak_send_queue_bytes{0};
};

class server {
public:
    explicit server(server_config config, server_services services = {})
        : cfg_(std::move(config))
        , svc_(std::move(services))
        , acceptor_(ioc_)
    {
    }
    server(const server&) = delete;
    server& operator=(const server&) = delete;
    ~server() { stop(); }

    /// Loads or creates the data, binds, and starts the I/O thread.
    void start(std::error_code& ec)
    {
        ec.clear();
        build_services(ec);
        if (ec)
            return;
        asio::ip::tcp::endpoint ep(asio::ip::make_address(cfg_.address, ec), cfg_.port);
        if (ec)
            return;
        acceptor_.open(ep.protocol(), ec);
        if (!ec)
            acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec)
            acceptor_.bind(ep, ec);
        if (!ec)
            acceptor_.listen(asio::socket_base::max_listen_connections, ec);
        if (ec)
            return;
        port_ = acceptor_.local_endpoint().port();
        accept();
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
        if (auth_pool_)
            auth_pool_->stop(); // its last answers are posted to the still running I/O thread
        asio::post(ioc_, [this] {
            std::error_code ignored;
            acceptor_.close(ignored);
            // abort() may finish a connection at once, which removes it from conns_: walk a copy.
            auto all = conns_;
            for (auto& c : all)
                c->abort();
            conns_.clear();
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
        if (!auth_pool_)
            auth_pool_ = std::make_unique<driver::work_pool>(cfg_.auth_workers);
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
            svc_.sync = std::make_shared<history_backend>(svc_.realms, svc_.permissions, hl);
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

    // ---- connections ----

    class conn;

    void accept()
    {
        acceptor_.async_accept([this](std::error_code ec, asio::ip::tcp::socket sock) {
            if (ec == asio::error::operation_aborted || !acceptor_.is_open())
                return;
            if (!ec) {
                std::error_code ignored;
                auto remote = sock.remote_endpoint(ignored);
                std::string addr = remote.address().to_string();
                std::string peer = (remote.address().is_v6() ? "[" + addr + "]" : addr) + ":" +
                                   std::to_string(remote.port());
                std::size_t per_addr = cfg_.limits.max_connections_per_address;
                if (conns_.size() >= cfg_.max_connections) {
                    ++stats_.refused_connections;
                    log("[" + peer + "] connection refused: the server holds its maximum of " +
                        std::to_string(cfg_.max_connections) + " connections");
                    sock.close(ignored);
                }
                else if (per_addr != 0 && addr_conns_[addr] >= per_addr) {
                    ++stats_.refused_connections;
                    log("[" + peer + "] connection refused: " + std::to_string(per_addr) +
                        " connections from this address");
                    sock.close(ignored);
                }
                else {
                    ++addr_conns_[addr];
                    auto c = std::make_shared<conn>(*this, std::move(sock), std::move(addr), std::move(peer));
                    conns_.push_back(c);
                    c->start();
                }
            }
            accept();
        });
    }

    void forget(conn* c)
    {
        release(addr_conns_, c->address());
        if (c->user())
            release(user_conns_, *c->user());
        conns_.remove_if([c](const std::shared_ptr<conn>& p) { return p.get() == c; });
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

    void realm_changed(conn* from, const std::string& realm);

    class conn : public std::enable_shared_from_this<conn> {
    public:
        conn(server& s, asio::ip::tcp::socket sock, std::string address, std::string peer)
            : srv_(s)
            , sock_(std::move(sock))
            , timer_(srv_.ioc_)
            , bind_timer_(srv_.ioc_)
            , parser_(http::parser_limits{})
            , address_(std::move(address))
            , peer_(std::move(peer))
        {
        }

        const std::string& address() const noexcept { return address_; }
        const std::optional<std::string>& user() const noexcept { return user_; }

        void start()
        {
            arm(srv_.cfg_.limits.http_deadline);
            transport::tcp_transport tcp(std::move(sock_));
            if (srv_.tls()) {
                auto tls = std::make_shared<transport::tls_transport<transport::tcp_transport>>(std::move(tcp), srv_.tls_ctx_);
                auto self = shared_from_this();
                tls->async_handshake(asio::ssl::stream_base::server, [self, tls](std::error_code ec) {
                    if (ec) {
                        tls->close();
                        self->finish();
                        return;
                    }
                    self->t_ = transport::any_transport(std::move(*tls));
                    self->read_http();
                });
            }
            else {
                t_ = transport::any_transport(std::move(tcp));
                read_http();
            }
        }

        void abort()
        {
            timer_.cancel();
            bind_timer_.cancel();
            if (link_)
                link_->abort();
            else if (t_)
                t_.close();
        }

        void realm_changed(const std::string& realm)
        {
            if (!sync_ || !link_ || done_)
                return;
            try {
                sync_->notify_realm_changed(realm);
                flush();
            }
            catch (const std::bad_alloc&) {
                out_of_memory(); // this connection's DOWNLOAD, not the uploader's fault
            }
        }

    private:
        void log(const std::string& s) { srv_.log("[" + peer_ + "] " + s); }

        /// An allocation failed while serving this connection: it alone goes (its state may be half
        /// updated), the server and every other connection carry on. Deferred, because the caller
        /// may be iterating over the server's connections.
        void out_of_memory()
        {
            ++srv_.stats_.out_of_memory;
            log("connection closed: out of memory");
            if (sync_)
                sync_->take_events();
            auto self = shared_from_this();
            asio::post(srv_.ioc_, [self] {
                self->abort();
                self->finish();
            });
            done_ = true;
            timer_.cancel();
            bind_timer_.cancel();
            if (sync_) {
                sync_.reset();
                --srv_.stats_.connections;
            }
        }
        void arm(std::chrono::steady_clock::duration d)
        {
            timer_.expires_after(d);
            timer_.async_wait([self = shared_from_this()](std::error_code ec) {
                if (!ec && !self->link_) {
                    self->t_.close();
                    self->finish();
                }
            });
        }

        void finish()
        {
            if (forgotten_)
                return;
            forgotten_ = true;
            done_ = true;
            timer_.cancel();
            bind_timer_.cancel();
            if (sync_) {
                sync_.reset(); // ends every session in the backend
                --srv_.stats_.connections;
            }
            srv_.forget(this);
        }

        void read_http()
        {
            auto self = shared_from_this();
            t_.async_read_some(asio::buffer(buf_), [self](std::error_code ec, std::size_t n) {
                if (ec) {
                    self->t_.close();
                    self->finish();
                    return;
                }
                self->on_http_bytes(std::string_view(self->buf_.data(), n));
            });
        }

        void on_http_bytes(std::string_view data)
        {
            std::error_code ec;
            std::size_t used = parser_.feed(data, ec);
            if (ec) {
                http::response bad;
                bad.status = 400;
                bad.reason = "Bad Request";
                respond(std::move(bad), false);
                return;
            }
            if (!parser_.done()) {
                read_http();
                return;
            }
            std::string rest(data.substr(used));
            http::request req = parser_.release();
            parser_.reset();
            if (srv_.svc_.auth->matches(req)) {
                ++srv_.stats_.auth_requests;
                pending_ = std::move(rest);
                serve_auth(std::move(req));
                return;
            }
            // A plain GET on a sync path goes to the acceptor, whose 400 names what is missing (no
            // Upgrade, HTTP/1.0): behind a proxy that does not forward the upgrade this is what tells
            // "upgrade not forwarded" from "prefix not rewritten" (a 404). Other paths stay 404.
            if (!driver::is_upgrade_request(req) && !is_sync_path(req.target)) {
                http::response nf;
                nf.status = 404;
                nf.reason = "Not Found";
                nf.body = "Realm sync server\n\nPage not found\n";
                respond(std::move(nf), false);
                return;
            }
            realmwire::handshake_verdict v = realmwire::accept_handshake(req, srv_.acceptor_opts_);
            if (!v.accepted()) {
                ++srv_.stats_.refused_handshakes;
                log("handshake refused: " + std::to_string(v.status) + " " + v.ec.message());
                respond(v.response, false);
                return;
            }
            const sync_limits& lim = srv_.cfg_.limits;
            std::size_t sync_cap = srv_.cfg_.max_connections > lim.reserved_auth_connections
                                       ? srv_.cfg_.max_connections - lim.reserved_auth_connections
                                       : 0;
            if (srv_.stats_.connections.load() >= sync_cap) {
                ++srv_.stats_.refused_handshakes;
                log("handshake refused: 503 every sync connection slot is taken");
                respond(busy(503, "Service Unavailable", "the server holds its maximum of sync connections\n"), false);
                return;
            }
            if (srv_.cfg_.require_auth && !v.token.empty()) {
                auth::verification who = srv_.svc_.auth->verifier().verify(v.token, sync_token_request());
                if (!who.valid() || !srv_.take_user_slot(who.token_claims.identity)) {
                    ++srv_.stats_.refused_handshakes;
                    log("handshake refused: 429 too many sync connections for one user");
                    respond(busy(429, "Too Many Requests", "too many sync connections for this user\n"), false);
                    return;
                }
                user_ = who.token_claims.identity;
            }
            upgrade(std::move(v), std::move(rest));
        }

        /// Runs the request on an auth worker and answers on the I/O thread; nothing more is read from
        /// this connection meanwhile. `Connection: close` (and HTTP/1.0) closes after the answer.
        void serve_auth(http::request req)
        {
            bool keep = req.version_minor >= 1;
            if (auto c = req.headers.get("Connection"); c && http::list_contains_token(*c, "close"))
                keep = false;
            auto self = shared_from_this();
            auto job = [self, req = std::move(req), keep]() mutable {
                http::response res;
                try {
                    res = self->srv_.svc_.auth->handle(req, self->address_);
                }
                catch (const std::exception&) {
                    res = http::response{};
                    res.status = 500;
                    res.reason = "Internal Server Error";
                }
                // The connection's reference goes back to the I/O thread with the answer, so the connection
                // is never destroyed on a worker.
                auto& ioc = self->srv_.ioc_;
                asio::post(ioc, [self = std::move(self), res = std::move(res), keep]() mutable {
                    if (!self->done_)
                        self->respond(std::move(res), keep);
                });
            };
            if (!srv_.auth_pool_->try_post(std::move(job))) {
                http::response busy = auth::make_problem_response(auth::problems::server_busy);
                busy.headers.set("Retry-After", "1");
                respond(std::move(busy), keep);
            }
        }

        static http::response busy(int status, const char* reason, const char* body)
        {
            http::response r;
            r.status = status;
            r.reason = reason;
            r.headers.set("Retry-After", "30");
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
            if (!srv_.acceptor_opts_.url_prefixes.empty()) {
                for (const auto& p : srv_.acceptor_opts_.url_prefixes)
                    if (matches(p))
                        return true;
                return false;
            }
            for (const auto& d : srv_.acceptor_opts_.dialects)
                if (matches(d.dialect->default_url_prefix))
                    return true;
            return false;
        }

        void respond(http::response res, bool keep)
        {
            res.headers.set("Content-Length", std::to_string(res.body.size()));
            if (!keep)
                res.headers.set("Connection", "close");
            out_ = http::serialize(res);
            auto self = shared_from_this();
            t_.async_write(asio::buffer(out_), [self, keep](std::error_code ec, std::size_t) {
                if (ec || !keep) {
                    self->t_.close();
                    self->finish();
                    return;
                }
                self->arm(self->srv_.cfg_.limits.http_deadline);
                if (!self->pending_.empty()) {
                    std::string p = std::move(self->pending_);
                    self->pending_.clear();
                    self->on_http_bytes(p);
                }
                else {
                    self->read_http();
                }
            });
        }

        void upgrade(realmwire::handshake_verdict v, std::string rest)
        {
            timer_.cancel();
            endpoint::server_connection_config c;
            c.dialect = v.dialect->id;
            c.protocol_version = v.version;
            c.handshake_token = v.token;
            c.verifier = srv_.cfg_.require_auth ? &srv_.svc_.auth->verifier() : nullptr;
            if (srv_.cfg_.require_auth) {
                c.token_kind = auth::token_kind::access;
                auto a = srv_.svc_.auth;
                c.is_revoked = [a](std::string_view key) { return a->store().is_revoked(key); };
            }
            const sync_limits& lim = srv_.cfg_.limits;
            c.limits.max_message_size = lim.max_message_size;
            c.limits.max_decompressed_size = lim.max_upload_size;
            c.validate_changesets = true; // the history stores and serves exactly what was uploaded
            c.changeset_limits.max_changeset_size = lim.max_changeset_size;
            c.max_download_body = srv_.cfg_.max_download_size;
            c.idle_timeout = srv_.cfg_.idle_timeout;
            c.connection_id = ++srv_.next_conn_id_;
            sync_ = std::make_unique<endpoint::server_connection>(
                *srv_.svc_.sync, endpoint::with_default_codecs(std::move(c)), std::chrono::steady_clock::now());
            std::size_t now = ++srv_.stats_.connections;
            ++srv_.stats_.accepted;
            std::size_t prev = srv_.stats_.max_connections.load();
            while (now > prev && !srv_.stats_.max_connections.compare_exchange_weak(prev, now)) {
            }
            out_ = v.response_bytes();
            auto self = shared_from_this();
            t_.async_write(asio::buffer(out_), [self, rest = std::move(rest)](std::error_code ec, std::size_t) mutable {
                if (ec) {
                    self->t_.close();
                    self->finish();
                    return;
                }
                self->link_ = std::make_shared<detail::ws_link>(std::move(self->t_), websocket::role::server,
                                                                 self->srv_.cfg_.limits.max_message_size);
                self->arm_bind_deadline();
                std::weak_ptr<conn> weak = self;
                self->link_->start(
                    std::move(rest),
                    [weak](std::string_view msg) {
                        if (auto s = weak.lock())
                            s->on_message(msg);
                    },
                    [weak](std::error_code) {
                        if (auto s = weak.lock())
                            s->finish();
                    });
                self->flush(); // LOG_MESSAGE on connect (protocol >= 10)
            });
        }

        void on_message(std::string_view msg)
        {
            if (done_ || !sync_)
                return;
            ++srv_.stats_.messages_in;
            try {
                sync_->receive(msg, std::chrono::steady_clock::now());
                flush();
            }
            catch (const std::bad_alloc&) {
                out_of_memory();
            }
        }

        /// A fresh sync connection holds a slot; one that binds nothing within the deadline is an
        /// attacker's (or a broken client's) and goes, whatever the idle timeout says.
        void arm_bind_deadline()
        {
            auto d = srv_.cfg_.limits.bind_deadline;
            if (d.count() <= 0)
                return;
            bind_timer_.expires_after(d);
            bind_timer_.async_wait([weak = std::weak_ptr<conn>(shared_from_this())](std::error_code ec) {
                auto self = weak.lock();
                if (ec || !self || self->done_ || self->bound_ || !self->link_)
                    return;
                self->log("sync connection closed: no BIND within the deadline");
                self->timer_.cancel();
                self->link_->close(1008);
            });
        }

        /// The first bound session names the user of a connection whose handshake carried no token.
        bool account_session(std::uint64_t session_ident)
        {
            bound_ = true;
            bind_timer_.cancel();
            if (user_ || !srv_.cfg_.require_auth)
                return true;
            const auth::claims* c = sync_->session_user(session_ident);
            if (!c)
                return true;
            if (!srv_.take_user_slot(c->identity)) {
                log("sync connection closed: too many sync connections for one user");
                return false;
            }
            user_ = c->identity;
            return true;
        }

        /// Sends what the connection has to say, wakes the other connections of a realm whose history
        /// grew here, closes after a connection-level error, and re-arms the idle timer.
        void flush()
        {
            if (done_ || !sync_ || !link_)
                return;
            // The link queues without limit, so everything is drained at once; DOWNLOADs are still
            // produced one per call and capped in size.
            while (auto m = sync_->next_output(std::chrono::steady_clock::now())) {
                ++srv_.stats_.messages_out;
                link_->send(*m);
            }
            std::size_t q = link_->queued_bytes();
            std::size_t peak = srv_.stats_.peak_send_queue_bytes.load();
            while (q > peak && !srv_.stats_.peak_send_queue_bytes.compare_exchange_weak(peak, q)) {
            }
            std::vector<std::string> changed;
            bool over_cap = false;
            for (auto& e : sync_->take_events()) {
                if (e.type == endpoint::server_event_type::realm_changed)
                    changed.push_back(std::move(e.realm));
                else if (e.type == endpoint::server_event_type::session_bound && !bound_)
                    over_cap = !account_session(e.session_ident);
                else if (e.type == endpoint::server_event_type::connection_error ||
                         e.type == endpoint::server_event_type::session_error)
                    log("sync error " + std::to_string(e.code) + " (session " + std::to_string(e.session_ident) +
                        "): " + e.message);
            }
            if (over_cap) {
                timer_.cancel();
                link_->close(1008);
            }
            else if (sync_->should_close()) {
                timer_.cancel();
                link_->close(1000);
            }
            else {
                arm_idle();
            }
            for (const auto& r : changed)
                srv_.realm_changed(this, r);
        }

        void arm_idle()
        {
            auto d = sync_->next_deadline();
            if (!d) {
                timer_.cancel();
                return;
            }
            timer_.expires_at(*d);
            timer_.async_wait([weak = std::weak_ptr<conn>(shared_from_this())](std::error_code ec) {
                auto self = weak.lock();
                if (ec || !self || self->done_ || !self->sync_)
                    return;
                self->sync_->on_timer(std::chrono::steady_clock::now());
                self->flush();
            });
        }

        server& srv_;
        asio::ip::tcp::socket sock_;
        asio::steady_timer timer_;
        asio::steady_timer bind_timer_;
        transport::any_transport t_;
        http::request_parser parser_;
        std::array<char, 8192> buf_{};
        std::string out_;
        std::string pending_;
        std::unique_ptr<endpoint::server_connection> sync_;
        std::shared_ptr<detail::ws_link> link_;
        std::string address_;            ///< the client's IP (per-address accounting)
        std::string peer_;               ///< IP:port, the prefix of every log line
        std::optional<std::string> user_; ///< the identity counted against max_connections_per_user
        bool bound_ = false;
        bool done_ = false;
        bool forgotten_ = false;
    };

    server_config cfg_;
    server_services svc_;
    asio::io_context ioc_;
    asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(ioc_);
    asio::ip::tcp::acceptor acceptor_;
    std::unique_ptr<driver::work_pool> auth_pool_; ///< after ioc_: stopped before it is destroyed
    std::shared_ptr<asio::ssl::context> tls_ctx_;
    realmwire::acceptor_options acceptor_opts_;
    std::list<std::shared_ptr<conn>> conns_;
    std::map<std::string, std::size_t> addr_conns_; ///< open connections per source address
    std::map<std::string, std::size_t> user_conns_; ///< open sync connections per identity
    std::uint16_t port_ = 0;
    std::uint64_t next_conn_id_ = 0;
    server_stats stats_;
    std::thread thread_;
};

inline void server::realm_changed(conn* from, const std::string& realm)
{
    for (auto& c : conns_)
        if (c.get() != from)
            c->realm_changed(realm);
}

} // namespace realmwire::reference

#endif
