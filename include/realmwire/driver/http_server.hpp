#ifndef REALMWIRE_DRIVER_HTTP_SERVER_HPP
#define REALMWIRE_DRIVER_HTTP_SERVER_HPP

// A small HTTP/1.1 server on standalone Asio that runs a sans-I/O handler
// `http::response handler(const http::request&)` (for example auth::auth_service::handle).
//
// Bounded: parser limits on every request, a read timeout per request, an idle timeout between
// keep-alive requests, a cap on requests per connection and on open connections. A request that is a
// WebSocket upgrade (`Upgrade` + `Connection: upgrade`) can be handed off, socket and all, to an
// upgrade callback instead of being answered — the reference server will serve /auth and sync on one
// port this way. Plain TCP only; put TLS in front, or use the client's TLS support against other
// servers. Needs realmwire::net.
//
// CPU-heavy handlers (auth::auth_service hashes passwords) belong off the I/O thread: with
// `worker_threads` > 0 the handler runs on a bounded work_pool and the answer is written from the I/O
// thread; a full queue is answered 503 at once. A handler may take the client's address as its second
// argument (the key of per-address limits).

#include "realmwire/http/fields.hpp"
#include "realmwire/http/message.hpp"
#include "realmwire/http/parser.hpp"
#include "realmwire/http/serializer.hpp"
#include "realmwire/driver/work_pool.hpp"

#include <asio.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <string>
#include <thread>
#include <utility>

namespace realmwire::driver {

using http_handler = std::function<http::response(const http::request&)>;
/// A handler that also gets the client's address ("127.0.0.1", "::1").
using http_peer_handler = std::function<http::response(const http::request&, const std::string& client_address)>;

/// Receives an upgrade request: the connected socket, the parsed request, and any bytes that arrived
/// after the request head (already the start of the WebSocket stream).
using upgrade_handler = std::function<void(asio::ip::tcp::socket, http::request, std::string)>;

struct http_server_options {
    std::string address = "127.0.0.1";
    std::uint16_t port = 0;                          ///< 0: any free port (see http_server::port())
    http::parser_limits limits{};
    std::chrono::milliseconds read_timeout{10000};   ///< from a request's first byte to its last
    std::chrono::milliseconds idle_timeout{30000};   ///< between keep-alive requests
    std::chrono::milliseconds write_timeout{10000};
    std::size_t max_connections = 256;               ///< more are accepted and closed at once
    std::size_t max_requests_per_connection = 100;
    std::string server_header;                       ///< set on answers that have none (empty: none)
    std::size_t worker_threads = 0;                  ///< 0: the handler runs on the I/O thread
    std::size_t max_pending = 64;                    ///< with workers: requests queued or running; more get 503
};

/// True for `Connection: upgrade` + an `Upgrade` header.
inline bool is_upgrade_request(const http::request& req)
{
    auto conn = req.headers.get("Connection");
    return req.headers.contains("Upgrade") && conn && http::list_contains_token(*conn, "upgrade");
}

class http_server {
public:
    http_server(asio::io_context& ioc, http_handler handler, http_server_options options = {})
        : http_server(ioc, http_peer_handler([h = std::move(handler)](const http::request& r, const std::string&) { return h(r); }),
                      std::move(options))
    {
    }
    http_server(asio::io_context& ioc, http_peer_handler handler, http_server_options options = {})
        : ioc_(ioc)
        , acceptor_(ioc)
        , handler_(std::move(handler))
        , options_(std::move(options))
    {
        if (options_.worker_threads > 0)
            pool_ = std::make_unique<work_pool>(work_pool_options{options_.worker_threads, options_.max_pending});
    }
    http_server(const http_server&) = delete;
    http_server& operator=(const http_server&) = delete;
    ~http_server()
    {
        if (pool_)
            pool_->stop(); // no handler runs once the server is gone
        close_now();
    }

    /// Requests that are WebSocket upgrades go to `h` instead of the handler.
    void set_upgrade_handler(upgrade_handler h) { upgrade_ = std::move(h); }

    /// Binds and starts accepting (call before running the io_context, or from its thread).
    void start(std::error_code& ec)
    {
        ec.clear();
        asio::ip::tcp::endpoint ep(asio::ip::make_address(options_.address, ec), options_.port);
        if (ec)
            return;
        acceptor_.open(ep.protocol(), ec);
        if (!ec)
            acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
        if (!ec)
            acceptor_.bind(ep, ec);
        if (!ec)
            acceptor_.listen(asio::socket_base::max_listen_connections, ec);
        if (ec) {
            std::error_code ignored;
            acceptor_.close(ignored);
            return;
        }
        port_ = acceptor_.local_endpoint().port();
        accept();
    }
    void start()
    {
        std::error_code ec;
        start(ec);
        if (ec)
            throw_error(ec, "http_server::start");
    }

    std::uint16_t port() const noexcept { return port_; }

    /// Stops accepting and closes every open connection (from any thread). Handed-off upgrade sockets
    /// belong to their callback and are not touched.
    void stop()
    {
        asio::post(ioc_, [this] { close_now(); });
    }

    std::size_t open_connections() const noexcept { return connections_.size(); }

private:
    class connection : public std::enable_shared_from_this<connection> {
    public:
        connection(http_server& server, asio::ip::tcp::socket socket)
            : server_(server)
            , socket_(std::move(socket))
            , timer_(socket_.get_executor())
            , parser_(server.options_.limits)
        {
            std::error_code ignored;
            peer_ = socket_.remote_endpoint(ignored).address().to_string();
        }

        void start() { read_next(server_.options_.idle_timeout); }

        void close()
        {
            closed_ = true;
            std::error_code ignored;
            timer_.cancel();
            socket_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
            socket_.close(ignored);
        }

    private:
        void arm(std::chrono::milliseconds d)
        {
            timer_.expires_after(d);
            timer_.async_wait([self = shared_from_this()](std::error_code ec) {
                if (!ec)
                    self->finish(); // timed out: the peer was too slow
            });
        }

        void read_next(std::chrono::milliseconds timeout)
        {
            // Bytes left over after the previous request (pipelining) are parsed first.
            if (!pending_.empty()) {
                std::string data = std::move(pending_);
                pending_.clear();
                if (consume(data))
                    return;
            }
            arm(timeout);
            socket_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](std::error_code ec, std::size_t n) {
                if (ec) {
                    self->finish();
                    return;
                }
                if (!self->started_) {
                    self->started_ = true;
                    self->arm(self->server_.options_.read_timeout);
                }
                if (!self->consume(std::string_view(self->buf_.data(), n)))
                    self->read_next_no_rearm();
            });
        }

        void read_next_no_rearm()
        {
            socket_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](std::error_code ec, std::size_t n) {
                if (ec) {
                    self->finish();
                    return;
                }
                if (!self->consume(std::string_view(self->buf_.data(), n)))
                    self->read_next_no_rearm();
            });
        }

        /// Feeds bytes; returns true when the connection moved on (answered, handed off or failed).
        bool consume(std::string_view data)
        {
            std::error_code ec;
            std::size_t used = parser_.feed(data, ec);
            if (ec) {
                http::response bad;
                bad.status = ec == condition::limit_exceeded ? 413 : 400;
                bad.reason = bad.status == 413 ? "Payload Too Large" : "Bad Request";
                respond(std::move(bad), false);
                return true;
            }
            if (!parser_.done())
                return false;
            pending_.assign(data.substr(used));
            http::request req = parser_.release();
            parser_.reset();
            started_ = false;
            ++served_;
            if (server_.upgrade_ && is_upgrade_request(req)) {
                timer_.cancel();
                handed_off_ = true;
                auto up = server_.upgrade_;
                std::string rest = std::move(pending_);
                server_.forget(this);
                up(std::move(socket_), std::move(req), std::move(rest));
                return true;
            }
            bool keep = req.version_minor == 1 && served_ < server_.options_.max_requests_per_connection;
            if (auto c = req.headers.get("Connection"); c && http::list_contains_token(*c, "close"))
                keep = false;
            if (server_.pool_) {
                auto self = shared_from_this();
                bool posted = server_.pool_->try_post([self, req = std::move(req), keep]() mutable {
                    http::response res = self->run_handler(req);
                    // The reference goes back with the answer: the connection is never destroyed on a worker.
                    auto ex = self->socket_.get_executor();
                    asio::post(ex, [self = std::move(self), res = std::move(res), keep]() mutable {
                        if (!self->closed_)
                            self->respond(std::move(res), keep);
                    });
                });
                if (!posted) {
                    http::response busy;
                    busy.status = 503;
                    busy.reason = "Service Unavailable";
                    busy.headers.set("Retry-After", "1");
                    respond(std::move(busy), keep);
                }
                return true;
            }
            respond(run_handler(req), keep);
            return true;
        }

        http::response run_handler(const http::request& req)
        {
            try {
                return server_.handler_(req, peer_);
            }
            catch (const std::exception&) {
                http::response res;
                res.status = 500;
                res.reason = "Internal Server Error";
                return res;
            }
        }

        void respond(http::response res, bool keep)
        {
            res.headers.set("Content-Length", std::to_string(res.body.size()));
            if (!keep)
                res.headers.set("Connection", "close");
            if (!server_.options_.server_header.empty() && !res.headers.contains("Server"))
                res.headers.set("Server", server_.options_.server_header);
            std::error_code ec;
            out_ = http::serialize(res, ec);
            if (ec) {
                http::response fallback;
                fallback.status = 500;
                fallback.reason = "Internal Server Error";
                fallback.headers.set("Content-Length", "0");
                fallback.headers.set("Connection", "close");
                out_ = http::serialize(fallback);
                keep = false;
            }
            arm(server_.options_.write_timeout);
            asio::async_write(socket_, asio::buffer(out_), [self = shared_from_this(), keep](std::error_code wec, std::size_t) {
                if (wec || !keep) {
                    self->finish();
                    return;
                }
                self->read_next(self->server_.options_.idle_timeout);
            });
        }

        void finish()
        {
            if (handed_off_)
                return;
            close();
            server_.forget(this);
        }

        http_server& server_;
        asio::ip::tcp::socket socket_;
        asio::steady_timer timer_;
        http::request_parser parser_;
        std::array<char, 8192> buf_{};
        std::string pending_;
        std::string out_;
        std::string peer_; ///< the client's address (read by workers; written once, before any)
        std::size_t served_ = 0;
        bool started_ = false;
        bool handed_off_ = false;
        bool closed_ = false;
    };

    void accept()
    {
        acceptor_.async_accept([this](std::error_code ec, asio::ip::tcp::socket socket) {
            if (ec == asio::error::operation_aborted || !acceptor_.is_open())
                return;
            if (!ec) {
                if (connections_.size() >= options_.max_connections) {
                    std::error_code ignored;
                    socket.close(ignored);
                }
                else {
                    auto c = std::make_shared<connection>(*this, std::move(socket));
                    connections_.push_back(c);
                    c->start();
                }
            }
            accept();
        });
    }

    void forget(connection* c)
    {
        connections_.remove_if([c](const std::shared_ptr<connection>& p) { return p.get() == c; });
    }

    void close_now()
    {
        std::error_code ignored;
        acceptor_.close(ignored);
        auto all = std::move(connections_);
        connections_.clear();
        for (auto& c : all)
            c->close();
    }

    asio::io_context& ioc_;
    asio::ip::tcp::acceptor acceptor_;
    http_peer_handler handler_;
    upgrade_handler upgrade_;
    http_server_options options_;
    std::uint16_t port_ = 0;
    std::list<std::shared_ptr<connection>> connections_;
    std::unique_ptr<work_pool> pool_; ///< with worker_threads > 0
};

/// An http_server with its own io_context and thread: for tests and small tools.
class threaded_http_server {
public:
    explicit threaded_http_server(http_handler handler, http_server_options options = {})
        : server_(ioc_, std::move(handler), std::move(options))
    {
    }
    explicit threaded_http_server(http_peer_handler handler, http_server_options options = {})
        : server_(ioc_, std::move(handler), std::move(options))
    {
    }
    ~threaded_http_server() { stop(); }

    http_server& server() noexcept { return server_; }
    std::uint16_t port() const noexcept { return server_.port(); }

    void start()
    {
        server_.start();
        thread_ = std::thread([this] { ioc_.run(); });
    }

    /// Closes the listener and every connection, and joins the thread.
    void stop()
    {
        if (!thread_.joinable())
            return;
        server_.stop();
        guard_.reset();
        // Handed-off sockets could keep the context busy; give them a bounded grace period.
        asio::post(ioc_, [] {});
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (!ioc_.stopped() && std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        ioc_.stop();
        thread_.join();
    }

private:
    asio::io_context ioc_;
    asio::executor_work_guard<asio::io_context::executor_type> guard_ = asio::make_work_guard(ioc_);
    http_server server_;
    std::thread thread_;
};

} // namespace realmwire::driver

#endif
