#ifndef REALMWIRE_DRIVER_WEBSOCKET_SERVER_HPP
#define REALMWIRE_DRIVER_WEBSOCKET_SERVER_HPP

// The server side of a Realm sync WebSocket over any transport: reads the upgrade request within the
// upgrade timeout, judges it with handshake/acceptor.hpp (dialects, prefixes, subprotocols, token
// lookup, the application's authorizer), writes the 101 or the refusal, then exchanges messages
// (websocket_connection.hpp). A refusal is written completely before the connection is closed.
//
// The next layer can be any async stream and async_accept takes any completion token, like every
// operation of websocket_connection.hpp; its timeout is a deadline over the whole exchange, expressed
// as terminal cancellation.
//
// Errors of async_accept: transport_error::upgrade_timeout, transport_error::upgrade_failed (the
// connection failed before a verdict), asio::error::operation_aborted (cancelled by the caller), or the acceptor's handshake_error / http_error (the verdict
// passed to the handler holds the response that was sent).

#include "realmwire/driver/websocket_connection.hpp"
#include "realmwire/errors/transport.hpp"
#include "realmwire/handshake/acceptor.hpp"
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
struct server_upgrade_op : upgrade_op_base<NextLayer, handshake_verdict> {
    struct data {
        explicit data(acceptor_options opts) : o(std::move(opts)), parser(o.limits) {}
        acceptor_options o;
        http::request_parser parser;
        std::string raw;
        std::string response;
        handshake_verdict verdict;
    };
    std::unique_ptr<data> d;
    std::chrono::milliseconds timeout{0};
    enum class step { start, read, wrote, done } at = step::start;

    template <class Self>
    void operator()(Self& self, std::error_code ec = {}, std::size_t n = 0)
    {
        switch (at) {
            case step::start:
                this->start_deadline(timeout);
                at = step::read;
                return this->read(self);
            case step::read: return on_read(self, ec, n);
            case step::wrote: return on_written(self, ec);
            case step::done: return this->complete(self);
        }
    }

    template <class Self>
    void on_read(Self& self, std::error_code ec, std::size_t n)
    {
        auto& s = *this->s;
        if (n) {
            std::string_view chunk(s.rbuf.data(), n);
            std::error_code pec;
            std::size_t used = d->parser.feed(chunk, pec);
            if (pec) {
                // Let the acceptor turn the parse error into its 400 (or limit) answer.
                d->raw.append(chunk.data(), chunk.size());
                return answer(self, accept_handshake(std::string_view(d->raw), d->o));
            }
            d->raw.append(chunk.data(), used);
            if (d->parser.done()) {
                s.rpos = used;
                s.rlen = n;
                return answer(self, accept_handshake(d->parser.get(), d->o));
            }
        }
        if (ec) {
            handshake_verdict v;
            v.ec = this->broken_off();
            transport::close_stream(s.next);
            std::error_code vec = v.ec;
            return done(self, vec, std::move(v));
        }
        this->read(self);
    }

    template <class Self>
    void answer(Self& self, handshake_verdict v)
    {
        d->response = v.response_bytes();
        d->verdict = std::move(v);
        at = step::wrote;
        this->write(self, asio::buffer(d->response));
    }

    template <class Self>
    void on_written(Self& self, std::error_code ec)
    {
        auto& s = *this->s;
        if (!d->verdict.accepted()) {
            // A refusal is written completely (or fails) before the connection goes.
            transport::close_stream(s.next);
            std::error_code vec = d->verdict.ec;
            return done(self, vec, std::move(d->verdict));
        }
        if (ec) {
            transport::close_stream(s.next);
            return done(self, this->broken_off(), std::move(d->verdict));
        }
        done(self, {}, std::move(d->verdict));
    }

    template <class Self>
    void done(Self& self, std::error_code ec, handshake_verdict v)
    {
        at = step::done;
        d.reset();
        this->finish(self, ec, std::move(v));
    }
};

} // namespace detail

template <class NextLayer>
class websocket_server : public basic_websocket_connection<NextLayer> {
    using base = basic_websocket_connection<NextLayer>;

public:
    explicit websocket_server(NextLayer next, websocket_options o = {})
        : base(std::move(next), websocket::role::server, o)
    {
    }

    /// Reads and answers the upgrade; completes with (std::error_code, handshake_verdict). The
    /// deadline defaults to 30 s; 0 = none.
    template <class CompletionToken>
    auto async_accept(acceptor_options o, CompletionToken&& token)
    {
        return async_accept(std::move(o), std::chrono::seconds(30), std::forward<CompletionToken>(token));
    }
    template <class CompletionToken>
    auto async_accept(acceptor_options o, std::chrono::milliseconds timeout, CompletionToken&& token)
    {
        detail::server_upgrade_op<NextLayer> op;
        op.s = this->s_;
        op.d = std::make_unique<typename detail::server_upgrade_op<NextLayer>::data>(std::move(o));
        op.timeout = timeout;
        return asio::async_compose<CompletionToken, void(std::error_code, handshake_verdict)>(std::move(op), token,
                                                                                              this->s_->ex);
    }
};

} // namespace realmwire::driver

#endif
