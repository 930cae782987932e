// Attack 9: keys. In-memory mode left the private key in /tmp/realmwire-keys-*/ after exit; when that
// directory could not be created the server silently loaded /tmp/auth.key, so a key planted there signed
// tokens the server accepted; key files were created with the umask's mode and chmod-ed to 0600 after.
#include "security_auth_support.hpp"

#include <fstream>
#include <sstream>

#include <sys/stat.h>
#include <unistd.h>

using namespace realmwire;
using namespace rw_sec;

namespace {

std::string slurp(const fs::path& p)
{
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// A token for `identity` signed with `key` (the attacker's), claiming every right.
std::string forged(const auth::rsa_key& key, const std::string& identity)
{
    auth::claims c;
    c.identity = identity;
    c.app_id = "io.realm.Auth";
    c.has_access = true;
    c.access = auth::privilege::download | auth::privilege::upload | auth::privilege::manage;
    return auth::sign_claims(c, key, auth::token_format::legacy);
}

struct umask_guard {
    mode_t old;
    explicit umask_guard(mode_t m) : old(::umask(m)) {}
    ~umask_guard() { ::umask(old); }
};

} // namespace

TEST_CASE("security /auth: in-memory keys are never written to disk")
{
    std::string public_pem;
    {
        running_server s({}, /*in_memory=*/true);
        public_pem = s.srv->auth().verifier().key().public_pem();
        REQUIRE_FALSE(public_pem.empty());
        CHECK(s.login("ann", "pw", true).status == 200);
    }
    // No file anywhere under the temporary directory holds this server's key (the old code wrote
    // auth.key/auth.pub to /tmp/realmwire-keys-XXXXXX and left them there).
    std::size_t looked = 0;
    for (const auto& e : fs::directory_iterator(fs::temp_directory_path())) {
        if (e.path().filename().string().rfind("realmwire-keys-", 0) != 0)
            continue;
        std::error_code ec;
        for (const auto& f : fs::directory_iterator(e.path(), ec)) {
            ++looked;
            CHECK(slurp(f.path()) != public_pem);
        }
    }
    INFO("key files of other runs looked at: " << looked);
}

TEST_CASE("security /auth: a planted key signs nothing, and an unusable data directory is an error, not a fallback")
{
    temp_dir planted;
    auto attacker = auth::rsa_key::generate(2048);
    {
        std::ofstream(planted.path / "auth.key") << attacker.private_pem();
        std::ofstream(planted.path / "auth.pub") << attacker.public_pem();
    }
    // A data directory that cannot be created: start fails; nothing is served with any other key.
    reference::server_config bad;
    bad.data_dir = "/proc/realmwire-cannot-exist/data";
    reference::server failing(bad);
    std::error_code ec;
    failing.start(ec);
    CHECK(ec);
    failing.stop();

    // In memory: the server's key is its own, whatever lies in /tmp.
    running_server s({}, /*in_memory=*/true);
    http::request users;
    users.method = "GET";
    users.target = "/auth/users/anyone";
    users.headers.set("Authorization", forged(attacker, "__admin"));
    CHECK(status_code(s.send(users)) == std::make_pair(401, 611));
    auto refresh = forged(attacker, "__admin");
    CHECK(status_code(s.send(auth::make_refresh_request(s.policy(), refresh, std::string_view("/x")))) ==
          std::make_pair(403, 614));
    // Nor does it open a sync connection.
    std::error_code up = ping_probe::try_upgrade(s.port(), forged(attacker, "mallory"));
    CHECK(up);
    CHECK_FALSE(ping_probe::try_upgrade(s.port(), s.srv->auth().issue([] {
        auth::claims c;
        c.identity = "ann";
        c.has_access = true;
        c.access = auth::privilege::download;
        return c;
    }())));
    // The server's own token still works: a good client logs in and syncs.
    REQUIRE(s.login("ann", "pw", true).status == 200);
    CHECK(sync_once(s, auth::parse_login_response(s.login("ann", "pw")).token, "/~/k"));
}

TEST_CASE("security /auth: key files are created 0600 from the start, exclusively, never through a symlink")
{
    umask_guard open_umask(0); // the old code created the file with 0666 & ~umask, then chmod-ed it
    {
        temp_dir d;
        std::error_code ec;
        auth::load_or_generate_keys(d.str() + "/keys", ec);
        REQUIRE_FALSE(ec);
        struct stat st {};
        REQUIRE(::stat((d.path / "keys" / "auth.key").c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0600);
        REQUIRE(::stat((d.path / "keys").c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0700);
        // The reference server's data directory too.
        reference::server_config cfg;
        cfg.data_dir = d.str() + "/data";
        reference::server srv(cfg);
        srv.start();
        srv.stop();
        REQUIRE(::stat((d.path / "data" / "auth.key").c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0600);
        REQUIRE(::stat((d.path / "data" / "users.json.log").c_str(), &st) == 0);
        CHECK((st.st_mode & 0777) == 0600);
    }
    {
        // A symlink planted where the private key will be written: generation refuses to follow it.
        temp_dir d;
        fs::create_directories(d.path / "keys");
        fs::create_symlink(d.path / "stolen.key", d.path / "keys" / "auth.key");
        std::error_code ec;
        auth::load_or_generate_keys(d.str() + "/keys", ec);
        CHECK(ec == auth_error::store_io);
        CHECK_FALSE(fs::exists(d.path / "stolen.key"));
        CHECK_FALSE(fs::exists(d.path / "keys" / "auth.pub"));
    }
    {
        // A directory that cannot be created is an error.
        std::error_code ec;
        auth::load_or_generate_keys("/proc/realmwire-cannot-exist/keys", ec);
        CHECK(ec == auth_error::store_io);
    }
}
