#include "realmwire/reference/server.hpp"

#include "support.hpp"

#include <catch2/catch.hpp>

#include <fstream>

using namespace realmwire;
using namespace rw_ref_test;


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
