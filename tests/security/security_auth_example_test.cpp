// The example of docs/security.md, compiled and run as a test. Keep the two in step.
#include "realmwire/realmwire.hpp"

#include "security_auth_support.hpp"

#include <cstdio>

namespace {

// --- docs/security.md example begins ---
int security_example(const std::string& data_dir)
{
    using namespace realmwire;

    reference::server_config cfg;
    cfg.data_dir = data_dir;
    // The defaults suit a public server; tighten what your deployment needs.
    cfg.auth_service.allow_registration = true;   // `register: true` adds users
    cfg.auth_service.max_users = 10000;
    cfg.auth_service.login.address_rate = 2;      // credential attempts per second per address
    cfg.auth_service.login.free_failures = 3;     // then 1 s, 2 s, 4 s ... (at most 15 min)
    cfg.auth_workers.threads = 2;                 // PBKDF2 runs here, never on the I/O thread
    reference::server srv(cfg);
    srv.start();

    auth::auth_client_policy policy;
    policy.host = "127.0.0.1:" + std::to_string(srv.port());
    driver::http_target target{"127.0.0.1", srv.port(), false};
    auto login = [&](const char* password, std::optional<bool> reg) {
        return driver::http_request(target, auth::make_login_request(policy, auth::credentials::password("ann", password, reg)));
    };
    int registered = login("s3cret", true).status;           // 200: registered explicitly
    int wrong = 0;
    for (int i = 0; i < 4; ++i)
        wrong = login("guess", std::nullopt).status;          // 401 three times, then 429
    http::response r = login("s3cret", std::nullopt);          // 429 too: the brake is on
    std::printf("register %d, 4th guess %d, right password now %d, Retry-After %s s\n", registered, wrong,
                r.status, std::string(r.headers.get("Retry-After").value_or("-")).c_str());
    srv.stop();
    return registered == 200 && wrong == 429 && r.status == 429 ? 0 : 1;
}
// --- docs/security.md example ends ---

} // namespace

TEST_CASE("docs/security.md example: explicit registration, then guesses hit the brake")
{
    rw_sec::temp_dir d;
    CHECK(security_example(d.str() + "/data") == 0);
}
