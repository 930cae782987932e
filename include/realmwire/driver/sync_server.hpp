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
// Threading: each connection runs on its channel's executor. Wake-ups between connections are
// posted to the target's executor, so several threads may run the io_context — but then the
// backend is called from several threads at once and must lock.

#include "realmwire/driver/deadline_timer.hpp"
#include "realmwire/driver/websocket_connection.hpp"
#include "realmwire/driver/websocket_server.hpp"
#include "realmwire/endpoint/default_codecs.hpp"
#include "realmwire/endpoint/server_backend.hpp"
#include "realmwire/endpoint/server_connection.hpp"

#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace realmwire::driver {

struct sync_server_options {
    /// Called (on the connection's executor) for every server_event; e.g. logging.
    std::function<void(std::uint64_t connection_id, const endpoint::server_event&)> on_event;
    /// Called when a connection ends (its id, and the error that ended it, if any; id 0 for an
    /// upgrade that failed in accept()).
    std::function<void(std::uint64_t connection_id, std::error_code)> on_closed;
};

namespace detail {

class sync_server_hub;

/// What the hub needs from a running connection, whatever its channel type.
struct server_runner_base {
    virtual ~server_runner_base() = default;
    virtual void wake(const std::string& realm) = 0; ///< posts notify_realm_changed
    virtual void stop() = 0;                         ///< closes the channel
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
    void stop_all()
    {
        for (auto& r : snapshot(0))
            r->stop();
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
};

template <class Channel>
class server_runner : public server_runner_base, public std::enable_shared_from_this<server_runner<Channel>> {
public:
    server_runner(std::shared_ptr<Channel> ch, endpoint::server_backend& backend, endpoint::server_connection_config cfg,
                  std::shared_ptr<sync_server_hub> hub, std::shared_ptr<const sync_server_options> opts)
        : ch_(std::move(ch))
        , id_(cfg.connection_id)
        , conn_(backend, endpoint::with_default_codecs(std::move(cfg)), endpoint::steady_clock::now())
        , timer_(ch_->next_layer().get_executor())
        , hub_(std::move(hub))
        , opts_(std::move(opts))
    {
    }

    void start()
    {
        auto self = this->shared_from_this();
        asio::post(ch_->next_layer().get_executor(), [self] {
            self->receive();
            self->process();
        });
    }

    void wake(const std::string& realm) override
    {
        auto self = this->shared_from_this();
        asio::post(ch_->next_layer().get_executor(), [self, realm] {
            if (self->done_)
                return;
            self->conn_.notify_realm_changed(realm);
            self->process();
        });
    }

    void stop() override
    {
        auto self = this->shared_from_this();
        asio::post(ch_->next_layer().get_executor(), [self] { self->finish({}); });
    }

private:
    static endpoint::time_point now() { return endpoint::steady_clock::now(); }

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
            if (m.kind == websocket::event_kind::binary) {
                self->conn_.receive(m.payload, now());
            }
            else {
                // realm-core speaks binary messages only; a text message is not a sync message
                self->conn_.receive(std::string_view(), now());
            }
            self->process();
            if (!self->done_ && !self->conn_.should_close())
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
        }
        if (!writing_) {
            if (auto out = conn_.next_output(now())) {
                writing_ = true;
                out_ = std::move(*out);
                auto self = this->shared_from_this();
                ch_->async_send(out_, [self](std::error_code ec) {
                    self->writing_ = false;
                    if (self->done_)
                        return;
                    if (ec)
                        return self->finish(ec);
                    self->process();
                });
                schedule();
                return;
            }
            if (conn_.should_close()) {
                // everything (the connection-level ERROR) is written: close
                auto self = this->shared_from_this();
                ch_->async_close(1000, "", [self](std::error_code) { self->finish({}); });
                return;
            }
        }
        schedule();
    }

    void schedule()
    {
        timer_.arm(conn_.next_deadline(), [self = this->shared_from_this()] {
            if (self->done_)
                return;
            self->conn_.on_timer(now());
            self->process();
        });
    }

    void finish(std::error_code ec)
    {
        if (done_)
            return;
        done_ = true;
        timer_.cancel();
        ch_->close();
        hub_->remove(id_);
        if (opts_->on_closed)
            opts_->on_closed(id_, ec);
    }

    std::shared_ptr<Channel> ch_;
    std::uint64_t id_;
    endpoint::server_connection conn_;
    deadline_timer timer_;
    std::shared_ptr<sync_server_hub> hub_;
    std::shared_ptr<const sync_server_options> opts_;
    std::string out_;
    bool writing_ = false;
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
    }

    sync_server(const sync_server&) = delete;
    sync_server& operator=(const sync_server&) = delete;
    ~sync_server() { stop(); }

    /// Runs a server_connection over `channel` (already upgraded) until it closes. A zero
    /// config.connection_id is replaced by a fresh one; the id is returned. The backend must outlive
    /// every connection.
    template <class Channel>
    std::uint64_t serve(std::shared_ptr<Channel> channel, endpoint::server_connection_config config)
    {
        return serve_impl(std::move(channel), backend_, hub_, opts_, ids_, std::move(config));
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
        ws->async_accept(
            std::move(opts), handshake_timeout,
            [ws, backend, hub, o, ids, base](std::error_code ec, const handshake_verdict& v) mutable {
                if (ec || !v.dialect) {
                    if (o->on_closed)
                        o->on_closed(0, ec);
                    return;
                }
                base.dialect = v.dialect->id;
                base.protocol_version = v.version;
                if (base.handshake_token.empty())
                    base.handshake_token = v.token;
                serve_impl(ws, *backend, hub, o, ids, std::move(base));
            });
    }

    /// The backend's history of `realm` changed outside any connection: wake its sessions.
    void notify_realm_changed(const std::string& realm) { hub_->realm_changed(0, realm); }

    /// Connections currently running.
    std::size_t connection_count() const { return hub_->size(); }

    /// Closes every connection (they finish on their executors).
    void stop() { hub_->stop_all(); }

private:
    template <class Channel>
    static std::uint64_t serve_impl(std::shared_ptr<Channel> channel, endpoint::server_backend& backend,
                                    const std::shared_ptr<detail::sync_server_hub>& hub,
                                    const std::shared_ptr<sync_server_options>& opts,
                                    const std::shared_ptr<std::atomic<std::uint64_t>>& ids,
                                    endpoint::server_connection_config config)
    {
        if (config.connection_id == 0)
            config.connection_id = ++*ids;
        std::uint64_t id = config.connection_id;
        // The runner keeps itself alive through its pending handlers; the hub only watches it.
        auto r = std::make_shared<detail::server_runner<Channel>>(std::move(channel), backend, std::move(config), hub, opts);
        hub->add(id, r);
        r->start();
        return id;
    }

    endpoint::server_backend& backend_;
    std::shared_ptr<sync_server_options> opts_;
    std::shared_ptr<detail::sync_server_hub> hub_;
    std::shared_ptr<std::atomic<std::uint64_t>> ids_ = std::make_shared<std::atomic<std::uint64_t>>(0);
};

} // namespace realmwire::driver

#endif
