#ifndef REALMWIRE_TRANSPORT_DETAIL_COMPLETION_HPP
#define REALMWIRE_TRANSPORT_DETAIL_COMPLETION_HPP

// Pieces for initiating functions whose handler has to be stored before it completes (type-erased
// transports, the memory pipe, the WebSocket write queue):
//
//   tracked_handler   keeps the handler's associated executor busy (outstanding work) from initiation
//                     to completion, and completes on that executor with the handler's associated
//                     allocator, however the stored callable was reached.
//   unique_callback   a move-only, type-erased `void(Args...)`, because std::function needs copyable
//                     targets and Asio's handlers (composed operations, coroutines, futures) are
//                     move-only. Its storage comes from the wrapped handler's associated allocator.

#include "realmwire/config.hpp"
#include <asio/associated_allocator.hpp>
#include <asio/associated_executor.hpp>
#include <asio/bind_allocator.hpp>
#include <asio/dispatch.hpp>
#include <asio/execution/outstanding_work.hpp>
#include <asio/prefer.hpp>

#include <memory>
#include <tuple>
#include <type_traits>
#include <utility>

namespace realmwire::transport::detail {

template <class Handler, class IoExecutor>
class tracked_handler {
public:
    using handler_executor = asio::associated_executor_t<Handler, IoExecutor>;
    using work_executor = std::decay_t<decltype(asio::prefer(std::declval<const handler_executor&>(),
                                                             asio::execution::outstanding_work.tracked))>;
    using allocator_type = asio::associated_allocator_t<Handler>;

    tracked_handler(Handler h, const IoExecutor& io)
        : work_(asio::prefer(asio::get_associated_executor(h, io), asio::execution::outstanding_work.tracked))
        , handler_(std::move(h))
    {
    }

    allocator_type get_allocator() const noexcept { return asio::get_associated_allocator(handler_); }

    /// Runs the handler on its executor: at once when the caller already runs there, else queued.
    /// Must not be called from inside the initiating function (queue to the I/O executor first).
    template <class... Args>
    void operator()(Args... args)
    {
        auto alloc = asio::get_associated_allocator(handler_);
        auto ex = std::move(work_);
        asio::dispatch(ex, asio::bind_allocator(alloc, [h = std::move(handler_), t = std::make_tuple(std::move(args)...)]() mutable {
                           std::apply(std::move(h), std::move(t));
                       }));
    }

private:
    work_executor work_;
    Handler handler_;
};

template <class Handler, class IoExecutor>
tracked_handler<std::decay_t<Handler>, IoExecutor> track(Handler&& h, const IoExecutor& io)
{
    return tracked_handler<std::decay_t<Handler>, IoExecutor>(std::forward<Handler>(h), io);
}

template <class... Args>
class unique_callback {
public:
    unique_callback() = default;
    template <class F, class = std::enable_if_t<!std::is_same<std::decay_t<F>, unique_callback>::value>>
    unique_callback(F&& f)
    {
        using fn = std::decay_t<F>;
        using alloc_t = typename std::allocator_traits<asio::associated_allocator_t<fn>>::template rebind_alloc<impl<fn>>;
        alloc_t a(asio::get_associated_allocator(f));
        impl<fn>* p = std::allocator_traits<alloc_t>::allocate(a, 1);
        REALMWIRE_TRY {
            ::new (static_cast<void*>(p)) impl<fn>(std::forward<F>(f));
        }
        REALMWIRE_CATCH_ALL { // a handler whose move throws: free the block, then Asio's model (rethrow)
            std::allocator_traits<alloc_t>::deallocate(a, p, 1);
            REALMWIRE_RETHROW;
        }
        p_ = p;
    }
    unique_callback(unique_callback&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    unique_callback& operator=(unique_callback&& o) noexcept
    {
        if (this != &o) {
            reset();
            p_ = std::exchange(o.p_, nullptr);
        }
        return *this;
    }
    ~unique_callback() { reset(); }

    explicit operator bool() const noexcept { return p_ != nullptr; }

    /// Calls the target once; the wrapper is empty afterwards, and the target's storage is given back
    /// before the call (the call may start the next operation, which may allocate again).
    void operator()(Args... args)
    {
        base* p = std::exchange(p_, nullptr);
        p->call_and_destroy(std::move(args)...);
    }

private:
    struct base {
        virtual void call_and_destroy(Args...) = 0;
        virtual void destroy() noexcept = 0;

    protected:
        ~base() = default;
    };
    template <class F>
    struct impl final : base {
        using alloc_t = typename std::allocator_traits<asio::associated_allocator_t<F>>::template rebind_alloc<impl>;
        template <class A>
        explicit impl(A&& a) : f(std::forward<A>(a))
        {
        }
        void call_and_destroy(Args... args) override
        {
            F local(std::move(f));
            destroy();
            local(std::move(args)...);
        }
        void destroy() noexcept override
        {
            alloc_t a(asio::get_associated_allocator(f));
            this->~impl();
            std::allocator_traits<alloc_t>::deallocate(a, this, 1);
        }
        F f;
    };
    void reset() noexcept
    {
        if (p_)
            std::exchange(p_, nullptr)->destroy();
    }
    base* p_ = nullptr;
};

} // namespace realmwire::transport::detail

#endif
