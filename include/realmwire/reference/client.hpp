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
//   c->async_sync([](std::error_code ec) { ... });      // or asio::use_future, asio::use_awaitable
//   ioc.run();
//
// It is a thin layer: the protocol is endpoint::client_connection (realm-core's client state machine:
// BIND/IDENT/MARK/UPLOAD order, every check on DOWNLOAD progress and origins, PING/PONG, reconnect
// backoff, session resumption, token refresh by REFRESH or by reconnecting) run by driver::sync_client
// over driver::websocket_client (transport::connector: resolve, TCP, HTTP CONNECT proxy, TLS). The
// client-side merge is the store's: object_store::integrate transforms a DOWNLOAD against the local
// changes the server had not integrated yet. This class adds the configuration of one realm (URL,
// URL prefix, token placement, custom headers, dialect, FLX's BIND/IDENT data), a failure record, a
// `synced()` flag, and ONE overall deadline (client_config::deadline) that bounds every phase —
// resolve, TCP, proxy CONNECT, TLS, upgrade and the sync itself; async_login() below takes the same
// deadline for the `/auth` calls before.
//
// `synced()` = connected, and the server acknowledged every local change and answered the MARK sent
// after the last start(), reconnect, local_write() or request_mark().

#include "realmwire/auth/client.hpp"
#include "realmwire/driver/http_client.hpp"
#include "realmwire/driver/sync_client.hpp"
#include "realmwire/handshake/request_builder.hpp"
#include "realmwire/policy/custom_headers.hpp"
#include "realmwire/policy/token_placement.hpp"
#include "realmwire/protocol/entries.hpp"
#include "realmwire/reference/flx_subscriptions.hpp"
#include "realmwire/reference/object_store.hpp"
#include "realmwire/transport/connect.hpp"
#include "realmwire/transport/detail/parked_handlers.hpp"
#include "realmwire/url.hpp"

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace realmwire::reference {

struct client_config {
    std::string server_url;                    ///< ws://, wss://, realm://, realms://
    const realmwire::dialect* dialect = &dialects::mongodb_pbs;
    std::string realm_path = "/default";       ///< BIND path (FLX: the BIND JSON is "{}")
    /// FLX: the subscription set sent in IDENT (query version 1) when the store has none, as JSON. An
    /// empty set selects nothing; the default selects every object of the store's table.
    std::string flx_query = R"j({"Item":"TRUEPREDICATE"})j";
    /// FLX: the initial subscription set as a value; when set it replaces flx_query (its to_json()).
    /// Later sets: client::update_subscriptions().
    std::optional<flx_subscription_set> subscriptions;
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
    std::chrono::milliseconds reconnect_delay{250};      ///< first reconnect delay (realm-core: 1 s)
    std::chrono::milliseconds max_reconnect_delay{5000}; ///< doubling up to this (realm-core: 5 min)
    std::chrono::milliseconds connect_timeout{10000};    ///< each phase of one attempt, and the upgrade
    /// The one deadline over everything (connect phases are cut to it, the upgrade too); when it
    /// passes the client stops and fails with std::errc::timed_out. nullopt = none.
    std::optional<std::chrono::steady_clock::time_point> deadline;
    std::size_t max_upload_size = 128 * 1024;
    /// FLX: a bootstrap is held in memory until its last batch and then applied at once; a larger one
    /// fails the session with limits_exceeded (104) instead of growing without bound.
    std::size_t max_bootstrap_bytes = 64 * 1024 * 1024;
    std::string user_agent = "realmwire-reference-client";
    std::function<void(const std::string&)> log;  ///< "<- download 1 1 2 ..." lines; null = silent
};

/// The last error the client saw.
struct client_failure {
    std::string what;                  ///< human-readable
    std::error_code ec;                ///< the library's code (transport, handshake, endpoint...)
    int protocol_error = 0;            ///< ERROR message code, if any
    bool try_again = false;
    int http_status = 0;               ///< refused handshake (or the proxy's refusal)
    std::string http_body;

    client_failure() = default;
    explicit client_failure(std::string w, std::error_code e = {}) : what(std::move(w)), ec(e) {}
};

namespace detail {

/// The session's view of the store: everything forwarded, plus FLX's subscription versions when the
/// store has none of its own (IDENT's query, each later QUERY, the state of each version).
class session_store final : public endpoint::client_store {
public:
    session_store(endpoint::client_store& inner, flx_subscription_store& subs, std::size_t max_bootstrap_bytes)
        : inner_(inner), subs_(subs), max_held_bytes_(max_bootstrap_bytes)
    {
    }
    std::optional<endpoint::salted_file_ident> client_file_ident() override { return inner_.client_file_ident(); }
    endpoint::status set_client_file_ident(const endpoint::salted_file_ident& i) override
    {
        return inner_.set_client_file_ident(i);
    }
    endpoint::sync_progress progress() override
    {
        held_body_.clear(); // asked at every (re)BIND: a bootstrap cut short starts again from the server
        return inner_.progress();
    }
    std::uint64_t current_client_version() override { return inner_.current_client_version(); }
    void collect_uploads(const endpoint::upload_cursor& after, std::size_t max_bytes, endpoint::upload_batch& out) override
    {
        inner_.collect_uploads(after, max_bytes, out);
    }
    endpoint::status integrate(const endpoint::incoming_download& d) override
    {
        if (inner_.flx_query()) // the store runs FLX itself
            return inner_.integrate(d);
        // A bootstrap's batches are applied together when its last one arrives, as realm-core's client
        // does: a connection lost in the middle leaves the realm as it was (held batches are dropped at
        // the next BIND, and the server sends the bootstrap again), never half in the new view.
        if (d.batch == protocol::batch_state::more_to_come || !held_body_.empty()) {
            std::size_t added = 0;
            for (const auto& e : d.changesets)
                added += e.changeset.size() + 64; // 64: the entry's header, an upper bound
            if (held_body_.size() + added > max_held_bytes_)
                return endpoint::status::error(protocol::protocol_error::limits_exceeded,
                                               "FLX bootstrap larger than client_config::max_bootstrap_bytes (" +
                                                   std::to_string(max_held_bytes_) + ")");
            for (const auto& e : d.changesets)
                protocol::append_entry(held_body_, e);
        }
        if (d.batch == protocol::batch_state::more_to_come) {
            if (!subs_.on_download(d.query_version, d.batch))
                unexpected_bootstrap = d.query_version;
            return endpoint::status::success();
        }
        endpoint::status st;
        if (held_body_.empty()) {
            st = inner_.integrate(d);
        } else {
            endpoint::incoming_download whole = d;
            std::error_code ec;
            whole.changesets = protocol::parse_download_entries(held_body_, ec);
            st = ec ? endpoint::status::error(protocol::protocol_error::bad_changeset, "held bootstrap: " + ec.message())
                    : inner_.integrate(whole);
            held_body_.clear();
        }
        if (st.ok() && !subs_.on_download(d.query_version, d.batch))
            unexpected_bootstrap = d.query_version;
        return st;
    }
    /// Bytes of a bootstrap held until its last batch (0 outside a bootstrap).
    std::size_t held_bootstrap_bytes() const noexcept { return held_body_.size(); }
    std::optional<std::pair<std::int64_t, std::string>> flx_query() override
    {
        if (auto q = inner_.flx_query())
            return q;
        return subs_.ident_query();
    }
    std::optional<std::pair<std::int64_t, std::string>> flx_next_query(std::int64_t after) override
    {
        if (inner_.flx_query())
            return inner_.flx_next_query(after);
        return subs_.next_query(after);
    }

    /// A bootstrap arrived for a version the client cannot take (see flx_subscription_store).
    std::optional<std::int64_t> unexpected_bootstrap;

private:
    endpoint::client_store& inner_;
    flx_subscription_store& subs_;
    std::size_t max_held_bytes_;
    std::string held_body_; ///< the held batches' entries, in DOWNLOAD body form
};

inline bool is_plain_upgrade_header(std::string_view n)
{
    for (std::string_view h : {"Host", "Upgrade", "Connection", "Sec-WebSocket-Key", "Sec-WebSocket-Version", "User-Agent"})
        if (realmwire::detail::iequals(n, h))
            return true;
    return false;
}

inline std::string head_of(std::string_view s)
{
    std::size_t lf = s.find('\n');
    return std::string(s.substr(0, lf == std::string_view::npos ? s.size() : lf));
}

inline std::chrono::milliseconds remaining(const std::optional<std::chrono::steady_clock::time_point>& deadline,
                                           std::chrono::milliseconds cap)
{
    if (!deadline)
        return cap;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now());
    // at least 1 ms: 0 means "no timeout" to the phases
    return std::clamp(left, std::chrono::milliseconds(1), cap);
}

} // namespace detail

class client : public std::enable_shared_from_this<client>, transport::detail::parks_handlers {
public:
    using channel = driver::websocket_channel;
    using driver_type = driver::sync_client<channel>;

    /// `store` is the object model; `session_store` (default: `store` itself) is what the session
    /// reads and writes — a durable store (local_store.hpp) wraps the same object model.
    client(asio::io_context& ioc, client_config config, object_store& store,
           endpoint::client_store* session_store = nullptr)
        : parks_handlers(ioc.get_executor())
        , ioc_(ioc)
        , cfg_(std::move(config))
        , store_(store)
        , session_store_(session_store ? *session_store : static_cast<endpoint::client_store&>(store))
        , deadline_timer_(ioc)
        , subs_(cfg_.subscriptions ? cfg_.subscriptions->to_json() : cfg_.flx_query)
    {
    }

    client(const client&) = delete;
    client& operator=(const client&) = delete;

    /// Builds the connection and starts syncing. A bad URL or header fails at once (failed()).
    void start()
    {
        asio::post(ioc_, [self = shared_from_this()] { self->begin(); });
    }

    /// Closes the connection; pending async_sync operations complete with operation_aborted.
    void stop()
    {
        asio::post(ioc_, [self = shared_from_this()] { self->halt(asio::error::operation_aborted); });
    }

    /// Call after writing to the store (from the io_context thread or via post): uploads it.
    void local_write()
    {
        asio::post(ioc_, [self = shared_from_this()] {
            if (!self->sync_)
                return;
            std::uint64_t round = self->begin_round();
            self->sync_->post([self, round](endpoint::client_connection& c) {
                c.notify_local_changes(self->session_);
                self->request_sync(round);
            });
        });
    }

    /// Asks for download completion again (a new MARK).
    void request_mark()
    {
        asio::post(ioc_, [self = shared_from_this()] {
            if (!self->sync_)
                return;
            std::uint64_t round = self->begin_round();
            self->sync_->post([self, round](endpoint::client_connection&) { self->request_sync(round); });
        });
    }

    bool connected() const noexcept { return connected_; }
    bool upload_complete() const { return store_.upload_complete(); }
    bool download_complete() const noexcept { return round_done_; }
    bool synced() const { return connected_ && round_done_ && !failed_ && store_.upload_complete(); }
    bool failed() const noexcept { return failed_; }
    const client_failure& failure() const noexcept { return failure_; }
    /// Connection attempts so far.
    std::size_t connects() const noexcept { return sync_ ? sync_->attempts() : 0; }
    /// Tokens obtained from refresh_token.
    std::size_t refreshes() const noexcept { return sync_ ? sync_->refreshes() : 0; }
    const std::string& token() const noexcept { return sync_ ? sync_->connection().token() : cfg_.token; }
    /// The driver underneath (its connection, attempts, events), on the io_context thread only.
    const std::shared_ptr<driver_type>& driver() const noexcept { return sync_; }

    /// Completes once synced() (no error), or with the failure's code once failed() (a fatal error,
    /// the deadline: std::errc::timed_out), or operation_aborted after stop() or on terminal
    /// cancellation. Call after start(). Signature void(std::error_code); any completion token.
    template <class CompletionToken>
    auto async_sync(CompletionToken&& token)
    {
        return asio::async_initiate<CompletionToken, void(std::error_code)>(
            [self = shared_from_this()](auto handler) {
                std::weak_ptr<client> weak = self;
                auto p = driver::detail::make_pending(std::move(handler), self->ioc_.get_executor(),
                                                      [weak](std::shared_ptr<driver::detail::pending_completion> w) {
                                                          if (auto s = weak.lock())
                                                              s->drop_waiter(w.get(), asio::error::operation_aborted);
                                                      });
                asio::post(self->ioc_, [self, p] {
                    self->waiters_.push_back(p);
                    self->check_waiters();
                });
            },
            token);
    }

    // --- FLX subscriptions ----------------------------------------------------------------------------
    // Versions of the subscription set: 1 is the initial one (client_config::subscriptions or
    // flx_query); each update_subscriptions() makes the next, sent as QUERY. Read and change them on the
    // io_context thread (or before it runs).

    /// Replaces the subscription set: returns the new query version (sent as QUERY once connected).
    std::int64_t update_subscriptions(const flx_subscription_set& set) { return update_subscriptions(set.to_json()); }

    /// The same with the set's JSON ({"Table":"query", ...}).
    std::int64_t update_subscriptions(std::string json)
    {
        std::int64_t v = subs_.add(std::move(json));
        if (sync_)
            sync_->post([self = shared_from_this()](endpoint::client_connection& c) { c.notify_local_changes(self->session_); });
        return v;
    }

    /// The state of every version so far (pending, bootstrapping, awaiting_mark, complete, error with
    /// the QUERY_ERROR's code and text, superseded).
    const flx_subscription_store& subscriptions() const noexcept { return subs_; }

    /// The state of one version (nullptr if there is no such version).
    const flx_subscription_version* subscription_version(std::int64_t v) const { return subs_.find(v); }

    /// Completes once query version `version` (0 = the newest) is complete (its bootstrap integrated and
    /// the download completion after it received) or superseded by a newer complete one. Fails with
    /// the QUERY_ERROR's code (protocol_error::bad_query, 226) if the server refused it — the session
    /// goes on and failure() holds the code and text — with the client's failure if it fails, with
    /// operation_aborted after stop() or on terminal cancellation, and with std::errc::invalid_argument
    /// for a version that does not exist. Signature void(std::error_code); any completion token.
    template <class CompletionToken>
    auto async_wait_for_subscriptions(std::int64_t version, CompletionToken&& token)
    {
        return asio::async_initiate<CompletionToken, void(std::error_code)>(
            [self = shared_from_this(), version](auto handler) {
                std::weak_ptr<client> weak = self;
                auto p = driver::detail::make_pending(std::move(handler), self->ioc_.get_executor(),
                                                      [weak](std::shared_ptr<driver::detail::pending_completion> w) {
                                                          if (auto s = weak.lock())
                                                              s->drop_waiter(w.get(), asio::error::operation_aborted);
                                                      });
                asio::post(self->ioc_, [self, p, version] {
                    self->sub_waiters_.push_back({version == 0 ? self->subs_.latest() : version, p});
                    self->check_sub_waiters();
                });
            },
            token);
    }

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
    // async_sync's and async_wait_for_subscriptions' handlers usually own this client: dropped, not called,
    // when the io_context shuts down (the driver does the same with its own).
    std::shared_ptr<void> keep_alive() noexcept override { return weak_from_this().lock(); }
    void drop_parked_handlers() noexcept override
    {
        auto ws = std::move(waiters_);
        auto sws = std::move(sub_waiters_);
        waiters_.clear();
        sub_waiters_.clear();
    }

    void log(const std::string& s)
    {
        if (cfg_.log)
            cfg_.log(s);
    }

    /// A failure that ends the client (no more reconnects).
    void give_up(client_failure f)
    {
        failure_ = std::move(f);
        log("error: " + failure_.what);
        failed_ = true;
        halt(failure_.ec ? failure_.ec : make_error_code(realmwire::endpoint_error::connection_closed));
    }

    void halt(std::error_code ec)
    {
        connected_ = false;
        deadline_timer_.cancel();
        if (sync_)
            sync_->stop();
        auto ws = std::move(waiters_);
        for (auto& w : ws)
            w->complete(ec);
        auto sws = std::move(sub_waiters_);
        for (auto& w : sws)
            w.second->complete(ec);
    }

    void begin()
    {
        if (sync_)
            return;
        std::error_code ec;
        server_url url = parse_server_url(cfg_.server_url, ec);
        if (ec)
            return give_up(client_failure("bad server URL: " + ec.message(), ec));
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
            if (ec)
                return give_up(client_failure("bad header '" + line + "': " + ec.message(), ec));
        }
        transport::connect_options co;
        co.host = url.host;
        co.port = url.port;
        co.tls = url.tls();
        co.tls_opts = cfg_.tls;
        co.proxy = cfg_.proxy;

        endpoint::client_connection_config cc;
        cc.dialect = cfg_.dialect->id;
        cc.token = cfg_.token;
        cc.reconnect_backoff.initial = cfg_.reconnect_delay;
        cc.reconnect_backoff.max = cfg_.max_reconnect_delay;
        cc.resumption_backoff.initial = cfg_.reconnect_delay;
        cc.resumption_backoff.max = cfg_.max_reconnect_delay;
        cc.max_upload_bytes = cfg_.max_upload_size;

        std::weak_ptr<client> weak = shared_from_this();
        auto placement = policy::default_token_placement(*cfg_.dialect, cfg_.auth_header_name);
        auto build = [weak, placement, ch](const client_handshake_options& o, const std::string& token, std::error_code& e) {
            client_handshake hs = build_handshake_request(o, token, placement, ch, e);
            if (auto s = weak.lock(); s && !e)
                s->log_request(hs, token);
            return hs;
        };
        const auto ex = ioc_.get_executor();
        auto connect = [weak, ex, co, ho, build](const std::string& token,
                                                 std::function<void(driver::connect_result<channel>)> done) {
            auto s = weak.lock();
            if (!s)
                return;
            // Every phase of this attempt ends by the overall deadline.
            transport::connect_options o = co;
            auto cap = [&](std::chrono::milliseconds phase) { return detail::remaining(s->cfg_.deadline, phase); };
            o.timeouts.resolve = cap(s->cfg_.connect_timeout);
            o.timeouts.connect = cap(s->cfg_.connect_timeout);
            o.timeouts.proxy = cap(s->cfg_.connect_timeout);
            o.timeouts.tls = cap(s->cfg_.connect_timeout);
            auto attempt = driver::websocket_connector(ex, o, ho, build, {}, cap(s->cfg_.connect_timeout));
            attempt(token, [weak, done](driver::connect_result<channel> r) {
                if (auto c = weak.lock(); c && r.ec)
                    c->note_connect_failure(r);
                done(std::move(r));
            });
        };
        sync_ = std::make_shared<driver_type>(ex, std::move(cc), connect);
        sync_->refresh_margin = cfg_.refresh_margin;
        if (cfg_.refresh_token)
            sync_->token_source = cfg_.refresh_token;
        sync_->on_event = [weak](const endpoint::client_event& e) {
            if (auto s = weak.lock())
                s->on_event(e);
        };
        if (cfg_.log)
            sync_->on_message = [weak](bool out, std::string_view m) {
                if (auto s = weak.lock())
                    s->log((out ? "-> " : "<- ") + detail::head_of(m));
            };
        adapter_ = std::make_unique<detail::session_store>(session_store_, subs_, cfg_.max_bootstrap_bytes);
        const bool flx = cfg_.dialect->id == dialect_id::mongodb_flx;
        std::string path = flx ? std::string("{}") : cfg_.realm_path;
        auto self = shared_from_this();
        std::uint64_t round = begin_round();
        sync_->post([self, path, round](endpoint::client_connection& c) {
            self->session_ = c.add_session({path, self->adapter_.get(), {}});
            self->request_sync(round);
        });
        sync_->start();
        if (cfg_.deadline) {
            deadline_timer_.expires_at(*cfg_.deadline);
            deadline_timer_.async_wait([weak](std::error_code e) {
                auto s = weak.lock();
                if (e || !s || s->failed_)
                    return;
                client_failure f("timed out", make_error_code(std::errc::timed_out));
                if (!s->failure_.what.empty())
                    f.what += " (last error: " + s->failure_.what + ")";
                f.http_status = s->failure_.http_status;
                f.http_body = s->failure_.http_body;
                s->give_up(std::move(f));
            });
        }
    }

    /// A new round of "synced": what was synced before no longer counts (runs on the io_context).
    std::uint64_t begin_round()
    {
        round_done_ = false;
        return ++round_;
    }

    /// Upload and download completion from now on (runs inside the driver's post()): the driver's
    /// async_sync waits for both; only the newest round sets synced().
    void request_sync(std::uint64_t my_round)
    {
        sync_->async_sync(session_, [weak = std::weak_ptr<client>(shared_from_this()), my_round](std::error_code ec) {
            auto s = weak.lock();
            if (!s || ec == asio::error::operation_aborted)
                return;
            if (ec) {
                if (!s->failed_)
                    s->give_up(s->failure_.what.empty() ? client_failure(ec.message(), ec) : s->failure_);
                return;
            }
            if (s->mark_round_ != 0 && my_round >= s->mark_round_) {
                // the download completion after a bootstrap: its version is complete
                s->mark_round_ = 0;
                if (s->subs_.on_download_complete())
                    s->check_sub_waiters();
            }
            if (my_round == s->round_) {
                s->round_done_ = true;
                s->check_waiters();
            }
        });
    }

    void note_connect_failure(const driver::connect_result<channel>& r)
    {
        client_failure f(r.what.empty() ? r.ec.message() : r.what, r.ec);
        f.http_status = r.http_status;
        f.http_body = r.http_body;
        pending_connect_failure_ = std::move(f);
    }

    void on_event(const endpoint::client_event& e)
    {
        using t = endpoint::client_event_type;
        switch (e.type) {
            case t::connected:
                connected_ = true;
                log("connected");
                // MARK again on every connection: synced() means caught up on this one.
                sync_->post([self = shared_from_this(), round = begin_round()](endpoint::client_connection&) {
                    self->request_sync(round);
                });
                break;
            case t::disconnected: {
                connected_ = false;
                round_done_ = false;
                const bool forever = e.delay == endpoint::milliseconds::max() && !sync_->connection().reconnect_at();
                if (forever || !cfg_.reconnect) {
                    client_failure f = failure_;
                    if (f.what.empty())
                        f = client_failure("connection closed", make_error_code(realmwire::endpoint_error::connection_closed));
                    give_up(std::move(f));
                }
                break;
            }
            case t::error:
            case t::query_error: {
                client_failure f(e.message, e.code);
                if (e.session_ident == 0 && pending_connect_failure_) {
                    f = std::move(*pending_connect_failure_);
                    pending_connect_failure_.reset();
                }
                else {
                    f.protocol_error = e.protocol_code;
                    if (e.code == realmwire::endpoint_error::server_error || e.code == realmwire::endpoint_error::session_error)
                        f.what = "server error " + std::to_string(e.protocol_code) + (e.message.empty() ? "" : ": " + e.message);
                }
                f.try_again = e.try_again;
                if (e.type == t::query_error) {
                    f.what = "query error " + std::to_string(e.protocol_code) + " for query version " +
                             std::to_string(e.query_version) + (e.message.empty() ? "" : ": " + e.message);
                    f.ec = make_error_code(static_cast<protocol::protocol_error>(e.protocol_code));
                    subs_.on_query_error(e.query_version, e.protocol_code, e.message);
                    check_sub_waiters();
                }
                failure_ = f;
                log("error: " + failure_.what);
                if (e.fatal && e.session_ident != 0 && e.action != protocol::error_action::protocol_violation &&
                    e.type == t::error)
                    give_up(failure_);
                break;
            }
            case t::download_integrated:
                if (adapter_ && adapter_->unexpected_bootstrap) {
                    // realm-core: a bootstrap for a version the client lacks or that the server refused
                    std::int64_t v = *adapter_->unexpected_bootstrap;
                    adapter_->unexpected_bootstrap.reset();
                    failure_ = client_failure("bootstrap for query version " + std::to_string(v) +
                                                  " that the client cannot take",
                                              make_error_code(realmwire::endpoint_error::bad_message));
                    log("error: " + failure_.what);
                }
                if (subs_.awaiting_mark() && mark_round_ == 0) {
                    // a bootstrap's last batch is in: ask for download completion (MARK)
                    mark_round_ = begin_round();
                    sync_->post([self = shared_from_this(), round = mark_round_](endpoint::client_connection&) {
                        self->request_sync(round);
                    });
                }
                break;
            case t::token_refresh_needed:
                log("token refresh needed");
                break;
            default: break;
        }
    }

    void log_request(const client_handshake& hs, const std::string& token)
    {
        if (!cfg_.log)
            return;
        std::string target = hs.request.target;
        if (std::size_t q = target.find("baas_at="); q != std::string::npos)
            target = target.substr(0, q + 8) + "<token>";
        log("-> " + hs.request.method + " " + target);
        // The headers that say how this client is configured; the token itself is never logged.
        for (const auto& f : hs.request.headers) {
            if (detail::is_plain_upgrade_header(f.name))
                continue;
            std::string v = f.value;
            if (!token.empty())
                for (std::size_t at = v.find(token); at != std::string::npos; at = v.find(token))
                    v.replace(at, token.size(), "<token>");
            log("   " + f.name + ": " + v);
        }
    }

    void check_waiters()
    {
        if (waiters_.empty())
            return;
        if (failed_) {
            auto ws = std::move(waiters_);
            for (auto& w : ws)
                w->complete(failure_.ec ? failure_.ec : make_error_code(realmwire::endpoint_error::connection_closed));
            return;
        }
        if (!synced())
            return;
        auto ws = std::move(waiters_);
        for (auto& w : ws)
            w->complete({});
    }

    void check_sub_waiters()
    {
        for (std::size_t i = 0; i < sub_waiters_.size();) {
            const flx_subscription_version* v = subs_.find(sub_waiters_[i].first);
            std::error_code ec;
            bool done = true;
            if (failed_)
                ec = failure_.ec ? failure_.ec : make_error_code(realmwire::endpoint_error::connection_closed);
            else if (!v)
                ec = make_error_code(std::errc::invalid_argument);
            else if (v->state == flx_subscription_state::error)
                ec = make_error_code(static_cast<protocol::protocol_error>(v->error_code));
            else
                done = v->settled();
            if (!done) {
                ++i;
                continue;
            }
            auto w = std::move(sub_waiters_[i].second);
            sub_waiters_.erase(sub_waiters_.begin() + static_cast<std::ptrdiff_t>(i));
            w->complete(ec);
        }
    }

    void drop_waiter(driver::detail::pending_completion* p, std::error_code ec)
    {
        for (std::size_t i = 0; i < sub_waiters_.size(); ++i) {
            if (sub_waiters_[i].second.get() != p)
                continue;
            auto w = std::move(sub_waiters_[i].second);
            sub_waiters_.erase(sub_waiters_.begin() + static_cast<std::ptrdiff_t>(i));
            w->complete(ec);
            return;
        }
        for (std::size_t i = 0; i < waiters_.size(); ++i) {
            if (waiters_[i].get() != p)
                continue;
            auto w = std::move(waiters_[i]);
            waiters_.erase(waiters_.begin() + static_cast<std::ptrdiff_t>(i));
            w->complete(ec);
            return;
        }
    }

    asio::io_context& ioc_;
    client_config cfg_;
    object_store& store_;
    endpoint::client_store& session_store_;
    std::unique_ptr<detail::session_store> adapter_;
    std::shared_ptr<driver_type> sync_;
    asio::steady_timer deadline_timer_;
    std::vector<std::shared_ptr<driver::detail::pending_completion>> waiters_;
    flx_subscription_store subs_;
    std::vector<std::pair<std::int64_t, std::shared_ptr<driver::detail::pending_completion>>> sub_waiters_;
    std::uint64_t mark_round_ = 0; ///< the round whose download completion completes awaiting_mark versions
    std::optional<client_failure> pending_connect_failure_;
    client_failure failure_;
    std::uint64_t session_ = 0;
    std::uint64_t round_ = 0;
    bool round_done_ = false;
    bool connected_ = false;
    bool failed_ = false;
};

// ---- login -------------------------------------------------------------------------------------------

/// Where and how to log in (`/auth`), and the realm the access token is for.
struct login_config {
    std::string auth_url;              ///< http(s)://host:port[/auth path]
    auth::credentials credentials;
    std::string realm_path;            ///< the access token is for this realm
    std::string ca_file;               ///< PEM; "" = the system's trust store
    std::chrono::milliseconds connect_timeout{15000};
    std::chrono::milliseconds request_timeout{30000};
    /// The overall deadline (the same one client_config::deadline takes). nullopt = none.
    std::optional<std::chrono::steady_clock::time_point> deadline;
};

struct login_result {
    std::string refresh_token;
    std::string access_token;
    http::response response;           ///< the last answer (a refusal's status and body)
    std::string what;                  ///< on error: which step and why
    driver::http_target target;        ///< the auth server, for later refreshes
    auth::auth_client_policy policy;
    driver::http_client_options options;

    /// A blocking refresh (for client_config::refresh_token): a new access token, "" on failure.
    std::string refresh(const std::string& realm_path) const
    {
        std::error_code e;
        http::response r = driver::http_request(target, auth::make_refresh_request(policy, refresh_token, realm_path), options, e);
        if (e)
            return {};
        auth::issued_token t = auth::parse_refresh_response(r, e);
        return e ? std::string() : t.token;
    }
};

namespace detail {

/// The two `/auth` calls of a login under one deadline.
template <class Handler>
class login_op : public std::enable_shared_from_this<login_op<Handler>> {
public:
    login_op(asio::io_context& ioc, login_config cfg, std::shared_ptr<Handler> h)
        : ioc_(ioc), cfg_(std::move(cfg)), timer_(ioc), h_(std::move(h))
    {
    }

    void start()
    {
        std::error_code ec;
        // http(s)://host:port[/auth]: the sync URL parser on the ws form.
        std::string ws = cfg_.auth_url;
        if (ws.rfind("http://", 0) == 0)
            ws = "ws://" + ws.substr(7);
        else if (ws.rfind("https://", 0) == 0)
            ws = "wss://" + ws.substr(8);
        server_url u = parse_server_url(ws, ec);
        if (ec)
            return finish(ec, "bad auth URL: " + ec.message());
        r_.target.host = u.host;
        r_.target.port = u.port;
        r_.target.tls = u.tls();
        r_.policy.host = u.host_header();
        if (!u.path.empty() && u.path != "/")
            r_.policy.auth_path = u.path;
        if (!cfg_.ca_file.empty()) {
            transport::tls_options o;
            o.ca_file = cfg_.ca_file;
            r_.options.tls_context = transport::make_client_tls_context(o, ec);
            if (ec)
                return finish(ec, "bad CA file: " + ec.message());
        }
        if (cfg_.deadline) {
            timer_.expires_at(*cfg_.deadline);
            timer_.async_wait([self = this->shared_from_this()](std::error_code e) {
                if (!e)
                    self->finish(make_error_code(std::errc::timed_out), "login timed out");
            });
        }
        request(auth::make_login_request(r_.policy, cfg_.credentials), true);
    }

    void cancel() { finish(asio::error::operation_aborted, "login cancelled"); }

private:
    void request(const http::request& req, bool login)
    {
        driver::http_client_options o = r_.options;
        o.connect_timeout = remaining(cfg_.deadline, cfg_.connect_timeout);
        o.request_timeout = remaining(cfg_.deadline, cfg_.request_timeout);
        auto self = this->shared_from_this();
        // The exchange is bound to this login's own signal: when the login ends early (cancelled, or its
        // deadline passed) the request in flight is aborted with it instead of running to its timeout.
        driver::async_http_request(ioc_, r_.target, req, o,
                                   asio::bind_cancellation_slot(http_cancel_.slot(), [self, login](std::error_code ec, http::response resp) {
            if (self->done_)
                return;
            if (ec)
                return self->finish(ec, std::string(login ? "login" : "access token") + ": " + ec.message());
            self->r_.response = resp;
            if (login) {
                auth::issued_token t = auth::parse_login_response(resp, ec);
                if (ec)
                    return self->finish(ec, "login refused: " + ec.message());
                self->r_.refresh_token = t.token;
                self->request(auth::make_refresh_request(self->r_.policy, t.token, self->cfg_.realm_path), false);
                return;
            }
            auth::issued_token t = auth::parse_refresh_response(resp, ec);
            if (ec)
                return self->finish(ec, "access token refused: " + ec.message());
            self->r_.access_token = t.token;
            self->finish({}, {});
        }));
    }

    void finish(std::error_code ec, std::string what)
    {
        if (done_)
            return;
        done_ = true;
        timer_.cancel();
        // A no-op once the exchange has completed (it clears its slot); otherwise it closes its socket.
        http_cancel_.emit(asio::cancellation_type::terminal);
        r_.what = std::move(what);
        (*h_)(ec, std::move(r_));
    }

    asio::io_context& ioc_;
    login_config cfg_;
    asio::steady_timer timer_;
    asio::cancellation_signal http_cancel_;
    std::shared_ptr<Handler> h_;
    login_result r_;
    bool done_ = false;
};

} // namespace detail

/// Logs in at `/auth` and gets an access token for cfg.realm_path, all of it by cfg.deadline (then
/// std::errc::timed_out). Signature void(std::error_code, login_result); any completion token; terminal
/// cancellation completes with operation_aborted and aborts the HTTP exchange in flight (its connection
/// is closed at once, as it is when the deadline passes).
template <class CompletionToken>
auto async_login(asio::io_context& ioc, login_config cfg, CompletionToken&& token)
{
    return asio::async_initiate<CompletionToken, void(std::error_code, login_result)>(
        [&ioc](auto handler, login_config c) {
            using H = decltype(handler);
            // The handler lives in a one-shot holder: the op calls it via the associated executor.
            struct holder {
                H h;
                asio::executor_work_guard<asio::associated_executor_t<H, asio::io_context::executor_type>> work;
                bool done = false;
                void operator()(std::error_code ec, login_result r)
                {
                    if (done)
                        return;
                    done = true;
                    auto slot = asio::get_associated_cancellation_slot(h);
                    if (slot.is_connected())
                        slot.clear();
                    auto ex = work.get_executor();
                    auto alloc = asio::get_associated_allocator(h);
                    asio::post(ex, asio::bind_allocator(alloc, [h = std::move(h), ec, r = std::move(r)]() mutable {
                                   std::move(h)(ec, std::move(r));
                               }));
                    work.reset();
                }
            };
            auto work = asio::make_work_guard(asio::get_associated_executor(handler, ioc.get_executor()));
            auto hp = std::make_shared<holder>(holder{std::move(handler), std::move(work)});
            auto op = std::make_shared<detail::login_op<holder>>(ioc, std::move(c), hp);
            auto slot = asio::get_associated_cancellation_slot(hp->h);
            if (slot.is_connected()) {
                std::weak_ptr<detail::login_op<holder>> weak = op;
                slot.assign([weak, &ioc](asio::cancellation_type type) {
                    if ((type & asio::cancellation_type::terminal) == asio::cancellation_type::none)
                        return;
                    asio::post(ioc, [weak] {
                        if (auto o = weak.lock())
                            o->cancel();
                    });
                });
            }
            asio::post(ioc, [op] { op->start(); });
        },
        token, std::move(cfg));
}

} // namespace realmwire::reference

#endif
