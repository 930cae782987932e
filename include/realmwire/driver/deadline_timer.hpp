#ifndef REALMWIRE_DRIVER_DEADLINE_TIMER_HPP
#define REALMWIRE_DRIVER_DEADLINE_TIMER_HPP

// The one timer a driver keeps for a sans-I/O connection: armed at the connection's next deadline,
// re-armed only when that deadline changes, disarmed when there is none. Shared by sync_client and
// sync_server so both keep the same bookkeeping (a disarm must forget the old deadline, or the same
// deadline coming back later would be taken as still armed and never fire).

#include "realmwire/endpoint/types.hpp"

#include <asio/any_io_executor.hpp>
#include <asio/steady_timer.hpp>

#include <optional>
#include <system_error>
#include <utility>

namespace realmwire::driver {

class deadline_timer {
public:
    explicit deadline_timer(const asio::any_io_executor& ex) : timer_(ex) {}

    /// Arms at `deadline` (no-op when already armed there); nullopt disarms. `on_fire` runs once on
    /// the timer's executor when the deadline passes, never after a cancel or a re-arm; it must keep
    /// the owner of this timer alive (capture its shared_ptr).
    template <class OnFire>
    void arm(std::optional<endpoint::time_point> deadline, OnFire on_fire)
    {
        if (!deadline) {
            cancel();
            return;
        }
        if (armed_ && armed_at_ == *deadline)
            return;
        armed_ = true;
        armed_at_ = *deadline;
        timer_.expires_at(*deadline); // cancels the previous wait (its handler sees operation_aborted)
        timer_.async_wait([this, f = std::move(on_fire)](std::error_code ec) mutable {
            if (ec)
                return;
            armed_ = false;
            f();
        });
    }

    void cancel()
    {
        if (armed_)
            timer_.cancel();
        armed_ = false;
    }

private:
    asio::steady_timer timer_;
    bool armed_ = false;
    endpoint::time_point armed_at_{};
};

} // namespace realmwire::driver

#endif
