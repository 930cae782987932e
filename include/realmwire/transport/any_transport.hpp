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

class any_transport : public detail::io_initiation<any_transport> {
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
    friend class detail::io_initiation<any_transport>;
    void start_read(asio::mutable_buffer b, detail::io_handler h) { impl_->async_read_some(b, std::move(h)); }
    void start_write(asio::const_buffer b, detail::io_handler h) { impl_->async_write(b, std::move(h)); }

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
