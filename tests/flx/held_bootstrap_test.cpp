// The reference client holds an FLX bootstrap's batches until the last one and applies them together
// (realm-core's client does the same): a connection lost in the middle of a bootstrap leaves the realm
// as it was, and the bootstrap the server sends again is applied once, not on top of a half.
#include "realmwire/changeset/encoder.hpp"
#include "realmwire/reference/client.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

using namespace realmwire;

namespace {

using item_list = std::vector<std::pair<std::int64_t, std::optional<std::string>>>;

/// One DOWNLOAD of a bootstrap: its entries' bytes and the message as the session hands it over.
struct bootstrap_batch {
    std::string body;
    endpoint::incoming_download d;

    bootstrap_batch(const std::vector<std::string>& changesets, std::uint64_t first_server_version,
                    protocol::batch_state batch)
    {
        std::uint64_t v = first_server_version;
        for (const auto& cs : changesets) {
            protocol::download_entry e;
            e.server_version = v++;
            e.origin_timestamp = 1000 + v;
            e.origin_file_ident = 7;
            e.original_changeset_size = cs.size();
            e.changeset = cs;
            protocol::append_entry(body, e);
        }
        std::error_code ec;
        d.changesets = protocol::parse_download_entries(body, ec);
        REQUIRE_FALSE(ec);
        d.batch = batch;
        d.query_version = 1;
        d.progress.download.server_version = v - 1;
        d.progress.latest_server_version.version = v - 1;
    }
};

std::string items(const reference::object_store& schema_from, const item_list& list)
{
    return changeset::encode(schema_from.items_changeset(list));
}

} // namespace

TEST_CASE("flx held bootstrap: batches applied together at LastInBatch and dropped at the next BIND (bounded)")
{
    using bs = protocol::batch_state;
    reference::object_store empty;       // its items_changeset carries the schema
    reference::object_store with_schema; // its items_changeset does not
    with_schema.put_items({{0, "schema"}});
    const std::string first = items(empty, {{1, "a"}, {2, "b"}});
    const std::string second = items(with_schema, {{3, "c"}});

    reference::object_store store;
    REQUIRE(store.set_client_file_ident({5, 55}).ok()); // the server's IDENT came first
    reference::flx_subscription_store subs(R"j({"Item":"(TRUEPREDICATE)"})j");
    reference::detail::session_store session(store, subs, 1 << 20);

    // the first batch is held: nothing applied yet, the version is bootstrapping
    bootstrap_batch a({first}, 2, bs::more_to_come);
    REQUIRE(session.integrate(a.d).ok());
    CHECK(store.describe().empty());
    CHECK(session.held_bootstrap_bytes() > first.size());
    CHECK(subs.find(1)->state == reference::flx_subscription_state::bootstrapping);

    // the connection is lost: the next BIND asks for the progress, the held batch is dropped
    const endpoint::sync_progress before = session.progress();
    CHECK(before.download.server_version == 0);
    CHECK(session.held_bootstrap_bytes() == 0);

    // the server sends the whole bootstrap again: applied once, when its last batch is in
    bootstrap_batch a2({first}, 2, bs::more_to_come);
    REQUIRE(session.integrate(a2.d).ok());
    CHECK(store.describe().empty());
    bootstrap_batch b({second}, 3, bs::last_in_batch);
    const endpoint::status last = session.integrate(b.d);
    INFO(last.message);
    REQUIRE(last.ok());
    CHECK(store.describe().size() == 3);
    CHECK(session.held_bootstrap_bytes() == 0);
    CHECK(store.progress().download.server_version == 3);
    CHECK(subs.find(1)->state == reference::flx_subscription_state::awaiting_mark);

    // a bootstrap larger than the limit fails with limits_exceeded instead of growing without bound
    reference::object_store small_store;
    reference::flx_subscription_store small_subs(R"j({"Item":"(TRUEPREDICATE)"})j");
    reference::detail::session_store bounded(small_store, small_subs, first.size());
    bootstrap_batch c({first}, 2, bs::more_to_come);
    endpoint::status st = bounded.integrate(c.d);
    CHECK(st.code == static_cast<int>(protocol::protocol_error::limits_exceeded));
    CHECK(st.message.find("max_bootstrap_bytes") != std::string::npos);
    CHECK(small_store.describe().empty());
}
