#ifndef REALMWIRE_DRIVER_WORK_POOL_HPP
#define REALMWIRE_DRIVER_WORK_POOL_HPP

// A small fixed pool of worker threads with a bounded queue, for CPU-heavy request work (password
// hashing, RSA signing) that must not run on an I/O thread: there, one 15 ms PBKDF2 per login attempt
// delayed every sync ping of every connection. try_post refuses work once `max_pending` jobs are queued
// or running, so a flood costs the caller a quick "busy" answer instead of unbounded memory and latency.

#include "realmwire/config.hpp"
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace realmwire::driver {

struct work_pool_options {
    std::size_t threads = 2;       ///< worker threads (at least 1)
    std::size_t max_pending = 64;  ///< jobs queued or running at once; more are refused
};

class work_pool {
public:
    explicit work_pool(work_pool_options options = {}) : options_(options)
    {
        std::size_t n = options_.threads == 0 ? 1 : options_.threads;
        for (std::size_t i = 0; i < n; ++i)
            threads_.emplace_back([this] { run(); });
    }
    work_pool(const work_pool&) = delete;
    work_pool& operator=(const work_pool&) = delete;
    ~work_pool() { stop(); }

    /// Queues `job`; false (and `job` is dropped) when the pool is full or stopped.
    bool try_post(std::function<void()> job)
    {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            if (stopping_ || pending_ >= options_.max_pending)
                return false;
            ++pending_;
            queue_.push_back(std::move(job));
        }
        cv_.notify_one();
        return true;
    }

    /// Jobs queued or running now.
    std::size_t pending() const
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return pending_;
    }

    /// Runs what is queued, then joins the workers. Idempotent.
    void stop()
    {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stopping_ = true;
        }
        cv_.notify_all();
        for (auto& t : threads_)
            if (t.joinable())
                t.join();
        threads_.clear();
    }

private:
    void run()
    {
        for (;;) {
            std::function<void()> job;
            {
                std::unique_lock<std::mutex> lock(mutex_);
                cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
                if (queue_.empty())
                    return;
                job = std::move(queue_.front());
                queue_.pop_front();
            }
            REALMWIRE_TRY {
                job();
            }
            REALMWIRE_CATCH_ALL {
                // A job reports its own failures; one that throws must not take the worker down.
            }
            std::lock_guard<std::mutex> lock(mutex_);
            --pending_;
        }
    }

    work_pool_options options_;
    mutable std::mutex mutex_;
    std::condition_variable cv_;
    std::deque<std::function<void()>> queue_;
    std::size_t pending_ = 0;
    bool stopping_ = false;
    std::vector<std::thread> threads_;
};

} // namespace realmwire::driver

#endif
