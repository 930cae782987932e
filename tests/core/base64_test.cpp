#include "realmwire/detail/base64.hpp"

#include <catch2/catch.hpp>

using realmwire::detail::base64_alphabet;
using realmwire::detail::base64_decode;
using realmwire::detail::base64_encode;

TEST_CASE("base64 RFC 4648 test vectors, both directions")
{
    const char* plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    const char* coded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    for (int i = 0; i < 7; ++i) {
        CHECK(base64_encode(plain[i]) == coded[i]);
        auto d = base64_decode(coded[i]);
        REQUIRE(d);
        CHECK(*d == plain[i]);
    }
}

TEST_CASE("base64 decoding accepts URL-safe and unpadded forms, as realm-core's token parser does")
{
    std::string bytes("\xfb\xff\xbf", 3);
    CHECK(base64_encode(bytes) == "+/+/");
    CHECK(base64_encode(bytes, base64_alphabet::url) == "-_-_");
    CHECK(*base64_decode("-_-_") == bytes);
    CHECK(*base64_decode("Zg") == "f");
    CHECK(*base64_decode("Zm8") == "fo");
    CHECK(base64_encode("f", base64_alphabet::url, false) == "Zg");
}

TEST_CASE("base64 decoding rejects malformed input")
{
    CHECK_FALSE(base64_decode("Z"));         // 4n+1 characters can never be valid
    CHECK_FALSE(base64_decode("Zm9v YmFy")); // whitespace
    CHECK_FALSE(base64_decode("Zm=v"));      // '=' in the middle
    CHECK_FALSE(base64_decode("Zg==="));     // too much padding
    CHECK_FALSE(base64_decode("Zm9=="));     // padding that makes the length wrong
    CHECK_FALSE(base64_decode("+_+_"));      // mixed alphabets
    CHECK_FALSE(base64_decode("Zm9v\n"));
}
