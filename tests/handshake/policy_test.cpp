#include "realmwire/policy/token_placement.hpp"

#include "realmwire/policy/custom_headers.hpp"
#include "realmwire/policy/token_lookup.hpp"
#include "realmwire/policy/url_prefix.hpp"

#include <catch2/catch.hpp>

using namespace realmwire;
using namespace realmwire::policy;

namespace {
struct not_a_policy {
    void place(int) const {}
};
} // namespace

static_assert(is_token_placement_v<header_token>);
static_assert(is_token_placement_v<query_token>);
static_assert(is_token_placement_v<both_token<query_token, header_token>>);
static_assert(is_token_placement_v<any_token_placement>);
static_assert(!is_token_placement_v<not_a_policy>);
static_assert(!is_token_placement_v<int>);
static_assert(is_header_policy_v<custom_headers>);
static_assert(is_header_policy_v<no_headers>);
static_assert(is_header_policy_v<any_header_policy>);
static_assert(!is_header_policy_v<not_a_policy>);
static_assert(is_token_lookup_v<header_token_lookup>);
static_assert(is_token_lookup_v<query_token_lookup>);
static_assert(is_token_lookup_v<any_token_lookup>);
static_assert(!is_token_lookup_v<header_token>);

TEST_CASE("policy: token value schemes")
{
    CHECK(format_token_value(token_scheme::realm_access_token, "abc") == "Realm-Access-Token version=1 token=\"abc\"");
    CHECK(format_token_value(token_scheme::bearer, "abc") == "Bearer abc");
    CHECK(format_token_value(token_scheme::raw, "abc") == "abc");
}

TEST_CASE("policy: header and query placements")
{
    std::error_code ec;
    http::request req;
    req.target = "/realm-sync";
    header_token{"X-Realm-Auth", token_scheme::bearer}.place("t0k", req, ec);
    REQUIRE_FALSE(ec);
    CHECK(req.headers.get("x-realm-auth") == std::string_view("Bearer t0k"));
    // A second token header of the same name is never a silent replacement.
    header_token{"x-realm-auth", token_scheme::raw}.place("other", req, ec);
    CHECK(ec == handshake_error::token_header_clash);

    query_token{}.place("a+b/c:d=", req, ec);
    REQUIRE_FALSE(ec);
    CHECK(req.target == "/realm-sync?baas_at=a+b/c:d=");
    query_token{"x"}.place("y", req, ec);
    CHECK(req.target == "/realm-sync?baas_at=a+b/c:d=&x=y");

    query_token{}.place("has space", req, ec);
    CHECK(ec == handshake_error::invalid_header_value);
    query_token{}.place("", req, ec);
    CHECK(ec == handshake_error::empty_token);
    header_token{}.place("", req, ec);
    CHECK(ec == handshake_error::empty_token);
    header_token{"Bad Name"}.place("t", req, ec);
    CHECK(ec == handshake_error::invalid_header_name);
    header_token{"X", token_scheme::raw}.place("a\r\nInjected: 1", req, ec);
    CHECK(ec == handshake_error::invalid_header_value);

    auto b = both(query_token{}, header_token{"X-Realm-Auth", token_scheme::bearer});
    CHECK(b.uses_header("x-realm-auth"));
    CHECK_FALSE(b.uses_header("Authorization"));
    any_token_placement any = b;
    CHECK(any.uses_header("X-REALM-AUTH"));
    http::request r2;
    r2.target = "/p";
    any.place("T", r2, ec);
    REQUIRE_FALSE(ec);
    CHECK(r2.target == "/p?baas_at=T");
    CHECK(r2.headers.get("X-Realm-Auth") == std::string_view("Bearer T"));
}

TEST_CASE("policy: dialect default placements")
{
    std::error_code ec;
    http::request req;
    default_token_placement(dialects::legacy_ros).place("t", req, ec);
    CHECK(req.headers.get("Authorization") == std::string_view("Realm-Access-Token version=1 token=\"t\""));
    default_token_placement(dialects::realm_sync_2020, "X-Auth").place("t", req, ec);
    CHECK(req.headers.get("X-Auth") == std::string_view("Bearer t"));
    req.target = "/realm-sync";
    default_token_placement(dialects::mongodb_flx).place("t", req, ec);
    CHECK(req.target == "/realm-sync?baas_at=t");
}

TEST_CASE("policy: custom headers are never silently replaced")
{
    custom_headers h;
    std::error_code ec;
    h.add("X-Proxy-Token", "abc", ec);
    REQUIRE_FALSE(ec);
    h.add("x-proxy-token", "def", ec);
    CHECK(ec == handshake_error::duplicate_custom_header);
    h.add("Bad Name", "v", ec);
    CHECK(ec == handshake_error::invalid_header_name);
    h.add("X-V", "a\nb", ec);
    CHECK(ec == handshake_error::invalid_header_value);
    CHECK_THROWS_AS(h.add("X-Proxy-Token", "again"), realmwire::system_error);

    h.add_for_host("Proxy.Example.com", "X-Route", "blue", ec);
    REQUIRE_FALSE(ec);
    h.add_for_host("proxy.example.com", "X-Route", "green", ec);
    CHECK(ec == handshake_error::duplicate_custom_header);

    http::fields out;
    h.apply(out, "proxy.example.com", ec);
    REQUIRE_FALSE(ec);
    REQUIRE(out.size() == 2);
    CHECK(out.get("X-Route") == std::string_view("blue"));
    http::fields other;
    h.apply(other, "elsewhere", ec);
    CHECK(other.size() == 1);

    // A host header with the name of a global one is a clash, not an override.
    h.add_for_host("clash.example.com", "X-PROXY-TOKEN", "zzz", ec);
    REQUIRE_FALSE(ec);
    http::fields clash;
    h.apply(clash, "clash.example.com", ec);
    CHECK(ec == handshake_error::duplicate_custom_header);

    custom_headers lines;
    lines.add_line("Authorization:  proxy-secret ", ec);
    REQUIRE_FALSE(ec);
    lines.add_line("no colon", ec);
    CHECK(ec == handshake_error::invalid_header_name);
    any_header_policy any = lines;
    http::fields f;
    any.apply(f, "h", ec);
    CHECK(f.get("Authorization") == std::string_view("proxy-secret"));
}

TEST_CASE("policy: URL prefixes")
{
    CHECK(is_valid_url_prefix("/realm-sync"));
    CHECK(is_valid_url_prefix("/my/url/prefix"));
    CHECK(is_valid_url_prefix("/"));
    CHECK_FALSE(is_valid_url_prefix(""));
    CHECK_FALSE(is_valid_url_prefix("realm-sync"));
    CHECK_FALSE(is_valid_url_prefix("/a/"));
    CHECK_FALSE(is_valid_url_prefix("/a?b"));
    CHECK_FALSE(is_valid_url_prefix("/a#b"));
    CHECK_FALSE(is_valid_url_prefix("/a b"));
    CHECK_FALSE(is_valid_url_prefix("/a%2F"));
    std::error_code ec;
    validate_url_prefix("x", ec);
    CHECK(ec == handshake_error::invalid_url_prefix);
    CHECK_THROWS_AS(validate_url_prefix("x"), realmwire::system_error);

    std::string_view rest;
    CHECK(match_url_prefix("/realm-sync", "/realm-sync", rest) == prefix_match::exact);
    CHECK(match_url_prefix("/realm-sync/%2Fa", "/realm-sync", rest) == prefix_match::with_segment);
    CHECK(rest == "%2Fa");
    CHECK(match_url_prefix("/realm-syncx", "/realm-sync", rest) == prefix_match::none);
    CHECK(match_url_prefix("/REALM-SYNC", "/realm-sync", rest) == prefix_match::none);
    CHECK(match_url_prefix("/%2Fa", "/", rest) == prefix_match::with_segment);
    CHECK(rest == "%2Fa");
}

TEST_CASE("policy: server-side token lookup")
{
    std::string_view t;
    CHECK(parse_token_value(token_scheme::realm_access_token, "Realm-Access-Token version=2 token=\"a\"b\"", t));
    CHECK(t == "a\"b");
    CHECK_FALSE(parse_token_value(token_scheme::realm_access_token, "realm-access-token version=1 token=\"a\"", t));
    CHECK_FALSE(parse_token_value(token_scheme::realm_access_token, "Realm-Access-Token version=1 token=a", t));
    CHECK_FALSE(parse_token_value(token_scheme::realm_access_token, "Realm-Access-Token version=1  token=\"a\"", t));
    CHECK_FALSE(parse_token_value(token_scheme::realm_access_token, "Realm-Access-Token version= token=\"a\"", t));
    CHECK_FALSE(parse_token_value(token_scheme::realm_access_token, "Realm-Access-Token version=1 token=\"", t));
    CHECK(parse_token_value(token_scheme::bearer, "Bearer x", t));
    CHECK_FALSE(parse_token_value(token_scheme::bearer, "Bearer ", t));
    CHECK_FALSE(parse_token_value(token_scheme::bearer, "bearer x", t));
    CHECK_FALSE(parse_token_value(token_scheme::raw, "", t));

    http::request req;
    req.headers.add("Authorization", "proxy-secret");
    req.headers.add("X-Realm-Auth", "Realm-Access-Token version=1 token=\"tok\"");
    std::error_code ec;
    header_token_lookup by_name{"x-realm-auth", token_scheme::realm_access_token, {}};
    auto found = by_name.find(req, "", ec);
    REQUIRE_FALSE(ec);
    CHECK(found.token == "tok");
    CHECK(found.source == "X-Realm-Auth");

    header_token_lookup default_name{};
    default_name.find(req, "", ec);
    CHECK(ec == handshake_error::malformed_token_header); // the proxy's Authorization is not a Realm token

    http::request only_custom;
    only_custom.headers.add("X-Realm-Auth", "Realm-Access-Token version=1 token=\"tok\"");
    default_name.find(only_custom, "", ec);
    CHECK(ec == handshake_error::token_in_wrong_header);
    header_token_lookup with_fallback{"Authorization", token_scheme::realm_access_token, {"X-Realm-Auth"}};
    found = with_fallback.find(only_custom, "", ec);
    REQUIRE_FALSE(ec);
    CHECK(found.token == "tok");

    http::request none;
    default_name.find(none, "", ec);
    CHECK(ec == handshake_error::missing_token);

    query_token_lookup q;
    found = q.find(none, "x=1&baas_at=a+b/c:d=&y", ec);
    REQUIRE_FALSE(ec);
    CHECK(found.token == "a+b/c:d=");
    CHECK(found.source == "?baas_at");
    q.find(none, "baas_at=", ec);
    CHECK(ec == handshake_error::missing_token);
    q.find(none, "baas_atx=1", ec);
    CHECK(ec == handshake_error::missing_token);
    CHECK(q.reads_query());

    any_token_lookup any = default_token_lookup(dialects::mongodb_pbs);
    CHECK(any.reads_query());
    any = default_token_lookup(dialects::legacy_ros, "X-Realm-Auth");
    CHECK_FALSE(any.reads_query());
    found = any.find(req, "", ec);
    REQUIRE_FALSE(ec);
    CHECK(found.token == "tok");
}
