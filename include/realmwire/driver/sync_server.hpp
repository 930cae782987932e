#ifndef REALMWIRE_DRIVER_SYNC_SERVER_HPP
#define REALMWIRE_DRIVER_SYNC_SERVER_HPP

// Runs endpoint::server_connection state machines over message channels, with timers on the Asio
// executor, and wakes the connections bound to a realm when another one changed its history.
//
// A channel is any object with (websocket_connection.hpp's interface; e.g. a
// driver::websocket_server<Transport> after async_accept):
//   void async_receive(h(std::error_code, driver::ws_message))
//   void async_send(std::string_view payload, h(std::error_code))     // one binary message
//   void async_close(std::uint16_t code, std::string_view reason, h(std::error_code))
//   void close()
//   next_layer().get_executor()
//
//     driver::sync_server server(backend);
//     ws->async_accept(opts, [&, ws](std::error_code ec, handshake_verdict v) {
//         if (ec) return;
//         endpoint::server_connection_config c;
//         c.dialect = v.dialect->id; c.protocol_version = v.version; c.handshake_token = v.token;
//         server.serve(ws, std::move(c));
//     });
//
// Backpressure: a connection's next message (any next_output(): DOWNLOAD, MARK, ERROR, ...) is produced
// only while the bytes it has handed to the channel and not yet seen written are under
// `max_send_queue`; the write completion pulls again. A peer that stops reading therefore costs the
// server at most the cap plus one message (each queued message is held twice: the payload here and its
// frame in the WebSocket layer), never what it would have been sent. Reading goes on meanwhile, one
// message at a time, within the connection's own limits.
//
// Upgrades: upgrade() takes a request an HTTP server already parsed (driver::http_server hands it
// off), judges it with the acceptor, lets the application admit or refuse it, writes the answer and
// serves the connection. accept() reads the request itself (websocket_server).
//
// Threading: each connection runs on its channel's executor. Wake-ups between connections are
// posted to the target's executor, so several threads may run the io_context — but then the
// backend is called from several threads at once and must lock.

#include "realmwire/config.hpp"
#include "realmwire/driver/deadline_timer.hpp"
#include "realmwire/driver/websocket_connection.hpp"
#include "realmwire/driver/websocket_server.hpp"
#include "realmwire/endpoint/default_codecs.hpp"
#include "realmwire/endpoint/server_backend.hpp"
#include "realmwire/endpoint/server_connection.hpp"
#include "realmwire/handshake/acceptor.hpp"
#include "realmwire/http/message.hpp"

#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace realmwire::driver {

/// Counters of a sync_server, readable from any thread.
struct sync_server_stats {
    std::atomic<std::size_t> connections{0};     ///< connections being served now
    std::atomic<std::size_t> max_connections{0}; ///< the most served at once
    std::atomic<std::size_t> accepted{0};        ///< connections served in total
    std::atomic<std::size_t> messages_in{0};
    std::atomic<std::size_t> messages_out{0};
    std::atomic<std::size_t> out_of_memory{0};   ///< connections closed on an allocation failure
    /// Bytes handed to the channels and not yet written, summed over every connection.
    std::atomic<std::size_t> send_queue_bytes{0};
    /// The most one connection ever had queued (at most max_send_queue + one message).
    std::atomic<std::size_t> peak_send_queue_bytes{0};
};

namespace detail {
inline void raise_to(std::atomic<std::size_t>& peak, std::size_t value)
{
    std::size_t prev = peak.load();
    while (value > prev && !peak.compare_exchange_weak(prev, value)) {
    }
}
} // namespace detail

struct sync_server_options {
    /// Called (on the connection's executor) for every server_event; e.g. logging.
    std::function<void(std::uint64_t connection_id, const endpoint::server_event&)> on_event;
    /// Called when a connection ends (its id, and the error that ended it, if any; id 0 for an
    /// upgrade that failed in accept()). Errors of our own making: std::errc::timed_out (no BIND within
    /// bind_deadline), std::errc::not_enough_memory (an allocation failed serving it),
    /// std::errc::permission_denied (on_session_bound refused it).
    std::function<void(std::uint64_t connection_id, std::error_code)> on_closed;
    /// Called on the first session_bound of a connection, with the connection (e.g. to read
    /// session_user()); false closes the connection with 1008 (policy violation).
    std::function<bool(std::uint64_t connection_id, const endpoint::server_connection&, const endpoint::server_event&)>
        on_session_bound;
    /// Bytes a connection may have handed to its channel and not yet written before its next message
    /// is produced (see above). 0 = one message at a time.
    std::size_t max_send_queue = 1024 * 1024;
    /// A connection that has bound no session this long after it started is closed (1008). 0 = never.
    std::chrono::milliseconds bind_deadline{0};
    /// Where the counters go (must outlive every connection); null = the server's own.
    sync_server_stats* stats = nullptr;
};

/// How upgrade() judges and admits a request.
struct sync_upgrade_options {
    acceptor_options acceptor;              ///< dialects, prefixes, token lookup, authorizer
    websocket_options websocket{};          ///< limits of the connection's WebSocket layer
    endpoint::server_connection_config base; ///< completed by the verdict's dialect, version and token
    /// After an accepted verdict: nullopt admits (and may complete `config`: connection_id, limits),
    /// a response refuses the upgrade with it (429, 503, ...).
    std::function<std::optional<http::response>(const handshake_verdict&, endpoint::server_connection_config& config)>
        admit;
    /// Called with a verdict that was refused (the acceptor's answer, or admit's), before it is written.
    std::function<void(const handshake_verdict&)> on_refused;
};

/// A WebSocket connection after an upgrade somebody else read: starts with the bytes that followed
/// the request head, and holds what must live as long as it (an HTTP server's connection slot).
template <class Transport>
class upgraded_websocket : public websocket_connection<Transport> {
public:
    upgraded_websocket(Transport t, std::string_view initial, websocket_options o, std::shared_ptr<void> hold)
        : websocket_connection<Transport>(std::move(t), websocket::role::server, o), hold_(std::move(hold))
    {
        this->set_initial_bytes(initial);
    }

private:
    std::shared_ptr<void> hold_;
};

namespace detail {

class sync_server_hub;

/// What the hub needs from a running connection, whatever its channel type.
struct server_runner_base {
    virtual ~server_runner_base() = default;
    virtual void wake(const std::string& realm) = 0;  ///< posts notify_realm_changed
    virtual void stop() = 0;                          ///< closes the channel
    virtual void close(std::uint16_t code) = 0;       ///< closing handshake with `code`, then drop
};

class sync_server_hub : public std::enable_shared_from_this<sync_server_hub> {
public:
    void add(std::uint64_t id, std::weak_ptr<server_runner_base> r)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        runners_[id] = std::move(r);
    }
    void remove(std::uint64_t id)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        runners_.erase(id);
    }
    void realm_changed(std::uint64_t from, const std::string& realm)
    {
        for (auto& r : snapshot(from))
            r->wake(realm);
    }
    void stop_all(bool refuse_new)
    {
        if (refuse_new) {
            std::lock_guard<std::mutex> lock(mutex_);
            stopped_ = true;
        }
        for (auto& r : snapshot(0))
            r->stop();
    }
    bool stopped() const
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return stopped_;
    }
    void close(std::uint64_t id, std::uint16_t code)
    {
        std::shared_ptr<server_runner_base> r;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            auto it = runners_.find(id);
            if (it != runners_.end())
                r = it->second.lock();
        }
        if (r)
            r->close(code);
    }
    std::size_t size() const
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return runners_.size();
    }

private:
    std::vector<std::shared_ptr<server_runner_base>> snapshot(std::uint64_t except)
    {
        std::vector<std::shared_ptr<server_runner_base>> out;
        std::lock_guard<std::mutex> lock(mutex_);
        for (auto& [id, w] : runners_)
            if (id != except)
                if (auto r = w.lock())
                    out.push_back(std::move(r));
        return out;
    }
    mutable std::mutex mutex_;
    std::map<std::uint64_t, std::weak_ptr<server_runner_base>> runners_;
    bool stopped_ = false;
};

template <class Channel>
class server_runner : public server_runner_base, public std::enable_shared_from_this<server_runner<Channel>> {
public:
    server_runner(std::shared_ptr<Channel> ch, endpoint::server_backend& backend, endpoint::server_connection_config cfg,
                  std::shared_ptr<sync_server_hub> hub, std::shared_ptr<const sync_server_options> opts,
                  sync_server_stats& stats)
        : ch_(std::move(ch))
        , id_(cfg.connection_id)
        , conn_(backend, endpoint::with_default_codecs(std::move(cfg)), endpoint::steady_clock::now())
        , timer_(ch_->next_layer().get_executor())
        , bind_timer_(ch_->next_layer().get_executor())
        , hub_(std::move(hub))
        , opts_(std::move(opts))
        , stats_(stats)
    {
        std::size_t now = ++stats_.connections;
        ++stats_.accepted;
        raise_to(stats_.max_connections, now);
    }

    void start()
    {
        auto self = this->shared_from_this();
        asio::post(ch_->next_layer().get_executor(), [self] {
            if (self->opts_->bind_deadline.count() > 0) {
                self->bind_timer_.expires_after(self->opts_->bind_deadline);
                self->bind_timer_.async_wait([self](std::error_code ec) {
                    if (ec || self->done_ || self->bound_)
                        return;
                    // A slot held without a session is an attacker's (or a broken client's).
                    self->close_with(1008, std::make_error_code(std::errc::timed_out));
                });
            }
            self->receive();
            self->guarded([&] { self->process(); });
        });
    }

    void wake(const std::string& realm) override
    {
        auto self = this->shared_from_this();
        asio::post(ch_->next_layer().get_executor(), [self, realm] {
            if (self->done_)
                return;
            // An allocation failure here is this connection's DOWNLOAD, not the uploader's fault.
            self->guarded([&] {
                self->conn_.notify_realm_changed(realm);
                self->process();
            });
        });
    }

    void stop() override
    {
        auto self = this->shared_from_this();
        asio::post(ch_->next_layer().get_executor(), [self] { self->finish({}); });
    }

    void close(std::uint16_t code) override
    {
        auto self = this->shared_from_this();
        asio::post(ch_->next_layer().get_executor(), [self, code] { self->close_with(code, {}); });
    }

private:
    static endpoint::time_point now() { return endpoint::steady_clock::now(); }

    /// Runs `f`; an allocation failure closes this connection only (its state may be half updated),
    /// the server and every other connection carry on.
    template <class F>
    void guarded(F&& f)
    {
        REALMWIRE_TRY {
            f();
        }
        REALMWIRE_CATCH(const std::bad_alloc&) {
            ++stats_.out_of_memory;
            finish(std::make_error_code(std::errc::not_enough_memory));
        }
    }

    void receive()
    {
        auto self = this->shared_from_this();
        ch_->async_receive([self](std::error_code ec, ws_message m) {
            if (self->done_)
                return;
            if (ec)
                return self->finish(ec);
            if (m.kind == websocket::event_kind::close)
                return self->finish({});
            ++self->stats_.messages_in;
            self->guarded([&] {
                if (m.kind == websocket::event_kind::binary) {
                    self->conn_.receive(m.payload, now());
                }
                else {
                    // realm-core speaks binary messages only; a text message is not a sync message
                    self->conn_.receive(std::string_view(), now());
                }
                m.payload = std::string(); // not held while the connection waits for its next message
                self->process();
            });
            if (!self->done_ && !self->closing_ && !self->conn_.should_close())
                self->receive();
        });
    }

    void process()
    {
        if (done_)
            return;
        for (auto& e : conn_.take_events()) {
            if (e.type == endpoint::server_event_type::realm_changed)
                hub_->realm_changed(id_, e.realm);
            if (opts_->on_event)
                opts_->on_event(id_, e);
            if (e.type == endpoint::server_event_type::session_bound && !bound_) {
                bound_ = true;
                bind_timer_.cancel();
                if (opts_->on_session_bound && !opts_->on_session_bound(id_, conn_, e))
                    return close_with(1008, std::make_error_code(std::errc::permission_denied));
            }
        }
        if (closing_)
            return;
        // Pull while under the cap; the write completion pulls again.
        const std::size_t cap = opts_->max_send_queue;
        while (queued_ == 0 || queued_ < cap) {
            auto out = conn_.next_output(now());
            if (!out)
                break;
            send(std::move(*out));
        }
        if (queued_ == 0 && conn_.should_close()) {
            // everything (the connection-level ERROR) is written: close
            return close_with(1000, {});
        }
        schedule();
    }

    void send(std::string payload)
    {
        const std::size_t n = payload.size();
        queued_ += n;
        stats_.send_queue_bytes += n;
        raise_to(stats_.peak_send_queue_bytes, queued_);
        ++stats_.messages_out;
        // The payload stays here until its write completes, whatever the channel does with the view.
        outbox_.push_back(std::move(payload));
        auto self = this->shared_from_this();
        ch_->async_send(outbox_.back(), [self, n](std::error_code ec) {
            self->outbox_.pop_front();
            self->queued_ -= n;
            self->stats_.send_queue_bytes -= n;
            if (self->done_)
                return;
            if (ec)
                return self->finish(ec);
            self->guarded([&] { self->process(); });
        });
    }

    void close_with(std::uint16_t code, std::error_code why)
    {
        if (done_ || closing_)
            return;
        closing_ = true;
        timer_.cancel();
        bind_timer_.cancel();
        auto self = this->shared_from_this();
        ch_->async_close(code, "", [self, why](std::error_code) { self->finish(why); });
    }

    void schedule()
    {
        timer_.arm(conn_.next_deadline(), [self = this->shared_from_this()] {
            if (self->done_ || self->closing_)
                return;
            self->guarded([&] {
                self->conn_.on_timer(now());
                self->process();
            });
        });
    }

    void finish(std::error_code ec)
    {
        if (done_)
            return;
        done_ = true;
        timer_.cancel();
        bind_timer_.cancel();
        ch_->close();
        hub_->remove(id_);
        --stats_.connections;
        if (opts_->on_closed)
            opts_->on_closed(id_, ec);
    }

    std::shared_ptr<Channel> ch_;
    std::uint64_t id_;
    endpoint::server_connection conn_;
    deadline_timer timer_;
    asio::steady_timer bind_timer_;
    std::shared_ptr<sync_server_hub> hub_;
    std::shared_ptr<const sync_server_options> opts_;
    sync_server_stats& stats_;
    std::deque<std::string> outbox_; ///< payloads handed to the channel, oldest first
    std::size_t queued_ = 0;         ///< their bytes
    bool bound_ = false;
    bool closing_ = false;
    bool done_ = false;
};

} // namespace detail

/// The sync service side of a server: serves upgraded connections with one backend.
class sync_server {
public:
    explicit sync_server(endpoint::server_backend& backend, sync_server_options opts = {})
        : backend_(backend)
        , opts_(std::make_shared<sync_server_options>(std::move(opts)))
        , hub_(std::make_shared<detail::sync_server_hub>())
    {
        stats_ = opts_->stats ? opts_->stats : &own_stats_;
    }

    sync_server(const sync_server&) = delete;
    sync_server& operator=(const sync_server&) = delete;
    ~sync_server() { stop(); }

    /// Runs a server_connection over `channel` (already upgraded) until it closes. A zero
    /// config.connection_id is replaced by a fresh one; the id is returned. The backend must outlive
    /// every connection. After shutdown(), the channel is closed at once (and the id still returned).
    template <class Channel>
    std::uint64_t serve(std::shared_ptr<Channel> channel, endpoint::server_connection_config config)
    {
        return serve_impl(std::move(channel), backend_, hub_, opts_, ids_, *stats_, std::move(config));
    }

    /// Runs the WebSocket upgrade on `transport` (websocket_server, within `handshake_timeout`:
    /// a client that does not finish its handshake in time is dropped), then serves it with `base`
    /// completed by the verdict's dialect, protocol version and token. A refused upgrade is answered
    /// by the acceptor and reported to on_closed.
    template <class Transport>
    void accept(Transport transport, acceptor_options opts, endpoint::server_connection_config base = {},
                std::chrono::milliseconds handshake_timeout = std::chrono::seconds(30))
    {
        auto ws = std::make_shared<websocket_server<Transport>>(std::move(transport));
        endpoint::server_backend* backend = &backend_;
        auto hub = hub_;
        auto o = opts_;
        auto ids = ids_;
        sync_server_stats* stats = stats_;
        ws->async_accept(
            std::move(opts), handshake_timeout,
            [ws, backend, hub, o, ids, stats, base](std::error_code ec, const handshake_verdict& v) mutable {
                if (ec || !v.dialect) {
                    if (o->on_closed)
                        o->on_closed(0, ec);
                    return;
                }
                base.dialect = v.dialect->id;
                base.protocol_version = v.version;
                if (base.handshake_token.empty())
                    base.handshake_token = v.token;
                serve_impl(ws, *backend, hub, o, ids, *stats, std::move(base));
            });
    }

    /// Answers a request an HTTP server already read (driver::http_server's transport hand-off):
    /// judges it with `u.acceptor`, asks `u.admit`, writes the 101 or the refusal, and serves the
    /// connection. `rest` are the bytes that followed the request head; `hold` lives as long as the
    /// connection (the HTTP server's slot). A refused or failed upgrade is reported to on_closed with
    /// the id admit gave it (0 when refused before).
    template <class Transport>
    void upgrade(Transport transport, const http::request& req, std::string rest,
                 std::shared_ptr<const sync_upgrade_options> u, std::shared_ptr<void> hold = {})
    {
        handshake_verdict v = accept_handshake(req, u->acceptor);
        endpoint::server_connection_config config = u->base;
        if (v.accepted() && u->admit) {
            if (auto refusal = u->admit(v, config)) {
                v.status = refusal->status;
                v.response = std::move(*refusal);
                v.ec = std::make_error_code(std::errc::resource_unavailable_try_again); // admit refused it
            }
        }
        if (!v.accepted() && u->on_refused)
            u->on_refused(v);
        if (v.accepted()) {
            config.dialect = v.dialect->id;
            config.protocol_version = v.version;
            if (config.handshake_token.empty())
                config.handshake_token = v.token;
            if (config.connection_id == 0)
                config.connection_id = ++*ids_;
        }
        auto ws = std::make_shared<upgraded_websocket<Transport>>(std::move(transport), rest, u->websocket, std::move(hold));
        auto answer = std::make_shared<std::string>(v.response_bytes());
        endpoint::server_backend* backend = &backend_;
        auto hub = hub_;
        auto o = opts_;
        auto ids = ids_;
        sync_server_stats* stats = stats_;
        const bool accepted = v.accepted();
        const std::uint64_t id = accepted ? config.connection_id : 0;
        std::error_code refusal = v.ec;
        ws->next_layer().async_write(
            asio::buffer(*answer),
            [ws, answer, backend, hub, o, ids, stats, accepted, id, refusal,
             config = std::move(config)](std::error_code ec, std::size_t) mutable {
                if (ec || !accepted) {
                    ws->close();
                    if (o->on_closed)
                        o->on_closed(id, ec ? ec : refusal);
                    return;
                }
                serve_impl(ws, *backend, hub, o, ids, *stats, std::move(config));
            });
    }

    /// The backend's history of `realm` changed outside any connection: wake its sessions.
    void notify_realm_changed(const std::string& realm) { hub_->realm_changed(0, realm); }

    /// Starts the closing handshake of connection `id` with `code` (no-op if it is gone).
    void close(std::uint64_t id, std::uint16_t code) { hub_->close(id, code); }

    /// Connections currently running.
    std::size_t connection_count() const { return hub_->size(); }

    const sync_server_stats& stats() const noexcept { return *stats_; }

    /// Closes every connection (they finish on their executors); later ones are served.
    void stop() { hub_->stop_all(false); }

    /// Closes every connection and drops every later one (a server shutting down: an upgrade whose
    /// answer is still being written must not start a connection that keeps the executor busy).
    void shutdown() { hub_->stop_all(true); }

private:
    template <class Channel>
    static std::uint64_t serve_impl(std::shared_ptr<Channel> channel, endpoint::server_backend& backend,
                                    const std::shared_ptr<detail::sync_server_hub>& hub,
                                    const std::shared_ptr<sync_server_options>& opts,
                                    const std::shared_ptr<std::atomic<std::uint64_t>>& ids, sync_server_stats& stats,
                                    endpoint::server_connection_config config)
    {
        if (config.connection_id == 0)
            config.connection_id = ++*ids;
        std::uint64_t id = config.connection_id;
        if (hub->stopped()) {
            channel->close();
            if (opts->on_closed)
                opts->on_closed(id, make_error_code(transport_error::closed));
            return id;
        }
        // The runner keeps itself alive through its pending handlers; the hub only watches it.
        auto r = std::make_shared<detail::server_runner<Channel>>(std::move(channel), backend, std::move(config), hub,
                                                                  opts, stats);
        hub->add(id, r);
        r->start();
        return id;
    }

    endpoint::server_backend& backend_;
    std::shared_ptr<sync_server_options> opts_;
    std::shared_ptr<detail::sync_server_hub> hub_;
    std::shared_ptr<std::atomic<std::uint64_t>> ids_ = std::make_shared<std::atomic<std::uint64_t>>(0);
    sync_server_stats own_stats_;
    sync_server_stats* stats_ = nullptr;
};

} // namespace realmwire::driver

#endif
