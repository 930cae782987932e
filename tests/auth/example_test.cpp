// The example of docs/auth.md, compiled and run as a test. Keep the two in step.
#include "realmwire/auth.hpp"
#include "realmwire/driver.hpp"

#include <catch2/catch.hpp>

#include <cstdio>

namespace {

// --- docs/auth.md example begins ---
int auth_example(const std::string& key_dir)
{
    using namespace realmwire;

    // Server: keys (generated on first start, like ROS), a user store, the /auth service over HTTP.
    auth::key_pair keys = auth::load_or_generate_keys(key_dir);
    auto store = std::make_shared<auth::memory_user_store>();
    auth::auth_service service(keys, store);
    // Password hashing on 2 workers, not the I/O thread; the client's address keys the login brakes.
    driver::http_server_options http_opts;
    http_opts.worker_threads = 2;
    driver::threaded_http_server server(
        [&](const http::request& r, const std::string& peer) { return service.handle(r, peer); }, http_opts);
    server.start();

    // Client: log in, then ask for an access token for one realm.
    auth::auth_client_policy policy;
    policy.host = "127.0.0.1:" + std::to_string(server.port());
    driver::http_target target{"127.0.0.1", server.port(), false};

    auth::issued_token refresh = auth::parse_login_response(
        driver::http_request(target, auth::make_login_request(policy, auth::credentials::password("ann", "pw", true))));
    auth::issued_token access = auth::parse_refresh_response(
        driver::http_request(target, auth::make_refresh_request(policy, refresh.token, std::string_view("/~/notes"))));

    // A sync server needs only the public key to check the access token.
    auth::token_verifier verifier(keys.public_key);
    auth::verification v = verifier.verify(access.token, auth::verify_request::sync(*access.data.path));
    std::printf("access token for %s: %s\n", access.data.path->c_str(), v.realm_core_verdict());

    // Refresh 10 s before it expires.
    auth::refresh_scheduler scheduler;
    scheduler.set_token(access.data.expires_at(), std::chrono::system_clock::now());

    server.stop();
    return v.valid() ? 0 : 1;
}
// --- docs/auth.md example ends ---

} // namespace

TEST_CASE("docs/auth.md example runs")
{
    char tmpl[] = "/tmp/realmwire-auth-doc-XXXXXX";
    REQUIRE(::mkdtemp(tmpl));
    CHECK(auth_example(std::string(tmpl) + "/keys") == 0);
    std::system(("rm -rf '" + std::string(tmpl) + "'").c_str());
}
