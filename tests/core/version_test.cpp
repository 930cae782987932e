#include "realmwire/version.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string>

TEST_CASE("version.hpp agrees with project(VERSION) in CMakeLists.txt")
{
    std::ifstream in(REALMWIRE_SOURCE_DIR "/CMakeLists.txt");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(text.find(std::string("project(realmwire VERSION ") + REALMWIRE_VERSION_STRING) != std::string::npos);
}
