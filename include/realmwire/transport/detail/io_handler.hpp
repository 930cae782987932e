#ifndef REALMWIRE_TRANSPORT_DETAIL_IO_HANDLER_HPP
#define REALMWIRE_TRANSPORT_DETAIL_IO_HANDLER_HPP

// A move-only, type-erased `void(std::error_code, std::size_t)` handler. std::function needs copyable
// targets, and Asio's composed-operation handlers (e.g. the TLS layer's) are move-only in general.

#include "realmwire/transport/detail/completion.hpp"

#include <asio/async_result.hpp>
#include <asio/buffer.hpp>

#include <cstddef>
#include <memory>
#include <system_error>
#include <type_traits>
#include <utility>

namespace realmwire::transport::detail {

class io_handler {
public:
    io_handler() = default;
    template <class H, class = std::enable_if_t<!std::is_same<std::decay_t<H>, io_handler>::value>>
    io_handler(H&& h) : impl_(std::make_unique<impl<std::decay_t<H>>>(std::forward<H>(h)))
    {
    }
    io_handler(io_handler&&) noexcept = default;
    io_handler& operator=(io_handler&&) noexcept = default;

    explicit operator bool() const noexcept { return impl_ != nullptr; }

    /// Calls the handler once; the wrapper is empty afterwards (the handler may start the next
    /// operation, which may store a new handler in the same place).
    void operator()(std::error_code ec, std::size_t n)
    {
        auto p = std::move(impl_);
        p->call(ec, n);
    }

private:
    struct base {
        virtual ~base() = default;
        virtual void call(std::error_code, std::size_t) = 0;
    };
    template <class H>
    struct impl final : base {
        template <class A>
        explicit impl(A&& a) : h(std::forward<A>(a))
        {
        }
        void call(std::error_code ec, std::size_t n) override { h(ec, n); }
        H h;
    };
    std::unique_ptr<base> impl_;
};

/// The first non-empty buffer of a sequence (an async stream may transfer less than asked), or `empty`.
template <class Seq, class Buffer>
Buffer first_buffer(const Seq& seq, Buffer empty)
{
    for (auto it = asio::buffer_sequence_begin(seq); it != asio::buffer_sequence_end(seq); ++it) {
        Buffer b(*it);
        if (b.size())
            return b;
    }
    return empty;
}

/// The Asio side of a stream whose own operations take an io_handler, written once for every such
/// stream. Derived provides get_executor(), start_read(asio::mutable_buffer, io_handler) (1..size
/// bytes) and start_write(asio::const_buffer, io_handler) (all of it), and befriends this class; it
/// gets async_read_some, async_write_some and async_write for any completion token, the handler
/// tracked on the stream's executor (outstanding work; its own associated executor and allocator kept).
template <class Derived>
class io_initiation {
public:
    /// Completes with (std::error_code, std::size_t): 1..size bytes into the first non-empty buffer.
    template <class MutableBufferSequence, class CompletionToken>
    auto async_read_some(const MutableBufferSequence& buffers, CompletionToken&& token)
    {
        return asio::async_initiate<CompletionToken, void(std::error_code, std::size_t)>(
            [this](auto handler, asio::mutable_buffer b) { self().start_read(b, tracked(std::move(handler))); },
            token, first_buffer(buffers, asio::mutable_buffer{}));
    }
    /// Completes with (std::error_code, std::size_t): all of the first non-empty buffer (a legal
    /// write_some).
    template <class ConstBufferSequence, class CompletionToken>
    auto async_write_some(const ConstBufferSequence& buffers, CompletionToken&& token)
    {
        return async_write(first_buffer(buffers, asio::const_buffer{}), std::forward<CompletionToken>(token));
    }
    /// Completes with (std::error_code, std::size_t) once all of `b` is written.
    template <class CompletionToken>
    auto async_write(asio::const_buffer b, CompletionToken&& token)
    {
        return asio::async_initiate<CompletionToken, void(std::error_code, std::size_t)>(
            [this](auto handler, asio::const_buffer cb) { self().start_write(cb, tracked(std::move(handler))); },
            token, b);
    }

private:
    Derived& self() noexcept { return static_cast<Derived&>(*this); }
    template <class Handler>
    io_handler tracked(Handler handler)
    {
        auto ex = self().get_executor();
        return io_handler(track(std::move(handler), ex));
    }
};

} // namespace realmwire::transport::detail

#endif
