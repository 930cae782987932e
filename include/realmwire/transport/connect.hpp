#ifndef REALMWIRE_TRANSPORT_CONNECT_HPP
#define REALMWIRE_TRANSPORT_CONNECT_HPP

// Opening a client connection, phase by phase, each with its own run-time timeout:
//
//   resolve → connect (TCP) → [TLS to an HTTPS proxy] → [HTTP CONNECT] → [TLS to the server]
//
// and the result as an any_transport, ready for the WebSocket upgrade (driver/websocket_client.hpp).
// A failure is reported with the phase's transport_error (resolve_failed, connect_timeout,
// proxy_auth_required, tls_handshake_failed, …); connector::failure() adds the phase, the underlying
// Asio/OpenSSL error and, for a proxy refusal, the proxy's reply.
//
//     transport::connector c(ioc.get_executor());
//     transport::connect_options o;
//     o.host = "sync.example.com"; o.port = 443; o.tls = true;
//     c.async_connect(o, [&](std::error_code ec, transport::any_transport t) { ... });
//
// async_connect takes any completion token (use_future, use_awaitable, deferred, ...); the handler
// runs on its associated executor; terminal cancellation through its slot aborts the current phase
// and completes with asio::error::operation_aborted (failure().error says so too).

#include "realmwire/errors/transport.hpp"
#include "realmwire/http/message.hpp"
#include "realmwire/transport/any_transport.hpp"
#include "realmwire/transport/http_connect.hpp"
#include "realmwire/transport/tcp.hpp"
#include "realmwire/transport/timeouts.hpp"
#include "realmwire/transport/tls.hpp"

#include "realmwire/transport/detail/completion.hpp"

#include <asio/any_io_executor.hpp>
#include <asio/associated_cancellation_slot.hpp>
#include <asio/async_result.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

namespace realmwire::transport {

struct connect_options {
    std::string host;          ///< the sync server's host name or IP literal
    std::uint16_t port = 443;
    bool tls = false;          ///< wss:// (TLS to the server, through the tunnel when proxied)
    tls_options tls_opts;
    std::optional<proxy_config> proxy;
    transport::timeouts timeouts;
};

/// Where and why connecting failed.
struct connect_failure {
    transport::phase phase = transport::phase::resolve;
    std::error_code error; ///< the phase's transport_error
    std::error_code cause; ///< what Asio, OpenSSL or the HTTP parser said (empty for timeouts)
    std::optional<http::response> proxy_reply; ///< the proxy's answer, when it refused

    std::string describe() const
    {
        std::string s = std::string(to_string(phase)) + ": " + error.message();
        if (proxy_reply && proxy_reply->status) {
            s += " (proxy answered " + std::to_string(proxy_reply->status);
            if (!proxy_reply->reason.empty())
                s += " " + proxy_reply->reason;
            s += ")";
        }
        if (cause)
            s += " [" + cause.message() + "]";
        return s;
    }
};

namespace detail {

struct connect_shared {
    connect_failure failure;
};

template <class Handler>
class connect_op : public std::enable_shared_from_this<connect_op<Handler>> {
public:
    connect_op(asio::any_io_executor ex, connect_options o, std::shared_ptr<connect_shared> shared, Handler&& h)
        : ex_(ex), opts_(std::move(o)), shared_(std::move(shared)), resolver_(ex), socket_(ex), timer_(ex),
          handler_(std::move(h))
    {
    }

    /// Terminal cancellation from the caller's slot: abort the current phase.
    void cancel()
    {
        if (finished_)
            return;
        cancelled_ = true;
        abort_current();
    }

    void start(asio::cancellation_slot slot)
    {
        slot_ = slot;
        if (slot_.is_connected()) {
            std::weak_ptr<connect_op> w = this->shared_from_this();
            slot_.template emplace<canceller>(canceller{w});
        }
        const bool via_proxy = opts_.proxy.has_value();
        const std::string& host = via_proxy ? opts_.proxy->host : opts_.host;
        const std::uint16_t port = via_proxy ? opts_.proxy->port : opts_.port;
        arm(phase::resolve, opts_.timeouts.resolve);
        auto self = this->shared_from_this();
        resolver_.async_resolve(host, std::to_string(port),
                                [self](std::error_code ec, asio::ip::tcp::resolver::results_type r) {
                                    if (self->phase_done(ec))
                                        return;
                                    self->on_resolved(std::move(r));
                                });
    }

private:
    // Starts the phase's timer. Each arm() bumps a generation, so a timer that fires just as its phase
    // completes cannot cancel the next phase.
    void arm(phase p, std::chrono::milliseconds d)
    {
        phase_ = p;
        timed_out_ = false;
        const unsigned gen = ++gen_;
        timer_.cancel();
        if (d.count() <= 0)
            return;
        timer_.expires_after(d);
        auto self = this->shared_from_this();
        timer_.async_wait([self, gen](std::error_code ec) {
            if (ec || gen != self->gen_)
                return;
            self->timed_out_ = true;
            self->abort_current();
        });
    }

    void abort_current()
    {
        std::error_code ignored;
        resolver_.cancel();
        socket_.close(ignored);
        if (tls_)
            tls_->close();
        if (cur_)
            cur_.close();
    }

    // Ends the current phase; on error reports it and returns true.
    bool phase_done(std::error_code ec, std::error_code override_error = {})
    {
        ++gen_;
        timer_.cancel();
        if (!ec && !override_error && !cancelled_)
            return false; // (a phase that succeeded just as the caller cancelled still ends the op)
        auto& f = shared_->failure;
        f.phase = phase_;
        if (cancelled_) {
            f.error = asio::error::operation_aborted;
            f.cause = {};
        }
        else if (timed_out_) {
            f.error = timeout_error(phase_);
            f.cause = {};
        }
        else {
            f.error = override_error ? override_error : make_error_code(failure_error(phase_));
            f.cause = ec;
        }
        fail();
        return true;
    }

    void fail()
    {
        abort_current();
        auto ec = shared_->failure.error;
        settle();
        handler_(ec, any_transport{});
    }

    // Before the handler runs: no more cancellation through the caller's slot.
    void settle()
    {
        finished_ = true;
        if (slot_.is_connected())
            slot_.clear();
    }

    struct canceller {
        std::weak_ptr<connect_op> w;
        void operator()(asio::cancellation_type t)
        {
            if ((t & asio::cancellation_type::terminal) != asio::cancellation_type::none)
                if (auto op = w.lock())
                    op->cancel();
        }
    };

    void on_resolved(asio::ip::tcp::resolver::results_type results)
    {
        arm(phase::connect, opts_.timeouts.connect);
        auto self = this->shared_from_this();
        asio::async_connect(socket_, results, [self](std::error_code ec, const asio::ip::tcp::endpoint&) {
            if (self->phase_done(ec))
                return;
            self->cur_ = any_transport(tcp_transport(std::move(self->socket_)));
            if (self->opts_.proxy && self->opts_.proxy->tls)
                self->start_tls(self->opts_.proxy->host, self->opts_.proxy->tls_opts, true);
            else
                self->after_proxy_tls();
        });
    }

    void start_tls(const std::string& host, const tls_options& o, bool to_proxy)
    {
        arm(phase::tls, opts_.timeouts.tls);
        std::error_code ec;
        auto ctx = make_client_tls_context(o, ec);
        if (ec) {
            phase_done(ec);
            return;
        }
        tls_.emplace(std::move(cur_), std::move(ctx));
        tls_->set_client_host(host, o, ec);
        if (ec) {
            phase_done(ec);
            return;
        }
        auto self = this->shared_from_this();
        tls_->async_handshake(asio::ssl::stream_base::client, [self, to_proxy](std::error_code ec) {
            if (self->phase_done(ec))
                return;
            self->cur_ = any_transport(std::move(*self->tls_));
            self->tls_.reset();
            if (to_proxy)
                self->after_proxy_tls();
            else
                self->done();
        });
    }

    void after_proxy_tls()
    {
        if (!opts_.proxy)
            return after_tunnel();
        arm(phase::proxy, opts_.timeouts.proxy);
        auto self = this->shared_from_this();
        async_http_connect(cur_, opts_.host, opts_.port, *opts_.proxy,
                           [self](std::error_code ec, http::response reply, std::error_code cause) {
                               if (ec && reply.status)
                                   self->shared_->failure.proxy_reply = std::move(reply);
                               if (ec && !self->timed_out_) {
                                   self->phase_done(cause ? cause : ec, ec);
                                   return;
                               }
                               if (self->phase_done(ec))
                                   return;
                               self->after_tunnel();
                           });
    }

    void after_tunnel()
    {
        if (opts_.tls)
            start_tls(opts_.host, opts_.tls_opts, false);
        else
            done();
    }

    void done()
    {
        shared_->failure = {};
        settle();
        handler_(std::error_code{}, std::move(cur_));
    }

    asio::any_io_executor ex_;
    connect_options opts_;
    std::shared_ptr<connect_shared> shared_;
    asio::ip::tcp::resolver resolver_;
    asio::ip::tcp::socket socket_;
    asio::steady_timer timer_;
    Handler handler_;
    any_transport cur_;
    std::optional<tls_transport<any_transport>> tls_;
    phase phase_ = phase::resolve;
    asio::cancellation_slot slot_;
    bool timed_out_ = false, cancelled_ = false, finished_ = false;
    unsigned gen_ = 0;
};

} // namespace detail

class connector {
public:
    explicit connector(asio::any_io_executor ex) : ex_(std::move(ex)), shared_(std::make_shared<detail::connect_shared>()) {}

    /// Opens a connection as `o` says; completes with (std::error_code, any_transport).
    template <class CompletionToken>
    auto async_connect(connect_options o, CompletionToken&& token)
    {
        return asio::async_initiate<CompletionToken, void(std::error_code, any_transport)>(
            [this](auto handler, connect_options opts) {
                shared_->failure = {};
                asio::cancellation_slot slot = asio::get_associated_cancellation_slot(handler);
                auto h = detail::track(std::move(handler), ex_);
                auto op = std::make_shared<detail::connect_op<decltype(h)>>(ex_, std::move(opts), shared_, std::move(h));
                op->start(slot);
            },
            token, std::move(o));
    }

    /// After a failed async_connect: the phase, the error, its cause and any proxy reply.
    const connect_failure& failure() const noexcept { return shared_->failure; }

private:
    asio::any_io_executor ex_;
    std::shared_ptr<detail::connect_shared> shared_;
};

} // namespace realmwire::transport

#endif
