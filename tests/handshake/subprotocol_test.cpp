#include "realmwire/handshake/subprotocol.hpp"

#include "realmwire/dialect/dialect.hpp"

#include "handshake/support.hpp"

#include <catch2/catch.hpp>

using namespace realmwire;

TEST_CASE("subprotocol: realm-core's PBS offer is #14 down to #2")
{
    std::string recorded =
        handshake_test::raw_header(handshake_test::session("a-write5", "c2s.http"), "Sec-WebSocket-Protocol");
    CHECK(format_offer(make_offer(dialects::mongodb_pbs.subprotocol_prefix, {2, 14})) == recorded);
}

TEST_CASE("subprotocol: offers for every dialect")
{
    CHECK(format_offer(make_offer(dialects::legacy_ros.subprotocol_prefix, dialects::legacy_ros.client_versions)) ==
          "io.realm.sync.22");
    CHECK(format_offer(make_offer("com.mongodb.realm-sync/", {2, 4})) ==
          "com.mongodb.realm-sync/4, com.mongodb.realm-sync/3, com.mongodb.realm-sync/2");
    CHECK(format_offer(make_offer("com.mongodb.realm-sync/", {1, 3}, offer_style::range)) ==
          "com.mongodb.realm-sync/1-3");
    CHECK(format_offer(make_offer("com.mongodb.realm-query-sync#", {13, 14})) ==
          "com.mongodb.realm-query-sync#14, com.mongodb.realm-query-sync#13");
    CHECK(make_offer("x", {3, 2}).empty());
}

TEST_CASE("subprotocol: parsing offers with LWS, ranges and unknown tokens")
{
    std::vector<std::string_view> prefixes{"com.mongodb.realm-sync#", "com.mongodb.realm-sync/", "io.realm.sync."};
    auto offers = parse_offer(" chat, com.mongodb.realm-sync#14 ,\tcom.mongodb.realm-sync/3-7,\r\n io.realm.sync.22,"
                              "com.mongodb.realm-query-sync#9,,",
                              prefixes);
    REQUIRE(offers.size() == 3);
    CHECK(offers[0].prefix_index == 0);
    CHECK(offers[0].versions == version_range{14, 14});
    CHECK(offers[1].prefix_index == 1);
    CHECK(offers[1].versions == version_range{3, 7});
    CHECK(offers[2].prefix_index == 2);
    CHECK(offers[2].versions == version_range{22, 22});
}

TEST_CASE("subprotocol: malformed offers are errors, each with its code")
{
    std::vector<std::string_view> prefixes{"com.mongodb.realm-sync#"};
    for (auto bad : {"com.mongodb.realm-sync#", "com.mongodb.realm-sync#x", "com.mongodb.realm-sync#-3",
                     "com.mongodb.realm-sync#5-3", "com.mongodb.realm-sync#3-", "com.mongodb.realm-sync#1 4",
                     "com.mongodb.realm-sync#99999999999999999999", "com.mongodb.realm-sync#+3"}) {
        INFO(bad);
        std::error_code ec;
        CHECK(parse_offer(bad, prefixes, ec).empty());
        CHECK(ec == handshake_error::malformed_subprotocol);
    }
    CHECK_THROWS_AS(parse_offer("com.mongodb.realm-sync#x", prefixes), realmwire::system_error);

    std::string many;
    for (int i = 0; i < 65; ++i)
        many += "a,";
    std::error_code ec;
    parse_offer(many, prefixes, ec);
    CHECK(ec == handshake_error::too_many_subprotocols);
}

TEST_CASE("subprotocol: prefixes are matched on the element as split and trimmed")
{
    // The parser reads the value in one pass; these prefixes are what such a pass could get wrong.
    std::vector<std::string_view> overlapping{"io.realm.sync.1", "io.realm.sync."};
    auto offers = parse_offer("io.realm.sync.12, io.realm.sync.22", overlapping);
    REQUIRE(offers.size() == 2);
    CHECK(offers[0].prefix_index == 0); // the first listed prefix that matches, then "2"
    CHECK(offers[0].versions == version_range{2, 2});
    CHECK(offers[1].prefix_index == 1);
    CHECK(offers[1].versions == version_range{22, 22});

    // A prefix ending in LWS cannot reach into the element's trailing LWS: "a " is then not offered.
    std::vector<std::string_view> spaced{"a ", "b,c"};
    std::error_code ec;
    CHECK(parse_offer("a , a\t,a", spaced, ec).empty());
    CHECK(!ec);
    offers = parse_offer("a 7", spaced);
    REQUIRE(offers.size() == 1);
    CHECK(offers[0].versions == version_range{7, 7});
    // A prefix holding ',' never spans two elements.
    CHECK(parse_offer("b,c5", spaced, ec).empty());
    CHECK(!ec);

    // LWS around a version is trimmed; inside it, it is malformed.
    std::vector<std::string_view> pbs{"com.mongodb.realm-sync#"};
    offers = parse_offer("com.mongodb.realm-sync#3-7 \t, com.mongodb.realm-sync#8", pbs);
    REQUIRE(offers.size() == 2);
    CHECK(offers[0].versions == version_range{3, 7});
    CHECK(offers[1].versions == version_range{8, 8});
    for (auto bad : {"com.mongodb.realm-sync#3 -7", "com.mongodb.realm-sync#3- 7", "com.mongodb.realm-sync#3-7-9",
                     "com.mongodb.realm-sync#7x, com.mongodb.realm-sync#8"}) {
        INFO(bad);
        std::error_code ec;
        CHECK(parse_offer(bad, pbs, ec).empty());
        CHECK(ec == handshake_error::malformed_subprotocol);
    }

    // The version limit is inclusive.
    offer_limits limits;
    limits.max_version = 99;
    CHECK(parse_offer("com.mongodb.realm-sync#99", pbs, ec, limits).size() == 1);
    CHECK(parse_offer("com.mongodb.realm-sync#100", pbs, ec, limits).empty());
    CHECK(ec == handshake_error::malformed_subprotocol);
}

TEST_CASE("subprotocol: choosing the highest common version")
{
    std::vector<offered_range> offers{{0, {2, 2}}, {0, {14, 14}}, {0, {9, 12}}, {1, {20, 20}}};
    CHECK(choose_version(offers, 0, {2, 14}) == 14);
    CHECK(choose_version(offers, 0, {2, 10}) == 10); // d-max-protocol-10: server capped at 10
    CHECK(choose_version(offers, 0, {3, 8}) == std::nullopt);
    CHECK(choose_version(offers, 0, {13, 13}) == std::nullopt);
    CHECK(choose_version(offers, 1, {1, 30}) == 20);
    CHECK(choose_version(offers, 2, {1, 30}) == std::nullopt);
}

TEST_CASE("subprotocol: the client's check of the echo")
{
    std::error_code ec;
    CHECK(check_echo("com.mongodb.realm-sync#10", "com.mongodb.realm-sync#", {2, 14}, ec) == 10);
    CHECK_FALSE(ec);
    check_echo("", "com.mongodb.realm-sync#", {2, 14}, ec);
    CHECK(ec == handshake_error::missing_protocol_in_response);
    check_echo("com.mongodb.realm-sync/7", "com.mongodb.realm-sync#", {2, 14}, ec);
    CHECK(ec == handshake_error::bad_protocol_in_response);
    check_echo("com.mongodb.realm-sync#10 ", "com.mongodb.realm-sync#", {2, 14}, ec);
    CHECK(ec == handshake_error::bad_protocol_in_response);
    check_echo("com.mongodb.realm-sync#07", "com.mongodb.realm-sync#", {2, 14}, ec);
    CHECK(ec == handshake_error::bad_protocol_in_response); // never offered in that spelling
    check_echo("com.mongodb.realm-sync#15", "com.mongodb.realm-sync#", {2, 14}, ec);
    CHECK(ec == handshake_error::protocol_not_offered);
    CHECK_THROWS_AS(check_echo("x", "com.mongodb.realm-sync#", {2, 14}), realmwire::system_error);
}
