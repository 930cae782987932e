// `realmwire version`: the library version, and which dependencies the tool was built with.
#include "command.hpp"

#include <realmwire/version.hpp>

#include <openssl/opensslv.h>
#include <zlib.h>

#include <cstdio>

namespace {

int run(realmwire_tool::args& a)
{
    a.finish();
    std::printf("realmwire %s\nopenssl %s\nzlib %s\n", REALMWIRE_VERSION_STRING, OPENSSL_VERSION_TEXT, ZLIB_VERSION);
    return 0;
}

realmwire_tool::registration reg{"version", "print the version of realmwire and its dependencies", run};

} // namespace
