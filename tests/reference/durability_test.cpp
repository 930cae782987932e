#include "realmwire/reference/durable_log.hpp"

#include "realmwire/auth/keys.hpp"
#include "realmwire/auth/token.hpp"
#include "realmwire/reference/history.hpp"
#include "support.hpp"
#include "support/tool_process.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <signal.h>

using namespace realmwire;
using namespace rw_ref_test;

namespace {

std::vector<std::string> read_all(const std::string& file, std::error_code& ec, reference::durable_log* keep = nullptr)
{
    std::vector<std::string> out;
    reference::durable_log log;
    log.open(
        file, [&](std::string_view r) { out.emplace_back(r); }, ec);
    if (keep)
        *keep = std::move(log);
    return out;
}

void append_raw(const std::string& file, const std::string& bytes)
{
    std::ofstream f(file, std::ios::binary | std::ios::app);
    f << bytes;
}

std::uintmax_t file_size(const std::string& f) { return fs::file_size(f); }

} // namespace

TEST_CASE("durable_log: records survive a reopen, a torn tail is cut back to the last whole record")
{
    temp_dir d;
    const std::string file = d.str() + "/a.log";
    std::error_code ec;
    {
        reference::durable_log log;
        log.open(file, nullptr, ec);
        REQUIRE_FALSE(ec);
        log.append("one", ec);
        REQUIRE_FALSE(ec);
        log.append(std::string(100000, 'x'), ec);
        REQUIRE_FALSE(ec);
        log.append("", ec); // empty records are records too
        REQUIRE_FALSE(ec);
    }
    auto recs = read_all(file, ec);
    REQUIRE_FALSE(ec);
    REQUIRE(recs.size() == 3);
    CHECK(recs[0] == "one");
    CHECK(recs[1].size() == 100000);
    CHECK(recs[2].empty());
    const auto good = file_size(file);

    SECTION("half a header")
    {
        append_raw(file, std::string("\x05\x00", 2));
    }
    SECTION("a header announcing more bytes than follow (kill -9 mid-write)")
    {
        append_raw(file, std::string("\x0a\x00\x00\x00\x00\x00\x00\x00" "abc", 11));
    }
    SECTION("a whole-length record whose checksum does not match")
    {
        std::string rec("\x03\x00\x00\x00", 4);
        std::uint32_t crc = reference::durable_log::checksum("abd");
        for (int i = 0; i < 4; ++i)
            rec.push_back(static_cast<char>((crc >> (8 * i)) & 0xFF));
        rec += "abc";
        append_raw(file, rec);
    }
    SECTION("an absurd length")
    {
        append_raw(file, std::string("\xff\xff\xff\xff\x00\x00\x00\x00", 8));
    }
    reference::durable_log log;
    recs = read_all(file, ec, &log);
    REQUIRE_FALSE(ec);
    CHECK(recs.size() == 3);
    CHECK(log.truncated_bytes() > 0);
    CHECK(file_size(file) == good);
    // Appending after the cut continues a valid file.
    log.append("four", ec);
    REQUIRE_FALSE(ec);
    log.close();
    recs = read_all(file, ec);
    REQUIRE(recs.size() == 4);
    CHECK(recs[3] == "four");
}

TEST_CASE("durable_log: a file that is not a log is refused, not overwritten")
{
    temp_dir d;
    const std::string file = d.str() + "/x.log";
    append_raw(file, "hello world, not a log");
    std::error_code ec;
    read_all(file, ec);
    CHECK(ec == std::errc::illegal_byte_sequence);
    CHECK(file_size(file) == 22);
}

TEST_CASE("realm_history: idents, salts, idempotent integration, replay after reopen, IDENT checks")
{
    temp_dir d;
    const std::string file = d.str() + "/r.log";
    std::error_code ec;
    reference::client_file a, b;
    std::int64_t salt1 = 0;
    {
        reference::realm_history h;
        h.open(file, ec);
        REQUIRE_FALSE(ec);
        a = h.allocate_client_file(ec);
        b = h.allocate_client_file(ec);
        CHECK(a.ident == 2); // realm-core's server starts at 2 (session vectors)
        CHECK(b.ident == 3);
        CHECK(a.salt > 0);
        std::vector<protocol::upload_entry> up{{2, 0, 10, 0, "cs-2"}, {3, 0, 11, 0, "cs-3"}};
        auto r = h.integrate(a.ident, up, 4, 0, ec);
        REQUIRE_FALSE(ec);
        CHECK(r.integrated == 2);
        // The same upload again (a client resuming): nothing new.
        r = h.integrate(a.ident, up, 4, 0, ec);
        CHECK(r.integrated == 0);
        CHECK(r.duplicates == 2);
        up.push_back({5, 0, 12, 0, "cs-5"});
        r = h.integrate(a.ident, up, 5, 0, ec);
        CHECK(r.integrated == 1);
        CHECK(r.duplicates == 2);
        CHECK(h.version() == 3);
        salt1 = h.salt_of(1);
    }
    reference::realm_history h;
    h.open(file, ec);
    REQUIRE_FALSE(ec);
    REQUIRE(h.version() == 3);
    CHECK(h.entries()[2].changeset == "cs-5");
    CHECK(h.entries()[2].client_version == 5);
    CHECK(h.salt_of(1) == salt1);
    CHECK(h.find_client(a.ident)->last_integrated_client_version == 5);
    CHECK(h.find_client(a.ident)->upload_progress_client_version == 5);
    CHECK(h.allocate_client_file(ec).ident == 4);

    using pe = protocol::protocol_error;
    CHECK(static_cast<int>(h.check_ident(a.ident, a.salt, 1, 2, 1, salt1)) == 0);
    CHECK(h.check_ident(99, a.salt, 0, 0, 0, 0) == pe::bad_client_file_ident);
    CHECK(h.check_ident(a.ident, a.salt + 1, 0, 0, 0, 0) == pe::diverging_histories);
    CHECK(h.check_ident(a.ident, a.salt, 0, 0, 4, 0) == pe::bad_server_version);
    CHECK(h.check_ident(a.ident, a.salt, 2, 0, 1, salt1) == pe::bad_server_version);
    CHECK(h.check_ident(a.ident, a.salt, 1, 0, 1, salt1 + 1) == pe::diverging_histories);
    CHECK(h.check_ident(b.ident, b.salt, 0, 1, 0, 0) == pe::bad_client_version);
}

// ---------------------------------------------------------------------------------------------------
// kill -9 of the real `realmwire server` process while a client keeps writing
// ---------------------------------------------------------------------------------------------------

namespace {

/// `realmwire server` with the shared realm /shared on 127.0.0.1:`port` (0: a free one).
std::unique_ptr<rw_tool_test::tool_server> start_server(const std::string& data, std::uint16_t port)
{
    return std::make_unique<rw_tool_test::tool_server>(std::vector<std::string>{
        "--listen", "127.0.0.1:" + std::to_string(port), "--data", data, "--public-realm", "/shared"});
}

} // namespace

TEST_CASE("a session resumes after the server is killed with SIGKILL and restarted: nothing lost, nothing duplicated")
{
    temp_dir d;
    const std::string data = d.str() + "/data";
    auto srv = start_server(data, 0);
    const std::uint16_t port = srv->port();

    asio::io_context ioc;
    reference::object_store writer;
    reference::client_config cfg;
    cfg.server_url = "ws://127.0.0.1:" + std::to_string(port);
    cfg.realm_path = "/shared";
    cfg.token = rw_tool_test::server_token(data, "writer");
    cfg.reconnect_delay = 50ms;
    cfg.max_reconnect_delay = 200ms;
    auto c = std::make_shared<reference::client>(ioc, cfg, writer);
    c->start();

    // 3 rounds: write batches continuously, kill -9 the server at some point during the writes,
    // restart it on the same port and data directory.
    const int rounds = 3, batches = 15, per_batch = 4;
    std::int64_t next_id = 1;
    for (int round = 0; round < rounds; ++round) {
        for (int b = 0; b < batches; ++b) {
            writer.put_items(items(next_id, per_batch, "w-"));
            next_id += per_batch;
            c->local_write();
            reference::client::run_until(ioc, [] { return false; }, std::chrono::milliseconds(3 + (b % 4)));
            if (b == batches / 2 + round) {
                srv->stop(SIGKILL);
                srv = start_server(data, port);
            }
        }
    }
    const std::size_t total = static_cast<std::size_t>(next_id - 1);
    bool ok = reference::client::run_until(ioc, [&] { return c->synced(); }, 15s);
    INFO(c->failure().what);
    REQUIRE(ok);
    CHECK(c->connects() >= 1 + static_cast<std::size_t>(rounds));

    // A fresh reader sees every object exactly once.
    reference::object_store reader;
    cfg.token = rw_tool_test::server_token(data, "reader");
    auto r = std::make_shared<reference::client>(ioc, cfg, reader);
    r->start();
    REQUIRE(reference::client::run_until(ioc, [&] { return r->synced() && item_count(reader) == total; }, 15s));
    CHECK(reader.describe() == writer.describe());
    c->stop();
    r->stop();
    reference::client::run_until(ioc, [] { return false; }, 50ms);
    srv->stop(SIGTERM);

    // The history on disk: one changeset per local write of the writer, each once, in order.
    reference::realm_history h;
    std::error_code ec;
    h.open(data + "/realms/" + reference::realm_directory::file_name("/shared"), ec);
    REQUIRE_FALSE(ec);
    std::vector<std::uint64_t> versions;
    for (const auto& e : h.entries())
        versions.push_back(e.client_version);
    std::vector<std::uint64_t> expected;
    for (const auto& l : writer.local_history())
        expected.push_back(l.client_version);
    CHECK(versions == expected);
    CHECK(h.entries().size() == static_cast<std::size_t>(rounds * batches));
}
