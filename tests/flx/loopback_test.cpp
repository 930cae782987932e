// Flexible sync against the real reference server over loopback (WebSocket, tokens, the sync_server
// driver): two raw FLX clients, bootstraps, a subscription change, QUERY_ERROR, a compensating write.
#include "security/security_sync_support.hpp"
#include "support.hpp"

using namespace rw_flx_test;
using namespace std::chrono_literals;

namespace {

/// A raw FLX client on loopback that keeps its realm as a reference::state.
struct wire_client {
    rw_sec::raw_client c;
    reference::state realm;
    std::pair<std::uint64_t, std::int64_t> file{};
    std::uint64_t client_version = 0;
    std::vector<received_download> downloads;
    std::vector<protocol::query_error_message> query_errors;
    std::vector<std::string> query_error_texts;
    std::vector<std::pair<int, std::string>> json_errors;
    std::vector<int> errors;

    void open(reference::server& srv, const std::string& token, const std::string& query)
    {
        REQUIRE(c.open(srv.port()));
        REQUIRE(c.upgrade(dialects::mongodb_flx, token, "") == 101);
        auto f = c.bind_new(1, R"j({"schemaVersion":0,"sessionReason":0})j");
        REQUIRE(f);
        file = *f;
        protocol::client_ident_message m;
        m.session_ident = 1;
        m.client_file_ident = file.first;
        m.client_file_ident_salt = file.second;
        m.has_query = true;
        m.query_version = 1;
        m.query = query;
        c.send_msg(m);
    }
    void subscribe(const std::string& query, std::int64_t version)
    {
        protocol::query_message q;
        q.session_ident = 1;
        q.query_version = version;
        q.query = query;
        c.send_msg(q);
    }
    void write(const cs::changeset& cs_)
    {
        realm.apply(cs_);
        c.upload(1, ++client_version, cs::encode(cs_));
    }
    /// Reads messages until `done` holds (or 5 s pass without a message); false on a timeout.
    template <class Done>
    bool until(Done done)
    {
        for (int i = 0; i < 1000 && !done(); ++i) {
            auto m = c.next_relevant(5000ms);
            if (!m)
                return false;
            take(*m);
        }
        return done();
    }
    /// Waits for the LastInBatch DOWNLOAD of query version `v`.
    bool bootstrapped(std::int64_t v)
    {
        return until([&] {
            for (const auto& d : downloads)
                if (d.query_version == v && d.batch == protocol::batch_state::last_in_batch)
                    return true;
            return false;
        });
    }
    std::set<std::int64_t> items() const
    {
        std::set<std::int64_t> out;
        if (const auto* t = realm.find_table("Item"))
            for (const auto& kv : t->objects)
                out.insert(std::get<std::int64_t>(kv.first));
        return out;
    }

private:
    void take(const protocol::server_message& m)
    {
        if (auto* d = std::get_if<protocol::download_message>(&m)) {
            std::string body;
            std::error_code ec;
            protocol::download_message copy = *d;
            protocol::decompress_body(copy, body, {}, ec);
            REQUIRE_FALSE(ec);
            received_download r;
            r.query_version = d->query_version;
            r.batch = d->batch;
            r.server_version = d->download_server_version;
            for (const auto& e : copy.entries) {
                CHECK(e.origin_file_ident != file.first);
                realm.apply(cs::decode_changeset(e.changeset, ec));
                REQUIRE_FALSE(ec);
                ++r.changesets;
            }
            downloads.push_back(r);
        }
        else if (auto* q = std::get_if<protocol::query_error_message>(&m)) {
            query_error_texts.emplace_back(q->message);
            query_errors.push_back(*q);
        }
        else if (auto* j = std::get_if<protocol::json_error_message>(&m)) {
            json_errors.emplace_back(j->error_code, std::string(j->json));
        }
        else if (auto* e = std::get_if<protocol::error_message>(&m)) {
            errors.push_back(e->error_code);
        }
    }
};

} // namespace

TEST_CASE("flx over loopback: views, a subscription change, QUERY_ERROR and a compensating write on the reference server")
{
    reference::server_config cfg;
    reference::server srv(cfg);
    srv.start();
    std::string alice = rw_sec::token_of(srv, "alice", auth::token_kind::access, std::string("/__flx"));
    std::string bob = rw_sec::token_of(srv, "bob", auth::token_kind::access, std::string("/__flx"));

    wire_client writer;
    writer.open(srv, alice, R"j({"Item":"TRUEPREDICATE"})j");
    REQUIRE(writer.bootstrapped(1));
    writer.write(item_schema());
    for (std::int64_t i = 1; i <= 4; ++i)
        writer.write(create_item(i, "item" + std::to_string(i), i));
    REQUIRE(writer.until([&] { return !writer.downloads.empty() && writer.downloads.back().server_version >= 6; }));

    wire_client reader;
    reader.open(srv, bob, R"j({"Item":"(price < 3)"})j");
    REQUIRE(reader.bootstrapped(1));
    CHECK(reader.items() == std::set<std::int64_t>{1, 2});

    // a subscription change re-bootstraps
    reader.subscribe(R"j({"Item":"(price >= 3)"})j", 2);
    REQUIRE(reader.bootstrapped(2));
    CHECK(reader.items() == std::set<std::int64_t>{3, 4});

    // a bad query: QUERY_ERROR, the session and version 2 stay
    reader.subscribe(R"j({"Item":"price.@count > 1"})j", 3);
    REQUIRE(reader.until([&] { return !reader.query_errors.empty(); }));
    CHECK(reader.query_errors[0].error_code == 226);
    CHECK(reader.query_errors[0].query_version == 3);

    // a write that moves an object into the view reaches the reader whole
    writer.write(set_price(1, 10));
    REQUIRE(reader.until([&] { return reader.items().count(1) == 1; }));
    CHECK(reader.items() == std::set<std::int64_t>{1, 3, 4});
    CHECK(reader.downloads.back().query_version == 2);
    CHECK(reader.downloads.back().batch == protocol::batch_state::steady_state);

    // a write outside the view is compensated
    reader.write(create_item(99, "sneaky", 0));
    REQUIRE(reader.until([&] { return !reader.json_errors.empty(); }));
    CHECK(reader.json_errors[0].first == 231);
    auto body = protocol::parse_json_error_body(reader.json_errors[0].second, 231);
    REQUIRE(body.rejected_updates.size() == 1);
    CHECK(body.rejected_updates[0].table == "Item");
    REQUIRE(reader.until([&] { return reader.items().count(99) == 0; }));
    CHECK(reader.items() == std::set<std::int64_t>{1, 3, 4});
    CHECK(writer.errors.empty());
    CHECK(reader.errors.empty());
    srv.stop();
}
