// Compiles and runs examples/websocket_echo.cpp (the program shown in docs/transports.md).
#include "realmwire/transport.hpp"

#include <catch2/catch.hpp>

#define main realmwire_example_websocket_echo_main
#include "../../examples/websocket_echo.cpp"
#undef main

TEST_CASE("examples/websocket_echo.cpp runs and succeeds")
{
    CHECK(realmwire_example_websocket_echo_main() == 0);
}

// examples/websocket_tokens.cpp (the three-token example in docs/transports.md): callback and future
// here; coroutine_cxx20.cpp runs it again as C++20 with the coroutine part.
#define main realmwire_example_websocket_tokens_main
#include "../../examples/websocket_tokens.cpp"
#undef main

TEST_CASE("examples/websocket_tokens.cpp runs and succeeds")
{
    CHECK(realmwire_example_websocket_tokens_main() == 0);
}
