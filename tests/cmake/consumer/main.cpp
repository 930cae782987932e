// The program every consumer test builds: it must compile against the umbrella header alone and run.
#include <realmwire/realmwire.hpp>

#include <cstdio>
#include <cstring>

int main()
{
    std::error_code ec = realmwire::make_error_code(realmwire::http_error{1});
    if (!(ec.category().name() && std::strncmp(ec.category().name(), "realmwire.", 10) == 0))
        return 1;
    std::printf("realmwire %s consumer OK\n", realmwire::version.string);
    return 0;
}
