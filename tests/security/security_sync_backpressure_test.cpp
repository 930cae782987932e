// Backpressure: a client that binds a realm and then never reads must not make the server hold what it
// would send it. Before, every DOWNLOAD the server could produce went into an unbounded queue: six such
// clients took the server from 310 MiB to 1,176 MiB and stalled it for seconds, and a good client timed
// out. Now a connection's next message is produced only while its send queue is under the cap.
//
// Volume: REALMWIRE_BACKPRESSURE_MIB (default 100) MiB of changesets, uploaded by one client while the
// reader-less client sits on the same realm and a third client does UPLOAD+MARK round trips on its own.

#include "security_sync_support.hpp"
#include "../support/tool_process.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <thread>

using namespace realmwire;
using namespace rw_sec;

// AddressSanitizer keeps freed memory in quarantine and adds shadow memory, so RSS says nothing about
// what the server holds there; the server's own counters are checked in every build.
#if defined(__SANITIZE_ADDRESS__)
#define RW_RSS_IS_MEANINGFUL 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RW_RSS_IS_MEANINGFUL 0
#endif
#endif
#ifndef RW_RSS_IS_MEANINGFUL
#define RW_RSS_IS_MEANINGFUL 1
#endif

namespace {

/// VmRSS from /proc/self/status, in bytes (the server runs in this process).
std::size_t rss_bytes()
{
    std::ifstream f("/proc/self/status");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmRSS:", 0) == 0)
            return static_cast<std::size_t>(std::strtoull(line.c_str() + 6, nullptr, 10)) * 1024;
    return 0;
}

std::size_t volume_bytes()
{
    std::size_t mib = 100;
    if (const char* e = std::getenv("REALMWIRE_BACKPRESSURE_MIB"))
        if (std::size_t v = std::strtoull(e, nullptr, 10); v > 0)
            mib = v;
    return mib * 1024 * 1024;
}

/// Printable text that zlib barely shrinks, so what the server would queue is close to what was stored.
std::string noise(std::size_t n, unsigned seed)
{
    std::mt19937 gen(seed);
    std::string s(n, ' ');
    for (auto& c : s)
        c = static_cast<char>('!' + gen() % 90);
    return s;
}

/// Waits for the MARK answering `request` on `session`, skipping everything else; false on timeout.
bool await_mark(raw_client& c, std::uint64_t session, std::uint64_t request, std::chrono::milliseconds timeout)
{
    auto deadline = std::chrono::steady_clock::now() + timeout;
    for (int i = 0; i < 100000; ++i) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return false;
        auto m = c.next(left);
        if (!m)
            return false;
        if (auto* mk = std::get_if<protocol::mark_message>(&*m))
            if (mk->session_ident == session && mk->request_ident == request)
                return true;
        if (std::holds_alternative<protocol::error_message>(*m))
            return false;
    }
    return false;
}

} // namespace

TEST_CASE("sync attack 6: a client that never reads costs the server its send-queue cap, not the realm")
{
    const std::size_t volume = volume_bytes();
    const std::size_t changeset_size = 256 * 1024;
    const std::size_t uploads = volume / changeset_size;

    reference::server_config cfg;
    cfg.limits.max_realm_bytes = std::uint64_t(4) << 30;
    reference::server srv(cfg);
    srv.start();
    const std::size_t cap = srv.config().limits.max_send_queue;
    REQUIRE(cap == 1024 * 1024); // the default

    // The stalled reader: BIND + IDENT on the realm the uploader fills, then never reads again.
    raw_client stalled;
    REQUIRE(stalled.open(srv.port()));
    REQUIRE(stalled.upgrade(dialects::mongodb_pbs, token_of(srv, "sloth", auth::token_kind::access)) == 101);
    auto sfile = stalled.bind_new(1, "/shared");
    REQUIRE(sfile);
    stalled.ident(1, *sfile);

    // The good client: its own realm, an UPLOAD then a MARK each round trip.
    raw_client good;
    REQUIRE(good.open(srv.port()));
    REQUIRE(good.upgrade(dialects::mongodb_pbs, token_of(srv, "alice", auth::token_kind::access)) == 101);
    auto gfile = good.bind_new(1, "/alice-own");
    REQUIRE(gfile);
    good.ident(1, *gfile);

    const std::string pool = noise(2 * changeset_size, 7);
    const std::size_t rss_before = rss_bytes();

    std::atomic<bool> uploader_done{false};
    std::atomic<bool> uploader_ok{false};
    std::thread uploader([&] {
        raw_client up;
        bool ok = up.open(srv.port()) &&
                  up.upgrade(dialects::mongodb_pbs, token_of(srv, "bob", auth::token_kind::access)) == 101;
        auto file = ok ? up.bind_new(1, "/shared") : std::nullopt;
        ok = ok && file;
        if (ok) {
            up.ident(1, *file);
            for (std::size_t i = 0; i < uploads; ++i) {
                std::size_t off = (i * 7919) % changeset_size;
                up.upload(1, i + 1, valid_changeset(pool.substr(off, changeset_size - 64)));
                while (up.next(std::chrono::milliseconds(0))) { // the uploader reads what it is sent
                }
            }
            rw::protocol::mark_message mk;
            mk.session_ident = 1;
            mk.request_ident = 1;
            up.send_msg(mk);
            ok = await_mark(up, 1, 1, std::chrono::seconds(120));
        }
        uploader_ok = ok;
        uploader_done = true;
    });

    std::size_t round_trips = 0, slow = 0, failed = 0;
    std::size_t rss_peak = rss_before, queue_peak_sampled = 0;
    std::chrono::milliseconds worst{0};
    const std::string small = valid_changeset("ping");
    for (std::uint64_t n = 1; n <= 2000 && !uploader_done; ++n) {
        auto t0 = std::chrono::steady_clock::now();
        good.upload(1, n, small);
        rw::protocol::mark_message mk;
        mk.session_ident = 1;
        mk.request_ident = n;
        good.send_msg(mk);
        bool ok = await_mark(good, 1, n, std::chrono::seconds(10));
        auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0);
        ++round_trips;
        worst = std::max(worst, took);
        if (!ok)
            ++failed;
        else if (took > std::chrono::seconds(2))
            ++slow;
        rss_peak = std::max(rss_peak, rss_bytes());
        queue_peak_sampled = std::max(queue_peak_sampled, srv.stats().send_queue_bytes.load());
        if (!ok)
            break;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    uploader.join();
    rss_peak = std::max(rss_peak, rss_bytes());

    const std::uint64_t stored = srv.on_io_thread([&] {
        std::error_code ec;
        std::uint64_t bytes = 0;
        for (const auto& e : srv.realms().get("/shared", ec)->entries())
            bytes += e.changeset.size();
        return bytes;
    });
    INFO("uploads " << uploads << ", stored " << stored << " bytes, round trips " << round_trips << " (worst "
                    << worst.count() << " ms), RSS " << rss_before / 1048576 << " -> " << rss_peak / 1048576
                    << " MiB, peak send queue " << srv.stats().peak_send_queue_bytes.load() << " (sampled "
                    << queue_peak_sampled << ")");
    CHECK(uploader_ok);
    CHECK(stored >= uploads * (changeset_size - 64));
    CHECK(round_trips >= 3);
    CHECK(failed == 0);
    CHECK(slow == 0);
    // Own counters: no connection ever held more than the cap plus one message (the one that crossed it).
    CHECK(srv.stats().peak_send_queue_bytes.load() <= cap + srv.config().max_download_size + changeset_size);
    CHECK(queue_peak_sampled <= 3 * (cap + changeset_size));
    // RSS: the history itself (it lives in memory here) plus bounded slack; an unbounded queue for the
    // stalled reader held a second copy of the realm.
    if (RW_RSS_IS_MEANINGFUL)
        CHECK(rss_peak < rss_before + stored + 40u * 1024 * 1024);
    srv.stop();
}

TEST_CASE("sync attack 6: realmwire server --send-queue-cap sets the cap and reports the peak at stop")
{
    rw_ref_test::temp_dir dir;
    {
        rw_tool_test::tool_server srv(
            {"--listen", "127.0.0.1:0", "--data", dir.str() + "/data", "--send-queue-cap", "65536"});
        CHECK(srv.stop(SIGTERM) == 0);
        // The stop line is read after the process ended: what it wrote stays in the pipe.
        CHECK(srv.wait_for("peak send queue 0 bytes of 65536)"));
    }
    // A refused flag ends the tool before it listens, with the flag named.
    auto bad = rw_tool_test::run_tool(
        {"server", "--listen", "127.0.0.1:0", "--data", dir.str() + "/data2", "--send-queue-cap", "lots"});
    INFO(bad.output);
    CHECK(bad.output.find("--send-queue-cap wants a number >= 0") != std::string::npos);
    CHECK(bad.status != 0);
    CHECK(bad.output.find("listening") == std::string::npos);
}
