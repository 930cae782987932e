// The server's reciprocal history stays bounded: a client's entries at or below its upload cursor are
// dropped as the cursor moves (durably: a reopen trims the same), merging stays byte-exact with
// realm-core while it happens, and a byte limit per realm refuses an upload that would pass it.
#include <realmwire/reference/sync_backend.hpp>

#include "merge_sync/vectors.hpp"
#include "reference/support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>

using namespace realmwire;
using namespace rw_merge_test;

namespace {

using source = reference::history_source;

struct outcome {
    std::size_t uploads = 0, matched = 0;
    std::uint64_t peak_bytes = 0;
    std::uint64_t untrimmed_bytes = 0; ///< what a history that never trims would hold at the end
    std::error_code ec;                ///< of the first integrate that failed (then the run stops)
};

/// Integrates the scenario's uploads [from, to) into `h` through the merger (versions shifted down by one,
/// as in server_merge_test.cpp), each with its own cursor as upload progress.
outcome run(reference::realm_history& h, const scenario& sc, std::size_t from, std::size_t to,
            std::map<std::pair<std::uint64_t, std::uint64_t>, std::size_t>* untrimmed = nullptr)
{
    outcome o;
    endpoint::upload_merger<> merger;
    auto evs = sc.server_events();
    for (std::size_t i = from; i < to && i < evs.size(); ++i) {
        const auto& e = evs[i];
        const std::uint64_t lisv = e.last_integrated_server_version > 0 ? e.last_integrated_server_version - 1 : 0;
        std::vector<protocol::upload_entry> in{{e.client_version, lisv, e.origin_timestamp, 0, e.upload}};
        endpoint::merged_upload m;
        auto st = merger.merge(source(h), e.origin_file_ident,
                               h.find_client(e.origin_file_ident)->last_integrated_client_version, in, m);
        REQUIRE(st);
        REQUIRE(m.changesets.size() == 1);
        std::vector<protocol::upload_entry> store{{e.client_version, lisv, e.origin_timestamp, 0, m.changesets[0].changeset}};
        h.integrate(e.origin_file_ident, store, e.client_version, lisv, o.ec, &m.reciprocal);
        if (o.ec)
            return o;
        ++o.uploads;
        o.matched += m.changesets[0].changeset == e.integrated;
        o.peak_bytes = std::max(o.peak_bytes, h.reciprocal_bytes());
        if (untrimmed)
            for (const auto& [v, bytes] : m.reciprocal)
                (*untrimmed)[{e.origin_file_ident, v}] = bytes.size();
    }
    if (untrimmed)
        for (const auto& kv : *untrimmed)
            o.untrimmed_bytes += kv.second;
    return o;
}

/// Every client sends an UPLOAD with no changeset and a cursor at the current version: it has caught
/// up (downloaded everything), so none of its reciprocal entries can be needed again.
void catch_up_all(reference::realm_history& h, const scenario& sc)
{
    for (auto ident : sc.clients) {
        const reference::client_file* f = h.find_client(ident);
        REQUIRE(f);
        std::error_code ec;
        h.integrate(ident, {}, f->last_integrated_client_version, h.version(), ec);
        REQUIRE_FALSE(ec);
    }
}

} // namespace

TEST_CASE("reciprocal_store: bytes follow replacements and trims, live() drops what is dead on arrival")
{
    reference::reciprocal_store s;
    s.apply(2, {{3, "aaa"}, {5, "bbbbb"}}, 0);
    s.apply(3, {{4, "cccc"}}, 0);
    CHECK(s.count() == 3);
    CHECK(s.bytes() == 12);
    CHECK(s.bytes_after(2, {{5, "b"}}, 0) == 8); // a replacement counts once
    s.apply(2, {{5, "b"}}, 0);
    CHECK(s.bytes() == 8);
    CHECK(*s.find(2, 5) == "b");
    CHECK(s.bytes_after(2, {{7, "dd"}}, 4) == 4 + 1 + 2); // 3 trimmed, 5 kept, 7 added
    s.apply(2, {{1, "dead"}, {7, "dd"}}, 4);             // 1 is at or below the cursor: never stored
    CHECK(s.find(2, 1) == nullptr);
    CHECK(s.find(2, 3) == nullptr);
    CHECK(s.count() == 3);
    CHECK(s.bytes() == 7);
    CHECK(reference::reciprocal_store::live({{1, "x"}, {4, "y"}, {5, "z"}}, 4).size() == 1);
    s.trim(2, 100);
    s.trim(3, 100);
    CHECK(s.count() == 0);
    CHECK(s.bytes() == 0);
    std::error_code ec;
    s.check(9, {{10, std::string(11, 'x')}}, 0, 10, ec);
    CHECK(ec == merge_error::reciprocal_history_too_large);
    CHECK(ec == condition::limit_exceeded);
    s.check(9, {{10, std::string(10, 'x')}}, 0, 10, ec);
    CHECK_FALSE(ec);
    s.check(9, {{10, std::string(11, 'x')}}, 0, 0, ec); // 0 = no limit
    CHECK_FALSE(ec);
}

TEST_CASE("server reciprocal history: trimmed as cursors move, byte-exact merging all the same, smaller after catch-up")
{
    std::size_t uploads = 0, matched = 0, states_equal = 0, shrank = 0;
    std::uint64_t peak_sum = 0, untrimmed_sum = 0, trimmed_sum = 0, after_catch_up = 0;
    for (int n = 0; n < scenario_count; ++n) {
        scenario sc = load_scenario(n);
        reference::realm_history h;
        h.open_in_memory();
        std::error_code ec;
        for (auto ident : sc.clients)
            REQUIRE(h.allocate_client_file(ec).ident == ident);
        std::map<std::pair<std::uint64_t, std::uint64_t>, std::size_t> untrimmed;
        outcome o = run(h, sc, 0, sc.server_events().size(), &untrimmed);
        REQUIRE_FALSE(o.ec);
        uploads += o.uploads;
        matched += o.matched;
        peak_sum += o.peak_bytes;
        untrimmed_sum += o.untrimmed_bytes;
        trimmed_sum += h.reciprocal_bytes();
        CHECK(h.reciprocal_bytes() <= o.untrimmed_bytes);
        if (reference::dump_state(h.current_state()) == sc.final_state)
            ++states_equal;
        const std::uint64_t before = h.reciprocal_bytes();
        catch_up_all(h, sc);
        CHECK(h.reciprocal_count() == 0);
        CHECK(h.reciprocal_bytes() == 0);
        shrank += before > 0;
        after_catch_up += h.reciprocal_bytes();
    }
    INFO("matched " << matched << "/" << uploads << ", reciprocal bytes: untrimmed " << untrimmed_sum << ", kept "
                    << trimmed_sum << ", peak " << peak_sum);
    CHECK(uploads == 1208);
    CHECK(matched == uploads);                  // realm-core's bytes, every one, while trimming
    CHECK(states_equal == scenario_count);      // and the same final states
    CHECK(trimmed_sum < untrimmed_sum);         // the trim really dropped something
    CHECK(shrank > 0);                          // and catching up dropped the rest
    CHECK(after_catch_up == 0);
    WARN("reciprocal history over the 40 scenarios: " << untrimmed_sum << " bytes untrimmed, " << trimmed_sum
                                                      << " kept with trimming, 0 after every client caught up");
}

TEST_CASE("server reciprocal history: the trim is durable (a reopen trims the same), a torn record trims nothing")
{
    scenario sc = load_scenario(4);
    rw_ref_test::temp_dir dir;
    const std::string file = dir.str() + "/r.log";
    const std::size_t total = sc.server_events().size();
    std::size_t count = 0;
    std::uint64_t bytes = 0, version = 0;
    std::uintmax_t size_before_catch_up = 0;
    {
        reference::realm_history h;
        std::error_code ec;
        h.open(file, ec);
        REQUIRE_FALSE(ec);
        for (auto ident : sc.clients)
            REQUIRE(h.allocate_client_file(ec).ident == ident);
        outcome o = run(h, sc, 0, total);
        REQUIRE_FALSE(o.ec);
        CHECK(o.matched == total);
        REQUIRE(h.reciprocal_count() > 0);
        count = h.reciprocal_count();
        bytes = h.reciprocal_bytes();
        version = h.version();
        size_before_catch_up = std::filesystem::file_size(file);
        // One client catches up; its entries go (the log gets one small record for it).
        const reference::client_file* f = h.find_client(sc.clients.front());
        REQUIRE(f);
        REQUIRE(f->upload_progress_server_version < version);
        h.integrate(f->ident, {}, f->last_integrated_client_version, version, ec);
        REQUIRE_FALSE(ec);
        CHECK(h.reciprocal_bytes() <= bytes);
    }
    REQUIRE(std::filesystem::file_size(file) > size_before_catch_up + 5);
    std::size_t trimmed_count = 0;
    std::uint64_t trimmed_bytes = 0;
    {
        reference::realm_history h;
        std::error_code ec;
        h.open(file, ec);
        REQUIRE_FALSE(ec);
        CHECK(h.version() == version);
        trimmed_count = h.reciprocal_count();
        trimmed_bytes = h.reciprocal_bytes();
        catch_up_all(h, sc);
        CHECK(h.reciprocal_count() == 0);
    }
    {
        reference::realm_history h; // the catch-up records replay to the same empty reciprocal history
        std::error_code ec;
        h.open(file, ec);
        REQUIRE_FALSE(ec);
        CHECK(h.reciprocal_count() == 0);
        CHECK(h.reciprocal_bytes() == 0);
        CHECK(reference::dump_state(h.current_state()) == sc.final_state);
    }
    // kill -9 in the middle of the first catch-up record: the torn tail is cut, neither the cursor nor
    // the trim it implies survives, and the history is exactly what it was before that record.
    std::filesystem::resize_file(file, size_before_catch_up + 5);
    {
        reference::realm_history h;
        std::error_code ec;
        h.open(file, ec);
        REQUIRE_FALSE(ec);
        CHECK(h.version() == version);
        CHECK(h.reciprocal_count() == count);
        CHECK(h.reciprocal_bytes() == bytes);
    }
    CHECK(trimmed_count <= count);
    CHECK(trimmed_bytes <= bytes);
}

TEST_CASE("server reciprocal history: a byte limit per realm refuses the upload that would pass it, storing nothing")
{
    scenario sc = load_scenario(4);
    // First the unlimited peak, then a limit below it.
    std::uint64_t peak = 0;
    {
        reference::realm_history h;
        h.open_in_memory();
        std::error_code ec;
        for (auto ident : sc.clients)
            REQUIRE(h.allocate_client_file(ec).ident == ident);
        outcome o = run(h, sc, 0, sc.server_events().size());
        REQUIRE_FALSE(o.ec);
        peak = o.peak_bytes;
    }
    REQUIRE(peak > 1);
    reference::realm_history h;
    h.open_in_memory();
    h.set_max_reciprocal_bytes(peak - 1);
    std::error_code ec;
    for (auto ident : sc.clients)
        REQUIRE(h.allocate_client_file(ec).ident == ident);
    outcome o = run(h, sc, 0, sc.server_events().size());
    REQUIRE(o.ec == merge_error::reciprocal_history_too_large);
    CHECK(o.ec == condition::limit_exceeded);
    CHECK(std::string(o.ec.category().name()) == "realmwire.merge");
    CHECK(h.version() == o.uploads);                     // the refused upload is not in the history
    CHECK(h.reciprocal_bytes() <= peak - 1);             // nor its reciprocal updates
    CHECK(o.matched == o.uploads);                       // what went in before is still realm-core's
}

#include "realmwire/endpoint/server_connection.hpp"
#include "realmwire/protocol/decode.hpp"

// Through the sync backend: two clients write the same field concurrently; the second upload's merge
// rewrites the first client's entry for it (a reciprocal update). With a limit smaller than that update the
// upload ends its session with 201 and nothing is stored; with the default limit it goes through.
TEST_CASE("server reciprocal history: the backend refuses an upload past the realm's limit with 201")
{
    auto changeset_writing = [](const char* value) {
        changeset::changeset c;
        changeset::add_table t;
        t.table = c.intern("Item");
        t.pk_field = c.intern("_id");
        t.pk_type = changeset::payload_type::integer;
        c.instructions.emplace_back(t);
        changeset::add_column col;
        col.table = c.intern("Item");
        col.field = c.intern("name");
        col.type = changeset::payload_type::string;
        c.instructions.emplace_back(col);
        c.instructions.emplace_back(changeset::create_object{c.intern("Item"), std::int64_t{1}});
        changeset::update u;
        u.table = c.intern("Item");
        u.object = std::int64_t{1};
        u.field = c.intern("name");
        u.value = changeset::payload::make_string(value);
        c.instructions.emplace_back(u);
        return changeset::encode(c);
    };
    for (std::uint64_t limit : {std::uint64_t(1), reference::history_backend_limits{}.max_reciprocal_bytes}) {
        auto dir = std::make_shared<reference::realm_directory>();
        reference::history_backend_limits lim;
        lim.max_reciprocal_bytes = limit;
        reference::history_backend backend(dir, std::make_shared<reference::permission_service>(), lim);
        endpoint::server_connection_config cfg;
        cfg.log_message_on_connect = false;
        auto now = std::chrono::steady_clock::now();
        endpoint::server_connection a(backend, cfg, now), b(backend, cfg, now);
        auto drain = [&](endpoint::server_connection& c) {
            std::vector<std::string> out;
            while (auto m = c.next_output(now))
                out.push_back(*m);
            return out;
        };
        auto start = [&](endpoint::server_connection& c) {
            c.receive("bind 1 5 0 1 0\n/test", now);
            auto out = drain(c);
            REQUIRE(out.size() == 1);
            auto ident = std::get<protocol::server_ident_message>(protocol::decode_server_message(out[0]));
            c.receive("ident 1 " + std::to_string(ident.client_file_ident) + " " +
                          std::to_string(ident.client_file_ident_salt) + " 0 0 0 0\n",
                      now);
            drain(c);
        };
        auto upload = [&](endpoint::server_connection& c, std::uint64_t timestamp, const char* value) {
            std::string cs = changeset_writing(value);
            std::string entry = "2 0 " + std::to_string(timestamp) + " 0 " + std::to_string(cs.size()) + " " + cs;
            c.receive("upload 1 0 " + std::to_string(entry.size()) + " 0 2 0 0\n" + entry, now);
            return drain(c);
        };
        start(a);
        start(b);
        auto first = upload(a, 100, "a");
        std::error_code ec;
        INFO((first.empty() ? std::string("no output") : first.front()));
        REQUIRE(dir->get("/test", ec)->version() == 1);
        auto out = upload(b, 200, "b"); // made without seeing version 1: merged against it
        INFO("limit " << limit);
        auto* h = dir->get("/test", ec);
        if (limit == 1) {
            REQUIRE_FALSE(out.empty());
            INFO(out.front());
            CHECK(out.front().rfind("error 201 ", 0) == 0);
            CHECK(out.front().find("reciprocal history") != std::string::npos);
            CHECK(h->version() == 1);
            CHECK(h->reciprocal_count() == 0);
        }
        else {
            for (const auto& m : out)
                CHECK(m.rfind("error", 0) != 0);
            CHECK(h->version() == 2);
            CHECK(h->reciprocal_count() == 1);
            CHECK(h->reciprocal_bytes() > 1);
        }
    }
}
