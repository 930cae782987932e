#include "realmwire/auth/refresh_scheduler.hpp"

#include <catch2/catch.hpp>

using namespace realmwire;
using namespace realmwire::auth;
using namespace std::chrono_literals;

namespace {

refresh_scheduler::time_point at(std::int64_t unix_seconds)
{
    return refresh_scheduler::time_point(std::chrono::seconds(unix_seconds));
}

} // namespace

TEST_CASE("refresh fires at expires - margin, not a moment earlier")
{
    refresh_scheduler s; // margin 10 s (Cocoa, Java)
    s.set_token(1000, at(600));
    CHECK(s.state() == refresh_state::scheduled);
    REQUIRE(s.next_wakeup());
    CHECK(*s.next_wakeup() == at(990));
    CHECK_FALSE(s.poll(at(989)));
    CHECK_FALSE(s.poll(at(990) - 1ms));
    CHECK(s.poll(at(990)));
    CHECK(s.state() == refresh_state::refreshing);
    CHECK_FALSE(s.poll(at(991))); // one refresh at a time
    s.on_refreshed(1360, at(991));
    CHECK(*s.next_wakeup() == at(1350));

    refresh_policy js;
    js.margin = 20s; // realm-js
    refresh_scheduler j(js);
    j.set_token(1000, at(0));
    CHECK(*j.next_wakeup() == at(980));
    // a token already inside the margin refreshes at once; one that never expires never does
    j.set_token(1000, at(995));
    CHECK(j.poll(at(995)));
    j.set_token(0, at(995));
    CHECK(j.state() == refresh_state::idle);
    CHECK_FALSE(j.next_wakeup());
    CHECK_FALSE(j.poll(at(1'000'000'000)));
}

TEST_CASE("network failures retry with doubling backoff up to the cap, success resets")
{
    refresh_policy p;
    p.initial_backoff = 1s;
    p.max_backoff = 8s;
    refresh_scheduler s(p);
    s.set_token(1000, at(0));
    auto now = at(990);
    REQUIRE(s.poll(now));
    std::vector<std::chrono::milliseconds> delays;
    for (int i = 0; i < 6; ++i) {
        // connection refused, a timeout, a 503: all worth another try
        std::error_code e = i % 3 == 0   ? make_error_code(std::errc::connection_refused)
                            : i % 3 == 1 ? make_error_code(std::errc::timed_out)
                                         : std::error_code(auth_error::server_error);
        s.on_failure(e, now);
        CHECK(s.state() == refresh_state::retry_wait);
        auto wake = *s.next_wakeup();
        delays.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(wake - now));
        CHECK_FALSE(s.poll(wake - 1ms));
        REQUIRE(s.poll(wake));
        now = wake;
    }
    CHECK(delays == std::vector<std::chrono::milliseconds>{1s, 2s, 4s, 8s, 8s, 8s});
    CHECK(s.failures() == 6);
    s.on_refreshed(2000, now);
    CHECK(s.failures() == 0);
    CHECK(*s.next_wakeup() == at(1990));
}

TEST_CASE("an auth error (403/614) stops and reports, max retries stops too")
{
    refresh_scheduler s;
    s.set_token(1000, at(0));
    REQUIRE(s.poll(at(990)));
    s.on_failure(auth_error::access_denied, at(990));
    CHECK(s.state() == refresh_state::stopped);
    CHECK(s.error() == auth_error::access_denied);
    CHECK_FALSE(s.next_wakeup());
    CHECK_FALSE(s.poll(at(5000)));
    // a later 202 does not restart a stopped scheduler
    CHECK(s.on_sync_error(202, at(5000)));
    CHECK(s.state() == refresh_state::stopped);
    for (auto e : {auth_error::invalid_credentials, auth_error::malformed_response, auth_error::invalid_parameters}) {
        refresh_scheduler t;
        t.set_token(1000, at(0));
        REQUIRE(t.poll(at(990)));
        t.on_failure(e, at(990));
        CHECK(t.state() == refresh_state::stopped);
    }

    refresh_policy p;
    p.max_network_retries = 2;
    refresh_scheduler r(p);
    r.set_token(1000, at(0));
    auto now = at(990);
    for (int i = 0; i < 3; ++i) {
        REQUIRE(r.poll(now));
        r.on_failure(auth_error::server_error, now);
        if (r.next_wakeup())
            now = *r.next_wakeup();
    }
    CHECK(r.state() == refresh_state::stopped);
    CHECK(r.error() == auth_error::server_error);
}

TEST_CASE("sync error 202 and close 4001 trigger an immediate refresh, others do not")
{
    refresh_scheduler s;
    s.set_token(1000, at(0));
    CHECK_FALSE(s.on_sync_error(203, at(100)));
    CHECK_FALSE(s.on_close(1000, at(100)));
    CHECK(*s.next_wakeup() == at(990));
    CHECK(s.on_sync_error(sync_error_token_expired, at(100)));
    CHECK(s.poll(at(100)));
    s.on_refreshed(2000, at(101));
    CHECK(s.on_close(close_code_unauthorized, at(200)));
    CHECK(s.poll(at(200)));
    // while a refresh runs, another trigger does not start a second one
    CHECK(s.on_close(4001, at(201)));
    CHECK(s.state() == refresh_state::refreshing);
    s.cancel();
    CHECK(s.state() == refresh_state::idle);
}
