#ifndef REALMWIRE_TRANSPORT_ANY_TRANSPORT_HPP
#define REALMWIRE_TRANSPORT_ANY_TRANSPORT_HPP

// any_transport: holds any transport (requirements.hpp) behind one type, for users who choose at run
// time (plain or TLS, direct or through a proxy) or who need a stable type across a library boundary.
// It is itself a transport. Cost: one virtual call and one handler allocation per operation.

#include "realmwire/transport/detail/io_handler.hpp"
#include "realmwire/transport/requirements.hpp"

#include <asio/any_io_executor.hpp>
#include <asio/buffer.hpp>
#include <asio/error.hpp>
#include <asio/post.hpp>

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
        static_assert(check_transport<std::decay_t<T>>());
    }

    any_transport(any_transport&&) noexcept = default;
    any_transport& operator=(any_transport&&) noexcept = default;

    /// False for a default-constructed (or moved-from) any_transport.
    explicit operator bool() const noexcept { return impl_ != nullptr; }

    executor_type get_executor() { return impl_->get_executor(); }

    template <class Handler>
    void async_read_some(asio::mutable_buffer b, Handler&& h)
    {
        impl_->async_read_some(b, detail::io_handler(std::forward<Handler>(h)));
    }
    template <class Handler>
    void async_write(asio::const_buffer b, Handler&& h)
    {
        impl_->async_write(b, detail::io_handler(std::forward<Handler>(h)));
    }
    void close()
    {
        if (impl_)
            impl_->close();
    }

    /// The wrapped transport, if it is a T (else nullptr).
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
        void async_write(asio::const_buffer b, detail::io_handler h) override { t.async_write(b, std::move(h)); }
        void close() override { t.close(); }
        T t;
    };
    std::unique_ptr<concept_t> impl_;
};

static_assert(is_transport_v<any_transport>);

} // namespace realmwire::transport

#endif
