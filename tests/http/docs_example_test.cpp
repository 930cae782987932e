#include "realmwire/http.hpp"

#include <catch2/catch.hpp>

#include <iostream>
#include <sstream>

// The very program of docs/http.md, compiled here with its main() renamed.
#define main realmwire_example_http_main
#include "../../examples/http.cpp"
#undef main

TEST_CASE("docs example")
{
    std::ostringstream out;
    std::streambuf* old = std::cout.rdbuf(out.rdbuf());
    int rc = realmwire_example_http_main();
    std::cout.rdbuf(old);
    CHECK(rc == 0);
    CHECK(out.str() == "GET /realm-sync HTTP/1.1\r\n"
                       "Host: sync.example.com\r\n"
                       "Connection: Upgrade\r\n"
                       "Upgrade: websocket\r\n"
                       "\r\n"
                       "101 Switching Protocols, 3 bytes left for the WebSocket\n");
}
