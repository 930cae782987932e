// A whole Realm sync upgrade without a socket: the client builds its request, the server judges it,
// the client verifies the answer. Build: c++ -std=c++17 -Iinclude examples/handshake.cpp -lcrypto
#include <realmwire/handshake.hpp>
#include <realmwire/url.hpp>

#include <cstdio>

int main()
{
    using namespace realmwire;

    // Client: a ROS-era (legacy_ros) handshake through a proxy that wants its own Authorization header,
    // so the Realm token moves to X-Realm-Auth.
    client_handshake_options opts;
    opts.dialect = &dialects::legacy_ros;
    apply_server_url(opts, parse_server_url("realm://myROS.internal.com/b920bd7068ef2b470ff4226e0e85716a/foo"));
    policy::custom_headers headers;
    headers.add("Authorization", "Bearer proxy-secret");
    client_handshake hs = build_handshake_request(
        opts, "realm-token", policy::header_token{"X-Realm-Auth", token_scheme::realm_access_token}, headers);
    std::string request = hs.bytes();
    std::fwrite(request.data(), 1, request.size(), stdout);

    // Server: accepts every dialect, reads the token from X-Realm-Auth.
    acceptor_options server;
    server.dialects = all_dialects("X-Realm-Auth");
    handshake_verdict verdict = accept_handshake(request, server);
    if (!verdict.accepted()) {
        std::printf("refused %d: %s\n", verdict.status, verdict.ec.message().c_str());
        return 1;
    }
    std::printf("server: dialect %s, realm %s, protocol %d, token of %zu bytes\n",
                std::string(verdict.dialect->name).c_str(), verdict.realm_path.c_str(), verdict.version,
                verdict.token.size());

    // Client: checks the 101 (Accept key, echoed protocol inside its offer).
    handshake_result result = verify_handshake_response(verdict.response_bytes(), hs);
    if (!result.ok()) {
        std::printf("client: %s\n", result.ec.message().c_str());
        return 1;
    }
    std::printf("client: connected with %s\n", result.subprotocol.c_str());
    return 0;
}
