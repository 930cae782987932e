#ifndef REALMWIRE_TRANSPORT_TCP_HPP
#define REALMWIRE_TRANSPORT_TCP_HPP

// TCP on standalone Asio: tcp_transport wraps a connected asio::ip::tcp::socket as a transport
// (requirements.hpp). Resolving and connecting with per-phase timeouts is in connect.hpp.

#include "realmwire/transport/requirements.hpp"

#include <asio/any_io_executor.hpp>
#include <asio/buffer.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/write.hpp>

#include <system_error>
#include <utility>

namespace realmwire::transport {

class tcp_transport {
public:
    using executor_type = asio::any_io_executor;

    explicit tcp_transport(asio::ip::tcp::socket s) : sock_(std::move(s))
    {
        std::error_code ignored;
        // Sync messages are small and latency-bound (PING/PONG, MARK): no Nagle delay.
        sock_.set_option(asio::ip::tcp::no_delay(true), ignored);
    }
    tcp_transport(tcp_transport&&) = default;
    tcp_transport& operator=(tcp_transport&&) = default;

    executor_type get_executor() { return sock_.get_executor(); }

    // Tokens go straight to the socket: Asio's own initiating functions.
    template <class MutableBufferSequence, class CompletionToken>
    auto async_read_some(const MutableBufferSequence& b, CompletionToken&& token)
    {
        return sock_.async_read_some(b, std::forward<CompletionToken>(token));
    }
    template <class ConstBufferSequence, class CompletionToken>
    auto async_write_some(const ConstBufferSequence& b, CompletionToken&& token)
    {
        return sock_.async_write_some(b, std::forward<CompletionToken>(token));
    }
    /// Writes all of `b`.
    template <class ConstBufferSequence, class CompletionToken>
    auto async_write(const ConstBufferSequence& b, CompletionToken&& token)
    {
        return asio::async_write(sock_, b, std::forward<CompletionToken>(token));
    }
    /// Shuts both directions down and closes; pending operations complete with operation_aborted.
    void close()
    {
        std::error_code ignored;
        if (sock_.is_open()) {
            sock_.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
            sock_.close(ignored);
        }
    }

    asio::ip::tcp::socket& socket() noexcept { return sock_; }

private:
    asio::ip::tcp::socket sock_;
};

static_assert(is_transport_v<tcp_transport>);

} // namespace realmwire::transport

#endif
