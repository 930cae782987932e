#include "realmwire/path.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace realmwire;

namespace {

std::error_code validate(std::string_view p, const path_limits& l = {}, error_info* where = nullptr)
{
    std::error_code ec;
    validate_realm_path(p, ec, l, where);
    return ec;
}

std::error_code decode_error(std::string_view enc, std::size_t* offset = nullptr)
{
    std::error_code ec;
    error_info info;
    std::string out = decode_realm_path(enc, ec, &info);
    if (ec)
        CHECK(out.empty());
    if (offset)
        *offset = info.offset;
    return ec;
}

} // namespace

TEST_CASE("valid realm paths")
{
    for (auto p : {"/b920bd7068ef2b470ff4226e0e85716a/foo", "/a", "/A-Z_a.z-0.9", "/x/y/z", "/default",
                   "/__admin", "/a.realmx", "/a/b.lock", "/a.b"}) {
        INFO(p);
        CHECK_FALSE(validate(p));
        CHECK(is_valid_realm_path(p));
    }
}

TEST_CASE("every validation error has its own code and offset")
{
    struct row {
        const char* path;
        path_error error;
        std::size_t offset;
    };
    const row rows[] = {
        {"", path_error::empty, 0},
        {"abc/foo", path_error::missing_leading_slash, 0},
        {"/", path_error::empty_segment, 1},
        {"//a", path_error::empty_segment, 1},
        {"/a//b", path_error::empty_segment, 3},
        {"/a/", path_error::empty_segment, 3},
        {"/.", path_error::dot_segment, 1},
        {"/a/..", path_error::dot_segment, 3},
        {"/a/.hidden", path_error::dot_segment, 3},
        {"/a/foo.realm", path_error::reserved_suffix, 3},
        {"/foo.realm.lock", path_error::reserved_suffix, 1},
        {"/foo.realm.management/x", path_error::reserved_suffix, 1},
        {"/test/bad*name", path_error::invalid_character, 9},
        {"/~/foo", path_error::unexpanded_user_segment, 1},
        {"/a/~", path_error::unexpanded_user_segment, 3},
        {"/a~b", path_error::invalid_character, 2},
        {"/a b", path_error::invalid_character, 2},
        {"/\"foo\"", path_error::invalid_character, 1},
        {"/a?x=1", path_error::invalid_character, 2},
        {"/a%2Fb", path_error::invalid_character, 2},
        {"/\xC3\xA9", path_error::invalid_character, 1},
    };
    for (const auto& r : rows) {
        INFO(r.path);
        error_info where;
        CHECK(validate(r.path, {}, &where) == r.error);
        CHECK(where.offset == r.offset);
        CHECK_FALSE(is_valid_realm_path(r.path));
    }
}

TEST_CASE("the length limit is exact")
{
    std::string p = "/" + std::string(1023, 'a');
    CHECK(p.size() == 1024);
    CHECK_FALSE(validate(p));
    CHECK(validate(p + "a") == path_error::too_long);
    path_limits small;
    small.max_length = 4;
    CHECK_FALSE(validate("/abc", small));
    CHECK(validate("/abcd", small) == path_error::too_long);
    CHECK(make_error_code(path_error::too_long) == condition::limit_exceeded);
    CHECK(make_error_code(path_error::dot_segment) == condition::malformed_input);
}

TEST_CASE("a missing leading slash can be allowed, as realm-core and ROS did")
{
    path_limits l;
    l.require_leading_slash = false;
    CHECK_FALSE(validate("abc/foo", l));
    CHECK(validate("abc//foo", l) == path_error::empty_segment);
}

TEST_CASE("the throwing validator carries the offset")
{
    try {
        validate_realm_path("/ok/bad*");
        FAIL("no throw");
    }
    catch (const system_error& e) {
        CHECK(e.code() == path_error::invalid_character);
        CHECK(e.info().offset == 7);
        CHECK(std::string(e.what()).find("at byte 7") != std::string::npos);
    }
    CHECK_NOTHROW(validate_realm_path("/ok"));
}

TEST_CASE("~ expands to the user id")
{
    CHECK(expand_user_path("/~/foo", "b920bd70") == "/b920bd70/foo");
    CHECK(expand_user_path("~/foo", "u") == "u/foo");
    CHECK(expand_user_path("/foo/~", "u") == "/foo/u");
    // Only the first `~` segment, as ROS; the second still fails validation.
    CHECK(expand_user_path("/~/~", "u") == "/u/~");
    CHECK_FALSE(is_valid_realm_path(expand_user_path("/~/~", "u")));
    // `~` inside a segment is not the placeholder.
    CHECK(expand_user_path("/a~b/foo", "u") == "/a~b/foo");
    CHECK(expand_user_path("", "u") == "");
    CHECK(expand_user_path("/", "u") == "/");
}

TEST_CASE("encoding the whole path as one segment, as realm-core's uri_percent_encode")
{
    CHECK(encode_realm_path("/b920bd7068ef2b470ff4226e0e85716a/foo") == "%2Fb920bd7068ef2b470ff4226e0e85716a%2Ffoo");
    CHECK(encode_realm_path("/~/foo") == "%2F~%2Ffoo");
    CHECK(encode_realm_path("/a-b_c.d") == "%2Fa-b_c.d");
    CHECK(encode_realm_path("/a b?c#d%e") == "%2Fa%20b%3Fc%23d%25e");
    CHECK(encode_realm_path("/\xC3\xA9\x01\x7F") == "%2F%C3%A9%01%7F");
    CHECK(encode_realm_path("/a!*'()") == "%2Fa%21%2A%27%28%29");
    CHECK(encode_realm_path<encode_uri_component_literals>("/a!*'()~") == "%2Fa!*'()~");
    CHECK(encode_realm_path<alnum_path_literals>("/a-b_c.d~") == "%2Fa%2Db%5Fc%2Ed%7E");
    CHECK(encode_realm_path("") == "");
}

namespace {
struct not_a_policy {};
struct int_policy {
    static int is_literal(char) noexcept { return 1; }
};
} // namespace

TEST_CASE("literal policy trait")
{
    STATIC_REQUIRE(is_path_literal_policy_v<default_path_literals>);
    STATIC_REQUIRE(is_path_literal_policy_v<encode_uri_component_literals>);
    STATIC_REQUIRE(is_path_literal_policy_v<alnum_path_literals>);
    STATIC_REQUIRE_FALSE(is_path_literal_policy_v<not_a_policy>);
    STATIC_REQUIRE_FALSE(is_path_literal_policy_v<int_policy>);
}

TEST_CASE("decoding round-trips every policy's output")
{
    std::string all;
    for (int c = 1; c < 256; ++c) {
        if (c != '%' && c != '?' && c != '#')
            all.push_back(static_cast<char>(c));
    }
    for (std::string p : {std::string("/b920bd7068ef2b470ff4226e0e85716a/foo"), std::string("/~/x"), all}) {
        CHECK(decode_realm_path(encode_realm_path(p)) == p);
        CHECK(decode_realm_path(encode_realm_path<encode_uri_component_literals>(p)) == p);
        CHECK(decode_realm_path(encode_realm_path<alnum_path_literals>(p)) == p);
    }
    CHECK(decode_realm_path("%2fabc%2ffoo") == "/abc/foo"); // lowercase hex
    CHECK(decode_realm_path("abc") == "abc");
    CHECK(decode_realm_path("%2F~%2Ffoo") == "/~/foo");
    CHECK(decode_realm_path("a:b@c!$&'()*+,;=") == "a:b@c!$&'()*+,;=");
}

TEST_CASE("every decoding error has its own code and offset")
{
    struct row {
        const char* encoded;
        path_error error;
        std::size_t offset;
    };
    const row rows[] = {
        {"", path_error::empty, 0},
        {"%252Fabc%252Ffoo", path_error::double_encoding, 0},
        {"%2Fabc%25", path_error::double_encoding, 6},
        {"%2", path_error::malformed_percent_encoding, 0},
        {"%", path_error::malformed_percent_encoding, 0},
        {"%2Fab%", path_error::malformed_percent_encoding, 5},
        {"%2Fab%G0", path_error::malformed_percent_encoding, 5},
        {"%2Fab%0G", path_error::malformed_percent_encoding, 5},
        {"%E0%A4%A", path_error::malformed_percent_encoding, 6},
        {"%2Fabc%2Ffoo?x=1", path_error::query_in_path, 12},
        {"%2Fabc%3Fx=1", path_error::query_in_path, 6},
        {"%2Fabc#frag", path_error::fragment_in_path, 6},
        {"%2Fabc%23frag", path_error::fragment_in_path, 6},
        {"%2Fabc/foo", path_error::unencoded_character, 6},
        {"%2Fabc%2Ffoo/", path_error::unencoded_character, 12},
        {"%2Fa b", path_error::unencoded_character, 4},
        {"%2Fa\"b", path_error::unencoded_character, 4},
        {"%2Fa\xC3\xA9", path_error::unencoded_character, 4},
        {"%2Fa\r\n", path_error::unencoded_character, 4},
    };
    for (const auto& r : rows) {
        INFO(r.encoded);
        std::size_t offset = 0;
        CHECK(decode_error(r.encoded, &offset) == r.error);
        CHECK(offset == r.offset);
    }
    std::size_t nul_offset = 0;
    CHECK(decode_error(std::string_view("%2Fa\0b", 6), &nul_offset) == path_error::unencoded_character);
    CHECK(nul_offset == 4);
    try {
        decode_realm_path("%2Fa%252F");
        FAIL("no throw");
    }
    catch (const system_error& e) {
        CHECK(e.code() == path_error::double_encoding);
        CHECK(e.info().offset == 4);
    }
}

TEST_CASE("a '~' segment is refused with a message that says what to do, once")
{
    std::string text;
    try {
        validate_realm_path("/~/foo");
    }
    catch (const realmwire::system_error& e) {
        text = e.what();
        CHECK(e.code() == path_error::unexpanded_user_segment);
        CHECK(e.info().offset == 1);
    }
    CHECK(text == "validate_realm_path: realm path has a '~' segment: replace it with the user id first "
                  "(expand_user_path, or client_handshake_options::user_id) (field realm path, at byte 1)");
    std::error_code ec;
    validate_realm_path(expand_user_path("/~/foo", "b920bd7068ef2b470ff4226e0e85716a"), ec);
    CHECK_FALSE(ec);
}
