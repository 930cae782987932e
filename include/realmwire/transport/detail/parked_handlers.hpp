#ifndef REALMWIRE_TRANSPORT_DETAIL_PARKED_HANDLERS_HPP
#define REALMWIRE_TRANSPORT_DETAIL_PARKED_HANDLERS_HPP

// Handlers kept outside Asio's own queues are destroyed when their execution context shuts down.
//
// Asio destroys, without calling them, the handlers of the operations it holds when an io_context is
// shut down or destroyed; a handler that owns the object it waits on (a shared_ptr to the connection,
// the usual way of keeping it alive) is released that way. Some of our objects park handlers in their
// own state instead: a memory pipe's pending read, a WebSocket connection's frames waiting to be written,
// a sync client's waiters. Such a handler owns the object that owns it, so when the context went away
// first, neither was ever freed (seen by LeakSanitizer: client connections whose queued send was still
// waiting when a test's io_context was destroyed). Each such object derives from parks_handlers, which
// registers it with a service of its execution context; the service's shutdown() drops what every live
// object still parks, as Asio does with its own operations (and as Beast does for its streams).
//
// Like a socket, an object must not outlive its execution context.

#include <asio/any_io_executor.hpp>
#include <asio/execution/context.hpp>
#include <asio/execution_context.hpp>
#include <asio/query.hpp>

#include <memory>
#include <mutex>
#include <utility>
#include <vector>

namespace realmwire::transport::detail {

class parked_handler_service;

/// Base of an object that keeps handlers in its own state. Derived implements keep_alive() (a strong
/// reference, empty once the object is being destroyed) and drop_parked_handlers() (destroy every handler
/// kept, without calling it; the object may be used again afterwards, e.g. by a handler's destructor).
class parks_handlers {
public:
    parks_handlers(const parks_handlers&) = delete;
    parks_handlers& operator=(const parks_handlers&) = delete;

protected:
    explicit parks_handlers(const asio::any_io_executor& ex);
    // Virtual: the derived classes have virtual functions and are destroyed as themselves.
    virtual ~parks_handlers();

private:
    friend class parked_handler_service;
    virtual std::shared_ptr<void> keep_alive() noexcept = 0;
    virtual void drop_parked_handlers() noexcept = 0;

    parked_handler_service* registry_ = nullptr;
    parks_handlers* prev_ = nullptr;
    parks_handlers* next_ = nullptr;
};

/// The execution context's list of live objects (an intrusive list: registering allocates nothing).
class parked_handler_service : public asio::execution_context::service {
public:
    using key_type = parked_handler_service;
    inline static asio::execution_context::id id;

    explicit parked_handler_service(asio::execution_context& ctx) : asio::execution_context::service(ctx) {}

    void add(parks_handlers* p)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        p->next_ = head_;
        if (head_)
            head_->prev_ = p;
        head_ = p;
    }

    void remove(parks_handlers* p)
    {
        std::lock_guard<std::mutex> lock(mutex_);
        if (p->prev_)
            p->prev_->next_ = p->next_;
        else if (head_ == p)
            head_ = p->next_;
        if (p->next_)
            p->next_->prev_ = p->prev_;
        p->prev_ = p->next_ = nullptr;
    }

private:
    void shutdown() override
    {
        // Strong references first (under the lock), the handlers dropped outside it: dropping one may
        // destroy other registered objects, whose destructors remove themselves from the list.
        std::vector<std::pair<std::shared_ptr<void>, parks_handlers*>> live;
        {
            std::lock_guard<std::mutex> lock(mutex_);
            for (parks_handlers* p = head_; p; p = p->next_)
                if (auto k = p->keep_alive())
                    live.emplace_back(std::move(k), p);
        }
        for (auto& e : live)
            e.second->drop_parked_handlers();
        live.clear();
    }

    std::mutex mutex_;
    parks_handlers* head_ = nullptr;
};

inline parks_handlers::parks_handlers(const asio::any_io_executor& ex)
    : registry_(&asio::use_service<parked_handler_service>(
          asio::query(ex, asio::execution::context_as<asio::execution_context&>)))
{
    registry_->add(this);
}

inline parks_handlers::~parks_handlers() { registry_->remove(this); }

} // namespace realmwire::transport::detail

#endif
