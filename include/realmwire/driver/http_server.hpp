#ifndef REALMWIRE_DRIVER_HTTP_SERVER_HPP
#define REALMWIRE_DRIVER_HTTP_SERVER_HPP

// A small HTTP/1.1 server on standalone Asio that runs a sans-I/O handler
// `http::response handler(const http::request&)` (for example auth::auth_service::handle).
//
// Bounded: parser limits on every request, a read timeout per request, an idle timeout between
// keep-alive requests, a cap on requests per connection and on open connections. A request that is a
// WebSocket upgrade (`Upgrade` + `Connection: upgrade`) can be handed off, socket and all, to an
// upgrade callback instead of being answered — the reference server serves /auth and sync on one port
// this way. Plain TCP, or TLS with `http_server_options::tls` (the TLS handshake counts against the
// read timeout). Needs realmwire::net.
//
// Connection slots: `max_connections` and `max_connections_per_address` count every TCP connection
// this server accepted and that is still open — including upgraded ones, for as long as the receiver
// of the hand-off keeps the `slot` it was given (driver::sync_server keeps it for the connection's
// life). A connection beyond a cap is closed at accept and reported to `on_refused`.
//
// CPU-heavy handlers (auth::auth_service hashes passwords) belong off the I/O thread: with
// `worker_threads` > 0 the handler runs on a bounded work_pool and the answer is written from the I/O
// thread; a full queue is answered 503 at once. A handler may take the client's address as its second
// argument (the key of per-address limits).

#include "realmwire/config.hpp"
#include "realmwire/http/fields.hpp"
#include "realmwire/http/message.hpp"
#include "realmwire/http/parser.hpp"
#include "realmwire/http/serializer.hpp"
#include "realmwire/driver/work_pool.hpp"
#include "realmwire/transport/any_transport.hpp"
#include "realmwire/transport/tcp.hpp"
#include "realmwire/transport/tls.hpp"

#include <asio.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
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

/// Who is on the other end of a connection.
struct http_peer {
    std::string address;  ///< "127.0.0.1", "::1": the key of per-address limits
    std::string endpoint; ///< "127.0.0.1:40312", "[::1]:40312": for log lines
};

/// An upgrade handed off with its transport (TCP or TLS, handshake done), the parsed request, the
/// bytes after its head, the peer, and the connection's slot: keep it as long as the connection is
/// open (dropping it frees the slot for max_connections and max_connections_per_address).
using transport_upgrade_handler = std::function<void(transport::any_transport, http::request, std::string rest,
                                                     http_peer, std::shared_ptr<void> slot)>;

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
    std::size_t max_connections_per_address = 0;     ///< open connections from one address (0 = no cap)
    /// TLS context (transport::make_server_tls_context): every connection is TLS. Null: plain TCP.
    std::shared_ptr<asio::ssl::context> tls;
    /// The answer when the worker queue is full (default: a bare 503 with `Retry-After: 1`).
    std::optional<http::response> busy_response;
    /// Called for a connection closed at accept: its peer and why ("max_connections",
    /// "max_connections_per_address").
    std::function<void(const http_peer&, const char* why)> on_refused;
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

    /// Requests that are WebSocket upgrades go to `h` instead of the handler (plain TCP only: with TLS
    /// use the transport form). The connection's slot is freed at the hand-off.
    void set_upgrade_handler(upgrade_handler h) { upgrade_ = std::move(h); }

    /// Requests for which `route` is true (default: WebSocket upgrades, is_upgrade_request) go to `h`
    /// with their transport and slot instead of the handler. A route may take requests that are not
    /// upgrades (a plain GET on a sync path, which the acceptor answers with its precise 400).
    void set_upgrade_handler(transport_upgrade_handler h, std::function<bool(const http::request&)> route = {})
    {
        transport_upgrade_ = std::move(h);
        upgrade_route_ = std::move(route);
    }

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

    /// Connections being served as HTTP now (not counting handed-off ones).
    std::size_t open_connections() const noexcept { return connections_.size(); }
    /// Slots taken now: HTTP connections plus handed-off ones whose slot is still held.
    std::size_t slots_taken() const noexcept { return slots_->total; }

private:
    /// Open connections in total and per address; shared with the slots handed off with upgrades, which
    /// may outlive the server.
    struct slot_counts {
        std::size_t total = 0;
        std::map<std::string, std::size_t> per_address;
    };

    class connection : public std::enable_shared_from_this<connection> {
    public:
        connection(http_server& server, asio::ip::tcp::socket socket, http_peer peer, std::shared_ptr<void> slot)
            : server_(server)
            , executor_(socket.get_executor())
            , tcp_(std::move(socket))
            , timer_(executor_)
            , parser_(server.options_.limits)
            , peer_(std::move(peer))
            , slot_(std::move(slot))
        {
        }

        void start()
        {
            if (!server_.options_.tls) {
                t_ = transport::any_transport(std::move(*tcp_));
                tcp_.reset();
                read_next(server_.options_.idle_timeout);
                return;
            }
            // The handshake is part of the first request: bounded by the read timeout.
            auto tls = std::make_shared<transport::tls_transport<transport::tcp_transport>>(std::move(*tcp_),
                                                                                          server_.options_.tls);
            tcp_.reset();
            tls_ = tls;
            arm(server_.options_.read_timeout);
            tls->async_handshake(asio::ssl::stream_base::server, [self = shared_from_this(), tls](std::error_code ec) {
                self->tls_.reset();
                if (ec || self->closed_) {
                    tls->close();
                    self->finish();
                    return;
                }
                self->t_ = transport::any_transport(std::move(*tls));
                self->read_next(self->server_.options_.idle_timeout);
            });
        }

        void close()
        {
            closed_ = true;
            timer_.cancel();
            if (t_)
                t_.close();
            else if (auto tls = tls_.lock())
                tls->close();
            else if (tcp_)
                tcp_->close();
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
            t_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](std::error_code ec, std::size_t n) {
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
            t_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](std::error_code ec, std::size_t n) {
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
            if (server_.transport_upgrade_ &&
                (server_.upgrade_route_ ? server_.upgrade_route_(req) : is_upgrade_request(req))) {
                timer_.cancel();
                handed_off_ = true;
                auto up = server_.transport_upgrade_;
                std::string rest = std::move(pending_);
                auto keep_alive = shared_from_this(); // forget() drops the server's reference
                server_.forget(this);
                up(std::move(t_), std::move(req), std::move(rest), peer_, std::move(slot_));
                return true;
            }
            if (server_.upgrade_ && is_upgrade_request(req)) {
                auto* tcp = t_.target<transport::tcp_transport>();
                if (tcp) {
                    timer_.cancel();
                    handed_off_ = true;
                    auto up = server_.upgrade_;
                    std::string rest = std::move(pending_);
                    auto keep_alive = shared_from_this();
                    asio::ip::tcp::socket sock = std::move(tcp->socket());
                    server_.forget(this);
                    slot_.reset();
                    up(std::move(sock), std::move(req), std::move(rest));
                    return true;
                }
            }
            bool keep = req.version_minor == 1 && served_ < server_.options_.max_requests_per_connection;
            if (auto c = req.headers.get("Connection"); c && http::list_contains_token(*c, "close"))
                keep = false;
            if (server_.pool_) {
                auto self = shared_from_this();
                bool posted = server_.pool_->try_post([self, req = std::move(req), keep]() mutable {
                    http::response res = self->run_handler(req);
                    // The reference goes back with the answer: the connection is never destroyed on a worker.
                    auto ex = self->executor_;
                    asio::post(ex, [self = std::move(self), res = std::move(res), keep]() mutable {
                        if (!self->closed_)
                            self->respond(std::move(res), keep);
                    });
                });
                if (!posted) {
                    http::response busy;
                    if (server_.options_.busy_response) {
                        busy = *server_.options_.busy_response;
                    }
                    else {
                        busy.status = 503;
                        busy.reason = "Service Unavailable";
                        busy.headers.set("Retry-After", "1");
                    }
                    respond(std::move(busy), keep);
                }
                return true;
            }
            respond(run_handler(req), keep);
            return true;
        }

        http::response run_handler(const http::request& req)
        {
            REALMWIRE_TRY {
                return server_.handler_(req, peer_.address);
            }
            REALMWIRE_CATCH(const std::exception&) { // the handler's failure is this request's 500, not the server's end
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
            t_.async_write(asio::buffer(out_), [self = shared_from_this(), keep](std::error_code wec, std::size_t) {
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
        asio::any_io_executor executor_;
        std::optional<transport::tcp_transport> tcp_; ///< until the transport is set up
        std::weak_ptr<transport::tls_transport<transport::tcp_transport>> tls_; ///< during the TLS handshake
        transport::any_transport t_;
        asio::steady_timer timer_;
        http::request_parser parser_;
        std::array<char, 8192> buf_{};
        std::string pending_;
        std::string out_;
        http_peer peer_; ///< read by workers; written once, before any
        std::shared_ptr<void> slot_;
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
                std::error_code ignored;
                auto remote = socket.remote_endpoint(ignored);
                http_peer peer;
                peer.address = remote.address().to_string();
                peer.endpoint = (remote.address().is_v6() ? "[" + peer.address + "]" : peer.address) + ":" +
                                std::to_string(remote.port());
                const char* refused = nullptr;
                std::size_t per_address = options_.max_connections_per_address;
                if (slots_->total >= options_.max_connections)
                    refused = "max_connections";
                else if (per_address != 0 && slots_->per_address[peer.address] >= per_address)
                    refused = "max_connections_per_address";
                if (refused) {
                    if (slots_->per_address[peer.address] == 0)
                        slots_->per_address.erase(peer.address);
                    socket.close(ignored);
                    if (options_.on_refused)
                        options_.on_refused(peer, refused);
                }
                else {
                    auto c = std::make_shared<connection>(*this, std::move(socket), peer, take_slot(peer.address));
                    connections_.push_back(c);
                    c->start();
                }
            }
            accept();
        });
    }

    /// A slot for `address`, freed when the last copy of the returned pointer goes (on the I/O thread).
    std::shared_ptr<void> take_slot(const std::string& address)
    {
        ++slots_->total;
        ++slots_->per_address[address];
        auto counts = slots_;
        return std::shared_ptr<void>(nullptr, [counts, address](void*) {
            --counts->total;
            auto it = counts->per_address.find(address);
            if (it != counts->per_address.end() && --it->second == 0)
                counts->per_address.erase(it);
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
    transport_upgrade_handler transport_upgrade_;
    std::function<bool(const http::request&)> upgrade_route_;
    http_server_options options_;
    std::shared_ptr<slot_counts> slots_ = std::make_shared<slot_counts>();
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
