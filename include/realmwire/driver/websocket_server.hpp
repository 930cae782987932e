#ifndef REALMWIRE_DRIVER_WEBSOCKET_SERVER_HPP
#define REALMWIRE_DRIVER_WEBSOCKET_SERVER_HPP

// The server side of a Realm sync WebSocket over any transport: reads the upgrade request within the
// upgrade timeout, judges it with handshake/acceptor.hpp (dialects, prefixes, subprotocols, token
// lookup, the application's authorizer), writes the 101 or the refusal, then exchanges messages
// (websocket_connection.hpp). A refusal is written completely before the connection is closed.
//
// Errors of async_accept: transport_error::upgrade_timeout, transport_error::upgrade_failed (the
// connection failed before a verdict), or the acceptor's handshake_error / http_error (the verdict
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

template <class Transport>
class websocket_server : public websocket_connection<Transport> {
    using base = websocket_connection<Transport>;
    using state = detail::ws_state<Transport>;

public:
    explicit websocket_server(Transport t, websocket_options o = {}) : base(std::move(t), websocket::role::server, o) {}

    /// Reads and answers the upgrade: h(std::error_code, handshake_verdict). `timeout` 0 = none.
    template <class Handler>
    void async_accept(acceptor_options o, Handler&& h, std::chrono::milliseconds timeout = std::chrono::seconds(30))
    {
        auto op = std::make_shared<op_t<std::decay_t<Handler>>>(this->s_, std::move(o), std::forward<Handler>(h));
        op->start(timeout);
    }

private:
    template <class Handler>
    struct op_t : std::enable_shared_from_this<op_t<Handler>> {
        op_t(std::shared_ptr<state> s, acceptor_options o, Handler&& h)
            : s(std::move(s)), o(std::move(o)), parser(this->o.limits), timer(this->s->transport.get_executor()),
              handler(std::move(h))
        {
        }

        void start(std::chrono::milliseconds timeout)
        {
            auto self = this->shared_from_this();
            if (timeout.count() > 0) {
                timer.expires_after(timeout);
                timer.async_wait([self](std::error_code ec) {
                    if (ec || self->finished)
                        return;
                    self->timed_out = true;
                    self->s->transport.close();
                });
            }
            read();
        }

        void read()
        {
            auto self = this->shared_from_this();
            s->transport.async_read_some(asio::buffer(s->rbuf), [self](std::error_code ec, std::size_t n) {
                self->on_read(ec, n);
            });
        }

        void on_read(std::error_code ec, std::size_t n)
        {
            if (n) {
                std::string_view chunk(s->rbuf.data(), n);
                std::error_code pec;
                std::size_t used = parser.feed(chunk, pec);
                if (pec) {
                    // Let the acceptor turn the parse error into its 400 (or limit) answer.
                    raw.append(chunk.data(), chunk.size());
                    return answer(accept_handshake(std::string_view(raw), o));
                }
                raw.append(chunk.data(), used);
                if (parser.done()) {
                    s->rpos = used;
                    s->rlen = n;
                    return answer(accept_handshake(parser.get(), o));
                }
            }
            if (ec) {
                handshake_verdict v;
                v.ec = timed_out ? make_error_code(transport_error::upgrade_timeout)
                                 : make_error_code(transport_error::upgrade_failed);
                s->transport.close();
                return finish(v.ec, std::move(v));
            }
            read();
        }

        void answer(handshake_verdict v)
        {
            response = v.response_bytes();
            verdict = std::move(v);
            auto self = this->shared_from_this();
            s->transport.async_write(asio::buffer(response), [self](std::error_code ec, std::size_t) {
                if (!self->verdict.accepted()) {
                    self->s->transport.close();
                    std::error_code vec = self->verdict.ec;
                    return self->finish(vec, std::move(self->verdict));
                }
                if (ec) {
                    self->s->transport.close();
                    return self->finish(make_error_code(self->timed_out ? transport_error::upgrade_timeout
                                                                        : transport_error::upgrade_failed),
                                        std::move(self->verdict));
                }
                self->finish({}, std::move(self->verdict));
            });
        }

        void finish(std::error_code ec, handshake_verdict v)
        {
            if (finished)
                return;
            finished = true;
            timer.cancel();
            if (ec && !s->failed)
                s->failed = ec;
            handler(ec, std::move(v));
        }

        std::shared_ptr<state> s;
        acceptor_options o;
        http::request_parser parser;
        asio::steady_timer timer;
        Handler handler;
        std::string raw;
        std::string response;
        handshake_verdict verdict;
        bool timed_out = false, finished = false;
    };
};

} // namespace realmwire::driver

#endif
