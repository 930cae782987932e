// Compaction of the durable client store (reference/local_store.hpp): the log rewritten as one snapshot
// of the store (object_store::snapshot), crash-safe, automatic past a size, and the snapshot reader's
// refusals of damaged input.
#include "support.hpp"

#include "realmwire/reference/local_store.hpp"
#include "support/tool_process.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <fstream>
#include <iterator>
#include <thread>

#include <signal.h>
#include <sys/stat.h>

using namespace rw_client_test;

namespace {

std::uint64_t file_size(const std::string& path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
}

bool exists(const std::string& path)
{
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

/// Opens `file` afresh: it must replay `records` records into a store equal to `want`.
void check_reopens(const std::string& file, std::size_t records, const rw::reference::object_store& want)
{
    rw::reference::local_store again;
    again.open(file);
    CHECK(again.replayed() == records);
    CHECK(again.objects() == want);
}

/// What a DOWNLOAD that acknowledges every local write does to the store (without changesets).
void acknowledge(rw::reference::local_store& st)
{
    rw::endpoint::incoming_download d;
    d.progress = st.progress();
    d.progress.upload.client_version = st.current_client_version();
    d.progress.download.last_integrated_client_version = st.current_client_version();
    REQUIRE(st.integrate(d).ok());
}

/// Rewrites the names of Items 1..5 `rounds` times: the log grows with every round, the content not.
void rewrite(rw::reference::local_store& st, int rounds)
{
    for (int r = 0; r < rounds; ++r)
        st.put_items(items(1, 5, "round" + std::to_string(r) + "-"));
}

/// A local store in a directory of its own, opened, with `rounds` rewrites in its log.
struct written_store {
    temp_dir d;
    std::string file;
    rw::reference::local_store st;
    explicit written_store(int rounds) : file(d.str() + "/c.rwlocal")
    {
        st.open(file);
        rewrite(st, rounds);
    }
};

} // namespace

TEST_CASE("local_store: compact() rewrites the log as one snapshot and a reopen gives the same store")
{
    written_store w(40);
    auto& st = w.st;
    const std::string& file = w.file;
    REQUIRE(st.set_client_file_ident({11, 12345}).ok());
    rewrite(st, 10);
    const std::uint64_t before = st.log_bytes();
    CHECK(before == file_size(file));

    st.compact();
    CHECK(st.compactions() == 1);
    CHECK(st.log_bytes() == file_size(file));
    CHECK(st.log_bytes() != before); // one record now (larger, even: nothing is uploaded, so all is kept)
    CHECK_FALSE(exists(file + ".compact"));
    {
        rw::reference::local_store again;
        again.open(file);
        CHECK(again.replayed() == 1); // the snapshot alone
        CHECK(again.objects() == st.objects());
        CHECK(again.objects().local_history().size() == 50); // not uploaded yet: every write kept
        REQUIRE(again.client_file_ident());
        CHECK(again.client_file_ident()->salt == 12345);
        CHECK(again.current_client_version() == st.current_client_version());
    }
    // Writes after a compaction are appended to the new log as before.
    rewrite(st, 3);
    check_reopens(file, 4, st.objects());
}

TEST_CASE("local_store: a crash around a compaction leaves a log that opens to the same content")
{
    written_store w(5);
    const auto& st = w.st;
    const std::string& file = w.file;
    // A crash before the rename leaves FILE.compact behind (here: half a snapshot): the log is untouched,
    // open() ignores the stray file and the next compaction replaces it.
    {
        std::ofstream f(file + ".compact", std::ios::binary);
        f << std::string(rw::reference::durable_log::magic, 8) << std::string("\x10\x00\x00\x00garbage", 11);
    }
    check_reopens(file, 5, st.objects());
    rw::reference::local_store after_crash;
    after_crash.open(file);
    after_crash.compact();
    CHECK_FALSE(exists(file + ".compact"));
    check_reopens(file, 1, st.objects());
}

TEST_CASE("local_store: a snapshot record must come first and must read whole")
{
    temp_dir d;
    rw::reference::object_store content;
    content.put_items(items(1, 3, "x-"));
    std::error_code ec;
    const std::string snap = content.snapshot(ec);
    REQUIRE_FALSE(ec);

    // After another record: refused (a snapshot is the whole store).
    const std::string late = d.str() + "/late.rwlocal";
    {
        rw::reference::durable_log log;
        log.open(late, nullptr, ec);
        REQUIRE_FALSE(ec);
        std::string ident(1, 'I');
        ident += std::string(16, '\x01');
        log.append(ident, ec);
        log.append("S" + snap, ec);
        REQUIRE_FALSE(ec);
    }
    rw::reference::local_store st;
    st.open(late, ec);
    CHECK(ec == std::errc::illegal_byte_sequence);
    CHECK_FALSE(st.is_open());

    // First but cut short (with a valid checksum: written that way, not torn): refused.
    const std::string cut = d.str() + "/cut.rwlocal";
    {
        rw::reference::durable_log log;
        log.open(cut, nullptr, ec);
        log.append("S" + snap.substr(0, snap.size() - 1), ec);
        REQUIRE_FALSE(ec);
    }
    st.open(cut, ec);
    CHECK(ec == std::errc::illegal_byte_sequence);

    // Whole and first: read.
    const std::string good = d.str() + "/good.rwlocal";
    {
        rw::reference::durable_log log;
        log.open(good, nullptr, ec);
        log.append("S" + snap, ec);
        REQUIRE_FALSE(ec);
    }
    st.open(good, ec);
    REQUIRE_FALSE(ec);
    CHECK(st.objects() == content);
}

TEST_CASE("object_store::restore refuses every cut and damaged snapshot, says where, and keeps the store")
{
    rw::reference::object_store content;
    content.put_items(items(1, 4, "y-"));
    content.set_client_file_ident({3, 4});
    std::error_code ec;
    const std::string snap = content.snapshot(ec);
    REQUIRE_FALSE(ec);

    rw::reference::object_store st;
    st.put_items(items(9, 1, "kept-"));
    const rw::reference::object_store before = st;
    rw::error_info where;
    for (std::size_t n = 0; n < snap.size(); ++n) {
        st.restore(std::string_view(snap).substr(0, n), ec, where);
        INFO("cut at " << n);
        REQUIRE(ec == std::errc::illegal_byte_sequence);
        CHECK(where.offset <= n);
        CHECK_FALSE(where.field.empty());
    }
    CHECK(st == before);
    // Trailing bytes, an unknown format, a count larger than the input could hold.
    st.restore(snap + "x", ec, where);
    CHECK(ec == std::errc::illegal_byte_sequence);
    CHECK(where.field == "end");
    CHECK(where.offset == snap.size());
    std::string other = snap;
    other[0] = '\x03';
    st.restore(other, ec, where);
    CHECK(where.field == "format");
    CHECK(where.offset == 0);
    std::string huge = snap;
    // The history count sits after format, ident (3 words), progress (6), version and two counters.
    const std::size_t history_count_at = 8 * (1 + 3 + 6 + 3);
    for (std::size_t k = 0; k < 8; ++k)
        huge[history_count_at + k] = '\xFF';
    st.restore(huge, ec, where);
    CHECK(where.field == "history");
    CHECK(where.offset == history_count_at);
    CHECK(st == before);
    // A local changeset that does not decode.
    rw::reference::object_store bad_history;
    bad_history.put_items(items(1, 1, "z-"));
    std::string with_bad = bad_history.snapshot(ec);
    const std::size_t first_changeset = history_count_at + 8 + 3 * 8 + 8;
    with_bad[first_changeset] = '\x7F'; // not a tag
    st.restore(with_bad, ec, where);
    CHECK(where.field == "history.changeset");
    CHECK(st == before);

    st.restore(snap, ec, where);
    REQUIRE_FALSE(ec);
    CHECK(st == content);
}

TEST_CASE("local_store: compaction past a size keeps the log bounded while the content stays the same")
{
    temp_dir d;
    const std::string file = d.str() + "/auto.rwlocal";
    rw::reference::local_store st;
    st.open(file);
    st.set_auto_compact(8192);
    rw::reference::local_store plain; // the same writes and acknowledgements, never compacted
    plain.open(d.str() + "/plain.rwlocal");
    std::uint64_t largest = 0;
    for (int r = 0; r < 300; ++r) {
        for (auto* s : {&st, &plain}) {
            rewrite(*s, 1);
            acknowledge(*s);
        }
        largest = std::max(largest, st.log_bytes());
    }
    INFO("largest " << largest << ", uncompacted " << plain.log_bytes());
    CHECK(st.compactions() >= 3);
    CHECK(largest <= 2 * 8192 + 1024);
    CHECK(plain.log_bytes() > 4 * largest);
    // Acknowledged writes go at each compaction: what is left came after the last one.
    CHECK(st.objects().local_history().size() < 100);
    CHECK(plain.objects().local_history().size() == 300);
    rw::reference::local_store again;
    again.open(file);
    CHECK(again.objects() == st.objects());
    CHECK(again.objects().state() == plain.objects().state());
    CHECK(again.progress() == plain.progress());
    CHECK(again.current_client_version() == plain.current_client_version());

    // Writes not acknowledged are never dropped: with nothing to gain the log is left alone.
    rw::reference::local_store offline;
    offline.open(d.str() + "/offline.rwlocal");
    offline.set_auto_compact(4096);
    rewrite(offline, 100);
    CHECK(offline.compactions() == 0);
    CHECK(offline.objects().local_history().size() == 100);
}

TEST_CASE("local_store: downloads, reciprocal history and unuploaded writes survive a compaction, and sync goes on")
{
    running_server s;
    temp_dir d;
    const std::string fa = d.str() + "/a.rwlocal";
    rw::reference::object_store b;
    std::error_code ec;
    {
        rw::reference::local_store a;
        a.open(fa);
        a.commit(a.objects().items_changeset({{1, std::string("from-a")}}), 1000000, ec);
        REQUIRE_FALSE(ec);
        b.commit(b.items_changeset({{1, std::string("from-b")}, {2, std::string("b-only")}}), 2000000, ec);
        REQUIRE_FALSE(ec);
        asio::io_context ioc;
        auto ca = std::make_shared<rw::reference::client>(ioc, config(s, "/compact", "a"), a.objects(), &a);
        auto cb = std::make_shared<rw::reference::client>(ioc, config(s, "/compact", "b"), b);
        ca->start();
        cb->start();
        REQUIRE(rw::reference::client::run_until(
            ioc,
            [&] {
                if (ca->synced())
                    ca->request_mark();
                if (cb->synced())
                    cb->request_mark();
                return ca->synced() && cb->synced() && a.objects().describe() == b.describe() && item_count(b) == 2;
            },
            10s));
        ca->stop();
        cb->stop();
        rw::reference::client::run_until(ioc, [] { return false; }, 20ms);
        // Offline again: a write the server has not seen, then the compaction.
        a.commit(a.objects().items_changeset({{3, std::string("a-offline")}}), 3000000, ec);
        REQUIRE_FALSE(ec);
        CHECK(a.objects().downloaded_changesets() > 0);
        a.compact();
        rw::reference::local_store reopened;
        reopened.open(fa);
        CHECK(reopened.replayed() == 1);
        CHECK(reopened.objects() == a.objects());
        CHECK_FALSE(reopened.objects().upload_complete());
    }
    // A new run on the compacted file uploads the offline write and converges with b.
    rw::reference::local_store a;
    a.open(fa);
    asio::io_context ioc;
    auto ca = std::make_shared<rw::reference::client>(ioc, config(s, "/compact", "a"), a.objects(), &a);
    auto cb = std::make_shared<rw::reference::client>(ioc, config(s, "/compact", "b"), b);
    ca->start();
    cb->start();
    bool ok = rw::reference::client::run_until(
        ioc,
        [&] {
            if (ca->failed() || cb->failed())
                return true;
            if (ca->synced())
                ca->request_mark();
            if (cb->synced())
                cb->request_mark();
            return ca->synced() && cb->synced() && item_count(b) == 3 && a.objects().describe() == b.describe();
        },
        10s);
    INFO(ca->failure().what << " / " << cb->failure().what);
    REQUIRE(ok);
    REQUIRE_FALSE(ca->failed());
    const std::vector<std::string> want{"Item{_id=1, name=\"from-b\"}", "Item{_id=2, name=\"b-only\"}",
                                        "Item{_id=3, name=\"a-offline\"}"};
    CHECK(b.describe() == want);
    ca->stop();
    cb->stop();
    rw::reference::client::run_until(ioc, [] { return false; }, 20ms);
}

TEST_CASE("realmwire client --local FILE --compact: the log becomes one snapshot with the same objects")
{
    temp_dir d;
    const std::string file = d.str() + "/t.rwlocal";
    {
        rw::reference::local_store st;
        st.open(file);
        rewrite(st, 30);
    }
    const std::uint64_t before = file_size(file);
    // A port nothing listens on: the run only opens, compacts and tries to connect until killed.
    std::uint16_t dead_port = 0;
    {
        asio::io_context tmp;
        asio::ip::tcp::acceptor acc(tmp, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        dead_port = acc.local_endpoint().port();
    }
    rw_tool_test::tool_process client({"client", "--server", "ws://127.0.0.1:" + std::to_string(dead_port), "--path",
                                       "/c", "--token", "t", "--local", file, "--compact", "--timeout", "30"});
    const bool compacted = client.wait_for("compacted: ");
    client.stop(SIGTERM);
    INFO(client.consumed() + client.unconsumed());
    REQUIRE(compacted);
    CHECK_THAT(client.consumed() + client.unconsumed(),
               Catch::Contains("local file " + file + " compacted: " + std::to_string(before) + " -> "));
    rw::reference::local_store st;
    st.open(file);
    CHECK(st.replayed() == 1);
    CHECK(item_count(st.objects()) == 5);

    auto usage = rw_tool_test::run_tool({"client", "--server", "ws://127.0.0.1:1", "--path", "/c", "--token", "t", "--compact"});
    CHECK(usage.status != 0);
    CHECK_THAT(usage.output, Catch::Contains("--compact needs --local FILE"));
}

TEST_CASE("realmwire client --compact killed at any moment: the file opens to the same content every time")
{
    temp_dir d;
    const std::string original = d.str() + "/o.rwlocal";
    {
        rw::reference::local_store st;
        st.open(original);
        rewrite(st, 400); // a log long enough that replaying and compacting take a while
    }
    rw::reference::local_store want;
    want.open(original);
    std::ifstream in(original, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::uint16_t dead_port = 0;
    {
        asio::io_context tmp;
        asio::ip::tcp::acceptor acc(tmp, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        dead_port = acc.local_endpoint().port();
    }
    const std::string file = d.str() + "/k.rwlocal";
    int compacted_before_kill = 0;
    for (int round = 0; round < 12; ++round) {
        std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
        rw_tool_test::tool_process client({"client", "--server", "ws://127.0.0.1:" + std::to_string(dead_port), "--path",
                                           "/c", "--token", "t", "--local", file, "--compact", "--timeout", "30"});
        // From right after the start to well after the compaction (it takes a few to a few tens of ms
        // here); the last round waits for it to be reported, so at least one kill comes after it.
        if (round == 11)
            CHECK(client.wait_for("compacted: "));
        else
            std::this_thread::sleep_for(std::chrono::milliseconds(round * round * 2));
        client.signal(SIGKILL);
        client.stop(SIGKILL);
        rw::reference::local_store st;
        std::error_code ec;
        st.open(file, ec);
        INFO("round " << round);
        REQUIRE_FALSE(ec);
        CHECK(st.objects() == want.objects());
        if (st.replayed() == 1)
            ++compacted_before_kill;
    }
    // The later rounds kill it after the compaction, the first ones before or during it.
    CHECK(compacted_before_kill > 0);
}

TEST_CASE("object_store::commit refuses a write the decoder would refuse, so no log or upload holds one")
{
    temp_dir d;
    rw::reference::local_store st;
    st.open(d.str() + "/r.rwlocal");
    st.put_items(items(1, 1, "ok-"));
    const std::uint64_t bytes = st.log_bytes();
    const rw::reference::object_store before = st.objects();
    // A table name longer than realm's 57 characters: realm-core's decoder and the server refuse it.
    rw::changeset::changeset cs;
    rw::changeset::add_table t;
    t.table = cs.intern(std::string(70, 'T'));
    t.pk_field = cs.intern("_id");
    cs.instructions.emplace_back(t);
    std::error_code ec;
    CHECK(st.commit(cs, 1, ec) == 0);
    CHECK(ec == rw::changeset_error::name_too_long);
    CHECK(st.objects() == before);
    CHECK(st.log_bytes() == bytes);
    // A string id the changeset does not intern.
    rw::changeset::changeset bad;
    rw::changeset::erase_table e;
    e.table = {5};
    bad.instructions.emplace_back(e);
    CHECK(st.commit(bad, 1, ec) == 0);
    CHECK(ec);
    CHECK(st.objects() == before);
    check_reopens(d.str() + "/r.rwlocal", 1, before);
}

namespace {

/// O: _id int, m Mixed; T: _id int. O{1}.m links to T{1}, then holds 5: from the link on, T is a link
/// target of O for good (realm-core's backlink column stays), which no changeset recreating O and T says.
rw::changeset::changeset mixed_link_to_t()
{
    namespace cs = rw::changeset;
    cs::changeset c;
    const auto o = c.intern("O"), t = c.intern("T"), id = c.intern("_id"), m = c.intern("m");
    cs::add_table at;
    at.table = o;
    at.pk_field = id;
    c.instructions.emplace_back(at);
    at.table = t;
    c.instructions.emplace_back(at);
    cs::add_column ac;
    ac.table = o;
    ac.field = m;
    ac.type = cs::payload_type::null; // Mixed
    ac.nullable = true;
    c.instructions.emplace_back(ac);
    for (auto table : {o, t}) {
        cs::create_object co;
        co.table = table;
        co.object = std::int64_t{1};
        c.instructions.emplace_back(co);
    }
    cs::update u;
    u.table = o;
    u.object = std::int64_t{1};
    u.field = m;
    u.value = cs::payload::make_link(t, std::int64_t{1});
    c.instructions.emplace_back(u);
    u.value = cs::payload::make_int(5);
    c.instructions.emplace_back(u);
    return c;
}

std::string u64_le(std::uint64_t v)
{
    std::string s;
    rw::detail::append_u64_le(s, v);
    return s;
}

} // namespace

TEST_CASE("object_store: a snapshot keeps the tables other tables' Mixed fields have linked to, and the first format still reads")
{
    rw::reference::object_store st;
    st.put_items(items(1, 2, "a-"));
    st.apply(mixed_link_to_t());
    REQUIRE(st.find_table("T")->mixed_link_target);
    std::error_code ec;
    const std::string snap = st.snapshot(ec);
    REQUIRE_FALSE(ec);
    REQUIRE(snap.substr(snap.size() - 17) == u64_le(1) + u64_le(1) + "T");

    rw::reference::object_store back;
    back.restore(snap, ec);
    REQUIRE_FALSE(ec);
    CHECK(back == st);
    CHECK(back.find_table("T")->mixed_link_target);
    CHECK_FALSE(back.find_table("O")->mixed_link_target);
    rw::changeset::changeset erase_t;
    rw::changeset::erase_table et;
    et.table = erase_t.intern("T");
    erase_t.instructions.emplace_back(et);
    back.apply(erase_t, ec);
    CHECK(ec == rw::apply_error::table_is_link_target); // refused after the restore as before it

    // The names come in order, once each, and name tables that exist.
    rw::reference::object_store kept;
    kept.put_items(items(9, 1, "kept-"));
    const rw::reference::object_store before = kept;
    rw::error_info where;
    const std::string head = snap.substr(0, snap.size() - 17);
    kept.restore(head + u64_le(1) + u64_le(1) + "X", ec, where);
    CHECK(ec == std::errc::illegal_byte_sequence);
    CHECK(where.field == "mixed_link_targets");
    CHECK(where.offset == head.size() + 8);
    kept.restore(head + u64_le(2) + u64_le(1) + "T" + u64_le(1) + "T", ec, where);
    CHECK(where.field == "mixed_link_targets");
    CHECK(where.offset == head.size() + 8 + 9);
    kept.restore(head + u64_le(2) + u64_le(1) + "T", ec, where);
    CHECK(where.field == "mixed_link_targets");
    CHECK(where.offset == head.size()); // a count the bytes left cannot hold
    CHECK(kept == before);

    // Format 1: no list after the objects.
    rw::reference::object_store plain;
    plain.put_items(items(1, 3, "p-"));
    const std::string v2 = plain.snapshot(ec);
    REQUIRE(v2.substr(v2.size() - 8) == u64_le(0));
    std::string v1 = v2.substr(0, v2.size() - 8);
    v1[0] = '\x01';
    rw::reference::object_store from_v1;
    from_v1.restore(v1, ec, where);
    REQUIRE_FALSE(ec);
    CHECK(from_v1 == plain);
    CHECK(from_v1.snapshot(ec) == v2);
    from_v1.restore(v1 + u64_le(0), ec, where); // the list is not read from a format 1 snapshot
    CHECK(where.field == "end");
    CHECK(where.offset == v1.size());
}
