// merge::scenario::parse and from_hex: the error_code form names the code and the place, the throwing
// form throws format_error with the same text.
#include "realmwire/merge/scenario.hpp"

#include <catch2/catch.hpp>

#include <string>

namespace sc = realmwire::merge::scenario;
using realmwire::message_error;

namespace {

std::string one_event(const std::string& fields)
{
    return R"({"server_file_ident": 1, "events": [{"event": "server_integrate", "origin_file_ident": 2,
        "origin_timestamp": 5, "client_version": 1, "server_version": 1, "last_integrated_server_version": 0)" +
           fields + "}]}";
}

std::string thrown_what(std::string_view text)
{
    try {
        sc::parse(text);
    }
    catch (const sc::format_error& e) {
        return e.what();
    }
    return "(nothing thrown)";
}

} // namespace

TEST_CASE("scenario::parse: every malformed file is an error_code with its reason, and format_error when thrown")
{
    struct bad_case {
        std::string text;
        std::error_code code;
        std::string why;
    };
    const bad_case cases[] = {
        {"[1, 2]", message_error::json_not_object, "not a JSON object"},
        {"{", message_error::json_syntax, ""},
        {R"({"events": []})", message_error::json_missing_key, "file: missing \"server_file_ident\""},
        {R"({"server_file_ident": -1, "events": []})", message_error::json_wrong_type,
         "file: \"server_file_ident\" is not a non-negative integer"},
        {R"({"server_file_ident": 1})", message_error::json_missing_key, "file: missing \"events\""},
        {R"({"server_file_ident": 1, "events": {}})", message_error::json_wrong_type, "file: \"events\" is not an array"},
        {R"({"server_file_ident": 1, "events": [3]})", message_error::json_wrong_type, "event 0: not an object"},
        {one_event(R"(, "upload_changeset_hex": "0", "integrated_changeset_hex": "")"), message_error::json_bad_value,
         "event 0 upload_changeset_hex: odd-length hex"},
        {one_event(R"(, "upload_changeset_hex": "", "integrated_changeset_hex": "zz")"), message_error::json_bad_value,
         "event 0 integrated_changeset_hex: not hex"},
        {one_event(R"(, "upload_changeset_hex": 12, "integrated_changeset_hex": "")"), message_error::json_wrong_type,
         "event 0: \"upload_changeset_hex\" is not a string"},
        {one_event(R"(, "integrated_changeset_hex": "")"), message_error::json_missing_key,
         "event 0: missing \"upload_changeset_hex\""},
        {R"({"server_file_ident": 1, "events": [{"event": "dance", "origin_file_ident": 2, "origin_timestamp": 5,
            "client_version": 1, "server_version": 1}]})",
         message_error::json_bad_value, "event 0: unknown event \"dance\""},
        {R"({"server_file_ident": 1, "events": [{"event": "client_integrate", "origin_file_ident": 0,
            "origin_timestamp": 5, "client_version": 1, "server_version": 1, "client_file_ident": 3,
            "last_integrated_client_version": 0, "changeset_hex": "", "transformed_hex": ""}]})",
         message_error::json_bad_value, "event 0: file ident or version 0"},
        {R"({"server_file_ident": 1, "events": [], "final_state": 1})", message_error::json_wrong_type,
         "file: \"final_state\" is not an array"},
        {R"({"server_file_ident": 1, "events": [], "final_state": [1]})", message_error::json_wrong_type,
         "file: \"final_state\" holds a non-string"},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        std::error_code ec;
        std::string why;
        auto s = sc::parse(c.text, ec, &why);
        CHECK(ec == c.code);
        if (!c.why.empty()) {
            CHECK(why == c.why);
            CHECK(thrown_what(c.text) == c.why);
        }
        else {
            CHECK(why.rfind("not a JSON object: ", 0) == 0);
        }
        CHECK(s.events.empty());
    }
    std::error_code ec;
    auto s = sc::parse(one_event(R"(, "upload_changeset_hex": "0aFF", "integrated_changeset_hex": "")"), ec);
    REQUIRE_FALSE(ec);
    REQUIRE(s.events.size() == 1);
    CHECK(s.events[0].input == std::string("\x0a\xff", 2));
    CHECK(s.events[0].origin_timestamp == 5);
}

TEST_CASE("scenario::from_hex: both forms")
{
    std::error_code ec;
    std::string why;
    CHECK(sc::from_hex("00ff", "x", ec, &why) == std::string("\0\xff", 2));
    CHECK_FALSE(ec);
    CHECK(sc::from_hex("0g", "x", ec, &why).empty());
    CHECK(ec == message_error::json_bad_value);
    CHECK(why == "x: not hex");
    CHECK_THROWS_AS(sc::from_hex("abc", "y"), sc::format_error);
    CHECK_THROWS_WITH(sc::from_hex("abc", "y"), "y: odd-length hex");
}
