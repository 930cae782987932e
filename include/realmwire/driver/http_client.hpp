#ifndef REALMWIRE_DRIVER_HTTP_CLIENT_HPP
#define REALMWIRE_DRIVER_HTTP_CLIENT_HPP

// A small HTTP/1.1 client on standalone Asio, plain or TLS (asio::ssl), for the `/auth` calls and
// other one-shot requests. One request per connection (`Connection: close`), a deadline over the whole
// exchange (connect timeout for resolve+connect+TLS handshake, then the request timeout), and the
// response parsed with http::response_parser under its limits. Needs realmwire::net.
//
//   async_http_request(ioc, target, request, options, [](std::error_code ec, http::response r) {...});
//   http::response r = http_request(target, request, options, ec);   // runs its own io_context
//
// A timeout reports std::errc::timed_out. async_http_request takes any completion token (use_future,
// use_awaitable, deferred, ...), runs the handler on its associated executor, and honours terminal
// cancellation through the handler's slot (the exchange is aborted: asio::error::operation_aborted).

#include "realmwire/http/message.hpp"
#include "realmwire/http/parser.hpp"
#include "realmwire/http/serializer.hpp"
#include "realmwire/transport/detail/completion.hpp"

#include <asio.hpp>
#include <asio/ssl.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

namespace realmwire::driver {

/// Where to send a request.
struct http_target {
    std::string host;        ///< name or address to resolve (also the TLS SNI and verified name)
    std::uint16_t port = 80;
    bool tls = false;
};

struct http_client_options {
    std::chrono::milliseconds connect_timeout{15000}; ///< resolve + connect + TLS handshake (Java: 15 s)
    std::chrono::milliseconds request_timeout{30000}; ///< write + read of the answer (Java: 30 s read)
    http::parser_limits limits{};
    /// TLS settings; when null a default context verifying against the system's trust store is used.
    std::shared_ptr<asio::ssl::context> tls_context;
    bool verify_peer = true; ///< check the certificate chain and that it names `host`
};

namespace detail {

template <class Stream>
class http_exchange : public std::enable_shared_from_this<http_exchange<Stream>> {
public:
    using callback = transport::detail::unique_callback<std::error_code, http::response>;

    template <class... StreamArgs>
    http_exchange(asio::io_context& ioc, http_target target, const http::request& req, http_client_options options,
                  callback cb, StreamArgs&&... stream_args)
        : resolver_(ioc)
        , stream_(std::forward<StreamArgs>(stream_args)...)
        , timer_(ioc)
        , target_(std::move(target))
        , options_(std::move(options))
        , parser_(options_.limits)
        , cb_(std::move(cb))
    {
        http::request r = req;
        if (!r.headers.contains("Host"))
            r.headers.set("Host", target_.host + ((target_.port == (target_.tls ? 443 : 80))
                                                      ? std::string()
                                                      : ":" + std::to_string(target_.port)));
        r.headers.set("Connection", "close");
        if (!r.body.empty() || r.method == "POST" || r.method == "PUT")
            r.headers.set("Content-Length", std::to_string(r.body.size()));
        std::error_code ec;
        out_ = http::serialize(r, ec);
        serialize_error_ = ec;
        parser_.set_response_to_head(r.method == "HEAD");
    }

    void run(asio::cancellation_slot slot = {})
    {
        auto self = this->shared_from_this();
        slot_ = slot;
        if (slot_.is_connected()) {
            std::weak_ptr<http_exchange> w = self;
            slot_.template emplace<canceller>(canceller{w});
        }
        if (serialize_error_) {
            asio::post(timer_.get_executor(), [self] { self->complete(self->serialize_error_); });
            return;
        }
        arm(options_.connect_timeout);
        resolver_.async_resolve(target_.host, std::to_string(target_.port),
                                [self](std::error_code ec, asio::ip::tcp::resolver::results_type results) {
                                    if (ec)
                                        return self->complete(ec);
                                    asio::async_connect(lowest(self->stream_), results,
                                                        [self](std::error_code ec2, const asio::ip::tcp::endpoint&) {
                                                            if (ec2)
                                                                return self->complete(ec2);
                                                            self->after_connect();
                                                        });
                                });
    }

private:
    static asio::ip::tcp::socket& lowest(asio::ip::tcp::socket& s) { return s; }
    static asio::ip::tcp::socket& lowest(asio::ssl::stream<asio::ip::tcp::socket>& s) { return s.next_layer(); }

    void after_connect()
    {
        auto self = this->shared_from_this();
        if constexpr (std::is_same_v<Stream, asio::ssl::stream<asio::ip::tcp::socket>>) {
            // SNI, and the name the certificate must carry
            SSL_set_tlsext_host_name(stream_.native_handle(), target_.host.c_str());
            if (options_.verify_peer) {
                stream_.set_verify_mode(asio::ssl::verify_peer);
                stream_.set_verify_callback(asio::ssl::host_name_verification(target_.host));
            }
            else {
                stream_.set_verify_mode(asio::ssl::verify_none);
            }
            stream_.async_handshake(asio::ssl::stream_base::client, [self](std::error_code ec) {
                if (ec)
                    return self->complete(ec);
                self->send();
            });
        }
        else {
            send();
        }
    }

    void send()
    {
        auto self = this->shared_from_this();
        arm(options_.request_timeout);
        asio::async_write(stream_, asio::buffer(out_), [self](std::error_code ec, std::size_t) {
            if (ec)
                return self->complete(ec);
            self->read();
        });
    }

    void read()
    {
        auto self = this->shared_from_this();
        stream_.async_read_some(asio::buffer(buf_), [self](std::error_code ec, std::size_t n) {
            if (ec) {
                // The peer closed: fine for a body that runs until EOF, an error anywhere else.
                std::error_code pec;
                self->parser_.finish_eof(pec);
                if (!pec && self->parser_.done())
                    return self->complete({});
                bool eof = ec == asio::error::eof || ec == asio::ssl::error::stream_truncated;
                return self->complete(eof ? pec : ec);
            }
            std::error_code pec;
            self->parser_.feed(std::string_view(self->buf_.data(), n), pec);
            if (pec)
                return self->complete(pec);
            if (self->parser_.done())
                return self->complete({});
            self->read();
        });
    }

    void arm(std::chrono::milliseconds d)
    {
        auto self = this->shared_from_this();
        timer_.expires_after(d);
        timer_.async_wait([self](std::error_code ec) {
            if (ec)
                return;
            self->timed_out_ = true;
            std::error_code ignored;
            self->resolver_.cancel();
            lowest(self->stream_).close(ignored);
        });
    }

    struct canceller {
        std::weak_ptr<http_exchange> w;
        void operator()(asio::cancellation_type t)
        {
            if ((t & asio::cancellation_type::terminal) == asio::cancellation_type::none)
                return;
            if (auto self = w.lock()) {
                if (self->done_)
                    return;
                self->cancelled_ = true;
                std::error_code ignored;
                self->resolver_.cancel();
                lowest(self->stream_).close(ignored);
            }
        }
    };

    void complete(std::error_code ec)
    {
        if (done_)
            return;
        done_ = true;
        if (slot_.is_connected())
            slot_.clear();
        timer_.cancel();
        std::error_code ignored;
        lowest(stream_).close(ignored);
        if (cancelled_)
            ec = asio::error::operation_aborted;
        else if (timed_out_)
            ec = std::make_error_code(std::errc::timed_out);
        http::response res;
        if (!ec)
            res = parser_.release();
        auto cb = std::move(cb_);
        cb(ec, std::move(res));
    }

    asio::ip::tcp::resolver resolver_;
    Stream stream_;
    asio::steady_timer timer_;
    http_target target_;
    http_client_options options_;
    http::response_parser parser_;
    callback cb_;
    std::string out_;
    std::error_code serialize_error_;
    std::array<char, 8192> buf_{};
    asio::cancellation_slot slot_;
    bool timed_out_ = false;
    bool cancelled_ = false;
    bool done_ = false;
};

inline std::shared_ptr<asio::ssl::context> default_tls_context()
{
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    std::error_code ignored;
    ctx->set_default_verify_paths(ignored);
    return ctx;
}

} // namespace detail

/// Sends `req` to `target`; completes once with (std::error_code, http::response).
template <class CompletionToken>
auto async_http_request(asio::io_context& ioc, http_target target, const http::request& req,
                        http_client_options options, CompletionToken&& token)
{
    return asio::async_initiate<CompletionToken, void(std::error_code, http::response)>(
        [&ioc](auto handler, http_target tgt, http::request rq, http_client_options opts) {
            asio::cancellation_slot slot = asio::get_associated_cancellation_slot(handler);
            typename detail::http_exchange<asio::ip::tcp::socket>::callback cb(
                transport::detail::track(std::move(handler), ioc.get_executor()));
            if (tgt.tls) {
                auto ctx = opts.tls_context ? opts.tls_context : detail::default_tls_context();
                opts.tls_context = ctx;
                auto x = std::make_shared<detail::http_exchange<asio::ssl::stream<asio::ip::tcp::socket>>>(
                    ioc, std::move(tgt), rq, std::move(opts), std::move(cb), ioc, *ctx);
                x->run(slot);
            }
            else {
                auto x = std::make_shared<detail::http_exchange<asio::ip::tcp::socket>>(ioc, std::move(tgt), rq,
                                                                                        std::move(opts), std::move(cb), ioc);
                x->run(slot);
            }
        },
        token, std::move(target), req, std::move(options));
}

/// Blocking form on a private io_context.
inline http::response http_request(const http_target& target, const http::request& req,
                                   const http_client_options& options, std::error_code& ec)
{
    asio::io_context ioc;
    http::response out;
    ec.clear();
    async_http_request(ioc, target, req, options, [&](std::error_code e, http::response r) {
        ec = e;
        out = std::move(r);
    });
    ioc.run();
    return out;
}

inline http::response http_request(const http_target& target, const http::request& req,
                                   const http_client_options& options = {})
{
    std::error_code ec;
    http::response r = http_request(target, req, options, ec);
    if (ec)
        throw_error(ec, "http_request " + target.host);
    return r;
}

} // namespace realmwire::driver

#endif
