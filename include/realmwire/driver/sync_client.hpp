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

#include "realmwire/driver/deadline_timer.hpp"
#include "realmwire/driver/websocket_client.hpp"
#include "realmwire/endpoint/client_connection.hpp"
#include "realmwire/endpoint/default_codecs.hpp"
#include "realmwire/handshake/request_builder.hpp"
#include "realmwire/transport/any_transport.hpp"
#include "realmwire/transport/connect.hpp"

#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

namespace realmwire::driver {

/// The outcome of one connection attempt.
template <class Channel>
struct connect_result {
    std::error_code ec;
    std::shared_ptr<Channel> channel; ///< set on success
    int protocol_version = 0;         ///< negotiated
    int http_status = 0;              ///< the refusal's status when the server refused the upgrade
};

/// Opens a connection with the given access token and calls back once (on the executor).
template <class Channel>
using connect_function = std::function<void(const std::string& token, std::function<void(connect_result<Channel>)>)>;

template <class Channel>
class sync_client : public std::enable_shared_from_this<sync_client<Channel>> {
public:
    sync_client(asio::any_io_executor ex, endpoint::client_connection_config cfg, connect_function<Channel> connect)
        : ex_(std::move(ex))
        , conn_(endpoint::with_default_codecs(std::move(cfg)), endpoint::steady_clock::now())
        , connect_(std::move(connect))
        , timer_(ex_)
    {
    }

    /// Every event of the connection (runs on the executor).
    std::function<void(const endpoint::client_event&)> on_event;

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

    /// Closes the connection and stops reconnecting.
    void stop()
    {
        auto self = this->shared_from_this();
        asio::post(ex_, [self] {
            self->stopped_ = true;
            self->timer_.cancel();
            self->drop_channel(1000);
        });
    }

    /// The state machine, for inspection from the executor's thread only.
    const endpoint::client_connection& connection() const noexcept { return conn_; }

private:
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
        for (auto& e : conn_.take_events())
            if (on_event)
                on_event(e);
    }

    void begin_connect()
    {
        connecting_ = true;
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
                    self->conn_.on_connect_failed(now(), r.ec, r.http_status);
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
            if (m.kind == websocket::event_kind::binary)
                self->conn_.receive(m.payload, now());
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
    std::shared_ptr<Channel> ch_;
    std::uint64_t gen_ = 0;
    std::string out_;
    bool writing_ = false;
    bool connecting_ = false;
    bool stopped_ = false;
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
                connect_result<websocket_channel> r;
                r.ec = ec;
                done(std::move(r));
                return;
            }
            std::error_code bec;
            client_handshake req = build ? build(hs, token, bec) : build_handshake_request(hs, token, bec);
            if (bec) {
                connect_result<websocket_channel> r;
                r.ec = bec;
                done(std::move(r));
                return;
            }
            auto ch = std::make_shared<websocket_channel>(std::move(t), ws);
            ch->async_handshake(std::move(req), upgrade_timeout, [ch, done](std::error_code hec, handshake_result hr) {
                connect_result<websocket_channel> r;
                r.ec = hec;
                if (hr.refusal)
                    r.http_status = hr.refusal->status;
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
