#ifndef REALMWIRE_TRANSPORT_HTTP_CONNECT_HPP
#define REALMWIRE_TRANSPORT_HTTP_CONNECT_HPP

// HTTP CONNECT tunnelling (RFC 7231 §4.3.6) as a step in front of any transport: after it succeeds the
// same transport carries the tunnel, and TLS to the sync server and the WebSocket upgrade run inside.
//
//   CONNECT host:port HTTP/1.1
//   Host: host:port
//   Proxy-Authorization: Basic … | Bearer …     (when configured)
//
// Any 2xx reply opens the tunnel (realm-core demands exactly "HTTP/1.1 200"; HTTP/1.0 replies, which
// squid and others send, are accepted here). 407 fails with proxy_auth_required, any other status with
// proxy_refused; the reply (status, reason, headers, body) is handed to the caller either way, so a
// user can show the proxy's own message. realm-core sends no Proxy-Authorization at all
// (default_socket.cpp:348-378, "TODO handle proxy authorization").

#include "realmwire/detail/base64.hpp"
#include "realmwire/errors/transport.hpp"
#include "realmwire/http/message.hpp"
#include "realmwire/http/parser.hpp"
#include "realmwire/http/serializer.hpp"
#include "realmwire/transport/detail/completion.hpp"
#include "realmwire/transport/requirements.hpp"
#include "realmwire/transport/tls.hpp"

#include <asio/buffer.hpp>
#include <asio/error.hpp>
#include <asio/post.hpp>
#include <asio/write.hpp>
#include <asio/async_result.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace realmwire::transport {

/// Credentials for the proxy. Never logged.
struct proxy_auth {
    enum class scheme { none, basic, bearer };
    scheme kind = scheme::none;
    std::string user;
    std::string password;
    std::string token;

    static proxy_auth basic(std::string user, std::string password)
    {
        proxy_auth a;
        a.kind = scheme::basic;
        a.user = std::move(user);
        a.password = std::move(password);
        return a;
    }
    static proxy_auth bearer(std::string token)
    {
        proxy_auth a;
        a.kind = scheme::bearer;
        a.token = std::move(token);
        return a;
    }
    /// The Proxy-Authorization value, or empty for none.
    std::string header_value() const
    {
        switch (kind) {
            case scheme::basic: return "Basic " + realmwire::detail::base64_encode(user + ":" + password);
            case scheme::bearer: return "Bearer " + token;
            case scheme::none: break;
        }
        return {};
    }
};

struct proxy_config {
    std::string host;
    std::uint16_t port = 3128;
    /// An HTTPS proxy: TLS to the proxy itself, then CONNECT inside it (TLS to the server is then
    /// TLS inside TLS).
    bool tls = false;
    tls_options tls_opts; ///< for the TLS connection to the proxy
    proxy_auth auth;
    http::fields extra_headers; ///< e.g. User-Agent, if a proxy insists on one
    http::parser_limits reply_limits{};
};

/// "host:port", with IPv6 literals bracketed.
inline std::string authority(std::string_view host, std::uint16_t port)
{
    std::string s;
    const bool v6 = host.find(':') != std::string_view::npos && (host.empty() || host.front() != '[');
    if (v6)
        s += '[';
    s.append(host);
    if (v6)
        s += ']';
    s += ':';
    s += std::to_string(port);
    return s;
}

/// The CONNECT request for `host:port` through `proxy`.
inline http::request make_connect_request(std::string_view host, std::uint16_t port, const proxy_config& proxy)
{
    http::request req;
    req.method = "CONNECT";
    req.target = authority(host, port);
    req.version_minor = 1;
    req.headers.set("Host", req.target);
    for (const auto& f : proxy.extra_headers)
        req.headers.add(f.name, f.value);
    std::string auth = proxy.auth.header_value();
    if (!auth.empty())
        req.headers.set("Proxy-Authorization", auth);
    return req;
}

/// The verdict on a complete reply to CONNECT.
inline std::error_code connect_reply_error(const http::response& res) noexcept
{
    if (res.status >= 200 && res.status < 300)
        return {};
    if (res.status == 407)
        return transport_error::proxy_auth_required;
    return transport_error::proxy_refused;
}

namespace detail {

template <class Transport, class Handler>
struct http_connect_op : std::enable_shared_from_this<http_connect_op<Transport, Handler>> {
    http_connect_op(Transport& t, std::string req, const http::parser_limits& limits, Handler&& h)
        : t(t), request(std::move(req)), parser(limits), handler(std::move(h))
    {
        parser.set_response_to_connect(true);
    }

    void start()
    {
        auto self = this->shared_from_this();
        asio::async_write(t, asio::buffer(request), [self](std::error_code ec, std::size_t) {
            if (ec)
                return self->finish(ec);
            self->read();
        });
    }

    void read()
    {
        auto self = this->shared_from_this();
        t.async_read_some(asio::buffer(buf), [self](std::error_code ec, std::size_t n) { self->on_read(ec, n); });
    }

    void on_read(std::error_code ec, std::size_t n)
    {
        std::error_code pec;
        if (n) {
            std::size_t used = parser.feed(std::string_view(buf, n), pec);
            if (pec)
                return finish(parser.head_done() ? reply_error() : std::error_code(transport_error::proxy_bad_response),
                              pec);
            if (parser.done()) {
                // The tunnel's first bytes come from us (TLS ClientHello or the upgrade request), so
                // a proxy that sends more than its reply is broken or not a proxy.
                if (used != n && !connect_reply_error(parser.get()))
                    return finish(transport_error::proxy_bad_response);
                return finish(reply_error());
            }
        }
        if (ec == asio::error::eof) {
            parser.finish_eof(pec);
            if (!pec && parser.done())
                return finish(reply_error());
            // A refusal whose body was cut short still says what the proxy wanted.
            return finish(parser.head_done() ? reply_error() : std::error_code(transport_error::proxy_bad_response), ec);
        }
        if (ec)
            return finish(parser.head_done() ? reply_error() : std::error_code(transport_error::proxy_bad_response), ec);
        read();
    }

    std::error_code reply_error() { return connect_reply_error(parser.get()); }

    void finish(std::error_code ec, std::error_code cause = {})
    {
        http::response res;
        if (parser.head_done())
            res = parser.release();
        else
            res.status = 0;
        handler(ec, std::move(res), cause);
    }

    Transport& t;
    std::string request;
    http::response_parser parser;
    Handler handler;
    char buf[4096];
};

} // namespace detail

/// Runs the CONNECT exchange on `t` (already connected to the proxy, and already TLS if the proxy is
/// HTTPS). Completes with (std::error_code ec, http::response reply, std::error_code cause): ec is empty
/// on success, else proxy_auth_required, proxy_refused or proxy_bad_response; reply is the proxy's
/// answer as far as it was parsed (status 0 if none); cause is the underlying I/O or HTTP parse error,
/// if any. Takes any completion token; the handler runs on its associated executor. `t` (any async
/// stream) must outlive the operation. The phase timeout is applied by the caller (connect.hpp closes
/// the transport when it expires).
template <class Transport, class CompletionToken>
auto async_http_connect(Transport& t, std::string_view host, std::uint16_t port, const proxy_config& proxy,
                        CompletionToken&& token)
{
    static_assert(check_async_stream<Transport>());
    std::error_code ec;
    std::string req = http::serialize(make_connect_request(host, port, proxy), ec);
    return asio::async_initiate<CompletionToken, void(std::error_code, http::response, std::error_code)>(
        [&t](auto handler, std::string request, http::parser_limits limits, std::error_code serialize_ec) {
            auto h = detail::track(std::move(handler), t.get_executor());
            if (serialize_ec) {
                // Only a host or extra header that cannot appear in a request gets here.
                asio::post(t.get_executor(), [h = std::move(h), serialize_ec]() mutable {
                    http::response none;
                    none.status = 0;
                    h(make_error_code(transport_error::bad_proxy_url), std::move(none), serialize_ec);
                });
                return;
            }
            auto op = std::make_shared<detail::http_connect_op<Transport, decltype(h)>>(t, std::move(request), limits,
                                                                                       std::move(h));
            op->start();
        },
        token, std::move(req), proxy.reply_limits, ec);
}

} // namespace realmwire::transport

#endif
