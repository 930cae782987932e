#ifndef REALMWIRE_TESTS_SUPPORT_SKIP_HPP
#define REALMWIRE_TESTS_SUPPORT_SKIP_HPP

// Tests that need a real server from Debian (nginx, haproxy, squid, python3-websockets) skip with a
// warning where it is not installed, so a user's plain `ctest` still works. scripts/test installs them
// and sets REALMWIRE_TEST_REQUIRE_SERVERS=1: there a missing server is a failure, never a silent pass.

#include <catch2/catch.hpp>

#include <cstdlib>
#include <cstring>

#define REALMWIRE_SKIP(msg)                                                                                    \
    do {                                                                                                       \
        const char* require_ = std::getenv("REALMWIRE_TEST_REQUIRE_SERVERS");                                  \
        if (require_ && std::strcmp(require_, "1") == 0)                                                       \
            FAIL(msg << " (REALMWIRE_TEST_REQUIRE_SERVERS=1)");                                               \
        WARN(msg);                                                                                             \
    } while (0)

#endif
