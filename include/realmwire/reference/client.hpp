#ifndef REALMWIRE_REFERENCE_CLIENT_HPP
#define REALMWIRE_REFERENCE_CLIENT_HPP

// The reference sync client: one session (one realm, one object_store) over one connection, in any
// dialect, over TCP or TLS, directly or through an HTTP CONNECT proxy. Runs on the caller's
// io_context (many clients can share one thread). For tests, examples and the `realmwire client` tool.
//
//   reference::object_store store;
//   reference::client_config cfg;
//   cfg.server_url = "ws://127.0.0.1:9080";  cfg.realm_path = "/items";  cfg.token = token;
//   auto c = std::make_shared<reference::client>(ioc, cfg, store);
//   store.put_items({{1, "a"}});
//   c->start();
//   c->run_until(ioc, [&] { return c->synced(); }, std::chrono::seconds(10));
//
// Session (realm-core's order): BIND (need_client_file_ident when the store has none) → server IDENT →
// IDENT with the stored progress → UPLOAD of every local change after the acknowledged cursor →
// MARK; DOWNLOADs are integrated as they come. `synced()` = the server acknowledged every local
// change and answered the last MARK. Errors: a session ERROR with try_again, a dropped connection or
// a refused handshake with a retryable status reconnect after `reconnect_delay` (doubling up to
// `max_reconnect_delay`; realm-core uses 1 s .. 5 min) and resume from the stored progress; the
// server skips re-sent changesets. Token refresh: before the token expires (legacy dialects: REFRESH
// on the open connection) and on 202 / HTTP 401 (a new connection with the new token).

#include "realmwire/auth/claims.hpp"
#include "realmwire/auth/token.hpp"
#include "realmwire/dialect/dialect.hpp"
#include "realmwire/handshake/request_builder.hpp"
#include "realmwire/handshake/verifier.hpp"
#include "realmwire/http/parser.hpp"
#include "realmwire/policy/custom_headers.hpp"
#include "realmwire/policy/token_placement.hpp"
#include "realmwire/protocol/compression.hpp"
#include "realmwire/protocol/decode.hpp"
#include "realmwire/protocol/encode.hpp"
#include "realmwire/reference/detail/ws_link.hpp"
#include "realmwire/reference/object_store.hpp"
#include "realmwire/transport/connect.hpp"
#include "realmwire/url.hpp"

#include <asio.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace realmwire::reference {

struct client_config {
    std::string server_url;                    ///< ws://, wss://, realm://, realms://
    const realmwire::dialect* dialect = &dialects::mongodb_pbs;
    std::string realm_path = "/default";       ///< BIND path (FLX: the BIND JSON is "{}")
    /// FLX: the subscription set sent in IDENT (query version 1). An empty set selects nothing; the
    /// default selects every object of the store's table.
    std::string flx_query = R"j({"Item":"TRUEPREDICATE"})j";
    std::string url_prefix;                    ///< "" = the URL's path or the dialect's default
    std::string auth_header_name;              ///< token header of header-based dialects
    std::vector<std::string> headers;          ///< "Name: value" lines sent with the upgrade
    std::optional<transport::proxy_config> proxy;
    transport::tls_options tls;
    std::string token;
    /// Gets a new token (refresh). Called on the io_context thread; may block briefly.
    std::function<std::string()> refresh_token;
    /// Refresh this long before the token's `expires` (legacy dialects send REFRESH).
    std::chrono::milliseconds refresh_margin{1000};
    bool reconnect = true;
    std::chrono::milliseconds reconnect_delay{250};
    std::chrono::milliseconds max_reconnect_delay{5000};
    std::chrono::milliseconds connect_timeout{10000};
    std::size_t max_upload_size = 128 * 1024;
    std::string user_agent = "realmwire-reference-client";
    std::function<void(const std::string&)> log;  ///< "<- download 1 1 2 ..." lines; null = silent
};

/// The last error the client saw.
struct client_failure {
    std::string what;                  ///< human-readable
    std::error_code ec;                ///< the library's code (transport, handshake, websocket...)
    int protocol_error = 0;            ///< ERROR message code, if any
    bool try_again = false;
    int http_status = 0;               ///< refused handshake
    std::string http_body;

    client_failure() = default;
    explicit client_failure(std::string w, std::error_code e = {}) : what(std::move(w)), ec(e) {}
};

class client : public std::enable_shared_from_this<client> {
public:
    client(asio::io_context& ioc, client_config config, object_store& store)
        : ioc_(ioc)
        , cfg_(std::move(config))
        , store_(store)
        , timer_(ioc)
        , refresh_timer_(ioc)
    {
        opts_.mode = cfg_.dialect->id == dialect_id::mongodb_flx ? protocol::sync_mode::flx : protocol::sync_mode::pbs;
    }

    void start()
    {
        stopped_ = false;
        asio::post(ioc_, [self = shared_from_this()] { self->connect(); });
    }
    void stop()
    {
        asio::post(ioc_, [self = shared_from_this()] {
            self->stopped_ = true;
            self->timer_.cancel();
            self->refresh_timer_.cancel();
            self->identified_ = false;
            if (auto link = std::move(self->link_))
                link->abort(); // link_ is already reset: the close handler ignores it
            if (self->t_)
                self->t_.close();
        });
    }

    /// Call after writing to the store (from the io_context thread or via post): uploads it.
    void local_write()
    {
        asio::post(ioc_, [self = shared_from_this()] {
            if (self->identified_) {
                self->send_upload();
                self->send_mark();
            }
        });
    }
    /// Asks for download completion again (a new MARK).
    void request_mark()
    {
        asio::post(ioc_, [self = shared_from_this()] {
            if (self->identified_)
                self->send_mark();
        });
    }

    bool connected() const noexcept { return identified_; }
    bool upload_complete() const { return store_.upload_complete(); }
    bool download_complete() const noexcept { return mark_sent_ != 0 && mark_received_ == mark_sent_; }
    bool synced() const { return identified_ && upload_complete() && download_complete() && mark_after_upload_; }
    bool failed() const noexcept { return fatal_; }
    const client_failure& failure() const noexcept { return failure_; }
    std::size_t connects() const noexcept { return connects_; }
    std::size_t refreshes() const noexcept { return refreshes_; }
    const std::string& token() const noexcept { return cfg_.token; }

    /// Runs `ioc` until `done()` or the timeout (for tests and tools that own the io_context).
    static bool run_until(asio::io_context& ioc, const std::function<bool()>& done, std::chrono::milliseconds timeout)
    {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!done()) {
            if (std::chrono::steady_clock::now() >= deadline)
                return false;
            ioc.restart();
            ioc.run_for(std::chrono::milliseconds(10));
        }
        return true;
    }

private:
    void log(const std::string& s)
    {
        if (cfg_.log)
            cfg_.log(s);
    }

    void fail(client_failure f, bool retry)
    {
        failure_ = std::move(f);
        log("error: " + failure_.what);
        identified_ = false;
        if (auto link = std::move(link_))
            link->abort();
        if (stopped_)
            return;
        if (!retry || !cfg_.reconnect) {
            fatal_ = true;
            return;
        }
        timer_.expires_after(delay_);
        delay_ = std::min(delay_ * 2, cfg_.max_reconnect_delay);
        timer_.async_wait([self = shared_from_this()](std::error_code ec) {
            if (!ec && !self->stopped_)
                self->connect();
        });
    }

    void refresh_now()
    {
        if (!cfg_.refresh_token)
            return;
        std::string t = cfg_.refresh_token();
        if (!t.empty()) {
            cfg_.token = std::move(t);
            ++refreshes_;
            log("token refreshed");
        }
    }

    /// Legacy dialects: REFRESH shortly before the token expires.
    void schedule_refresh()
    {
        if (!cfg_.refresh_token || cfg_.dialect->id == dialect_id::mongodb_pbs || cfg_.dialect->id == dialect_id::mongodb_flx)
            return;
        std::error_code ec;
        auth::decoded_token d = auth::decode_token_parts(cfg_.token, ec);
        if (ec)
            return;
        auth::claims c = auth::parse_claims(d.claims_json, ec);
        if (ec || c.expires_at() == 0)
            return;
        auto now = std::chrono::system_clock::now();
        auto at = std::chrono::system_clock::time_point(std::chrono::seconds(c.expires_at())) - cfg_.refresh_margin;
        auto wait = at > now ? at - now : std::chrono::system_clock::duration::zero();
        refresh_timer_.expires_after(std::chrono::duration_cast<std::chrono::milliseconds>(wait));
        refresh_timer_.async_wait([self = shared_from_this()](std::error_code e) {
            if (e || self->stopped_ || !self->bound_)
                return;
            self->refresh_now();
            protocol::refresh_message r;
            r.session_ident = self->session_;
            r.signed_user_token = self->cfg_.token;
            self->send(r);
            self->schedule_refresh();
        });
    }

    void connect()
    {
        if (stopped_)
            return;
        ++connects_;
        std::error_code ec;
        server_url url = parse_server_url(cfg_.server_url, ec);
        if (ec) {
            fail(client_failure("bad server URL: " + ec.message(), ec), false);
            return;
        }
        client_handshake_options ho;
        ho.dialect = cfg_.dialect;
        ho.url_prefix = cfg_.url_prefix;
        if (cfg_.dialect->realm_path_in_url)
            ho.realm_path = cfg_.realm_path;
        apply_server_url(ho, url);
        ho.user_agent = cfg_.user_agent;
        policy::custom_headers ch;
        for (const auto& line : cfg_.headers) {
            ch.add_line(line, ec);
            if (ec) {
                fail(client_failure("bad header '" + line + "': " + ec.message(), ec), false);
                return;
            }
        }
        hs_ = build_handshake_request(ho, cfg_.token, policy::default_token_placement(*cfg_.dialect, cfg_.auth_header_name),
                                      ch, ec);
        if (ec) {
            fail(client_failure("handshake request: " + ec.message(), ec), false);
            return;
        }
        transport::connect_options co;
        co.host = url.host;
        co.port = url.port;
        co.tls = url.tls();
        co.tls_opts = cfg_.tls;
        co.proxy = cfg_.proxy;
        connector_ = std::make_shared<transport::connector>(ioc_.get_executor());
        auto self = shared_from_this();
        auto conn = connector_;
        connector_->async_connect(co, [self, conn](std::error_code e, transport::any_transport t) {
            if (self->stopped_)
                return;
            if (e) {
                // A proxy that refused us (407, 403) or a certificate we do not trust will not change by
                // retrying; a refused or reset connection may (the server restarting).
                const auto& f = conn->failure();
                bool permanent = (f.proxy_reply && f.proxy_reply->status >= 400 && f.proxy_reply->status < 500) ||
                                 (f.phase == transport::phase::tls && f.cause.category() == asio::error::get_ssl_category());
                client_failure cf("connect: " + f.describe(), e);
                if (f.proxy_reply)
                    cf.http_status = f.proxy_reply->status, cf.http_body = f.proxy_reply->body;
                self->fail(std::move(cf), !permanent);
                return;
            }
            self->t_ = std::move(t);
            self->send_handshake();
        });
    }

    void send_handshake()
    {
        out_ = hs_.bytes();
        if (cfg_.log) {
            log("-> " + hs_.request.method + " " + redact(hs_.request.target));
            // The headers that say how this client is configured; the token itself is never logged.
            for (const auto& f : hs_.request.headers) {
                if (detail_is_plain_upgrade_header(f.name))
                    continue;
                std::string v = f.value;
                if (!cfg_.token.empty())
                    for (std::size_t at = v.find(cfg_.token); at != std::string::npos; at = v.find(cfg_.token))
                        v.replace(at, cfg_.token.size(), "<token>");
                log("   " + f.name + ": " + v);
            }
        }
        auto self = shared_from_this();
        t_.async_write(asio::buffer(out_), [self](std::error_code ec, std::size_t) {
            if (ec) {
                self->fail(client_failure("write handshake: " + ec.message(), ec), true);
                return;
            }
            self->parser_ = std::make_unique<http::response_parser>(http::parser_limits{});
            self->read_response();
        });
    }

    static bool detail_is_plain_upgrade_header(std::string_view n)
    {
        for (std::string_view h : {"Host", "Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version",
                                   "User-Agent"})
            if (realmwire::detail::iequals(n, h))
                return true;
        return false;
    }

    static std::string redact(const std::string& target)
    {
        std::size_t q = target.find("baas_at=");
        return q == std::string::npos ? target : target.substr(0, q + 8) + "<token>";
    }

    void read_response()
    {
        auto self = shared_from_this();
        t_.async_read_some(asio::buffer(buf_), [self](std::error_code ec, std::size_t n) {
            if (ec) {
                self->fail(client_failure("read handshake response: " + ec.message(), ec), true);
                return;
            }
            std::error_code pec;
            std::string_view data(self->buf_.data(), n);
            std::size_t used = self->parser_->feed(data, pec);
            if (pec) {
                self->fail(client_failure("bad handshake response: " + pec.message(), pec), true);
                return;
            }
            if (!self->parser_->done()) {
                self->read_response();
                return;
            }
            http::response resp = self->parser_->release();
            // A refusal's body follows the head (Content-Length); the parser has read it already.
            handshake_result r = verify_handshake_response(resp, self->hs_);
            if (!r.ok()) {
                client_failure f(r.ec.message(), r.ec);
                if (r.refusal) {
                    f.http_status = r.refusal->status;
                    f.http_body = r.refusal->body;
                    f.what += " (HTTP " + std::to_string(f.http_status) + ")";
                }
                bool retry = f.http_status == 401 && self->cfg_.refresh_token && self->refreshes_ < self->connects_;
                if (retry)
                    self->refresh_now();
                self->fail(std::move(f), retry || f.http_status >= 500);
                return;
            }
            self->log("<- 101 " + r.subprotocol);
            self->version_ = r.version;
            self->opts_.protocol_version = self->cfg_.dialect->id == dialect_id::legacy_ros ? 14 : r.version;
            self->start_session(std::string(data.substr(used)));
        });
    }

    void start_session(std::string rest)
    {
        link_ = std::make_shared<detail::ws_link>(std::move(t_), websocket::role::client, 64u * 1024 * 1024);
        std::weak_ptr<client> weak = shared_from_this();
        auto link = link_;
        link_->start(
            std::move(rest),
            [weak](std::string_view m) {
                if (auto s = weak.lock())
                    s->on_message(m);
            },
            [weak, link](std::error_code ec) {
                auto s = weak.lock();
                if (!s || s->link_ != link)
                    return;
                s->fail(client_failure("connection closed: " + ec.message(), ec), true);
            });
        bound_ = true;
        identified_ = false;
        mark_sent_ = mark_received_ = 0;
        mark_after_upload_ = false;
        upload_cursor_ = store_.progress().upload;
        protocol::bind_message b;
        b.session_ident = session_;
        std::string flx_data = "{}";
        b.path = opts_.mode == protocol::sync_mode::flx ? std::string_view(flx_data) : std::string_view(cfg_.realm_path);
        if (cfg_.dialect->token_in_bind)
            b.signed_user_token = cfg_.token;
        auto ident = store_.client_file_ident();
        b.need_client_file_ident = !ident;
        send(b);
        if (ident)
            send_ident();
        schedule_refresh();
    }

    template <class M>
    void send(const M& m)
    {
        std::string s;
        std::error_code ec;
        protocol::encode(m, s, ec);
        if (ec || !link_)
            return;
        log("-> " + head_of(s));
        link_->send(s);
    }

    static std::string head_of(std::string_view s)
    {
        std::size_t lf = s.find('\n');
        return std::string(s.substr(0, lf == std::string_view::npos ? s.size() : lf));
    }

    void send_ident()
    {
        auto f = *store_.client_file_ident();
        auto p = store_.progress();
        protocol::client_ident_message m;
        m.session_ident = session_;
        m.client_file_ident = f.ident;
        m.client_file_ident_salt = f.salt;
        m.download_server_version = p.download.server_version;
        m.download_client_version = p.download.last_integrated_client_version;
        m.latest_server_version = p.latest_server_version.version;
        m.latest_server_version_salt = p.latest_server_version.salt;
        std::string q = cfg_.flx_query;
        if (opts_.mode == protocol::sync_mode::flx) {
            m.has_query = true;
            m.query_version = 1;
            m.query = q;
        }
        send(m);
        identified_ = true;
        delay_ = cfg_.reconnect_delay;
        send_upload();
        send_mark();
    }

    void send_upload()
    {
        endpoint::upload_batch b;
        for (int guard = 0; guard < 100000; ++guard) {
            store_.collect_uploads(upload_cursor_, cfg_.max_upload_size, b);
            if (b.changesets.empty() && b.progress == upload_cursor_)
                return;
            std::string body;
            for (const auto& c : b.changesets) {
                protocol::upload_entry e;
                e.client_version = c.client_version;
                e.server_version = c.last_integrated_server_version;
                e.origin_timestamp = c.origin_timestamp;
                e.origin_file_ident = 0;
                e.changeset = c.changeset;
                protocol::detail::write_entry(body, e);
            }
            protocol::upload_message u;
            u.session_ident = session_;
            u.progress_client_version = b.progress.client_version;
            u.progress_server_version = b.progress.last_integrated_server_version;
            u.locked_server_version = b.locked_server_version;
            std::string scratch;
            std::error_code ec;
            protocol::compress_body(u, body, scratch, ec);
            if (ec)
                protocol::set_uncompressed_body(u, body);
            send(u);
            upload_cursor_ = b.progress;
            if (b.changesets.empty())
                return;
        }
    }

    void send_mark()
    {
        protocol::mark_message m;
        m.session_ident = session_;
        m.request_ident = ++mark_sent_;
        mark_after_upload_ = true;
        send(m);
    }

    void on_message(std::string_view bytes)
    {
        std::error_code ec;
        protocol::server_message m = protocol::decode_server_message(bytes, opts_, ec);
        if (ec) {
            fail(client_failure("bad message from server: " + ec.message(), ec), true);
            return;
        }
        log("<- " + head_of(bytes));
        std::visit([&](auto& msg) { handle(msg); }, m);
    }

    void handle(const protocol::server_ident_message& m)
    {
        if (m.session_ident != session_ || store_.client_file_ident() || m.client_file_ident == 0 ||
            m.client_file_ident_salt == 0) {
            fail(client_failure("unexpected IDENT"), false);
            return;
        }
        store_.set_client_file_ident({m.client_file_ident, m.client_file_ident_salt});
        send_ident();
    }

    void handle(protocol::download_message& m)
    {
        std::error_code ec;
        protocol::decompress_body(m, download_buffer_, protocol::message_limits{}, ec);
        if (ec) {
            fail(client_failure("bad DOWNLOAD body: " + ec.message(), ec), false);
            return;
        }
        endpoint::incoming_download d;
        d.progress.latest_server_version = {m.latest_server_version, m.latest_server_version_salt};
        d.progress.download = {m.download_server_version, m.download_client_version};
        d.progress.upload = {m.upload_client_version, m.upload_server_version};
        d.downloadable_bytes = m.downloadable_bytes;
        d.changesets = m.entries;
        d.batch = m.batch;
        d.query_version = m.query_version;
        endpoint::status st = store_.integrate(d);
        if (!st) {
            fail(client_failure("integration failed: " + st.message), false);
            return;
        }
    }

    void handle(const protocol::mark_message& m)
    {
        if (m.request_ident > mark_received_)
            mark_received_ = m.request_ident;
    }

    void handle(const protocol::error_message& m)
    {
        client_failure f("server error " + std::to_string(m.error_code) + ": " + std::string(m.message));
        f.protocol_error = m.error_code;
        f.try_again = m.try_again;
        if (m.error_code == static_cast<int>(protocol::protocol_error::token_expired))
            refresh_now();
        fail(std::move(f), m.try_again);
    }

    void handle(const protocol::unbound_message&) {}
    void handle(const protocol::pong_message&) {}
    void handle(const protocol::log_message&) {}
    void handle(const protocol::json_error_message& m)
    {
        client_failure f("server json_error " + std::to_string(m.error_code));
        f.protocol_error = m.error_code;
        fail(std::move(f), true);
    }
    void handle(const protocol::query_error_message& m)
    {
        client_failure f("query error " + std::to_string(m.error_code));
        f.protocol_error = m.error_code;
        fail(std::move(f), false);
    }
    void handle(const protocol::test_command_message&) {}

    asio::io_context& ioc_;
    client_config cfg_;
    object_store& store_;
    asio::steady_timer timer_;
    asio::steady_timer refresh_timer_;
    std::shared_ptr<transport::connector> connector_;
    transport::any_transport t_;
    client_handshake hs_;
    std::unique_ptr<http::response_parser> parser_;
    std::array<char, 16384> buf_{};
    std::string out_;
    std::shared_ptr<detail::ws_link> link_;
    protocol::decode_options opts_;
    std::string download_buffer_;
    endpoint::upload_cursor upload_cursor_{};
    std::uint64_t session_ = 1;
    std::uint64_t mark_sent_ = 0;
    std::uint64_t mark_received_ = 0;
    bool mark_after_upload_ = false;
    int version_ = 0;
    bool bound_ = false;
    bool identified_ = false;
    bool stopped_ = true;
    bool fatal_ = false;
    std::chrono::milliseconds delay_{cfg_.reconnect_delay};
    client_failure failure_;
    std::size_t connects_ = 0;
    std::size_t refreshes_ = 0;
};

} // namespace realmwire::reference

#endif
