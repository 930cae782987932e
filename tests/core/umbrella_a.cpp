// Two translation units include the umbrella header and are linked into one binary: an inline
// function or variable defined twice (an ODR slip in a header) fails the link here.
#include "realmwire/realmwire.hpp"

#include <catch2/catch.hpp>

int realmwire_umbrella_b_marker();

TEST_CASE("realmwire.hpp links from two translation units")
{
    CHECK(realmwire_umbrella_b_marker() == realmwire::version.major * 1000 + realmwire::version.minor);
}
