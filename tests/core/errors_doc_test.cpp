// The example of docs/errors.md, as a test. Keep the two in step.
#include "realmwire/url.hpp"

#include <catch2/catch.hpp>

#include <string>

TEST_CASE("docs/errors.md example: a fine error, its condition and where it happened")
{
    std::error_code ec;
    realmwire::error_info where;
    auto url = realmwire::parse_server_url("wss://user@sync.example.com/", ec, {}, &where);
    (void)url;
    REQUIRE(ec);
    CHECK(ec == realmwire::url_error::userinfo_not_allowed);
    CHECK(ec == realmwire::condition::malformed_input);
    std::string text = realmwire::describe_error("parse", ec, where);
    CHECK(text.rfind("parse: URL must not contain userinfo", 0) == 0);
    CHECK(text.find("at byte") != std::string::npos);
}
