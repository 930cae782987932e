#include "realmwire/auth/server.hpp"

#include "auth_test_util.hpp"
#include "realmwire/auth/client.hpp"

#include <catch2/catch.hpp>

using namespace realmwire;
using namespace realmwire::auth;
using auth_test::read_vector;

namespace {

constexpr std::int64_t t0 = 1795000000;

struct fixture {
    std::int64_t now = t0;
    key_pair keys{rsa_key::from_private_pem(read_vector("test-private.pem")),
                  rsa_key::from_public_pem(read_vector("test-public.pem"))};
    std::shared_ptr<memory_user_store> store = std::make_shared<memory_user_store>();
    auth_service service;
    auth_client_policy policy;

    static auth_service_config make_config(std::int64_t* now)
    {
        auth_service_config c;
        c.clock = [now] { return *now; };
        return c;
    }
    explicit fixture(auth_service_config cfg = {}) : service(keys, store, with_clock(std::move(cfg)))
    {
        policy.host = "127.0.0.1";
    }
    // These tests cover the providers themselves, so the development ones are on; the login brakes are
    // off here (one caller does everything) and covered in tests/security.
    auth_service_config with_clock(auth_service_config c)
    {
        c.clock = [this] { return now; };
        c.enable_nickname = true;
        c.enable_anonymous = true;
        c.login.enabled = false;
        return c;
    }
    http::response post(const std::string& body)
    {
        http::request r;
        r.method = "POST";
        r.target = "/auth";
        r.body = body;
        return service.handle(r);
    }
    void check_problem(const http::response& r, int status, int code)
    {
        CHECK(r.status == status);
        CHECK(r.headers.get("Content-Type") == std::string_view("application/json; charset=utf-8"));
        problem p = parse_problem(r);
        CHECK(p.code == code);
        CHECK(p.status == status);
        const problem_kind* k = find_problem(code);
        REQUIRE(k);
        CHECK(p.title == k->title);
        CHECK(p.type == std::string(problem_type_prefix) + k->slug);
    }
};

} // namespace

TEST_CASE("POST /auth password: register, login, wrong password, the refresh token is ROS-shaped")
{
    fixture f;
    auto reg = f.service.handle(make_login_request(f.policy, credentials::password("ann@x", "s3cret", true)));
    REQUIRE(reg.status == 200);
    CHECK(reg.headers.get("Server"));
    std::error_code ec;
    issued_token rt = parse_login_response(reg, ec);
    REQUIRE(!ec);
    CHECK(rt.data.kind() == token_kind::refresh);
    CHECK(rt.data.expires == t0 + 10LL * 365 * 24 * 3600);
    CHECK(rt.data.app_id == "io.realm.Auth");
    CHECK(rt.data.admin == false);
    CHECK(rt.data.salt->size() == 8);
    // token_data describes exactly the signed claims, which are in ROS's key order
    CHECK(parse_claims(decode_token_parts(rt.token).claims_json) == rt.data);
    CHECK(decode_token_parts(rt.token).claims_json.compare(0, 38, R"({"app_id":"io.realm.Auth","identity":")") == 0);
    CHECK(reg.body.find(R"(","token_data":{"app_id":"io.realm.Auth","identity":")") != std::string::npos);
    auto v = f.service.verifier().verify(rt.token);
    CHECK(v.valid());
    // stored as a PBKDF2 hash, never the password
    auto user = f.store->find_account("password", "ann@x");
    REQUIRE(user);
    REQUIRE(user->password);
    CHECK(user->password->iterations == 10000);
    CHECK(user->password->salt_hex.size() == 64);
    CHECK(user->password->hash_hex.size() == 1024);
    CHECK(user->password->hash_hex.find("s3cret") == std::string::npos);

    auto login = f.service.handle(make_login_request(f.policy, credentials::password("ann@x", "s3cret", false)));
    CHECK(parse_login_response(login).data.identity == user->user_id);
    // register: absent → log in an existing user
    auto implicit = f.service.handle(make_login_request(f.policy, credentials::password("ann@x", "s3cret")));
    CHECK(implicit.status == 200);

    problem why;
    auto wrong = f.service.handle(make_login_request(f.policy, credentials::password("ann@x", "nope", false)));
    f.check_problem(wrong, 401, 611);
    parse_login_response(wrong, ec, &why);
    CHECK(ec == auth_error::invalid_credentials);
    CHECK(why.code == 611);
    f.check_problem(f.service.handle(make_login_request(f.policy, credentials::password("bob@x", "pw", false))), 401, 611);
    // ROS answers 611 for "register, but exists"; 613 on request
    f.check_problem(f.service.handle(make_login_request(f.policy, credentials::password("ann@x", "pw", true))), 401, 611);
    f.service.add_provider(std::make_shared<password_provider>(password_policy{}, true));
    f.check_problem(f.service.handle(make_login_request(f.policy, credentials::password("ann@x", "pw", true))), 400, 613);
    // missing pieces → 602
    f.check_problem(f.post(R"({"provider":"password","data":"ann@x","user_info":{}})"), 400, 602);
    f.check_problem(f.post(R"({"provider":"password","user_info":{"password":"x"}})"), 400, 602);
    // ROS's top-level fallback
    CHECK(f.post(R"({"provider":"password","username":"ann@x","password":"s3cret"})").status == 200);
}

TEST_CASE("POST /auth: provider errors")
{
    fixture f;
    f.check_problem(f.post(R"({"data":"x"})"), 400, 602);
    f.check_problem(f.post(R"({"provider":"facebook","data":"x"})"), 400, 601);
    CHECK(parse_problem(f.post(R"({"provider":"facebook","data":"x"})")).invalid_params.at(0).name == "provider");
    f.check_problem(f.post(R"({"provider":7})"), 400, 601);
    f.check_problem(f.post("not json"), 400, 601);
    f.check_problem(f.post(R"({"provider":"nickname"})"), 400, 602);
    f.check_problem(f.post(R"({"provider":"realm"})"), 400, 602);
    f.check_problem(f.post(R"({"provider":"realm","data":"garbage"})"), 403, 614);
    f.check_problem(f.post(R"({"provider":"jwt","data":"x.y.z"})"), 400, 601); // not enabled
    f.check_problem(f.post(std::string(200 * 1024, ' ')), 400, 601);
    f.check_problem(f.post(std::string(100, '[')), 400, 601);
}

TEST_CASE("nickname and anonymous providers, a user-registered provider")
{
    fixture f;
    auto a1 = parse_login_response(f.post(R"({"provider":"nickname","data":"kim"})"));
    auto a2 = parse_login_response(f.post(R"({"provider":"nickname","data":"kim"})"));
    CHECK(a1.data.identity == a2.data.identity);
    CHECK(a1.data.admin == false);
    // Nothing in a request makes an admin (ROS 3.12 took the nickname "admin" and user_info.is_admin).
    CHECK(parse_login_response(f.post(R"({"provider":"nickname","data":"admin"})")).data.admin == false);
    CHECK(parse_login_response(f.post(R"({"provider":"nickname","data":"boss","user_info":{"is_admin":true}})")).data.admin == false);
    auto n1 = parse_login_response(f.post(R"({"provider":"anonymous","data":""})"));
    auto n2 = parse_login_response(f.post(R"({"provider":"anonymous","data":""})"));
    CHECK(n1.data.identity.size() == 32);
    CHECK(n1.data.identity != n2.data.identity);

    struct pin_provider : auth_provider {
        std::string name() const override { return "pin"; }
        std::optional<user_record> authenticate(const auth_request& req, user_store& store, provider_failure& failure) override
        {
            if (req.data_string() != "1234") {
                failure.detail = "bad pin";
                return std::nullopt;
            }
            user_record u{"pin-user", false, {{"pin", "1234"}}, std::nullopt};
            std::error_code ec;
            store.put_user(u, ec);
            return u;
        }
    };
    f.service.add_provider(std::make_shared<pin_provider>());
    CHECK(parse_login_response(f.post(R"({"provider":"pin","data":"1234"})")).data.identity == "pin-user");
    auto bad = f.post(R"({"provider":"pin","data":"0000"})");
    f.check_problem(bad, 401, 611);
    CHECK(parse_problem(bad).detail == "bad pin");
}

TEST_CASE("jwt provider: RS256 only, configurable claim names, expiry")
{
    fixture f;
    jwt_provider_config jc;
    jc.public_key = rsa_key::from_public_pem(read_vector("other-public.pem"));
    jc.user_id_claim = "uid";
    jc.admin_claim = "root";
    jc.clock = [] { return t0; };
    f.service.add_provider(std::make_shared<jwt_provider>(jc));
    auto issuer = rsa_key::from_private_pem(read_vector("other-private.pem"));
    auto login = [&](const std::string& jwt) {
        return f.service.handle(make_login_request(f.policy, credentials::jwt(jwt)));
    };
    auto ok = login(sign_token(R"({"uid":"ext|42","root":true,"exp":1795000100})", issuer, token_format::jwt));
    REQUIRE(ok.status == 200);
    auto rt = parse_login_response(ok);
    CHECK(rt.data.identity == "ext_42");
    CHECK(rt.data.admin == true);
    f.check_problem(login(sign_token(R"({"uid":"x","exp":1794999999})", issuer, token_format::jwt)), 401, 611);
    f.check_problem(login(sign_token(R"({"userId":"x"})", issuer, token_format::jwt)), 401, 611);
    f.check_problem(login(read_vector("jwt-rs256.token")), 401, 611); // signed by another key
    f.check_problem(login(sign_token(R"({"uid":"x"})", issuer, token_format::legacy)), 401, 611);
    // alg other than RS256 is refused even with a valid RSA signature underneath
    std::string hs = realmwire::detail::base64_encode(R"({"alg":"none"})", realmwire::detail::base64_alphabet::url, false) +
                     "." + realmwire::detail::base64_encode(R"({"uid":"x"})", realmwire::detail::base64_alphabet::url, false);
    std::string forged = hs + "." + realmwire::detail::base64_encode(rs256_sign(issuer, hs), realmwire::detail::base64_alphabet::url, false);
    f.check_problem(login(forged), 401, 611);
}

TEST_CASE("provider realm: access token for a path, user token without, path rules, permissions")
{
    fixture f;
    auto rt = parse_login_response(f.post(R"({"provider":"nickname","data":"kim"})"));
    const std::string uid = rt.data.identity;
    auto access = f.service.handle(make_refresh_request(f.policy, rt.token, std::string_view("/~/notes")));
    REQUIRE(access.status == 200);
    auto at = parse_refresh_response(access);
    CHECK(at.data.path == "/" + uid + "/notes");
    CHECK(at.data.sync_label == "default");
    // no "\/" escapes: realm-core's token parser does not unescape strings
    CHECK(decode_token_parts(at.token).claims_json.find("\"path\":\"/" + uid + "/notes\"") != std::string::npos);
    CHECK(at.data.expires == t0 + 360);
    CHECK(at.data.access == (privilege::download | privilege::upload | privilege::manage));
    CHECK(at.data_json.find("\"access\":[\"download\",\"upload\",\"manage\"]") != std::string::npos);
    CHECK(f.service.verifier().verify(at.token, verify_request::sync("/" + uid + "/notes")).valid());
    CHECK(f.service.verifier().verify(at.token, verify_request::sync("/~/notes")).valid());
    CHECK(f.service.verifier().verify(at.token, verify_request::sync("/other/notes")).error == auth_error::token_path);

    auto ut = parse_user_token_response(f.service.handle(make_refresh_request(f.policy, rt.token, std::nullopt)));
    CHECK(ut.data.kind() == token_kind::user);
    CHECK(ut.data.expires == t0 + 3600);
    CHECK(ut.data.admin == false);

    // someone else's realm: 614 until granted
    f.check_problem(f.service.handle(make_refresh_request(f.policy, rt.token, std::string_view("/shared/r"))), 403, 614);
    std::error_code ec;
    f.store->grant({"", "/shared/r", privilege::download}, ec);
    auto ro = parse_refresh_response(f.service.handle(make_refresh_request(f.policy, rt.token, std::string_view("/shared/r"))));
    CHECK(ro.data.access == privilege::download);
    CHECK(ro.data_json.find("\"access\":[\"download\"]") != std::string::npos);
    // path validation: 601
    for (const char* bad : {"/a/.hidden", "/a/b.realm", "/a//b", "/a/b c", "/a/%zz"}) {
        INFO(bad);
        f.check_problem(f.service.handle(make_refresh_request(f.policy, rt.token, std::string_view(bad))), 400, 601);
    }
    // ROS's leading-slash and percent-decoding
    CHECK(parse_refresh_response(f.service.handle(make_refresh_request(f.policy, rt.token, std::string_view("~%2Fx")))).data.path ==
          "/" + uid + "/x");
    // an access token is not a refresh token
    f.check_problem(f.service.handle(make_refresh_request(f.policy, at.token, std::string_view("/~/notes"))), 403, 614);
    // expired refresh token: 614 (ROS never sent 615)
    f.now = t0 + 11LL * 365 * 24 * 3600;
    f.check_problem(f.service.handle(make_refresh_request(f.policy, rt.token, std::string_view("/~/notes"))), 403, 614);
    // realm_exists hook → 617
    auth_service_config cfg;
    cfg.realm_exists = [](std::string_view) { return false; };
    fixture g(cfg);
    auto grt = parse_login_response(g.post(R"({"provider":"nickname","data":"kim"})"));
    g.check_problem(g.service.handle(make_refresh_request(g.policy, grt.token, std::string_view("/x/y"))), 404, 617);
    // admins get everything anywhere
    auto adm = parse_login_response(g.post(R"({"provider":"nickname","data":"admin"})"));
    {
        auto u = g.store->find_user(adm.data.identity); // admin rights come from the operator's store
        REQUIRE(u);
        u->is_admin = true;
        std::error_code ec;
        g.store->put_user(*u, ec);
        adm = parse_login_response(g.post(R"({"provider":"nickname","data":"admin"})"));
        CHECK(adm.data.admin == true);
    }
    auto aat = parse_refresh_response(g.service.handle(make_refresh_request(g.policy, adm.token, std::string_view("/x/y"))));
    CHECK(aat.data.grants(privilege::download | privilege::upload | privilege::manage));
}

TEST_CASE("revoke, password change, user lookup: admin-or-self, errors")
{
    fixture f;
    auto ann = parse_login_response(f.service.handle(make_login_request(f.policy, credentials::password("ann", "pw1", true))));
    auto bob = parse_login_response(f.post(R"({"provider":"nickname","data":"bob"})"));

    // no token: 401/611
    http::request bare;
    bare.method = "GET";
    bare.target = "/auth/users/" + ann.data.identity;
    f.check_problem(f.service.handle(bare), 401, 611);
    // self: ok; someone else: 614; unknown: 612
    auto me = f.service.handle(make_user_info_request(f.policy, ann.token, ann.data.identity));
    REQUIRE(me.status == 200);
    CHECK(me.body == R"({"user_id":")" + ann.data.identity +
                         R"(","is_admin":false,"accounts":[{"provider":"password","provider_id":"ann"}],"metadata":[]})");
    f.check_problem(f.service.handle(make_user_info_request(f.policy, bob.token, ann.data.identity)), 403, 614);
    auto admin = f.service.admin_token();
    CHECK(f.service.handle(make_user_info_request(f.policy, admin, ann.data.identity)).status == 200);
    f.check_problem(f.service.handle(make_user_info_request(f.policy, admin, "nobody")), 404, 612);
    // a bad token in the header: 401/611 with the reason
    auto badtok = f.service.handle(make_user_info_request(f.policy, "xx:yy", ann.data.identity));
    f.check_problem(badtok, 401, 611);

    // password change
    std::error_code ec;
    problem why;
    parse_empty_response(f.service.handle(make_password_change_request(f.policy, ann.token, "pw2")), ec);
    CHECK(!ec);
    f.check_problem(f.service.handle(make_login_request(f.policy, credentials::password("ann", "pw1", false))), 401, 611);
    CHECK(f.service.handle(make_login_request(f.policy, credentials::password("ann", "pw2", false))).status == 200);
    f.check_problem(f.service.handle(make_password_change_request(f.policy, bob.token, "x", std::string_view(ann.data.identity))), 403, 614);
    f.check_problem(f.service.handle(make_password_change_request(f.policy, admin, "x", std::string_view("ghost"))), 404, 618);
    f.check_problem(f.service.handle(make_password_change_request(f.policy, bob.token, "x")), 404, 612);
    http::request nopw = make_password_change_request(f.policy, ann.token, "x");
    nopw.body = R"({"data":{}})";
    f.check_problem(f.service.handle(nopw), 400, 602);

    // revoke: someone else's token 614; own: ok, then the token is dead for refresh and as a caller
    f.check_problem(f.service.handle(make_revoke_request(f.policy, bob.token, ann.token)), 403, 614);
    parse_empty_response(f.service.handle(make_revoke_request(f.policy, ann.token, ann.token)), ec, &why);
    CHECK(!ec);
    f.check_problem(f.service.handle(make_refresh_request(f.policy, ann.token, std::string_view("/~/a"))), 403, 614);
    auto dead = f.service.handle(make_user_info_request(f.policy, ann.token, ann.data.identity));
    f.check_problem(dead, 403, 614);
    CHECK(parse_problem(dead).detail == "The token has been revoked");
    // re-encoding the revoked token's claims (URL-safe, unpadded) does not escape the revocation
    auto d = decode_token_parts(ann.token);
    std::string reencoded =
        realmwire::detail::base64_encode(d.claims_json, realmwire::detail::base64_alphabet::url, false) + ":" +
        realmwire::detail::base64_encode(d.signature, realmwire::detail::base64_alphabet::url, false);
    CHECK(f.service.verifier().verify(reencoded).valid());
    f.check_problem(f.service.handle(make_refresh_request(f.policy, reencoded, std::string_view("/~/a"))), 403, 614);
    http::request notok = make_revoke_request(f.policy, bob.token, "zz");
    f.check_problem(f.service.handle(notok), 400, 601);
    notok.body = "{}";
    f.check_problem(f.service.handle(notok), 400, 602);
    // unknown route
    http::request unknown;
    unknown.target = "/auth/nope";
    CHECK(f.service.handle(unknown).status == 404);
}

TEST_CASE("token middleware: configured header, Authorization only when it holds our token")
{
    auth_service_config cfg;
    cfg.authorization_header_name = "X-Realm-Auth";
    fixture f(cfg);
    auto kim = parse_login_response(f.post(R"({"provider":"nickname","data":"kim"})"));
    auth_client_policy p = f.policy;
    p.authorization_header_name = "X-Realm-Auth";
    p.custom_headers.set("Authorization", "Bearer proxy-secret");
    auto req = make_user_info_request(p, kim.token, kim.data.identity);
    CHECK(req.headers.get("Authorization") == std::string_view("Bearer proxy-secret"));
    CHECK(f.service.handle(req).status == 200);
    // login with a proxy's Authorization on it still works (ROS answered 401 here)
    auto login = make_login_request(p, credentials::nickname("kim"));
    CHECK(login.headers.get("Authorization"));
    CHECK(f.service.handle(login).status == 200);
    // the Realm token in Authorization is accepted as a fallback...
    http::request fb = make_user_info_request(f.policy, kim.token, kim.data.identity);
    CHECK(fb.headers.get("Authorization"));
    CHECK(f.service.handle(fb).status == 200);
    // ...a proxy value there is not parsed as a token: the route just has no caller
    http::request proxy_only = make_user_info_request(f.policy, "Basic dXNlcjpwdw==", kim.data.identity);
    auto r = f.service.handle(proxy_only);
    f.check_problem(r, 401, 611);
    CHECK(parse_problem(r).detail == "no token in the request");
    // the configured header with garbage is a real 401 with the reason
    http::request bad = make_user_info_request(p, "garbage", kim.data.identity);
    CHECK(parse_problem(f.service.handle(bad)).detail == "token is not in a known format");
}

TEST_CASE("client request builders apply custom headers and the header name like Cocoa")
{
    auth_client_policy p;
    p.host = "auth.example:9080";
    p.auth_path = "/prefix/auth";
    p.app_id = "io.app";
    p.authorization_header_name = "X-Realm";
    p.custom_headers.set("Accept", "application/vnd.x+json");
    p.custom_headers.set("X-Realm", "custom-loses");
    p.custom_headers.set("X-Trace", "1");
    auto r = make_refresh_request(p, "RT", std::string_view("/~/x"));
    CHECK(r.method == "POST");
    CHECK(r.target == "/prefix/auth");
    CHECK(r.headers.get("Host") == std::string_view("auth.example:9080"));
    CHECK(r.headers.get("Content-Type") == std::string_view("application/json;charset=utf-8"));
    CHECK(r.headers.get("Accept") == std::string_view("application/vnd.x+json"));
    CHECK(r.body == R"({"provider":"realm","data":"RT","path":"/~/x","app_id":"io.app"})");
    CHECK(r.headers.get("Content-Length") == std::to_string(r.body.size()));
    auto rv = make_revoke_request(p, "AUTH", "VICTIM");
    CHECK(rv.target == "/prefix/auth/revoke");
    CHECK(rv.headers.get("X-Realm") == std::string_view("AUTH"));
    CHECK(rv.headers.count("X-Realm") == 1);
    CHECK(rv.headers.get("X-Trace") == std::string_view("1"));
    auto pw = make_password_change_request(p, "AUTH", "np", std::string_view("u 1"));
    CHECK(pw.method == "PUT");
    CHECK(pw.body == R"({"user_id":"u 1","data":{"new_password":"np"}})");
    CHECK(make_user_info_request(p, "A", "u 1/x").target == "/prefix/auth/users/u%201%2Fx");
    // answers that are not what a client needs
    std::error_code ec;
    http::response weird;
    weird.body = R"({"refresh_token":{"token":""}})";
    parse_login_response(weird, ec);
    CHECK(ec == auth_error::malformed_response);
    weird.status = 503;
    weird.body = "<html>gateway</html>";
    problem why;
    parse_login_response(weird, ec, &why);
    CHECK(ec == auth_error::server_error);
    CHECK(why.status == 503);
    CHECK(ec == condition::transport_failed);
}

TEST_CASE("file store survives a restart, corrupt file is an error, not an empty store")
{
    auth_test::temp_dir dir;
    const std::string path = dir.path + "/users.json";
    std::string uid;
    {
        auto store = std::make_shared<file_user_store>(path);
        key_pair keys{rsa_key::from_private_pem(read_vector("test-private.pem")),
                      rsa_key::from_public_pem(read_vector("test-public.pem"))};
        auth_service svc(keys, store);
        auth_client_policy p;
        auto rt = parse_login_response(svc.handle(make_login_request(p, credentials::password("zed", "pw", true))));
        uid = rt.data.identity;
        std::error_code ec;
        store->grant({uid, "/shared/a", privilege::download}, ec);
        store->revoke("abc", 5, ec);
        CHECK(!ec);
    }
    file_user_store again(path);
    auto u = again.find_account("password", "zed");
    REQUIRE(u);
    CHECK(u->user_id == uid);
    CHECK(check_password("pw", *u->password));
    CHECK_FALSE(check_password("pW", *u->password));
    CHECK(again.permissions(uid, "/shared/a") == privilege::download);
    CHECK(again.is_revoked("abc"));
    CHECK(!std::ifstream(path + ".tmp"));
    {
        std::ofstream(path) << "{\"users\":[{\"user_id\":5}]}";
    }
    std::error_code ec;
    file_user_store broken(path, ec);
    CHECK(ec == auth_error::store_io);
    file_user_store fresh(dir.path + "/none.json", ec);
    CHECK(!ec);
    fresh.revoke("x", 0, ec);
    // The change log is opened up front: a store that cannot be written fails at once, not on the
    // first change.
    file_user_store unwritable("/proc/realmwire-no/users.json", ec);
    CHECK(ec == auth_error::store_io);
}
