#include "realmwire/reference/server.hpp"

#include "support.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace realmwire;
using namespace rw_ref_test;

namespace {

struct pair_result {
    std::vector<std::string> a, b;
    std::size_t a_skipped = 0, b_skipped = 0;
};

/// Client A writes 5 objects, client B writes 3 others; both end with all 8.
pair_result sync_two(reference::server& srv, const dialect& d, const std::string& scheme, const std::string& ca = {},
                     std::optional<transport::proxy_config> proxy = {}, std::vector<std::string> headers = {},
                     std::string prefix = {})
{
    asio::io_context ioc;
    reference::object_store sa, sb;
    auto make = [&](reference::object_store& st, const std::string& who) {
        reference::client_config c;
        c.server_url = scheme + "://127.0.0.1:" + std::to_string(srv.port()) + prefix;
        c.dialect = &d;
        c.realm_path = "/items";
        c.token = mint(srv.auth(), who);
        c.proxy = proxy;
        c.headers = headers;
        if (!ca.empty()) {
            c.tls.ca_file = ca;
        }
        return std::make_shared<reference::client>(ioc, c, st);
    };
    sa.put_items(items(1, 5, "a-"));
    sb.put_items(items(100, 3, "b-"));
    auto a = make(sa, "alice");
    auto b = make(sb, "bob");
    a->start();
    b->start();
    bool ok = reference::client::run_until(
        ioc,
        [&] {
            if (item_count(sa) == 8 && item_count(sb) == 8 && a->synced() && b->synced())
                return true;
            return false;
        },
        10s);
    INFO(a->failure().what << " / " << b->failure().what);
    CHECK(ok);
    a->stop();
    b->stop();
    reference::client::run_until(ioc, [] { return false; }, 50ms);
    return {sa.describe(), sb.describe(), sa.skipped(), sb.skipped()};
}

} // namespace

TEST_CASE("two clients sync through the server in every dialect over TCP")
{
    temp_dir dir;
    reference::server_config cfg;
    cfg.data_dir = dir.str();
    reference::server srv(cfg);
    srv.start();
    for (const dialect* d : dialects::all) {
        DYNAMIC_SECTION(d->name)
        {
            auto r = sync_two(srv, *d, "ws");
            REQUIRE(r.a.size() == 8);
            CHECK(r.a == r.b);
            CHECK(r.a.front() == "Item{_id=1, name=\"a-1\"}");
            CHECK(r.a.back() == "Item{_id=102, name=\"b-102\"}");
            CHECK(r.a_skipped == 0);
            CHECK(r.b_skipped == 0);
        }
    }
    srv.stop();
}

TEST_CASE("the first local write produces the instructions of realm-core's test client")
{
    // a-write5.changesets.txt: the same five objects, in the client layout, byte for byte.
    reference::object_store s;
    s.put_items(items(1, 5, "obj-"));
    REQUIRE(s.local_history().size() == 1);
    std::ifstream f(std::string(REALMWIRE_VECTORS_DIR) + "/sessions/a-write5.changesets.txt");
    std::string line, hex;
    while (std::getline(f, line))
        if (line.rfind("# hex: ", 0) == 0)
            hex = line.substr(7);
    std::string mine;
    static const char digits[] = "0123456789abcdef";
    for (unsigned char c : s.local_history()[0].changeset) {
        mine.push_back(digits[c >> 4]);
        mine.push_back(digits[c & 15]);
    }
    CHECK(mine == hex);
    CHECK(s.local_history()[0].client_version == 2);
}
