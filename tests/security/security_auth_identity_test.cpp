// Attack 1: admin for anyone. The nickname provider was on by default and took `is_admin` and `user_id`
// from the request: {"provider":"nickname","data":"x","user_id":"__admin"} was admin on every realm, a
// victim's user_id replaced the victim's record, and as that admin PUT /auth/password took over any account.
#include "security_auth_support.hpp"

using namespace realmwire;
using namespace rw_sec;

namespace {

reference::server_config dev_mode()
{
    reference::server_config cfg;
    cfg.auth_service.enable_nickname = true; // the attack needs the provider; it is off by default
    cfg.auth_service.enable_anonymous = true;
    return cfg;
}

} // namespace

TEST_CASE("security /auth: development providers are off unless enabled")
{
    running_server s; // defaults, as a public deployment runs it
    for (const char* body : {R"({"provider":"nickname","data":"x","user_id":"__admin"})",
                             R"({"provider":"nickname","data":"admin"})", R"({"provider":"anonymous","data":""})"}) {
        INFO(body);
        auto r = s.post(body);
        CHECK(status_code(r) == std::make_pair(400, 601)); // unknown provider
    }
    CHECK(s.srv->auth().store().user_count() == 0);
    // A good client registers explicitly, logs in and syncs.
    CHECK(s.login("ann", "ann-pw", true).status == 200);
    auto rt = auth::parse_login_response(s.login("ann", "ann-pw"));
    CHECK(sync_once(s, rt.token, "/~/notes"));
}

TEST_CASE("security /auth: no identity or admin right from a request body, no record replaced")
{
    running_server s(dev_mode());
    // The victim: a password user with a realm of their own.
    auto victim = auth::parse_login_response(s.login("victim", "victim-pw", true));
    const std::string victim_id = victim.data.identity;
    const auto victim_before = s.srv->auth().store().find_user(victim_id);
    REQUIRE(victim_before);

    const std::vector<std::string> attacks = {
        R"({"provider":"nickname","data":"x","user_id":"__admin"})",
        R"({"provider":"nickname","data":"y","user_id":")" + victim_id + R"("})",
        R"({"provider":"nickname","data":"admin"})",
        R"({"provider":"nickname","data":"z","user_info":{"is_admin":true}})",
        R"({"provider":"anonymous","data":"","user_id":")" + victim_id + R"(","user_info":{"is_admin":true}})",
        R"({"provider":"password","data":"w","user_info":{"password":"p","register":true,"is_admin":true},"user_id":"__admin"})",
    };
    for (const auto& body : attacks) {
        INFO(body);
        auto r = s.post(body);
        REQUIRE(r.status == 200); // the login itself works; what it grants is the point
        auto rt = auth::parse_login_response(r);
        CHECK_FALSE(rt.data.admin == true);
        CHECK(rt.data.identity != "__admin");
        CHECK(rt.data.identity != victim_id);
        // No access to the victim's realm, nor to any realm outside the caller's own tree.
        auto at = s.send(auth::make_refresh_request(s.policy(), rt.token, std::string_view("/" + victim_id + "/notes")));
        CHECK(status_code(at) == std::make_pair(403, 614));
        auto other = s.send(auth::make_refresh_request(s.policy(), rt.token, std::string_view("/shared/x")));
        CHECK(status_code(other) == std::make_pair(403, 614));
        // Not the victim's password either: admin-or-self refuses.
        http::request pw;
        pw.method = "PUT";
        pw.target = "/auth/password";
        pw.headers.set("Authorization", rt.token);
        pw.headers.set("Content-Type", "application/json");
        pw.body = R"({"user_id":")" + victim_id + R"(","data":{"new_password":"owned"}})";
        CHECK(status_code(s.send(pw)) == std::make_pair(403, 614));
    }
    // The victim's record is untouched and the victim still logs in (old password) and syncs.
    CHECK(s.srv->auth().store().find_user(victim_id) == victim_before);
    CHECK(s.login("victim", "owned").status == 401);
    auto again = auth::parse_login_response(s.login("victim", "victim-pw"));
    CHECK(again.data.identity == victim_id);
    CHECK(sync_once(s, again.token, "/~/notes"));
}

TEST_CASE("security /auth: admin comes only from configuration or a verified token")
{
    running_server s(dev_mode());
    auto victim = auth::parse_login_response(s.login("victim", "victim-pw", true));
    // The operator's admin token (realmwire server --print-admin-token) may change any password...
    http::request pw;
    pw.method = "PUT";
    pw.target = "/auth/password";
    pw.headers.set("Authorization", s.srv->auth().admin_token());
    pw.body = R"({"user_id":")" + victim.data.identity + R"(","data":{"new_password":"reset"}})";
    CHECK(s.send(pw).status == 200);
    CHECK(s.login("victim", "reset").status == 200);
    // ...a token signed with another key may not, whatever it claims.
    auto other = auth::rsa_key::generate(2048);
    auth::claims c;
    c.identity = "__admin";
    c.app_id = "io.realm.Auth";
    c.has_access = true;
    c.access = auth::privilege::download | auth::privilege::upload | auth::privilege::manage;
    pw.headers.set("Authorization", auth::sign_claims(c, other, auth::token_format::legacy));
    pw.body = R"({"user_id":")" + victim.data.identity + R"(","data":{"new_password":"forged"}})";
    CHECK(status_code(s.send(pw)) == std::make_pair(401, 611));
    CHECK(s.login("victim", "reset").status == 200);
}

TEST_CASE("security /auth: registration is explicit, never implicit on login")
{
    running_server s;
    // An unknown name with a plain login is refused like a wrong password, and adds nobody.
    auto r = s.login("nobody", "pw");
    CHECK(status_code(r) == std::make_pair(401, 611));
    CHECK(s.srv->auth().store().user_count() == 0);
    CHECK(s.login("nobody", "pw", true).status == 200);
    CHECK(s.srv->auth().store().user_count() == 1);
    // Registering a taken name adds nobody and replaces nothing.
    auto before = s.srv->auth().store().find_account("password", "nobody");
    CHECK(status_code(s.login("nobody", "other", true)) == std::make_pair(401, 611));
    CHECK(s.srv->auth().store().find_account("password", "nobody") == before);
    CHECK(s.srv->auth().store().user_count() == 1);
    // With registration switched off, only the operator adds users.
    reference::server_config cfg;
    cfg.auth_service.allow_registration = false;
    running_server closed(cfg);
    CHECK(status_code(closed.login("eve", "pw", true)) == std::make_pair(400, 601));
    CHECK(closed.srv->auth().store().user_count() == 0);
}
