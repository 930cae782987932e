#ifndef REALMWIRE_TRANSPORT_DETAIL_ASIO_STREAM_HPP
#define REALMWIRE_TRANSPORT_DETAIL_ASIO_STREAM_HPP

// Presents any realmwire transport as an Asio AsyncReadStream/AsyncWriteStream, so asio::ssl::stream
// can run over it: TLS over TCP, over a memory pipe, or inside an HTTP CONNECT tunnel that itself runs
// over TLS to an HTTPS proxy.

#include "realmwire/transport/detail/io_handler.hpp"
#include "realmwire/transport/requirements.hpp"

#include <asio/any_io_executor.hpp>
#include <asio/buffer.hpp>

#include <cstddef>
#include <utility>

namespace realmwire::transport::detail {

template <class Next>
class asio_stream {
public:
    using executor_type = asio::any_io_executor;
    using lowest_layer_type = asio_stream;
    using next_layer_type = Next;

    explicit asio_stream(Next n) : next_(std::move(n)) {}
    asio_stream(asio_stream&&) = default;

    executor_type get_executor() { return next_.get_executor(); }
    lowest_layer_type& lowest_layer() noexcept { return *this; }
    const lowest_layer_type& lowest_layer() const noexcept { return *this; }
    Next& next() noexcept { return next_; }

    template <class MutableBufferSequence, class CompletionToken>
    auto async_read_some(const MutableBufferSequence& buffers, CompletionToken&& token)
    {
        return next_.async_read_some(first_buffer(buffers, asio::mutable_buffer{}), std::forward<CompletionToken>(token));
    }
    template <class ConstBufferSequence, class CompletionToken>
    auto async_write_some(const ConstBufferSequence& buffers, CompletionToken&& token)
    {
        return next_.async_write_some(first_buffer(buffers, asio::const_buffer{}), std::forward<CompletionToken>(token));
    }

private:
    Next next_;
};

} // namespace realmwire::transport::detail

#endif
