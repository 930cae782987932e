#ifndef REALMWIRE_DRIVER_WEBSOCKET_CLIENT_HPP
#define REALMWIRE_DRIVER_WEBSOCKET_CLIENT_HPP

// The client side of a Realm sync WebSocket over any transport: sends the upgrade request built by
// handshake/request_builder.hpp, reads and verifies the answer (handshake/verifier.hpp) within the
// upgrade timeout, then exchanges messages (websocket_connection.hpp). Endpoints sit on this.
//
//     transport::connector c(ex);                       // resolve, connect, proxy, TLS
//     c.async_connect(opts, [&](std::error_code ec, transport::any_transport t) {
//         auto ws = std::make_shared<driver::websocket_client<transport::any_transport>>(std::move(t));
//         ws->async_handshake(build_handshake_request(hs_opts, token),
//             [ws](std::error_code ec, handshake_result r) {
//                 if (ec) { /* r.refusal has status, headers, body; ec names why */ return; }
//                 ws->async_send(bytes, [](std::error_code) {});
//                 ws->async_receive([](std::error_code ec, driver::ws_message m) { ... });
//             });
//     });
//
// The next layer can be any async stream (asio::ip::tcp::socket, asio::ssl::stream<...>, ...) and
// async_handshake takes any completion token (use_future, use_awaitable, deferred, ...), like every
// operation of websocket_connection.hpp. Its timeout is a deadline over the whole upgrade, expressed
// as terminal cancellation; the caller's own terminal cancellation ends it with operation_aborted.
//
// Errors of async_handshake: transport_error::upgrade_timeout, transport_error::upgrade_failed (the
// connection failed; handshake_result::ec holds the I/O error), asio::error::operation_aborted
// (cancelled; the connection is dropped), an http_error (the answer is not HTTP),
// or the verifier's handshake_error (refusals: moved_permanently, refused_unauthorized, …; bad
// Sec-WebSocket-Accept; subprotocol mismatch), with handshake_result::refusal for non-101 answers.

#include "realmwire/driver/websocket_connection.hpp"
#include "realmwire/errors/transport.hpp"
#include "realmwire/handshake/request_builder.hpp"
#include "realmwire/handshake/verifier.hpp"
#include "realmwire/http/parser.hpp"

#include <asio/buffer.hpp>
#include <asio/error.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

namespace realmwire::driver {

namespace detail {

template <class NextLayer>
struct client_upgrade_op : upgrade_op_base<NextLayer, handshake_result> {
    struct data {
        data(client_handshake h, verify_options v) : hs(std::move(h)), vo(std::move(v)), parser(vo.limits) {}
        client_handshake hs;
        verify_options vo;
        http::response_parser parser;
        std::string request;
    };
    std::unique_ptr<data> d;
    std::chrono::milliseconds timeout{0};
    enum class step { start, wrote, read, done } at = step::start;

    template <class Self>
    void operator()(Self& self, std::error_code ec = {}, std::size_t n = 0)
    {
        switch (at) {
            case step::start:
                this->start_deadline(timeout);
                d->request = d->hs.bytes();
                at = step::wrote;
                return this->write(self, asio::buffer(d->request));
            case step::wrote:
                if (ec)
                    return io_failed(self, ec);
                at = step::read;
                return this->read(self);
            case step::read: return on_read(self, ec, n);
            case step::done: return this->complete(self);
        }
    }

    template <class Self>
    void on_read(Self& self, std::error_code ec, std::size_t n)
    {
        auto& s = *this->s;
        if (n) {
            std::error_code pec;
            std::size_t used = d->parser.feed(std::string_view(s.rbuf.data(), n), pec);
            if (pec) {
                handshake_result r;
                r.ec = pec;
                return done(self, pec, std::move(r));
            }
            if (d->parser.done()) {
                // Frames may follow the 101 in the same read: hand them to the message layer.
                s.rpos = used;
                s.rlen = n;
                return verify(self);
            }
        }
        if (ec == asio::error::eof && !this->guard->timed_out && !this->guard->cancelled) {
            std::error_code pec;
            d->parser.finish_eof(pec);
            if (!pec && d->parser.done())
                return verify(self);
        }
        if (ec)
            return io_failed(self, ec);
        this->read(self);
    }

    template <class Self>
    void verify(Self& self)
    {
        handshake_result r = verify_handshake_response(d->parser.get(), d->hs, d->vo);
        if (r.ec)
            transport::close_stream(this->s->next); // realm-core drops the connection on any refusal
        std::error_code ec = r.ec;
        done(self, ec, std::move(r));
    }

    template <class Self>
    void io_failed(Self& self, std::error_code cause)
    {
        handshake_result r;
        r.ec = cause;
        transport::close_stream(this->s->next);
        done(self, this->broken_off(), std::move(r));
    }

    template <class Self>
    void done(Self& self, std::error_code ec, handshake_result r)
    {
        at = step::done;
        d.reset();
        this->finish(self, ec, std::move(r));
    }
};

} // namespace detail

template <class NextLayer>
class websocket_client : public basic_websocket_connection<NextLayer> {
    using base = basic_websocket_connection<NextLayer>;

public:
    explicit websocket_client(NextLayer next, websocket_options o = {})
        : base(std::move(next), websocket::role::client, o)
    {
    }

    /// Runs the upgrade; completes with (std::error_code, handshake_result). The deadline defaults to
    /// 30 s; 0 = none.
    template <class CompletionToken>
    auto async_handshake(client_handshake hs, CompletionToken&& token)
    {
        return async_handshake(std::move(hs), std::chrono::seconds(30), verify_options{},
                               std::forward<CompletionToken>(token));
    }
    template <class CompletionToken>
    auto async_handshake(client_handshake hs, std::chrono::milliseconds timeout, CompletionToken&& token)
    {
        return async_handshake(std::move(hs), timeout, verify_options{}, std::forward<CompletionToken>(token));
    }
    template <class CompletionToken>
    auto async_handshake(client_handshake hs, std::chrono::milliseconds timeout, verify_options vo,
                         CompletionToken&& token)
    {
        detail::client_upgrade_op<NextLayer> op;
        op.s = this->s_;
        op.d = std::make_unique<typename detail::client_upgrade_op<NextLayer>::data>(std::move(hs), std::move(vo));
        op.timeout = timeout;
        return asio::async_compose<CompletionToken, void(std::error_code, handshake_result)>(std::move(op), token,
                                                                                             this->s_->ex);
    }
};

} // namespace realmwire::driver

#endif
