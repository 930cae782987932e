#ifndef REALMWIRE_ENDPOINT_BACKOFF_HPP
#define REALMWIRE_ENDPOINT_BACKOFF_HPP

// realm-core's reconnect / resumption backoff (ResumptionDelayInfo + ErrorBackoffState,
// docs/protocol.md): the first delay is `initial`, each further one `multiplier` times the
// previous, capped at `max`; every value handed out is reduced by a uniform random amount in
// [0, value / jitter_divisor] (up to 25 % with the default divisor 4). The sequence restarts when
// the error that triggers it changes, and a server's JSON_ERROR may replace the parameters
// (backoffIntervalSec, backoffMaxDelaySec, backoffMultiplier).
//
// Randomness is injected (a seed or a function), so tests get exact delays.

#include "realmwire/endpoint/types.hpp"
#include "realmwire/protocol/json_body_types.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <random>

namespace realmwire::endpoint {

struct backoff_policy {
    milliseconds initial{1000};          ///< realm-core: 1 s
    milliseconds max{5 * 60 * 1000};     ///< realm-core: 5 min
    int multiplier = 2;                  ///< realm-core: 2
    int jitter_divisor = 4;              ///< jitter up to value / 4; 0 = no jitter

    /// The parameters a JSON_ERROR carries (seconds); jitter stays as configured.
    static backoff_policy from_json_error(const protocol::backoff_info& b, int jitter_divisor = 4)
    {
        backoff_policy p;
        p.initial = std::chrono::seconds(std::max<std::int64_t>(b.interval_sec, 0));
        p.max = std::chrono::seconds(std::max<std::int64_t>(b.max_delay_sec, 0));
        p.multiplier = static_cast<int>(std::clamp<std::int64_t>(b.multiplier, 1, 1000));
        p.jitter_divisor = jitter_divisor;
        return p;
    }

    friend bool operator==(const backoff_policy& a, const backoff_policy& b) noexcept
    {
        return a.initial == b.initial && a.max == b.max && a.multiplier == b.multiplier &&
               a.jitter_divisor == b.jitter_divisor;
    }
    friend bool operator!=(const backoff_policy& a, const backoff_policy& b) noexcept { return !(a == b); }
};

/// A uniform random integer in [0, bound]. Called once per delay.
using jitter_source = std::function<std::uint64_t(std::uint64_t bound)>;

/// A jitter_source from a seeded Mersenne twister.
inline jitter_source seeded_jitter(std::uint64_t seed)
{
    auto engine = std::make_shared<std::mt19937_64>(seed);
    return [engine](std::uint64_t bound) {
        std::uniform_int_distribution<std::uint64_t> d(0, bound);
        return d(*engine);
    };
}

/// The backoff sequence for one kind of failure at a time. `Reason` is any equality-comparable
/// key (an error code, a termination reason).
template <class Reason>
class backoff_state {
public:
    explicit backoff_state(backoff_policy defaults = {}, jitter_source jitter = seeded_jitter(std::random_device{}()))
        : defaults_(defaults)
        , policy_(defaults)
        , jitter_(std::move(jitter))
    {
    }

    /// Records a failure. A different reason than the last one restarts the sequence, with
    /// `override_policy` (from a JSON_ERROR) or the defaults; the same reason continues it.
    void update(const Reason& reason, std::optional<backoff_policy> override_policy = std::nullopt)
    {
        if (reason_ && *reason_ == reason)
            return; // the same failure again: the sequence goes on (realm-core's ErrorBackoffState)
        policy_ = override_policy.value_or(defaults_);
        current_.reset();
        reason_ = reason;
    }

    /// The next delay of the sequence (advances it).
    milliseconds next_delay()
    {
        if (!current_)
            current_ = policy_.initial;
        else if (*current_ < policy_.max)
            *current_ = milliseconds(current_->count() * policy_.multiplier);
        current_ = std::min(*current_, policy_.max);
        return jittered(*current_);
    }

    /// Forgets the failure history (e.g. after a successful DOWNLOAD).
    void reset()
    {
        reason_.reset();
        current_.reset();
        policy_ = defaults_;
    }

    const std::optional<Reason>& reason() const noexcept { return reason_; }
    const backoff_policy& policy() const noexcept { return policy_; }
    const backoff_policy& defaults() const noexcept { return defaults_; }

private:
    milliseconds jittered(milliseconds value)
    {
        if (policy_.jitter_divisor <= 0 || value.count() <= 0 || !jitter_)
            return value;
        auto bound = static_cast<std::uint64_t>(value.count() / policy_.jitter_divisor);
        std::uint64_t j = std::min<std::uint64_t>(jitter_(bound), bound);
        return milliseconds(value.count() - static_cast<milliseconds::rep>(j));
    }

    backoff_policy defaults_;
    backoff_policy policy_;
    jitter_source jitter_;
    std::optional<Reason> reason_;
    std::optional<milliseconds> current_;
};

} // namespace realmwire::endpoint

#endif
