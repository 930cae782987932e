#include "realmwire/handshake.hpp"

#include <catch2/catch.hpp>

// docs/handshake.md's example program, compiled and run here so it cannot rot.
#define main realmwire_handshake_example_main
#include "../../examples/handshake.cpp"
#undef main

TEST_CASE("example: examples/handshake.cpp (docs/handshake.md) runs and connects")
{
    CHECK(realmwire_handshake_example_main() == 0);
}
