#ifndef REALMWIRE_AUTH_LOGIN_LIMITER_HPP
#define REALMWIRE_AUTH_LOGIN_LIMITER_HPP

// Brute-force brakes for POST /auth, sans-I/O (the caller passes the time):
//
// * per source address, a token bucket on every credential attempt (logins, registrations, anonymous
//   accounts): `address_rate` per second, bursts of `address_burst`. This bounds the CPU one address can
//   make the server spend on password hashing, whatever the answers are.
// * per user name and per source address, a failure count: after `free_failures` failed logins every
//   further attempt waits an exponential backoff (`backoff_base`, doubled per failure, at most
//   `backoff_max`). A success clears the user's count. Failures are forgotten after `forget_after`.
//
// An attempt that must wait is refused before any work is done, with how long to wait (the server answers
// 429 with Retry-After). Memory is bounded: at most `max_tracked` keys; when full, expired keys go first,
// then the least recently seen. Thread-safe.
//
// The per-user brake lets anyone slow down logins to a known user name for at most `backoff_max`; that
// is the price of stopping a distributed guesser, and why the cap is minutes, not hours.

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace realmwire::auth {

struct login_limits {
    double address_rate = 5.0;                            ///< attempts per second per address (0: no bucket)
    double address_burst = 20.0;                          ///< bucket size
    std::size_t free_failures = 5;                        ///< failures before backoff starts (per user, per address)
    std::chrono::milliseconds backoff_base{1000};         ///< the first wait; doubles per further failure
    std::chrono::milliseconds backoff_max{15 * 60 * 1000};
    std::chrono::milliseconds forget_after{60 * 60 * 1000}; ///< idle keys (and their failures) are dropped
    std::size_t max_tracked = 100000;                     ///< keys remembered at once
    bool enabled = true;
};

class login_limiter {
public:
    using clock = std::chrono::steady_clock;

    explicit login_limiter(login_limits limits = {}) : limits_(limits) {}

    const login_limits& limits() const noexcept { return limits_; }

    /// Zero when the attempt may go ahead (and then it is counted against the address's bucket), else
    /// how long the caller must wait. `user` may be empty (attempts that name nobody).
    std::chrono::milliseconds admit(std::string_view address, std::string_view user, clock::time_point now)
    {
        if (!limits_.enabled)
            return std::chrono::milliseconds(0);
        std::lock_guard<std::mutex> lock(mutex_);
        entry& a = touch(address_key(address), now);
        std::chrono::milliseconds wait = blocked_for(a, now);
        if (!user.empty()) {
            entry& u = touch(user_key(user), now);
            wait = std::max(wait, blocked_for(u, now));
        }
        if (limits_.address_rate > 0) {
            refill(a, now);
            if (a.tokens < 1.0) {
                auto need = std::chrono::duration<double>((1.0 - a.tokens) / limits_.address_rate);
                wait = std::max(wait, std::chrono::ceil<std::chrono::milliseconds>(need));
            }
            if (wait.count() == 0)
                a.tokens -= 1.0;
        }
        return wait;
    }

    void failed(std::string_view address, std::string_view user, clock::time_point now)
    {
        if (!limits_.enabled)
            return;
        std::lock_guard<std::mutex> lock(mutex_);
        add_failure(touch(address_key(address), now), now);
        if (!user.empty())
            add_failure(touch(user_key(user), now), now);
    }

    void succeeded(std::string_view user, clock::time_point now)
    {
        if (!limits_.enabled || user.empty())
            return;
        std::lock_guard<std::mutex> lock(mutex_);
        entry& u = touch(user_key(user), now);
        u.failures = 0;
        u.blocked_until = clock::time_point{};
    }

    std::size_t tracked() const
    {
        std::lock_guard<std::mutex> lock(mutex_);
        return entries_.size();
    }

private:
    struct entry {
        std::size_t failures = 0;
        clock::time_point blocked_until{};
        clock::time_point last_seen{};
        double tokens = 0;
        clock::time_point refilled{};
        bool fresh = true;
    };

    static std::string address_key(std::string_view a) { return "a " + std::string(a); }
    static std::string user_key(std::string_view u) { return "u " + std::string(u); }

    entry& touch(const std::string& key, clock::time_point now)
    {
        auto it = entries_.find(key);
        if (it != entries_.end() && now - it->second.last_seen > limits_.forget_after)
            it->second = entry{};
        if (it == entries_.end()) {
            if (entries_.size() >= limits_.max_tracked)
                make_room(now);
            it = entries_.emplace(key, entry{}).first;
        }
        entry& e = it->second;
        if (e.fresh) {
            e.fresh = false;
            e.tokens = limits_.address_burst;
            e.refilled = now;
        }
        e.last_seen = now;
        return e;
    }

    void make_room(clock::time_point now)
    {
        for (auto it = entries_.begin(); it != entries_.end();) {
            if (now - it->second.last_seen > limits_.forget_after)
                it = entries_.erase(it);
            else
                ++it;
        }
        if (entries_.size() < limits_.max_tracked || entries_.empty())
            return;
        auto oldest = entries_.begin();
        for (auto it = entries_.begin(); it != entries_.end(); ++it) {
            if (it->second.last_seen < oldest->second.last_seen)
                oldest = it;
        }
        entries_.erase(oldest);
    }

    void refill(entry& e, clock::time_point now) const
    {
        double secs = std::chrono::duration<double>(now - e.refilled).count();
        if (secs > 0) {
            e.tokens = std::min(limits_.address_burst, e.tokens + secs * limits_.address_rate);
            e.refilled = now;
        }
    }

    static std::chrono::milliseconds blocked_for(const entry& e, clock::time_point now)
    {
        if (e.blocked_until <= now)
            return std::chrono::milliseconds(0);
        return std::chrono::ceil<std::chrono::milliseconds>(e.blocked_until - now);
    }

    void add_failure(entry& e, clock::time_point now) const
    {
        ++e.failures;
        if (e.failures < limits_.free_failures)
            return;
        // The free_failures-th failure starts the first wait; each further one doubles it.
        std::size_t doublings = std::min<std::size_t>(e.failures - limits_.free_failures, 30);
        double ms = double(limits_.backoff_base.count()) * std::ldexp(1.0, static_cast<int>(doublings));
        ms = std::min(ms, double(limits_.backoff_max.count()));
        e.blocked_until = now + std::chrono::milliseconds(static_cast<std::int64_t>(ms));
    }

    login_limits limits_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, entry> entries_;
};

} // namespace realmwire::auth

#endif
