// A full sync against a real reference server on loopback, driven by the client's asynchronous
// operation in two of the three completion styles: a plain callback and asio::use_future (C++17).
// The third, co_await with asio::use_awaitable, is coroutine_test.cpp (C++20).
#include "support.hpp"

#include <asio/bind_executor.hpp>
#include <asio/strand.hpp>
#include <asio/use_future.hpp>

#include <catch2/catch.hpp>

#include <future>
#include <thread>

using namespace rw_client_test;

TEST_CASE("completion styles: a callback drives a full sync (write, upload, another client downloads)")
{
    running_server s;
    asio::io_context ioc;
    rw::reference::object_store writer, reader;
    writer.put_items(items(1, 3, "cb-"));
    auto w = std::make_shared<rw::reference::client>(ioc, config(s, "/styles-cb", "w"), writer);
    auto r = std::make_shared<rw::reference::client>(ioc, config(s, "/styles-cb", "r"), reader);
    w->start();
    int step = 0;
    std::error_code first, second;
    w->async_sync([&](std::error_code ec) {
        first = ec;
        step = 1;
        r->start(); // the reader starts once the writer's changes are on the server
        r->async_sync([&](std::error_code ec2) {
            second = ec2;
            step = 2;
        });
    });
    REQUIRE(rw::reference::client::run_until(ioc, [&] { return step == 2; }, 10s));
    CHECK_FALSE(first);
    CHECK_FALSE(second);
    CHECK(w->synced());
    CHECK(r->synced());
    CHECK(reader.describe() == writer.describe());
    CHECK(item_count(reader) == 3);
    w->stop();
    r->stop();
    rw::reference::client::run_until(ioc, [] { return false; }, 20ms);
}

TEST_CASE("completion styles: the handler runs on its associated executor")
{
    running_server s;
    asio::io_context ioc;
    auto strand = asio::make_strand(ioc);
    rw::reference::object_store st;
    st.put_items(items(1, 1, "ex-"));
    auto c = std::make_shared<rw::reference::client>(ioc, config(s, "/styles-ex", "w"), st);
    c->start();
    bool done = false, on_strand = false;
    c->async_sync(asio::bind_executor(strand, [&](std::error_code ec) {
        CHECK_FALSE(ec);
        on_strand = strand.running_in_this_thread();
        done = true;
    }));
    REQUIRE(rw::reference::client::run_until(ioc, [&] { return done; }, 10s));
    CHECK(on_strand);
    c->stop();
    rw::reference::client::run_until(ioc, [] { return false; }, 20ms);
}

TEST_CASE("completion styles: asio::use_future drives a full sync from another thread")
{
    running_server s;
    asio::io_context ioc;
    auto work = asio::make_work_guard(ioc);
    std::thread t([&] { ioc.run(); });
    rw::reference::object_store writer, reader;
    writer.put_items(items(10, 4, "fut-"));
    auto w = std::make_shared<rw::reference::client>(ioc, config(s, "/styles-fut", "w"), writer);
    auto r = std::make_shared<rw::reference::client>(ioc, config(s, "/styles-fut", "r"), reader);
    w->start();
    std::future<void> fw = w->async_sync(asio::use_future);
    REQUIRE(fw.wait_for(10s) == std::future_status::ready);
    CHECK_NOTHROW(fw.get());
    r->start();
    std::future<void> fr = r->async_sync(asio::use_future);
    REQUIRE(fr.wait_for(10s) == std::future_status::ready);
    CHECK_NOTHROW(fr.get());
    // A failure arrives as the future's exception: a client with a token the server refuses.
    rw::reference::object_store other;
    auto cfg = config(s, "/styles-fut", "x");
    cfg.token = "not-a-token";
    auto bad = std::make_shared<rw::reference::client>(ioc, cfg, other);
    bad->start();
    std::future<void> fb = bad->async_sync(asio::use_future);
    REQUIRE(fb.wait_for(10s) == std::future_status::ready);
    CHECK_THROWS_AS(fb.get(), std::system_error);
    for (auto* c : {&w, &r, &bad})
        (*c)->stop();
    std::this_thread::sleep_for(50ms);
    work.reset();
    ioc.stop();
    t.join();
    CHECK(reader.describe() == writer.describe());
    CHECK(item_count(reader) == 4);
}
