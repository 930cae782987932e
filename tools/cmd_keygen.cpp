// `realmwire keygen DIR [--bits N]`: writes a fresh RSA key pair as DIR/auth.key (PKCS#8, mode 0600)
// and DIR/auth.pub (SubjectPublicKeyInfo), the names ROS used. Refuses to overwrite existing keys:
// replacing them would invalidate every token already issued.
#include "command.hpp"

#include <realmwire/auth/keys.hpp>
#include <realmwire/detail/ascii.hpp>

#include <cstdio>
#include <fstream>

namespace {

int run(realmwire_tool::args& a)
{
    int bits = 2048;
    if (auto b = a.value("bits")) {
        unsigned v = 0;
        if (!realmwire::detail::parse_decimal(*b, v, 16384u) || v < 2048)
            throw realmwire_tool::usage_error("--bits must be a number from 2048 to 16384");
        bits = static_cast<int>(v);
    }
    auto pos = a.positional();
    a.finish();
    if (pos.size() != 1)
        throw realmwire_tool::usage_error("usage: realmwire keygen DIR [--bits N]");
    const std::string& dir = pos[0];
    for (const char* name : {"/auth.key", "/auth.pub"}) {
        if (std::ifstream(dir + name)) {
            std::fprintf(stderr, "realmwire keygen: %s%s exists; not overwriting\n", dir.c_str(), name);
            return 1;
        }
    }
    std::error_code ec;
    auto kp = realmwire::auth::load_or_generate_keys(dir, ec, bits);
    if (ec) {
        std::fprintf(stderr, "realmwire keygen: %s\n", ec.message().c_str());
        return 1;
    }
    std::printf("wrote %s/auth.key and %s/auth.pub (RSA %d bits)\n", dir.c_str(), dir.c_str(), kp.private_key.bits());
    return 0;
}

realmwire_tool::registration reg{"keygen", "write a new RSA key pair (auth.key, auth.pub) into DIR", run};

} // namespace
