#ifndef REALMWIRE_DRIVER_WEBSOCKET_CONNECTION_HPP
#define REALMWIRE_DRIVER_WEBSOCKET_CONNECTION_HPP

// The message layer both WebSocket drivers share: frames over a next layer once the upgrade is done.
// It sends whole messages as single frames (as realm-core does), receives messages with reassembly,
// answers pings (auto_pong), performs the closing handshake, fails protocol errors with the right close
// code, and enforces an idle timeout (no byte from the peer for that long).
//
// basic_websocket_connection<NextLayer> takes any Asio AsyncReadStream + AsyncWriteStream as its next
// layer (transport/requirements.hpp): asio::ip::tcp::socket, asio::ssl::stream<tcp::socket>, the
// memory pipe, a CONNECT tunnel, any_transport. websocket_connection<> is the any_transport one.
//
// Asio's universal model: every operation is an initiating function through asio::async_compose, so
// it takes any completion token as its last argument (a callback, asio::use_future,
// asio::use_awaitable, experimental::deferred, experimental::as_tuple, ...), and a move-only handler
// is fine. The handler runs on its associated executor (default: the next layer's), never inside the
// initiating call; the steps in between run on the next layer's executor and carry the handler's
// associated allocator. Per-operation cancellation: `terminal` through the handler's associated
// cancellation slot drops the connection (the operation completes with asio::error::operation_aborted;
// a WebSocket connection cut mid-frame cannot be resumed, so later operations fail too).
//
// Threading: one thread (or strand) runs the next layer's executor per connection. Internal state is
// shared with pending operations, so destroying the connection object while operations are pending is
// safe (call close() first so they complete). Destroying the io_context destroys the pending handlers
// without calling them, the queued sends' included (transport/detail/parked_handlers.hpp).

#include "realmwire/errors/transport.hpp"
#include "realmwire/errors/websocket.hpp"
#include "realmwire/transport/any_transport.hpp"
#include "realmwire/transport/detail/completion.hpp"
#include "realmwire/transport/detail/parked_handlers.hpp"
#include "realmwire/transport/requirements.hpp"
#include "realmwire/transport/timeouts.hpp"
#include "realmwire/websocket/close_code.hpp"
#include "realmwire/websocket/decoder.hpp"
#include "realmwire/websocket/encoder.hpp"

#include <asio/any_io_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/bind_executor.hpp>
#include <asio/buffer.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/cancellation_type.hpp>
#include <asio/compose.hpp>
#include <asio/dispatch.hpp>
#include <asio/error.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
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

template <class NextLayer>
struct ws_state : std::enable_shared_from_this<ws_state<NextLayer>>, transport::detail::parks_handlers {
    using write_callback = transport::detail::unique_callback<std::error_code>;

    ws_state(NextLayer n, websocket::role r, const websocket_options& o)
        : parks_handlers(n.get_executor()), next(std::move(n)), ex(next.get_executor()), role(r), opts(o), encoder(r), decoder(r, o.limits), timer(ex),
          rbuf(o.read_buffer_size ? o.read_buffer_size : 16 * 1024)
    {
    }

    // ---- reading (driven by receive_op) --------------------------------------------------------

    // Handles a decoded event; true (and `out` set) when it is for the caller.
    bool handle_event(ws_message& out)
    {
        const auto& e = decoder.event();
        switch (e.kind) {
            case websocket::event_kind::ping:
                if (opts.auto_pong && !close_sent) {
                    std::string frame;
                    encoder.pong(frame, e.payload);
                    queue(std::move(frame), {});
                }
                return false;
            case websocket::event_kind::pong: return false;
            case websocket::event_kind::close: {
                close_received = true;
                out = ws_message{e.kind, std::string(e.payload), e.close_code};
                if (!close_sent) {
                    // Echo the code (RFC 6455 §5.5.1); 1005 cannot be sent, so answer without one.
                    std::string frame;
                    if (e.close_code == static_cast<std::uint16_t>(websocket::close_code::no_status))
                        encoder.close_empty(frame);
                    else
                        encoder.close(frame, e.close_code);
                    close_sent = true;
                    queue(std::move(frame), {});
                }
                finish_if_closed();
                return true;
            }
            default: out = ws_message{e.kind, std::string(e.payload), 0}; return true;
        }
    }

    // What a failed read means for the caller.
    std::error_code read_error(std::error_code ec, bool cancelled) const
    {
        if (cancelled)
            return asio::error::operation_aborted;
        if (idle_fired)
            return transport_error::idle_timeout;
        if (ec == asio::error::eof)
            return transport_error::closed;
        if (ec == asio::error::operation_aborted && closed_locally)
            return transport_error::operation_aborted;
        return ec;
    }

    void arm_idle()
    {
        if (opts.idle_timeout.count() <= 0)
            return;
        const unsigned gen = ++idle_gen;
        timer.expires_after(opts.idle_timeout);
        std::weak_ptr<ws_state> w = this->shared_from_this();
        timer.async_wait([w, gen](std::error_code ec) {
            auto self = w.lock();
            if (ec || !self || gen != self->idle_gen)
                return;
            self->idle_fired = true;
            transport::close_stream(self->next);
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
            std::weak_ptr<ws_state> w = this->shared_from_this();
            queue(std::move(frame), [w](std::error_code) {
                if (auto self = w.lock())
                    self->hard_close();
            });
        }
        if (!failed)
            failed = ec;
    }

    // The queued frames' completions are the handlers this state keeps outside Asio (a send's handler
    // often owns the connection): dropped when the execution context shuts down. The write in flight,
    // if any, is Asio's and is dropped by Asio; it never runs again, so the frames can go with them.
    std::shared_ptr<void> keep_alive() noexcept override { return this->weak_from_this().lock(); }
    void drop_parked_handlers() noexcept override
    {
        auto parked = std::move(outbox);
        outbox.clear();
    }

    // ---- writing -------------------------------------------------------------------------------
    void queue(std::string frame, write_callback done)
    {
        outbox.emplace_back(std::move(frame), std::move(done));
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
        asio::async_write(next, asio::buffer(outbox.front().first), [self](std::error_code ec, std::size_t) {
            auto done = std::move(self->outbox.front().second);
            self->outbox.pop_front();
            if (ec) {
                if (!self->write_failed)
                    self->write_failed = ec;
                self->writing = false;
                // Fail everything still queued with the same error.
                auto rest = std::move(self->outbox);
                self->outbox.clear();
                if (done)
                    done(ec);
                for (auto& item : rest)
                    if (item.second)
                        item.second(ec);
                return;
            }
            if (done)
                done({});
            self->write_next();
        });
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
        transport::close_stream(next);
    }

    NextLayer next;
    asio::any_io_executor ex;
    websocket::role role;
    websocket_options opts;
    websocket::encoder encoder;
    websocket::decoder decoder;
    asio::steady_timer timer;
    std::vector<char> rbuf;
    std::size_t rpos = 0, rlen = 0;
    bool receiving = false;
    std::deque<std::pair<std::string, write_callback>> outbox;
    bool writing = false;
    bool close_sent = false, close_received = false, closed_locally = false, idle_fired = false;
    std::error_code failed, write_failed;
    unsigned idle_gen = 0;
};

/// Installed in an operation's cancellation slot: terminal cancellation drops the connection, which
/// makes the pending I/O complete with an error the operation then reports as operation_aborted.
template <class NextLayer>
struct close_on_cancel {
    std::weak_ptr<ws_state<NextLayer>> w;
    void operator()(asio::cancellation_type t)
    {
        if ((t & asio::cancellation_type::terminal) == asio::cancellation_type::none)
            return;
        if (auto s = w.lock())
            s->hard_close();
    }
};

/// Steps of a composed operation over a connection's state: where they run and how they complete.
template <class NextLayer>
struct op_base {
    std::shared_ptr<ws_state<NextLayer>> s;

    // Intermediate completions run on the connection's executor (its state is single-threaded), keep
    // the handler's allocator, and get no cancellation slot: cancellation is ours (close_on_cancel).
    // Careful: `self` holds this op, so nothing of it may be read once `self` is moved; callers take
    // what they need (the state's address) before.
    template <class Self>
    auto io(Self&& self)
    {
        asio::any_io_executor ex = s->ex;
        return asio::bind_cancellation_slot(asio::cancellation_slot(), asio::bind_executor(ex, std::forward<Self>(self)));
    }

    template <class Self>
    void listen(Self& self)
    {
        auto slot = self.get_cancellation_state().slot();
        if (slot.is_connected())
            slot.template emplace<close_on_cancel<NextLayer>>(close_on_cancel<NextLayer>{s});
    }

    template <class Self>
    static bool cancelled(Self& self)
    {
        // (through the state: Asio 1.22 hides composed_op::cancelled() for handlers without a slot)
        return self.get_cancellation_state().cancelled() != asio::cancellation_type::none;
    }

    // Hands the op to the handler's associated executor for its final step. From inside the initiating
    // function it must be queued; from a completion it may run at once.
    template <class Self>
    static void to_handler(Self&& self, bool initiating)
    {
        if (initiating)
            asio::post(std::forward<Self>(self));
        else
            asio::dispatch(std::forward<Self>(self));
    }
};

template <class NextLayer>
struct receive_op : op_base<NextLayer> {
    enum class step { start, pump, read, done } at = step::start;
    bool owns = false; // this op holds the connection's one receive slot
    std::error_code result_ec;
    ws_message result;

    template <class Self>
    void operator()(Self& self, std::error_code ec = {}, std::size_t n = 0)
    {
        auto& s = this->s;
        switch (at) {
            case step::start:
                if (s->receiving)
                    return finish(self, asio::error::in_progress, true);
                if (s->failed || s->close_received)
                    return finish(self, s->failed ? s->failed : make_error_code(transport_error::closed), true);
                s->receiving = owns = true;
                at = step::pump;
                // Bytes may be buffered already; decode them on the connection's executor, not here.
                {
                    asio::any_io_executor ex = s->ex;
                    return (void)asio::post(ex, asio::bind_executor(ex, std::move(self)));
                }
            case step::pump: return pump(self);
            case step::read: {
                s->disarm_idle();
                if (n) {
                    s->rpos = 0;
                    s->rlen = n;
                }
                if (ec && !n) {
                    std::error_code err = s->read_error(ec, this->cancelled(self));
                    if (!s->failed)
                        s->failed = err;
                    return finish(self, err, false);
                }
                return pump(self);
            }
            case step::done: {
                this->s.reset();
                return self.complete(result_ec, std::move(result));
            }
        }
    }

    template <class Self>
    void pump(Self& self)
    {
        auto& s = this->s;
        while (s->rpos < s->rlen) {
            std::error_code ec;
            std::size_t n = s->decoder.feed(std::string_view(s->rbuf.data() + s->rpos, s->rlen - s->rpos), ec);
            s->rpos += n;
            if (ec) {
                s->protocol_error(ec);
                return finish(self, ec, false);
            }
            if (s->decoder.has_event() && s->handle_event(result))
                return finish(self, {}, false);
        }
        if (this->cancelled(self)) {
            s->hard_close();
            return finish(self, asio::error::operation_aborted, false);
        }
        at = step::read;
        s->arm_idle();
        this->listen(self);
        ws_state<NextLayer>* st = s.get();
        auto h = this->io(std::move(self));
        st->next.async_read_some(asio::buffer(st->rbuf), std::move(h));
    }

    template <class Self>
    void finish(Self& self, std::error_code ec, bool initiating)
    {
        if (owns)
            this->s->receiving = false;
        result_ec = ec;
        at = step::done;
        this->to_handler(std::move(self), initiating);
    }
};

/// One queued frame (a message or our close): completes once it is written.
template <class NextLayer>
struct send_op : op_base<NextLayer> {
    std::string frame;
    std::error_code refused; // why the frame cannot be sent (decided at the call)
    bool is_close = false;
    enum class step { start, wait, done } at = step::start;
    std::error_code result_ec;

    template <class Self>
    void operator()(Self& self, std::error_code ec = {})
    {
        switch (at) {
            case step::start: {
                auto& s = *this->s;
                if (!refused) {
                    if (is_close && s.close_sent)
                        refused = transport_error::closed;
                    else if (!is_close && (s.close_sent || s.write_failed || s.failed))
                        refused = s.write_failed ? s.write_failed : make_error_code(transport_error::closed);
                }
                if (refused)
                    return finish(self, refused, true);
                if (is_close)
                    s.close_sent = true;
                this->listen(self);
                at = step::wait;
                // The queue keeps the op (not the state) until the frame is written; the write loop
                // calls it on the connection's executor.
                auto st = std::move(this->s);
                std::string f = std::move(frame);
                typename ws_state<NextLayer>::write_callback cb(std::move(self));
                st->queue(std::move(f), std::move(cb));
                return;
            }
            case step::wait: return finish(self, ec && this->cancelled(self)
                                                     ? make_error_code(asio::error::operation_aborted)
                                                     : ec,
                                           false);
            case step::done: return self.complete(result_ec);
        }
    }

    template <class Self>
    void finish(Self& self, std::error_code ec, bool initiating)
    {
        this->s.reset();
        result_ec = ec;
        at = step::done;
        this->to_handler(std::move(self), initiating);
    }
};

/// What the two upgrade operations (websocket_client::async_handshake, websocket_server::async_accept)
/// share: a deadline, the caller's cancellation, reads into the connection's buffer, writes, and the
/// completion. The deadline is a timer that emits terminal cancellation; the caller's terminal
/// cancellation is forwarded to the same signal; its one listener drops the connection, so the pending
/// read or write fails and the op reports why (timeout, cancellation or I/O failure). The timer runs
/// from the first step to the completion, so it bounds the whole exchange.
template <class NextLayer>
struct upgrade_guard {
    explicit upgrade_guard(const asio::any_io_executor& ex) : timer(ex) {}
    asio::steady_timer timer;
    asio::cancellation_signal signal;
    bool timed_out = false, cancelled = false;
};

template <class NextLayer>
struct forward_cancel {
    std::weak_ptr<upgrade_guard<NextLayer>> w;
    void operator()(asio::cancellation_type t)
    {
        if (auto g = w.lock()) {
            g->cancelled = true;
            g->signal.emit(t);
        }
    }
};

template <class NextLayer, class Result>
struct upgrade_op_base : op_base<NextLayer> {
    std::shared_ptr<upgrade_guard<NextLayer>> guard;
    std::error_code result_ec;
    Result result;
    bool finished = false;

    // First step: arm the deadline (0 = none) and make the signal drop the connection.
    void start_deadline(std::chrono::milliseconds timeout)
    {
        guard = std::make_shared<upgrade_guard<NextLayer>>(this->s->ex);
        guard->signal.slot().template emplace<close_on_cancel<NextLayer>>(close_on_cancel<NextLayer>{this->s});
        if (timeout.count() <= 0)
            return;
        guard->timer.expires_after(timeout);
        std::weak_ptr<upgrade_guard<NextLayer>> w = guard;
        guard->timer.async_wait([w](std::error_code ec) {
            auto g = w.lock();
            if (ec || !g)
                return;
            g->timed_out = true;
            g->signal.emit(asio::cancellation_type::terminal);
        });
    }

    template <class Self>
    void listen(Self& self)
    {
        auto slot = self.get_cancellation_state().slot();
        if (slot.is_connected())
            slot.template emplace<forward_cancel<NextLayer>>(forward_cancel<NextLayer>{guard});
    }

    template <class Self>
    void read(Self& self)
    {
        listen(self);
        ws_state<NextLayer>* st = this->s.get();
        auto h = this->io(std::move(self));
        st->next.async_read_some(asio::buffer(st->rbuf), std::move(h));
    }

    template <class Self>
    void write(Self& self, asio::const_buffer b)
    {
        listen(self);
        ws_state<NextLayer>* st = this->s.get();
        auto h = this->io(std::move(self));
        asio::async_write(st->next, b, std::move(h));
    }

    /// The error for an exchange that broke off: the deadline, the caller, or the connection.
    std::error_code broken_off() const
    {
        if (guard && guard->timed_out)
            return transport_error::upgrade_timeout;
        if (guard && guard->cancelled)
            return asio::error::operation_aborted;
        return transport_error::upgrade_failed;
    }

    template <class Self>
    void finish(Self& self, std::error_code ec, Result r, bool initiating = false)
    {
        finished = true;
        if (guard) {
            guard->timer.cancel();
            guard->signal.slot().clear();
        }
        if (ec && !this->s->failed)
            this->s->failed = ec;
        result_ec = ec;
        result = std::move(r);
        this->to_handler(std::move(self), initiating);
    }

    // The last step, on the handler's executor.
    template <class Self>
    void complete(Self& self)
    {
        guard.reset();
        this->s.reset();
        self.complete(result_ec, std::move(result));
    }
};

} // namespace detail

/// Messages over a next layer after the upgrade. `NextLayer` is an Asio AsyncReadStream +
/// AsyncWriteStream (transport/requirements.hpp), held by value.
template <class NextLayer>
class basic_websocket_connection {
public:
    using next_layer_type = NextLayer;
    using executor_type = typename NextLayer::executor_type;

    basic_websocket_connection(NextLayer next, websocket::role r, websocket_options o = {})
        : s_(std::make_shared<detail::ws_state<NextLayer>>(std::move(next), r, o))
    {
        static_assert(transport::check_async_stream<NextLayer>());
    }

    NextLayer& next_layer() noexcept { return s_->next; }
    const NextLayer& next_layer() const noexcept { return s_->next; }
    executor_type get_executor() { return s_->next.get_executor(); }
    websocket::role role() const noexcept { return s_->role; }

    /// Receives the next message; completes with (std::error_code, ws_message). Pings and pongs are
    /// handled inside. A close from the peer arrives as a message of kind close (the reply is sent for
    /// you); after it, receives fail with transport_error::closed. A protocol error fails with its
    /// websocket_error (the matching close frame is sent, then the connection is dropped). One receive
    /// at a time (a second fails with asio::error::in_progress).
    template <class CompletionToken>
    auto async_receive(CompletionToken&& token)
    {
        detail::receive_op<NextLayer> op;
        op.s = s_;
        return asio::async_compose<CompletionToken, void(std::error_code, ws_message)>(std::move(op), token, s_->ex);
    }

    /// Sends one message as one frame; completes with (std::error_code) once it is written. Sends are
    /// queued and written in order; the payload is copied into the frame at the call. `payload` is
    /// anything convertible to std::string_view, or any ConstBufferSequence.
    template <class CompletionToken>
    auto async_send(std::string_view payload, CompletionToken&& token)
    {
        return async_send(payload, websocket::opcode::binary, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken>
    auto async_send(std::string_view payload, websocket::opcode op, CompletionToken&& token)
    {
        detail::send_op<NextLayer> o;
        o.s = s_;
        o.frame.reserve(payload.size() + websocket::max_frame_header_size);
        s_->encoder.message(o.frame, payload, op);
        return asio::async_compose<CompletionToken, void(std::error_code)>(std::move(o), token, s_->ex);
    }
    template <class ConstBufferSequence, class CompletionToken,
              class = std::enable_if_t<asio::is_const_buffer_sequence<ConstBufferSequence>::value &&
                                       !std::is_convertible<const ConstBufferSequence&, std::string_view>::value>>
    auto async_send(const ConstBufferSequence& payload, CompletionToken&& token)
    {
        return async_send(payload, websocket::opcode::binary, std::forward<CompletionToken>(token));
    }
    template <class ConstBufferSequence, class CompletionToken,
              class = std::enable_if_t<asio::is_const_buffer_sequence<ConstBufferSequence>::value &&
                                       !std::is_convertible<const ConstBufferSequence&, std::string_view>::value>>
    auto async_send(const ConstBufferSequence& payload, websocket::opcode op, CompletionToken&& token)
    {
        // One frame needs the payload in one piece for masking; gathering it costs one copy.
        std::string flat(asio::buffer_size(payload), '\0');
        asio::buffer_copy(asio::buffer(flat), payload);
        return async_send(std::string_view(flat), op, std::forward<CompletionToken>(token));
    }

    /// Starts the closing handshake; completes with (std::error_code) once our close frame is written.
    /// Keep receiving to see the peer's close; the next layer is closed when both are done.
    template <class CompletionToken>
    auto async_close(std::uint16_t code, std::string_view reason, CompletionToken&& token)
    {
        detail::send_op<NextLayer> o;
        o.s = s_;
        o.is_close = true;
        if (!s_->close_sent)
            s_->encoder.close(o.frame, code, reason, o.refused);
        return asio::async_compose<CompletionToken, void(std::error_code)>(std::move(o), token, s_->ex);
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
    std::shared_ptr<detail::ws_state<NextLayer>> s_;
};

/// The connection over a type-erased transport (`websocket_connection<>`), or over a given one.
template <class NextLayer = transport::any_transport>
using websocket_connection = basic_websocket_connection<NextLayer>;

} // namespace realmwire::driver

#endif
