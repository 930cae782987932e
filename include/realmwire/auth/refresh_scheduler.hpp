#ifndef REALMWIRE_AUTH_REFRESH_SCHEDULER_HPP
#define REALMWIRE_AUTH_REFRESH_SCHEDULER_HPP

// When to refresh an access token, sans-I/O: time comes in as arguments, decisions go out as return
// values and states. The caller owns the timer and the HTTP call.
//
//   set_token(expires, now)       → scheduled for expires − margin (now, if that is past)
//   poll(now) == true             → start a refresh now (state refreshing)
//   on_refreshed(expires', now)   → scheduled again for the new token
//   on_failure(ec, now)           → network trouble (transport_failed, timeout, 5xx): retry after a
//                                   backoff that doubles up to a cap; an auth answer (601–618, 4xx):
//                                   stop and keep the error for the user
//   on_sync_error(202, now), on_close(4001, now) → the server says the token expired: refresh now
//
// SDK timing for comparison (docs/auth.md): Cocoa and Java refresh 10 s before
// `expires`, realm-js 20 s; Cocoa retried network errors after 20 s, realm-js every 5 s, Java with
// exponential backoff capped at 5 min.

#include "realmwire/errors/auth.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <optional>
#include <system_error>

namespace realmwire::auth {

struct refresh_policy {
    std::chrono::seconds margin{10};                 ///< refresh this long before `expires`
    std::chrono::milliseconds initial_backoff{1000}; ///< first retry delay after a network failure
    std::chrono::milliseconds max_backoff{300000};   ///< retry delays double up to this (Java: 5 min)
    unsigned max_network_retries = 0;                ///< give up after this many in a row; 0 = never
};

enum class refresh_state {
    idle,       ///< no token, or one that never expires
    scheduled,  ///< waiting for next_wakeup()
    refreshing, ///< the caller is running a refresh request
    retry_wait, ///< a refresh failed for network reasons; waiting for next_wakeup()
    stopped,    ///< an auth error (or too many retries): error() says why; nothing more happens
};

inline const char* to_string(refresh_state s) noexcept
{
    switch (s) {
        case refresh_state::idle: return "idle";
        case refresh_state::scheduled: return "scheduled";
        case refresh_state::refreshing: return "refreshing";
        case refresh_state::retry_wait: return "retry_wait";
        case refresh_state::stopped: return "stopped";
    }
    return "?";
}

/// Sync protocol error code that means "your token expired" (ERROR message) and the WebSocket close
/// code with the same meaning in the MongoDB dialects.
constexpr int sync_error_token_expired = 202;
constexpr int close_code_unauthorized = 4001;

/// True for failures worth retrying: anything from outside the auth area (the network, TLS, timeouts,
/// HTTP framing) and server-side trouble (auth_error::server_error: 5xx or an unknown problem code).
/// Every other auth error is an answer about the credentials, and asking again will not change it.
inline bool is_transient_refresh_failure(const std::error_code& ec)
{
    if (ec.category() == error_category_for<auth_error>())
        return ec == auth_error::server_error;
    return static_cast<bool>(ec);
}

class refresh_scheduler {
public:
    using clock = std::chrono::system_clock;
    using time_point = clock::time_point;

    explicit refresh_scheduler(refresh_policy policy = {}) : policy_(policy) {}

    const refresh_policy& policy() const noexcept { return policy_; }
    refresh_state state() const noexcept { return state_; }
    /// Why the scheduler stopped.
    std::error_code error() const noexcept { return error_; }
    /// Consecutive network failures of the current refresh.
    unsigned failures() const noexcept { return failures_; }
    /// When poll() will next answer true (scheduled, retry_wait); nullopt otherwise.
    std::optional<time_point> next_wakeup() const
    {
        if (state_ == refresh_state::scheduled || state_ == refresh_state::retry_wait)
            return wake_;
        return std::nullopt;
    }

    /// A token with `expires` (Unix seconds; 0 = never) is in use.
    void set_token(std::int64_t expires, time_point now)
    {
        failures_ = 0;
        error_.clear();
        if (expires == 0) {
            state_ = refresh_state::idle;
            return;
        }
        time_point at = time_point(std::chrono::seconds(expires)) - policy_.margin;
        wake_ = std::max(at, now);
        state_ = refresh_state::scheduled;
    }

    /// True when a refresh must start now; the state becomes `refreshing` until the caller reports.
    bool poll(time_point now)
    {
        if ((state_ == refresh_state::scheduled || state_ == refresh_state::retry_wait) && now >= wake_) {
            state_ = refresh_state::refreshing;
            return true;
        }
        return false;
    }

    void on_refreshed(std::int64_t new_expires, time_point now) { set_token(new_expires, now); }

    /// A refresh failed. Transient failures are retried with backoff; anything else stops.
    void on_failure(std::error_code ec, time_point now)
    {
        if (state_ == refresh_state::stopped)
            return;
        if (!is_transient_refresh_failure(ec)) {
            stop_with(ec);
            return;
        }
        ++failures_;
        if (policy_.max_network_retries != 0 && failures_ > policy_.max_network_retries) {
            stop_with(ec);
            return;
        }
        wake_ = now + backoff(failures_);
        state_ = refresh_state::retry_wait;
    }

    /// A sync ERROR message arrived. 202 token_expired: refresh at once (unless one is running).
    /// Returns true when the code was about the token.
    bool on_sync_error(int code, time_point now)
    {
        if (code != sync_error_token_expired)
            return false;
        refresh_now(now);
        return true;
    }

    /// The WebSocket closed with `code`. 4001 (unauthorized): refresh at once.
    bool on_close(int code, time_point now)
    {
        if (code != close_code_unauthorized)
            return false;
        refresh_now(now);
        return true;
    }

    /// The user logged out, or the session ended.
    void cancel()
    {
        state_ = refresh_state::idle;
        failures_ = 0;
    }

    /// The delay before retry number `n` (1-based): initial · 2^(n−1), capped.
    std::chrono::milliseconds backoff(unsigned n) const
    {
        std::chrono::milliseconds d = policy_.initial_backoff;
        for (unsigned i = 1; i < n && d < policy_.max_backoff; ++i)
            d *= 2;
        return std::min(d, policy_.max_backoff);
    }

private:
    void refresh_now(time_point now)
    {
        if (state_ == refresh_state::refreshing || state_ == refresh_state::stopped)
            return;
        wake_ = now;
        state_ = refresh_state::scheduled;
    }
    void stop_with(std::error_code ec)
    {
        error_ = ec;
        state_ = refresh_state::stopped;
    }

    refresh_policy policy_;
    refresh_state state_ = refresh_state::idle;
    time_point wake_{};
    unsigned failures_ = 0;
    std::error_code error_;
};

} // namespace realmwire::auth

#endif
