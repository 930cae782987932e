#ifndef REALMWIRE_DRIVER_SYNC_CLIENT_HPP
#define REALMWIRE_DRIVER_SYNC_CLIENT_HPP

// Runs an endpoint::client_connection over message channels, with its timers (pings, pong timeout,
// reconnect backoff, session resumption) on the Asio executor. The way a connection is made is a
// function, so any transport works: websocket_connector() below does resolve/TCP/proxy/TLS with
// transport::connector and the upgrade with driver::websocket_client; tests plug in memory pipes.
//
//     auto client = std::make_shared<driver::sync_client<ws_type>>(ex, cfg,
//                       driver::websocket_connector(ex, connect_opts, handshake_opts));
//     client->on_event = [](const endpoint::client_event& e) { ... };
//     client->post([&](endpoint::client_connection& c) { id = c.add_session({"/tasks", &store}); });
//     client->start();
//
// Every use of the client_connection goes through post() (it runs on the executor), after which the
// driver writes whatever became due. A channel is what websocket_connection offers (see
// sync_server.hpp).
//
// Completion (sync_client::async_sync): Asio's universal model — any completion token (a callback,
// asio::use_future, asio::use_awaitable, …) as the last argument, the handler's associated executor
// and allocator honoured, and terminal cancellation through its cancellation slot:
//
//     client->async_sync(id, [](std::error_code ec) { ... });            // callback
//     std::future<void> f = client->async_sync(id, asio::use_future);   // future (throws on error)
//     co_await client->async_sync(id, asio::use_awaitable);             // C++20 coroutine
//
// Token refresh: set token_source. The driver calls it when the connection asks for a token (ERROR
// 202, close 4001, HTTP 401) and, in the dialects with REFRESH (legacy_ros, realm_sync_2020), once
// `refresh_margin` before the current token's `exp`, so the connection is never dropped for it.

#include "realmwire/auth/claims.hpp"
#include "realmwire/auth/token.hpp"
#include "realmwire/driver/deadline_timer.hpp"
#include "realmwire/driver/websocket_client.hpp"
#include "realmwire/endpoint/client_connection.hpp"
#include "realmwire/endpoint/default_codecs.hpp"
#include "realmwire/handshake/request_builder.hpp"
#include "realmwire/transport/any_transport.hpp"
#include "realmwire/transport/connect.hpp"
#include "realmwire/transport/detail/parked_handlers.hpp"

#include <asio/associated_allocator.hpp>
#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/bind_allocator.hpp>
#include <asio/cancellation_type.hpp>
#include <asio/error.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace realmwire::driver {

/// The outcome of one connection attempt.
template <class Channel>
struct connect_result {
    std::error_code ec;
    std::shared_ptr<Channel> channel; ///< set on success
    int protocol_version = 0;         ///< negotiated
    /// The refusal's status when the server refused the upgrade, or a proxy's status when it refused
    /// the CONNECT (4xx from a proxy does not change by retrying: the connection treats it as fatal).
    int http_status = 0;
    std::string http_body; ///< the refusal's body
    std::string what;      ///< human-readable: the phase that failed and why ("proxy: …", "tls: …")
    /// Retrying cannot help (a server certificate the client does not trust): no reconnect.
    bool fatal = false;
};

/// Opens a connection with the given access token and calls back once (on the executor).
template <class Channel>
using connect_function = std::function<void(const std::string& token, std::function<void(connect_result<Channel>)>)>;

namespace detail {

/// A suspended asynchronous operation of a driver, type-erased so the driver can keep a list of them.
struct pending_completion {
    virtual ~pending_completion() = default;
    /// Completes the operation: the handler runs on its associated executor (never inside this call).
    virtual void complete(std::error_code ec) = 0;
};

/// Holds a completion handler from asio::async_initiate with work on its associated executor, and
/// delivers the result there with its associated allocator. The cancellation slot is cleared before
/// the handler runs (the slot's owner may reuse it then).
template <class Handler, class IoExecutor>
class pending_handler final : public pending_completion {
public:
    pending_handler(Handler h, const IoExecutor& io)
        : h_(std::move(h)), work_(asio::make_work_guard(asio::get_associated_executor(h_, io)))
    {
    }

    Handler& handler() noexcept { return h_; }

    void complete(std::error_code ec) override
    {
        if (done_)
            return;
        done_ = true;
        auto slot = asio::get_associated_cancellation_slot(h_);
        if (slot.is_connected())
            slot.clear();
        auto ex = work_.get_executor();
        auto alloc = asio::get_associated_allocator(h_);
        asio::post(ex, asio::bind_allocator(alloc, [h = std::move(h_), ec]() mutable { std::move(h)(ec); }));
        work_.reset();
    }

private:
    Handler h_;
    asio::executor_work_guard<asio::associated_executor_t<Handler, IoExecutor>> work_;
    bool done_ = false;
};

/// Wraps `handler` and connects its cancellation slot (terminal cancellation) to `on_cancel`, which
/// runs on `io` (the driver's executor).
template <class Handler, class IoExecutor, class OnCancel>
std::shared_ptr<pending_handler<Handler, IoExecutor>> make_pending(Handler handler, const IoExecutor& io, OnCancel on_cancel)
{
    auto p = std::make_shared<pending_handler<Handler, IoExecutor>>(std::move(handler), io);
    auto slot = asio::get_associated_cancellation_slot(p->handler());
    if (slot.is_connected()) {
        std::weak_ptr<pending_handler<Handler, IoExecutor>> weak = p;
        slot.assign([weak, io, on_cancel](asio::cancellation_type type) {
            if ((type & asio::cancellation_type::terminal) == asio::cancellation_type::none)
                return;
            asio::post(io, [weak, on_cancel] {
                if (auto strong = weak.lock())
                    on_cancel(std::static_pointer_cast<pending_completion>(strong));
            });
        });
    }
    return p;
}

} // namespace detail

template <class Channel>
class sync_client : public std::enable_shared_from_this<sync_client<Channel>>, transport::detail::parks_handlers {
public:
    sync_client(asio::any_io_executor ex, endpoint::client_connection_config cfg, connect_function<Channel> connect)
        : parks_handlers(ex)
        , ex_(std::move(ex))
        , conn_(endpoint::with_default_codecs(std::move(cfg)), endpoint::steady_clock::now())
        , connect_(std::move(connect))
        , timer_(ex_)
        , refresh_timer_(ex_)
    {
    }

    /// Every event of the connection (runs on the executor).
    std::function<void(const endpoint::client_event&)> on_event;
    /// Every sync message as it is read (outgoing = false) or written (true), for logs. Never holds a
    /// token except inside BIND/REFRESH of the legacy dialects: a logger prints heads only.
    std::function<void(bool outgoing, std::string_view message)> on_message;
    /// Gets a fresh access token ("" = none available). Runs on the executor; may block briefly.
    std::function<std::string()> token_source;
    /// REFRESH this long before the token's `exp` (dialects with REFRESH; needs token_source).
    std::chrono::milliseconds refresh_margin{10000};

    asio::any_io_executor get_executor() const noexcept { return ex_; }

    /// Starts connecting (when sessions exist) and running timers.
    void start()
    {
        post([](endpoint::client_connection&) {});
    }

    /// Runs `f(connection)` on the executor, then acts on what it changed.
    template <class F>
    void post(F&& f)
    {
        auto self = this->shared_from_this();
        asio::post(ex_, [self, f = std::forward<F>(f)]() mutable {
            if (self->stopped_)
                return;
            f(self->conn_);
            self->process();
        });
    }

    /// Syncs session `ident` until caught up: asks for upload completion (the server acknowledged
    /// every local version that exists when the request runs) and download completion (the answer to
    /// a MARK sent then), and completes with no error once both arrived. Completes with the error when
    /// the session or the connection fails for good (a fatal error, no reconnect, a token needed and
    /// none available), asio::error::operation_aborted on stop() or terminal cancellation.
    /// Signature: void(std::error_code).
    template <class CompletionToken>
    auto async_sync(std::uint64_t ident, CompletionToken&& token)
    {
        return asio::async_initiate<CompletionToken, void(std::error_code)>(
            [self = this->shared_from_this(), ident](auto handler) {
                std::weak_ptr<sync_client> weak = self;
                auto p = detail::make_pending(std::move(handler), self->ex_,
                                              [weak](std::shared_ptr<detail::pending_completion> w) {
                                                  if (auto s = weak.lock())
                                                      s->finish_waiter(w.get(), asio::error::operation_aborted);
                                              });
                asio::post(self->ex_, [self, ident, p]() mutable {
                    if (self->stopped_)
                        return p->complete(asio::error::operation_aborted);
                    if (self->gave_up_)
                        return p->complete(self->last_error_ ? self->last_error_
                                                             : make_error_code(realmwire::endpoint_error::connection_closed));
                    if (!self->conn_.has_session(ident))
                        return p->complete(make_error_code(std::errc::invalid_argument));
                    self->waiters_.push_back({ident, false, false, std::move(p)});
                    self->conn_.request_upload_completion(ident);
                    self->conn_.request_download_completion(ident);
                    self->process();
                });
            },
            token);
    }

    /// Closes the connection and stops reconnecting; pending operations complete with
    /// asio::error::operation_aborted.
    void stop()
    {
        auto self = this->shared_from_this();
        asio::post(ex_, [self] {
            self->stopped_ = true;
            self->timer_.cancel();
            self->refresh_timer_.cancel();
            self->drop_channel(1000);
            self->fail_waiters(asio::error::operation_aborted, 0);
        });
    }

    /// The state machine, for inspection from the executor's thread only.
    const endpoint::client_connection& connection() const noexcept { return conn_; }
    /// Connection attempts so far and tokens obtained from token_source (executor thread only).
    std::size_t attempts() const noexcept { return attempts_; }
    std::size_t refreshes() const noexcept { return refreshes_; }
    /// True once the connection will not reconnect by itself (fatal error, or a token it cannot get).
    bool gave_up() const noexcept { return gave_up_; }

private:
    // The waiters' handlers (async_sync) usually own this client: dropped, not called, when the
    // execution context shuts down.
    std::shared_ptr<void> keep_alive() noexcept override { return this->weak_from_this().lock(); }
    void drop_parked_handlers() noexcept override
    {
        auto parked = std::move(waiters_);
        waiters_.clear();
    }

    struct waiter {
        std::uint64_t ident = 0;
        bool uploaded = false;
        bool downloaded = false;
        std::shared_ptr<detail::pending_completion> op;
    };

    static endpoint::time_point now() { return endpoint::steady_clock::now(); }

    void process()
    {
        if (stopped_)
            return;
        deliver_events();
        if (conn_.close_requested()) {
            conn_.close_done();
            drop_channel(conn_.requested_close_code());
            deliver_events();
        }
        if (!connecting_ && conn_.wants_connect(now()))
            begin_connect();
        if (ch_ && !writing_) {
            if (auto out = conn_.next_output(now())) {
                writing_ = true;
                out_ = std::move(*out);
                if (on_message)
                    on_message(true, out_);
                auto self = this->shared_from_this();
                std::uint64_t gen = gen_;
                ch_->async_send(out_, [self, gen](std::error_code ec) {
                    self->writing_ = false;
                    if (self->stopped_ || gen != self->gen_)
                        return;
                    if (ec) {
                        self->lost(ec);
                        return;
                    }
                    self->process();
                });
            }
        }
        deliver_events();
        schedule();
    }

    void deliver_events()
    {
        for (auto& e : conn_.take_events()) {
            if (on_event)
                on_event(e);
            if (stopped_)
                return;
            react(e);
        }
    }

    /// What the driver itself does with an event: tokens, refresh timer, waiters.
    void react(const endpoint::client_event& e)
    {
        using t = endpoint::client_event_type;
        switch (e.type) {
            case t::connected:
                gave_up_ = false;
                refreshed_since_connect_ = false;
                schedule_refresh();
                break;
            case t::error:
                last_error_ = e.code;
                if (e.fatal && e.session_ident != 0 && e.action != protocol::error_action::protocol_violation)
                    fail_waiters(e.code, e.session_ident);
                break;
            case t::token_refresh_needed:
                fetch_token(e.session_ident);
                break;
            case t::disconnected:
                refresh_timer_.cancel();
                if (e.delay == endpoint::milliseconds::max() && !conn_.reconnect_at()) {
                    gave_up_ = true;
                    fail_waiters(last_error_ ? last_error_ : make_error_code(realmwire::endpoint_error::connection_closed), 0);
                }
                break;
            case t::upload_complete:
            case t::download_complete:
                for (auto& w : waiters_) {
                    if (w.ident != e.session_ident)
                        continue;
                    (e.type == t::upload_complete ? w.uploaded : w.downloaded) = true;
                }
                finish_done_waiters();
                break;
            default: break;
        }
    }

    void fetch_token(std::uint64_t session)
    {
        // A token fetched since the last good connection that the server refused again will not get
        // better by asking once more in a loop: give up (the user sees the 401 / 202).
        std::string t;
        if (token_source && !refreshed_since_connect_)
            t = token_source();
        if (t.empty()) {
            if (!conn_.reconnect_at() || session != 0) {
                gave_up_ = session == 0;
                fail_waiters(last_error_ ? last_error_ : make_error_code(realmwire::endpoint_error::connection_closed), session);
            }
            return;
        }
        ++refreshes_;
        refreshed_since_connect_ = true;
        conn_.refresh_token(std::move(t), now(), 0);
        // The connection may now want to close (modern dialects reconnect with the new token).
        asio::post(ex_, [self = this->shared_from_this()] { self->process(); });
    }

    /// Dialects with REFRESH: refresh ahead of the token's `exp`, on the open connection.
    void schedule_refresh()
    {
        refresh_timer_.cancel();
        const dialect_id d = conn_.config().dialect;
        if (!token_source || (d != dialect_id::legacy_ros && d != dialect_id::realm_sync_2020))
            return;
        std::error_code ec;
        auth::decoded_token parts = auth::decode_token_parts(conn_.token(), ec);
        if (ec)
            return;
        auth::claims c = auth::parse_claims(parts.claims_json, ec);
        if (ec || c.expires_at() == 0)
            return;
        auto at = std::chrono::system_clock::time_point(std::chrono::seconds(c.expires_at())) - refresh_margin;
        auto wait = at - std::chrono::system_clock::now();
        if (wait < std::chrono::system_clock::duration::zero())
            wait = std::chrono::system_clock::duration::zero();
        refresh_timer_.expires_after(std::chrono::duration_cast<std::chrono::milliseconds>(wait));
        refresh_timer_.async_wait([self = this->shared_from_this()](std::error_code e) {
            if (e || self->stopped_ || self->conn_.current_state() != endpoint::client_connection::state::connected)
                return;
            std::string t = self->token_source();
            if (t.empty())
                return;
            ++self->refreshes_;
            self->conn_.refresh_token(std::move(t), now(), 0);
            self->schedule_refresh();
            self->process();
        });
    }

    void finish_done_waiters()
    {
        for (std::size_t i = 0; i < waiters_.size();) {
            if (waiters_[i].uploaded && waiters_[i].downloaded) {
                auto op = std::move(waiters_[i].op);
                waiters_.erase(waiters_.begin() + static_cast<std::ptrdiff_t>(i));
                op->complete({});
            }
            else {
                ++i;
            }
        }
    }

    /// Completes the waiters of `session` (0 = all) with `ec`.
    void fail_waiters(std::error_code ec, std::uint64_t session)
    {
        std::vector<waiter> keep, done;
        for (auto& w : waiters_)
            (session == 0 || w.ident == session ? done : keep).push_back(std::move(w));
        waiters_ = std::move(keep);
        for (auto& w : done)
            w.op->complete(ec);
    }

    void finish_waiter(detail::pending_completion* op, std::error_code ec)
    {
        for (std::size_t i = 0; i < waiters_.size(); ++i) {
            if (waiters_[i].op.get() != op)
                continue;
            auto w = std::move(waiters_[i].op);
            waiters_.erase(waiters_.begin() + static_cast<std::ptrdiff_t>(i));
            w->complete(ec);
            return;
        }
    }

    void begin_connect()
    {
        connecting_ = true;
        ++attempts_;
        conn_.on_connecting(now());
        auto self = this->shared_from_this();
        std::uint64_t gen = ++gen_;
        connect_(conn_.token(), [self, gen](connect_result<Channel> r) {
            asio::post(self->ex_, [self, gen, r = std::move(r)]() mutable {
                if (gen != self->gen_ || self->stopped_) {
                    if (r.channel)
                        r.channel->close();
                    return;
                }
                self->connecting_ = false;
                if (r.ec || !r.channel) {
                    self->conn_.on_connect_failed(now(), r.ec, r.http_status, r.fatal);
                }
                else {
                    self->ch_ = std::move(r.channel);
                    self->conn_.on_connected(now(), r.protocol_version);
                    self->receive();
                }
                self->process();
            });
        });
    }

    void receive()
    {
        auto self = this->shared_from_this();
        std::uint64_t gen = gen_;
        ch_->async_receive([self, gen](std::error_code ec, ws_message m) {
            if (self->stopped_ || gen != self->gen_)
                return;
            if (ec) {
                self->lost(ec);
                return;
            }
            if (m.kind == websocket::event_kind::close) {
                self->ch_.reset();
                ++self->gen_;
                self->conn_.on_closed(now(), m.close_code ? m.close_code : 1005);
                self->process();
                return;
            }
            if (m.kind == websocket::event_kind::binary) {
                if (self->on_message)
                    self->on_message(false, m.payload);
                self->conn_.receive(m.payload, now());
            }
            self->process();
            if (self->ch_ && gen == self->gen_)
                self->receive();
        });
    }

    void lost(std::error_code ec)
    {
        drop_channel(0);
        conn_.on_closed(now(), 1006, ec);
        process();
    }

    void drop_channel(std::uint16_t code)
    {
        if (!ch_)
            return;
        auto ch = std::move(ch_);
        ++gen_;
        writing_ = false;
        if (code != 0) {
            ch->async_close(code, "", [ch](std::error_code) { ch->close(); });
        }
        else {
            ch->close();
        }
    }

    void schedule()
    {
        timer_.arm(conn_.next_deadline(), [self = this->shared_from_this()] {
            if (self->stopped_)
                return;
            self->conn_.on_timer(now());
            self->process();
        });
    }

    asio::any_io_executor ex_;
    endpoint::client_connection conn_;
    connect_function<Channel> connect_;
    deadline_timer timer_;
    asio::steady_timer refresh_timer_;
    std::shared_ptr<Channel> ch_;
    std::vector<waiter> waiters_;
    std::error_code last_error_;
    std::uint64_t gen_ = 0;
    std::string out_;
    std::size_t attempts_ = 0;
    std::size_t refreshes_ = 0;
    bool writing_ = false;
    bool connecting_ = false;
    bool stopped_ = false;
    bool gave_up_ = false;
    bool refreshed_since_connect_ = false;
};

/// The channel type websocket_connector() produces.
using websocket_channel = websocket_client<transport::any_transport>;

/// Connects with transport::connector (resolve, TCP, proxy, TLS) and upgrades with
/// websocket_client: the handshake request is built for each attempt with the current token.
/// `build` may replace the request builder (custom headers, token placement); by default
/// build_handshake_request(hs, token).
inline connect_function<websocket_channel> websocket_connector(
    asio::any_io_executor ex, transport::connect_options co, client_handshake_options hs,
    std::function<client_handshake(const client_handshake_options&, const std::string& token, std::error_code&)> build = {},
    websocket_options ws = {}, std::chrono::milliseconds upgrade_timeout = std::chrono::seconds(30))
{
    return [ex, co, hs, build, ws, upgrade_timeout](const std::string& token,
                                                    std::function<void(connect_result<websocket_channel>)> done) {
        auto c = std::make_shared<transport::connector>(ex);
        c->async_connect(co, [c, hs, build, ws, upgrade_timeout, token, done](std::error_code ec, transport::any_transport t) {
            if (ec) {
                const transport::connect_failure& f = c->failure();
                connect_result<websocket_channel> r;
                r.ec = ec;
                r.what = f.describe();
                r.fatal = f.phase == transport::phase::tls && f.cause.category() == asio::error::get_ssl_category();
                if (f.proxy_reply && f.proxy_reply->status >= 400 && f.proxy_reply->status < 500) {
                    r.http_status = f.proxy_reply->status;
                    r.http_body = f.proxy_reply->body;
                }
                done(std::move(r));
                return;
            }
            std::error_code bec;
            client_handshake req = build ? build(hs, token, bec) : build_handshake_request(hs, token, bec);
            if (bec) {
                connect_result<websocket_channel> r;
                r.ec = bec;
                r.what = "handshake request: " + bec.message();
                done(std::move(r));
                return;
            }
            auto ch = std::make_shared<websocket_channel>(std::move(t), ws);
            ch->async_handshake(std::move(req), upgrade_timeout, [ch, done](std::error_code hec, handshake_result hr) {
                connect_result<websocket_channel> r;
                r.ec = hec;
                if (hec)
                    r.what = "upgrade: " + hec.message();
                if (hr.refusal) {
                    r.http_status = hr.refusal->status;
                    r.http_body = hr.refusal->body;
                    r.what += " (HTTP " + std::to_string(r.http_status) + ")";
                }
                if (!hec) {
                    r.channel = ch;
                    r.protocol_version = hr.version;
                }
                done(std::move(r));
            });
        });
    };
}

} // namespace realmwire::driver

#endif
