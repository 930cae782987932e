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
// Errors of async_handshake: transport_error::upgrade_timeout, transport_error::upgrade_failed (the
// connection failed; handshake_result::ec holds the I/O error), an http_error (the answer is not HTTP),
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

template <class Transport>
class websocket_client : public websocket_connection<Transport> {
    using base = websocket_connection<Transport>;
    using state = detail::ws_state<Transport>;

public:
    explicit websocket_client(Transport t, websocket_options o = {}) : base(std::move(t), websocket::role::client, o) {}

    /// Runs the upgrade: h(std::error_code, handshake_result). `timeout` 0 = none.
    template <class Handler>
    void async_handshake(client_handshake hs, Handler&& h,
                         std::chrono::milliseconds timeout = std::chrono::seconds(30), verify_options vo = {})
    {
        auto op = std::make_shared<op_t<std::decay_t<Handler>>>(this->s_, std::move(hs), std::move(vo),
                                                               std::forward<Handler>(h));
        op->start(timeout);
    }

private:
    template <class Handler>
    struct op_t : std::enable_shared_from_this<op_t<Handler>> {
        op_t(std::shared_ptr<state> s, client_handshake hs, verify_options vo, Handler&& h)
            : s(std::move(s)), hs(std::move(hs)), vo(std::move(vo)), parser(this->vo.limits),
              timer(this->s->transport.get_executor()), handler(std::move(h))
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
            request = hs.bytes();
            s->transport.async_write(asio::buffer(request), [self](std::error_code ec, std::size_t) {
                if (ec)
                    return self->io_failed(ec);
                self->read();
            });
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
                std::error_code pec;
                std::size_t used = parser.feed(std::string_view(s->rbuf.data(), n), pec);
                if (pec) {
                    handshake_result r;
                    r.ec = pec;
                    return finish(pec, std::move(r));
                }
                if (parser.done()) {
                    // Frames may follow the 101 in the same read: hand them to the message layer.
                    s->rpos = used;
                    s->rlen = n;
                    return verify();
                }
            }
            if (ec == asio::error::eof && !timed_out) {
                std::error_code pec;
                parser.finish_eof(pec);
                if (!pec && parser.done())
                    return verify();
            }
            if (ec)
                return io_failed(ec);
            read();
        }

        void verify()
        {
            handshake_result r = verify_handshake_response(parser.get(), hs, vo);
            if (r.ec)
                s->transport.close(); // realm-core drops the connection on any refusal
            std::error_code ec = r.ec;
            finish(ec, std::move(r));
        }

        void io_failed(std::error_code cause)
        {
            handshake_result r;
            r.ec = cause;
            s->transport.close();
            finish(make_error_code(timed_out ? transport_error::upgrade_timeout : transport_error::upgrade_failed),
                   std::move(r));
        }

        void finish(std::error_code ec, handshake_result r)
        {
            if (finished)
                return;
            finished = true;
            timer.cancel();
            if (ec && !s->failed)
                s->failed = ec;
            handler(ec, std::move(r));
        }

        std::shared_ptr<state> s;
        client_handshake hs;
        verify_options vo;
        http::response_parser parser;
        asio::steady_timer timer;
        Handler handler;
        std::string request;
        bool timed_out = false, finished = false;
    };
};

} // namespace realmwire::driver

#endif
