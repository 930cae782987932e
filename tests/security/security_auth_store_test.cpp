// Attack 10: the users file. Anonymous accounts were unlimited, and the whole users file was rewritten
// on every change (3,000 users → 22 ms per login).
#include "security_auth_support.hpp"

#include <fstream>

using namespace realmwire;
using namespace rw_sec;

TEST_CASE("security /auth: anonymous accounts and users in total are capped")
{
    reference::server_config cfg;
    cfg.auth_service.enable_anonymous = true;
    cfg.auth_service.max_anonymous_users = 20;
    cfg.auth_service.max_users = 30;
    cfg.auth_service.login.enabled = false; // the caps alone, not the rate limit
    running_server s(cfg);
    REQUIRE(s.login("ann", "pw", true).status == 200);
    int made = 0, capped = 0;
    for (int i = 0; i < 40; ++i) {
        auto r = s.post(R"({"provider":"anonymous","data":""})");
        if (r.status == 200)
            ++made;
        else if (r.status == 403 && problem_type(r) == std::string(auth::problem_type_prefix) + "user-limit")
            ++capped;
    }
    CHECK(made == 20);
    CHECK(capped == 20);
    CHECK(s.srv->auth().store().account_count("anonymous") == 20);
    // The total cap: 21 users now; 9 more registrations fit, the 10th does not.
    for (int i = 0; i < 9; ++i)
        CHECK(s.login("user" + std::to_string(i), "pw", true).status == 200);
    auto full = s.login("one-too-many", "pw", true);
    CHECK(full.status == 403);
    CHECK(auth::parse_problem(full).error() == auth_error::user_limit);
    CHECK(s.srv->auth().store().user_count() == 30);
    // Existing users still log in and sync.
    auto ok = s.login("ann", "pw");
    REQUIRE(ok.status == 200);
    CHECK(sync_once(s, auth::parse_login_response(ok).token, "/~/capped"));
}

TEST_CASE("security /auth: a change appends one line to the user log instead of rewriting every user")
{
    temp_dir d;
    const std::string path = d.str() + "/users.json";
    // 3,000 users in the snapshot, as in the attack.
    {
        std::ofstream out(path);
        out << R"({"users":[)";
        for (int i = 0; i < 3000; ++i) {
            out << (i ? "," : "") << R"({"user_id":"u)" << i
                << R"(","is_admin":false,"accounts":[{"provider":"password","provider_id":"n)" << i
                << R"("}],"password":{"salt":"00","hash":"00","iterations":1}})";
        }
        out << R"(],"permissions":[],"revoked":{}})";
    }
    const auto snapshot_size = fs::file_size(path);
    auto store = std::make_shared<auth::file_user_store>(path);
    REQUIRE(store->user_count() == 3000);
    reference::server_config cfg;
    auth::key_pair keys{auth::rsa_key::generate(2048), {}};
    keys.public_key = auth::rsa_key::from_public_pem(keys.private_key.public_pem());
    auth::auth_service_config ac;
    ac.enable_anonymous = true;
    ac.login.enabled = false;
    auth::auth_service svc(keys, store, ac);
    auth::auth_client_policy p;
    http::request anon;
    anon.method = "POST";
    anon.target = "/auth";
    anon.body = R"({"provider":"anonymous","data":""})";
    for (int i = 0; i < 10; ++i) {
        auto before = fs::file_size(store->log_path());
        REQUIRE(svc.handle(anon).status == 200);
        CHECK(svc.handle(auth::make_login_request(p, auth::credentials::password("new" + std::to_string(i), "pw", true))).status == 200);
        auto grown = fs::file_size(store->log_path()) - before;
        CHECK(grown < 3000); // two records of a few hundred bytes, not 3,000 users
    }
    CHECK(fs::file_size(path) == snapshot_size); // the snapshot was not rewritten
    CHECK(store->log_lines() == 20);
    // Everything is there after a restart, snapshot + log.
    store.reset();
    auth::file_user_store again(path);
    CHECK(again.user_count() == 3020);
    CHECK(again.account_count("anonymous") == 10);
    CHECK(again.find_account("password", "new9"));
}

TEST_CASE("security /auth: the user log survives a torn last line and compacts into the snapshot")
{
    temp_dir d;
    const std::string path = d.str() + "/users.json";
    auth::file_user_store_options o;
    o.compact_after_min = 5;
    std::error_code ec;
    {
        auth::file_user_store st(path, ec, o);
        REQUIRE_FALSE(ec);
        for (int i = 0; i < 3; ++i) {
            st.add_user({"u" + std::to_string(i), false, {{"password", "n" + std::to_string(i)}}, std::nullopt}, 0, ec);
            REQUIRE_FALSE(ec);
        }
        // A record is never replaced by add_user.
        st.add_user({"u0", true, {{"password", "other"}}, std::nullopt}, 0, ec);
        CHECK(ec == auth_error::user_exists);
        CHECK_FALSE(st.find_user("u0")->is_admin);
        st.add_user({"u9", false, {{"password", "n1"}}, std::nullopt}, 0, ec);
        CHECK(ec == auth_error::user_exists);
        st.add_user({"u9", false, {{"password", "n9"}}, std::nullopt}, 3, ec);
        CHECK(ec == auth_error::user_limit);
    }
    // A crash mid-append leaves half a line: it was never acknowledged, so it is dropped.
    {
        std::ofstream(path + ".log", std::ios::app) << R"({"put":{"user_id":"half")";
    }
    {
        auth::file_user_store st(path, ec, o);
        REQUIRE_FALSE(ec);
        CHECK(st.user_count() == 3);
        CHECK_FALSE(st.find_user("half"));
        st.add_user({"u3", false, {{"password", "n3"}}, std::nullopt}, 0, ec); // lands on a line of its own
        REQUIRE_FALSE(ec);
        for (int i = 4; i < 12; ++i)
            st.add_user({"u" + std::to_string(i), false, {}, std::nullopt}, 0, ec);
        REQUIRE_FALSE(ec);
        CHECK(st.log_lines() == 12); // inserts only: the log is as long as a snapshot would be
        // Updates of one user (password changes) grow the log past the records: it is compacted.
        for (int i = 0; i < 20; ++i) {
            st.put_user({"u3", i % 2 == 0, {{"password", "n3"}}, std::nullopt}, ec);
            REQUIRE_FALSE(ec);
        }
        CHECK(st.log_lines() <= 12);
    }
    auth::file_user_store st(path, ec, o);
    REQUIRE_FALSE(ec);
    CHECK(st.user_count() == 12);
    CHECK(st.find_account("password", "n3")->user_id == "u3");
    CHECK_FALSE(st.find_user("u3")->is_admin); // the last update (i = 19) won
    // A complete line that is not a change is corruption: an error, never an empty store.
    {
        std::ofstream(path + ".log", std::ios::app) << "{\"nonsense\":1}\n";
    }
    auth::file_user_store broken(path, ec, o);
    CHECK(ec == auth_error::store_io);
}
