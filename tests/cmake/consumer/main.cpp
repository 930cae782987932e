// The program every consumer test builds (add_subdirectory, find_package, pkg-config, vendored include/):
// it compiles against the umbrella header alone, links, and runs a whole handshake without a socket.
#include <realmwire/realmwire.hpp>

#include <cstdio>

int main()
{
    using namespace realmwire;
    client_handshake_options opts;
    opts.dialect = &dialects::legacy_ros;
    apply_server_url(opts, parse_server_url("realm://myROS.internal.com/b920bd7068ef2b470ff4226e0e85716a/foo"));
    client_handshake hs = build_handshake_request(opts, "realm-token",
                                                  policy::header_token{"X-Realm-Auth", token_scheme::realm_access_token},
                                                  policy::no_headers{});
    acceptor_options server;
    server.dialects = all_dialects("X-Realm-Auth");
    handshake_verdict verdict = accept_handshake(hs.bytes(), server);
    if (!verdict.accepted() || verdict.token != "realm-token")
        return 1;
    if (!verify_handshake_response(verdict.response_bytes(), hs).ok())
        return 1;
    std::printf("realmwire %s consumer OK: %s\n", realmwire::version.string, verdict.realm_path.c_str());
    return 0;
}
