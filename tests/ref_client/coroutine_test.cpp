// The third completion style: a C++20 coroutine co_awaits a full sync with asio::use_awaitable
// against a real reference server on loopback. This file alone is compiled as C++20
// (CMakeLists.txt); the library stays C++17.
#include "support.hpp"

#include <asio/co_spawn.hpp>
#include <asio/use_awaitable.hpp>

#include <catch2/catch.hpp>

using namespace rw_client_test;

static_assert(__cplusplus >= 202002L, "this test is the C++20 translation unit");

TEST_CASE("completion styles: co_await with asio::use_awaitable drives a full sync (C++20)")
{
    running_server s;
    asio::io_context ioc;
    rw::reference::object_store writer, reader;
    writer.put_items(items(20, 5, "co-"));
    auto w = std::make_shared<rw::reference::client>(ioc, config(s, "/styles-co", "w"), writer);
    auto r = std::make_shared<rw::reference::client>(ioc, config(s, "/styles-co", "r"), reader);
    bool finished = false;
    std::exception_ptr failure;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            w->start();
            co_await w->async_sync(asio::use_awaitable);
            r->start();
            co_await r->async_sync(asio::use_awaitable);
            // A second round: write again, sync again.
            writer.put_items(items(30, 1, "co-"));
            w->local_write();
            co_await w->async_sync(asio::use_awaitable);
            r->request_mark();
            co_await r->async_sync(asio::use_awaitable);
            finished = true;
        },
        [&](std::exception_ptr e) { failure = e; });
    REQUIRE(rw::reference::client::run_until(ioc, [&] { return finished || failure; }, 10s));
    REQUIRE_FALSE(failure);
    CHECK(w->synced());
    w->stop();
    r->stop();
    rw::reference::client::run_until(ioc, [] { return false; }, 20ms);
    CHECK(item_count(writer) == 6);
    CHECK(item_count(reader) >= 5); // the reader's MARK may have passed before the last write arrived
}
