#include "realmwire/error.hpp"
#include "realmwire/path.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace realmwire;

TEST_CASE("every area's errors map to a coarse condition and a named category")
{
    std::error_code ec = make_error_code(http_error::bad_method);
    CHECK(std::string(ec.category().name()).rfind("realmwire.", 0) == 0);
    CHECK_FALSE(ec.message().empty());
    // Equality against the coarse condition goes through default_error_condition.
    CHECK(ec.default_error_condition().category() == condition_category());
}

TEST_CASE("describe_error names the field and the offset")
{
    std::error_code ec = make_error_code(http_error::bad_method);
    error_info info;
    info.offset = 17;
    info.field = "Sec-WebSocket-Key";
    std::string s = describe_error("parse", ec, info);
    CHECK(s.find("parse: ") == 0);
    CHECK(s.find("field Sec-WebSocket-Key") != std::string::npos);
    CHECK(s.find("at byte 17") != std::string::npos);
    CHECK(describe_error("", ec) == ec.message());
}

TEST_CASE("throw_on_error turns the error_code overload into the throwing one")
{
    auto ok = [](std::error_code& ec) {
        ec.clear();
        return 42;
    };
    CHECK(throw_on_error("ok", ok) == 42);
    auto fails = [](std::error_code& ec) { ec = make_error_code(http_error::bad_method); };
    try {
        throw_on_error("fails", fails);
        FAIL("no exception");
    }
    catch (const system_error& e) {
        CHECK(e.code() == make_error_code(http_error::bad_method));
        CHECK(std::string(e.what()).find("fails: ") == 0);
    }
}

TEST_CASE("throw_on_error hands an error_info to a form that reports where, and the exception carries it")
{
    int calls = 0;
    auto ok = [&](std::error_code& ec, error_info* info) {
        ++calls;
        REQUIRE(info != nullptr);
        ec.clear();
        return std::string("value");
    };
    CHECK(throw_on_error("ok", ok) == "value");
    auto fails = [&](std::error_code& ec, error_info* info) {
        ++calls;
        info->offset = 7;
        info->field = "method";
        ec = make_error_code(http_error::bad_method);
    };
    try {
        throw_on_error("parse", fails);
        FAIL("no exception");
    }
    catch (const system_error& e) {
        CHECK(e.code() == make_error_code(http_error::bad_method));
        CHECK(e.info().offset == 7);
        CHECK(e.info().field == "method");
        CHECK(std::string(e.what()) == "parse: " + make_error_code(http_error::bad_method).message() +
                                           " (field method, at byte 7)");
    }
    CHECK(calls == 2);
    // A real throwing form built on it: the offset of the bad byte travels in the exception.
    try {
        (void)decode_realm_path("ab%2");
        FAIL("no exception");
    }
    catch (const system_error& e) {
        CHECK(e.code() == path_error::malformed_percent_encoding);
        CHECK(e.info().offset == 2);
        CHECK(std::string(e.what()).rfind("decode_realm_path: ", 0) == 0);
    }
}

TEST_CASE("system_error carries its error_info")
{
    error_info info;
    info.offset = 3;
    system_error e(make_error_code(http_error::bad_method), "x", info);
    CHECK(e.info().offset == 3);
    CHECK(std::string(e.what()).find("at byte 3") != std::string::npos);
}

TEST_CASE("condition messages are distinct")
{
    CHECK(make_error_condition(condition::timeout).message() == "timeout");
    CHECK(make_error_condition(condition::proxy_failed).message() != make_error_condition(condition::timeout).message());
}
