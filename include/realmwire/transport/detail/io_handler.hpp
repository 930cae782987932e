#ifndef REALMWIRE_TRANSPORT_DETAIL_IO_HANDLER_HPP
#define REALMWIRE_TRANSPORT_DETAIL_IO_HANDLER_HPP

// A move-only, type-erased `void(std::error_code, std::size_t)` handler. std::function needs copyable
// targets, and Asio's composed-operation handlers (e.g. the TLS layer's) are move-only in general.

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

} // namespace realmwire::transport::detail

#endif
