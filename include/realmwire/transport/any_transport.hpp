#ifndef REALMWIRE_TRANSPORT_ANY_TRANSPORT_HPP
#define REALMWIRE_TRANSPORT_ANY_TRANSPORT_HPP

// any_transport: holds any async stream (requirements.hpp) behind one type, for users who choose at
// run time (plain or TLS, direct or through a proxy) or who need a stable type across a library
// boundary: the in-box transports, and Asio's own asio::ip::tcp::socket or
// asio::ssl::stream<asio::ip::tcp::socket> as they are. It is itself a transport (close() drops
// whatever it holds, see close_stream). Its operations take any completion token; the handler runs on
// its associated executor with its associated allocator. Cost: one virtual call and one handler
// allocation per operation.

#include "realmwire/transport/detail/completion.hpp"
#include "realmwire/transport/detail/io_handler.hpp"
#include "realmwire/transport/requirements.hpp"

#include <asio/any_io_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/buffer.hpp>
#include <asio/error.hpp>
#include <asio/post.hpp>
#include <asio/write.hpp>

#include <memory>
#include <system_error>
#include <type_traits>
#include <utility>

namespace realmwire::transport {

class any_transport {
public:
    using executor_type = asio::any_io_executor;

    any_transport() = default;

    template <class T, class = std::enable_if_t<!std::is_same<std::decay_t<T>, any_transport>::value>>
    any_transport(T&& t) : impl_(std::make_unique<model<std::decay_t<T>>>(std::forward<T>(t)))
    {
        static_assert(check_async_stream<std::decay_t<T>>());
        static_assert(std::is_move_constructible<std::decay_t<T>>::value, "realmwire any_transport: T must be movable");
    }

    any_transport(any_transport&&) noexcept = default;
    any_transport& operator=(any_transport&&) noexcept = default;

    /// False for a default-constructed (or moved-from) any_transport.
    explicit operator bool() const noexcept { return impl_ != nullptr; }

    executor_type get_executor() { return impl_->get_executor(); }

    /// Completes with (std::error_code, std::size_t): 1..size bytes into the first non-empty buffer.
    template <class MutableBufferSequence, class CompletionToken>
    auto async_read_some(const MutableBufferSequence& buffers, CompletionToken&& token)
    {
        return asio::async_initiate<CompletionToken, void(std::error_code, std::size_t)>(
            [this](auto handler, asio::mutable_buffer b) {
                auto ex = impl_->get_executor();
                impl_->async_read_some(b, detail::io_handler(detail::track(std::move(handler), ex)));
            },
            token, detail::first_buffer(buffers, asio::mutable_buffer{}));
    }
    /// Completes with (std::error_code, std::size_t): all of the first non-empty buffer.
    template <class ConstBufferSequence, class CompletionToken>
    auto async_write_some(const ConstBufferSequence& buffers, CompletionToken&& token)
    {
        return async_write(detail::first_buffer(buffers, asio::const_buffer{}), std::forward<CompletionToken>(token));
    }
    /// Completes with (std::error_code, std::size_t) once all of `b` is written.
    template <class CompletionToken>
    auto async_write(asio::const_buffer b, CompletionToken&& token)
    {
        return asio::async_initiate<CompletionToken, void(std::error_code, std::size_t)>(
            [this](auto handler, asio::const_buffer cb) {
                auto ex = impl_->get_executor();
                impl_->async_write(cb, detail::io_handler(detail::track(std::move(handler), ex)));
            },
            token, b);
    }
    void close()
    {
        if (impl_)
            impl_->close();
    }

    /// The wrapped stream, if it is a T (else nullptr).
    template <class T>
    T* target() noexcept
    {
        auto* m = dynamic_cast<model<T>*>(impl_.get());
        return m ? &m->t : nullptr;
    }

private:
    struct concept_t {
        virtual ~concept_t() = default;
        virtual executor_type get_executor() = 0;
        virtual void async_read_some(asio::mutable_buffer, detail::io_handler) = 0;
        virtual void async_write(asio::const_buffer, detail::io_handler) = 0;
        virtual void close() = 0;
    };
    template <class T>
    struct model final : concept_t {
        template <class A>
        explicit model(A&& a) : t(std::forward<A>(a))
        {
        }
        executor_type get_executor() override { return t.get_executor(); }
        void async_read_some(asio::mutable_buffer b, detail::io_handler h) override { t.async_read_some(b, std::move(h)); }
        void async_write(asio::const_buffer b, detail::io_handler h) override
        {
            if constexpr (detail::has_async_write<T>::value)
                t.async_write(b, std::move(h));
            else
                asio::async_write(t, b, std::move(h));
        }
        void close() override { close_stream(t); }
        T t;
    };
    std::unique_ptr<concept_t> impl_;
};

static_assert(is_transport_v<any_transport>);

} // namespace realmwire::transport

#endif
