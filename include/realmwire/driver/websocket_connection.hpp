#ifndef REALMWIRE_DRIVER_WEBSOCKET_CONNECTION_HPP
#define REALMWIRE_DRIVER_WEBSOCKET_CONNECTION_HPP

// The message layer both WebSocket drivers share: frames over any transport (transport/requirements.hpp)
// once the upgrade is done. It sends whole messages as single frames (as realm-core does), receives
// messages with reassembly, answers pings (auto_pong), performs the closing handshake, fails protocol
// errors with the right close code, and enforces an idle timeout (no byte from the peer for that long).
//
// Threading: one thread (or strand) per connection, like the transports. Handlers are copyable
// callables; they run on the transport's executor, never inside the initiating call. Internal state is
// shared with pending handlers, so destroying the driver object while operations are pending is safe
// (call close() first so they complete).

#include "realmwire/errors/transport.hpp"
#include "realmwire/errors/websocket.hpp"
#include "realmwire/transport/requirements.hpp"
#include "realmwire/transport/timeouts.hpp"
#include "realmwire/websocket/close_code.hpp"
#include "realmwire/websocket/decoder.hpp"
#include "realmwire/websocket/encoder.hpp"

#include <asio/buffer.hpp>
#include <asio/error.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

namespace realmwire::driver {

struct websocket_options {
    websocket::decoder_limits limits{};
    /// After the upgrade: close the connection when nothing arrives for this long while a receive is
    /// pending (0 = never). Fails the receive with transport_error::idle_timeout.
    std::chrono::milliseconds idle_timeout{0};
    /// Answer WebSocket pings with pongs (RFC 6455 §5.5.2). realm-core's client ignores them; peers
    /// such as Python `websockets` drop connections whose pings go unanswered.
    bool auto_pong = true;
    std::size_t read_buffer_size = 16 * 1024;
};

/// A received message, or the peer's close.
struct ws_message {
    websocket::event_kind kind = websocket::event_kind::none; ///< binary, text or close
    std::string payload;                                       ///< the message, or the close reason
    std::uint16_t close_code = 0;                              ///< for close
};

namespace detail {

template <class Transport>
struct ws_state : std::enable_shared_from_this<ws_state<Transport>> {
    using receive_handler = std::function<void(std::error_code, ws_message)>;
    using send_handler = std::function<void(std::error_code)>;

    ws_state(Transport t, websocket::role r, const websocket_options& o)
        : transport(std::move(t)), role(r), opts(o), encoder(r), decoder(r, o.limits), timer(transport.get_executor()),
          rbuf(o.read_buffer_size ? o.read_buffer_size : 16 * 1024)
    {
    }

    // ---- reading -----------------------------------------------------------------------------
    void receive(receive_handler h)
    {
        if (receiving) {
            post_receive(std::move(h), asio::error::in_progress);
            return;
        }
        if (failed || close_received) {
            post_receive(std::move(h), failed ? failed : make_error_code(transport_error::closed));
            return;
        }
        receiving = true;
        on_receive = std::move(h);
        auto self = this->shared_from_this();
        asio::post(transport.get_executor(), [self] { self->pump(); });
    }

    void pump()
    {
        while (rpos < rlen) {
            std::error_code ec;
            std::size_t n = decoder.feed(std::string_view(rbuf.data() + rpos, rlen - rpos), ec);
            rpos += n;
            if (ec)
                return protocol_error(ec);
            if (decoder.has_event() && handle_event())
                return;
        }
        read_more();
    }

    // true when the event was delivered to the receive handler
    bool handle_event()
    {
        const auto& e = decoder.event();
        switch (e.kind) {
            case websocket::event_kind::ping:
                if (opts.auto_pong && !close_sent) {
                    std::string frame;
                    encoder.pong(frame, e.payload);
                    queue(std::move(frame), nullptr);
                }
                return false;
            case websocket::event_kind::pong: return false;
            case websocket::event_kind::close: {
                close_received = true;
                ws_message m{e.kind, std::string(e.payload), e.close_code};
                if (!close_sent) {
                    // Echo the code (RFC 6455 §5.5.1); 1005 cannot be sent, so answer without one.
                    std::string frame;
                    if (e.close_code == static_cast<std::uint16_t>(websocket::close_code::no_status))
                        encoder.close_empty(frame);
                    else
                        encoder.close(frame, e.close_code);
                    close_sent = true;
                    queue(std::move(frame), nullptr);
                }
                finish_if_closed();
                deliver({}, std::move(m));
                return true;
            }
            default: deliver({}, ws_message{e.kind, std::string(e.payload), 0}); return true;
        }
    }

    void read_more()
    {
        auto self = this->shared_from_this();
        arm_idle();
        transport.async_read_some(asio::buffer(rbuf), [self](std::error_code ec, std::size_t n) {
            self->disarm_idle();
            if (n) {
                self->rpos = 0;
                self->rlen = n;
            }
            if (ec && !n) {
                std::error_code err = ec;
                if (self->idle_fired)
                    err = transport_error::idle_timeout;
                else if (ec == asio::error::eof)
                    err = transport_error::closed;
                else if (ec == asio::error::operation_aborted && self->closed_locally)
                    err = transport_error::operation_aborted;
                return self->fail(err);
            }
            self->pump();
        });
    }

    void arm_idle()
    {
        if (opts.idle_timeout.count() <= 0)
            return;
        const unsigned gen = ++idle_gen;
        timer.expires_after(opts.idle_timeout);
        auto self = this->shared_from_this();
        timer.async_wait([self, gen](std::error_code ec) {
            if (ec || gen != self->idle_gen)
                return;
            self->idle_fired = true;
            self->transport.close();
        });
    }
    void disarm_idle()
    {
        ++idle_gen;
        timer.cancel();
    }

    void protocol_error(std::error_code ec)
    {
        // Tell the peer why (1002 / 1007 / 1009), then drop the connection once that is written.
        if (!close_sent) {
            close_sent = true;
            std::string frame;
            std::error_code ignored;
            encoder.close(frame, static_cast<std::uint16_t>(websocket::close_code_for(static_cast<websocket_error>(ec.value()))),
                          {}, ignored);
            auto self = this->shared_from_this();
            queue(std::move(frame), [self](std::error_code) { self->hard_close(); });
        }
        fail(ec);
    }

    void fail(std::error_code ec)
    {
        if (!failed)
            failed = ec;
        deliver(ec, {});
    }

    void deliver(std::error_code ec, ws_message m)
    {
        if (!receiving)
            return;
        receiving = false;
        auto h = std::move(on_receive);
        on_receive = nullptr;
        h(ec, std::move(m));
    }

    void post_receive(receive_handler h, std::error_code ec)
    {
        asio::post(transport.get_executor(), [h = std::move(h), ec] { h(ec, ws_message{}); });
    }

    // ---- writing -----------------------------------------------------------------------------
    void queue(std::string frame, send_handler h)
    {
        outbox.emplace_back(std::move(frame), std::move(h));
        if (!writing)
            write_next();
    }

    void write_next()
    {
        if (outbox.empty()) {
            writing = false;
            finish_if_closed();
            return;
        }
        writing = true;
        auto self = this->shared_from_this();
        transport.async_write(asio::buffer(outbox.front().first), [self](std::error_code ec, std::size_t) {
            auto h = std::move(self->outbox.front().second);
            self->outbox.pop_front();
            if (ec) {
                if (!self->write_failed)
                    self->write_failed = ec;
                self->writing = false;
                // Fail everything still queued with the same error.
                auto rest = std::move(self->outbox);
                self->outbox.clear();
                if (h)
                    h(ec);
                for (auto& item : rest)
                    if (item.second)
                        item.second(ec);
                return;
            }
            if (h)
                h({});
            self->write_next();
        });
    }

    void send(std::string_view payload, websocket::opcode op, send_handler h)
    {
        if (close_sent || write_failed || failed) {
            std::error_code ec = write_failed ? write_failed : make_error_code(transport_error::closed);
            asio::post(transport.get_executor(), [h = std::move(h), ec] {
                if (h)
                    h(ec);
            });
            return;
        }
        std::string frame;
        frame.reserve(payload.size() + websocket::max_frame_header_size);
        encoder.message(frame, payload, op);
        queue(std::move(frame), std::move(h));
    }

    void send_close(std::uint16_t code, std::string_view reason, send_handler h)
    {
        std::error_code ec;
        std::string frame;
        if (!close_sent)
            encoder.close(frame, code, reason, ec);
        if (ec || close_sent) {
            if (!ec)
                ec = transport_error::closed;
            asio::post(transport.get_executor(), [h = std::move(h), ec] {
                if (h)
                    h(ec);
            });
            return;
        }
        close_sent = true;
        queue(std::move(frame), std::move(h));
    }

    // Both close frames exchanged and written: the TCP connection can go (the server closes first,
    // RFC 6455 §7.1.1; a client closing too is harmless).
    void finish_if_closed()
    {
        if (close_sent && close_received && !writing && outbox.empty())
            hard_close();
    }

    void hard_close()
    {
        closed_locally = true;
        disarm_idle();
        transport.close();
    }

    Transport transport;
    websocket::role role;
    websocket_options opts;
    websocket::encoder encoder;
    websocket::decoder decoder;
    asio::steady_timer timer;
    std::vector<char> rbuf;
    std::size_t rpos = 0, rlen = 0;
    bool receiving = false;
    receive_handler on_receive;
    std::deque<std::pair<std::string, send_handler>> outbox;
    bool writing = false;
    bool close_sent = false, close_received = false, closed_locally = false, idle_fired = false;
    std::error_code failed, write_failed;
    unsigned idle_gen = 0;
};

} // namespace detail

/// Messages over a transport after the upgrade. `Transport` meets transport/requirements.hpp.
template <class Transport>
class websocket_connection {
public:
    websocket_connection(Transport t, websocket::role r, websocket_options o = {})
        : s_(std::make_shared<detail::ws_state<Transport>>(std::move(t), r, o))
    {
        static_assert(transport::check_transport<Transport>());
    }

    Transport& next_layer() noexcept { return s_->transport; }
    websocket::role role() const noexcept { return s_->role; }

    /// Receives the next message: h(std::error_code, ws_message). Pings and pongs are handled inside.
    /// A close from the peer arrives as a message of kind close (the reply is sent for you); after it,
    /// receives fail with transport_error::closed. A protocol error fails with its websocket_error
    /// (the matching close frame is sent, then the connection is dropped).
    template <class Handler>
    void async_receive(Handler&& h)
    {
        s_->receive(std::forward<Handler>(h));
    }

    /// Sends one message as one frame (binary unless told otherwise): h(std::error_code). Sends are
    /// queued and written in order.
    template <class Handler>
    void async_send(std::string_view payload, Handler&& h, websocket::opcode op = websocket::opcode::binary)
    {
        s_->send(payload, op, std::forward<Handler>(h));
    }

    /// Starts the closing handshake: h(std::error_code) once our close frame is written. Keep
    /// receiving to see the peer's close; the transport is closed when both are done.
    template <class Handler>
    void async_close(std::uint16_t code, std::string_view reason, Handler&& h)
    {
        s_->send_close(code, reason, std::forward<Handler>(h));
    }

    /// Drops the connection now (no close frame). Pending operations complete with errors.
    void close() { s_->hard_close(); }

    /// Changes the idle timeout for reads started from now on.
    void set_idle_timeout(std::chrono::milliseconds d) { s_->opts.idle_timeout = d; }

protected:
    /// Bytes that arrived with the handshake and belong to the frame stream.
    void set_initial_bytes(std::string_view bytes)
    {
        if (bytes.size() > s_->rbuf.size())
            s_->rbuf.resize(bytes.size());
        std::copy(bytes.begin(), bytes.end(), s_->rbuf.begin());
        s_->rpos = 0;
        s_->rlen = bytes.size();
    }
    std::shared_ptr<detail::ws_state<Transport>> s_;
};

} // namespace realmwire::driver

#endif
