// The durable client store (reference/local_store.hpp) and `realmwire client --local FILE`: writes
// survive a reopen and a kill -9 once reported, offline writes sync later, and two clients that wrote
// the same field offline converge to the later write (realm-core's rule for Update).
#include "support.hpp"

#include "realmwire/reference/local_store.hpp"
#include "support/tool_process.hpp"

#include <catch2/catch.hpp>

#include <fstream>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace rw_client_test;

namespace {

/// One Update of Item{_id}.name (with the table and object created if needed), as a changeset.
rw::changeset::changeset rename(const rw::reference::object_store& st, std::int64_t id, const std::string& name)
{
    return st.items_changeset({{id, name}});
}

} // namespace

TEST_CASE("local_store: writes, the file ident and integrated downloads come back after a reopen")
{
    temp_dir d;
    const std::string file = d.str() + "/a.rwlocal";
    std::vector<std::string> before;
    {
        rw::reference::local_store st;
        st.open(file);
        CHECK(st.replayed() == 0);
        st.put_items(items(1, 2, "x-"));
        REQUIRE(st.set_client_file_ident({7, 99}).ok());
        st.put_items(items(3, 1, "y-"));
        before = st.objects().describe();
        CHECK(st.objects().local_history().size() == 2);
    }
    rw::reference::local_store again;
    again.open(file);
    CHECK(again.replayed() == 3);
    CHECK(again.objects().describe() == before);
    REQUIRE(again.client_file_ident());
    CHECK(again.client_file_ident()->ident == 7);
    CHECK(again.client_file_ident()->salt == 99);
    CHECK(again.objects().local_history().size() == 2);
    CHECK(again.current_client_version() == 3);
    // A torn tail (a crash mid-append) is cut: what was reported done stays.
    {
        std::ofstream f(file, std::ios::binary | std::ios::app);
        f << std::string("\x20\x00\x00\x00garbage", 11);
    }
    rw::reference::local_store third;
    third.open(file);
    CHECK(third.objects().describe() == before);
    // Not a local store: refused, not overwritten.
    const std::string other = d.str() + "/other";
    {
        std::ofstream f(other);
        f << "hello, not a log";
    }
    rw::reference::local_store bad;
    std::error_code ec;
    bad.open(other, ec);
    CHECK(ec == std::errc::illegal_byte_sequence);
    CHECK_FALSE(bad.is_open());
}

TEST_CASE("local_store: two clients write the same field offline, then sync and converge to the later write")
{
    running_server s;
    temp_dir d;
    rw::reference::local_store a, b;
    a.open(d.str() + "/a.rwlocal");
    b.open(d.str() + "/b.rwlocal");
    // Offline (no client exists yet): both create Item 1, then set its name. B's write is later.
    std::error_code ec;
    a.commit(rename(a.objects(), 1, "from-a"), 1000000, ec);
    REQUIRE_FALSE(ec);
    b.commit(rename(b.objects(), 1, "from-b"), 2000000, ec);
    REQUIRE_FALSE(ec);
    a.commit(rename(a.objects(), 2, "only-a"), 1000001, ec);
    REQUIRE_FALSE(ec);

    asio::io_context ioc;
    auto ca = std::make_shared<rw::reference::client>(ioc, config(s, "/offline", "a"), a.objects(), &a);
    auto cb = std::make_shared<rw::reference::client>(ioc, config(s, "/offline", "b"), b.objects(), &b);
    ca->start();
    cb->start();
    auto converged = [&] {
        return ca->synced() && cb->synced() && a.objects().describe() == b.objects().describe() &&
               item_count(a.objects()) == 2;
    };
    bool ok = rw::reference::client::run_until(
        ioc,
        [&] {
            if (ca->failed() || cb->failed())
                return true;
            if (converged())
                return true;
            if (ca->synced())
                ca->request_mark(); // pull what the other one uploaded since
            if (cb->synced())
                cb->request_mark();
            return false;
        },
        10s);
    INFO(ca->failure().what << " / " << cb->failure().what);
    REQUIRE(ok);
    REQUIRE(converged());
    const std::vector<std::string> want{"Item{_id=1, name=\"from-b\"}", "Item{_id=2, name=\"only-a\"}"};
    CHECK(a.objects().describe() == want);
    ca->stop();
    cb->stop();
    rw::reference::client::run_until(ioc, [] { return false; }, 20ms);
    // What the clients integrated is on disk too.
    rw::reference::local_store a2;
    a2.open(d.str() + "/a.rwlocal");
    CHECK(a2.objects().describe() == want);
    CHECK(a2.objects().upload_complete());
    CHECK(a2.progress().download.server_version == a.progress().download.server_version);
}

TEST_CASE("realmwire client --local: a write reported done survives kill -9 and a later run uploads it")
{
    running_server s;
    temp_dir d;
    const std::string file = d.str() + "/w.rwlocal";
    const std::string token = s.token("writer");
    // A port nothing listens on: the first process can only write locally.
    std::uint16_t dead_port = 0;
    {
        asio::io_context tmp;
        asio::ip::tcp::acceptor acc(tmp, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        dead_port = acc.local_endpoint().port();
    }
    const std::string dead = "ws://127.0.0.1:" + std::to_string(dead_port);
    for (int round = 0; round < 2; ++round) {
        const std::string start = std::to_string(1 + round * 3);
        rw_tool_test::tool_process client({"client", "--server", dead, "--path", "/durable", "--token", token, "--local",
                                           file, "--write", "3", "--start-id", start, "--timeout", "30"});
        // Wait for "wrote 3 objects", then kill -9 at once.
        const bool wrote = client.wait_for("wrote 3 objects");
        const int status = client.stop(SIGKILL);
        INFO(client.consumed() + client.unconsumed());
        REQUIRE(wrote);
        CHECK(status == -1); // still running when killed: nothing was flushed at a clean exit
    }
    // A new process with the same file syncs against the real server and uploads all six.
    auto run = rw_tool_test::run_tool(
        {"client", "--server", s.url(), "--path", "/durable", "--token", token, "--local", file, "--timeout", "10"});
    INFO(run.output);
    CHECK(run.status == 0);
    CHECK_THAT(run.output, Catch::Contains("local table class_Item: 6 objects"));
    // A fresh reader sees them on the server.
    asio::io_context ioc;
    rw::reference::object_store reader;
    auto r = std::make_shared<rw::reference::client>(ioc, config(s, "/durable", "reader"), reader);
    r->start();
    REQUIRE(rw::reference::client::run_until(ioc, [&] { return r->synced() && item_count(reader) == 6; }, 10s));
    r->stop();
    rw::reference::client::run_until(ioc, [] { return false; }, 20ms);
}
