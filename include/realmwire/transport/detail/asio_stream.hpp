#ifndef REALMWIRE_TRANSPORT_DETAIL_ASIO_STREAM_HPP
#define REALMWIRE_TRANSPORT_DETAIL_ASIO_STREAM_HPP

// Presents any realmwire transport as an Asio AsyncReadStream/AsyncWriteStream, so asio::ssl::stream
// can run over it: TLS over TCP, over a memory pipe, or inside an HTTP CONNECT tunnel that itself runs
// over TLS to an HTTPS proxy.

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

    template <class MutableBufferSequence, class Handler>
    void async_read_some(const MutableBufferSequence& buffers, Handler&& h)
    {
        next_.async_read_some(first(buffers, asio::mutable_buffer{}), std::forward<Handler>(h));
    }
    template <class ConstBufferSequence, class Handler>
    void async_write_some(const ConstBufferSequence& buffers, Handler&& h)
    {
        next_.async_write(first(buffers, asio::const_buffer{}), std::forward<Handler>(h));
    }

private:
    // The first non-empty buffer of a sequence (an Async*Stream may transfer less than asked).
    template <class Seq, class Buffer>
    static Buffer first(const Seq& seq, Buffer empty)
    {
        for (auto it = asio::buffer_sequence_begin(seq); it != asio::buffer_sequence_end(seq); ++it) {
            Buffer b(*it);
            if (b.size())
                return b;
        }
        return empty;
    }

    Next next_;
};

} // namespace realmwire::transport::detail

#endif
