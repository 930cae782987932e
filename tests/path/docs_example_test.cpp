#include "realmwire/path.hpp"

#include <catch2/catch.hpp>

#include <iostream>
#include <sstream>

// The very program of docs/paths.md, compiled here with its main() renamed.
#define main realmwire_example_paths_main
#include "../../examples/paths.cpp"
#undef main

TEST_CASE("docs example")
{
    std::ostringstream out;
    std::streambuf* old = std::cout.rdbuf(out.rdbuf());
    int rc = realmwire_example_paths_main();
    std::cout.rdbuf(old);
    CHECK(rc == 0);
    CHECK(out.str() == "GET /realm-sync/%2Fb920bd7068ef2b470ff4226e0e85716a%2Ffoo HTTP/1.1\r\n"
                       "Host: myROS.internal.com\r\n"
                       "encoded realm path is percent-encoded twice (%25) at byte 0\n");
}
