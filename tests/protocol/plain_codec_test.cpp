#include <realmwire/protocol/decode.hpp>
#include <realmwire/protocol/encode.hpp>

// The plain codec links nothing: neither zlib nor picojson may be reachable from these headers.
#ifdef ZLIB_H
#error "realmwire/protocol/decode.hpp or encode.hpp pulls in zlib"
#endif
#ifdef picojson_h
#error "realmwire/protocol/decode.hpp or encode.hpp pulls in picojson"
#endif

#include <catch2/catch.hpp>

using namespace realmwire::protocol;

TEST_CASE("the plain codec (no zlib, no picojson) decodes and encodes on its own")
{
    std::error_code ec;
    auto m = decode_client_message("upload 1 0 24 0 3 1 1\n2 1 284000000000 0 3 abc", decode_options{}, ec);
    REQUIRE_FALSE(ec);
    const auto& up = std::get<upload_message>(m);
    REQUIRE(up.entries.size() == 1);
    CHECK(up.entries.begin()->changeset == "abc");
    std::string out;
    encode(m, out, ec);
    CHECK(out == "upload 1 0 24 0 3 1 1\n2 1 284000000000 0 3 abc");
}
