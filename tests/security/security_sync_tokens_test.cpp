// Attacks on what a sync connection may read and write: tokens (kind, revocation, the realm they
// name, FLX included), realm paths, and changesets that are not changesets. Each test performs the
// attack against the reference server over loopback, checks the held outcome, then lets a good
// client sync.

#include "security_sync_support.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

using namespace realmwire;
using namespace rw_sec;
using rw_ref_test::temp_dir;

namespace {

void revoke(reference::server& srv, const std::string& token)
{
    srv.on_io_thread([&] {
        auth::verify_request r;
        r.check_expiry = false;
        auth::verification v = srv.auth().verifier().verify(token, r);
        REQUIRE(v.valid());
        std::error_code ec;
        srv.auth().store().revoke(v.revocation_key, 0, ec);
        REQUIRE(!ec);
    });
}

std::uint64_t history_version(reference::server& srv, const std::string& realm)
{
    return srv.on_io_thread([&] {
        std::error_code ec;
        reference::realm_history* h = srv.realms().get(realm, ec);
        return h ? h->version() : std::uint64_t(-1);
    });
}

} // namespace

TEST_CASE("sync attack 3: a changeset that does not decode is refused before it is stored")
{
    temp_dir dir;
    reference::server_config cfg;
    cfg.data_dir = dir.str();
    cfg.public_realms = {"/public"};
    reference::server srv(cfg);
    srv.start();
    std::string token = token_of(srv, "mallory", auth::token_kind::access, std::string("/public"));

    // InternString record, index 0, then a string length of 2^35 - 1 over 7 remaining bytes: 14 bytes.
    const std::string poison("\x3f\x00\xff\xff\xff\xff\x7f" "abcdefg", 14);
    REQUIRE(poison.size() == 14);

    raw_client c;
    REQUIRE(c.open(srv.port()));
    REQUIRE(c.upgrade(dialects::mongodb_pbs, token) == 101);
    auto file = c.bind_new(1, "/public");
    REQUIRE(file);
    c.ident(1, *file);
    c.upload(1, 1, poison);
    auto err = c.next_error();
    REQUIRE(err);
    CHECK(err->first == 212); // bad_changeset, as realm-core's server answers one it cannot integrate
    CHECK(err->second == 1);
    CHECK(history_version(srv, "/public") == 0); // nothing stored: later clients are not poisoned

    // The same session shape with a real changeset is stored (the check is not "refuse everything").
    raw_client ok;
    REQUIRE(ok.open(srv.port()));
    REQUIRE(ok.upgrade(dialects::mongodb_pbs, token) == 101);
    auto f2 = ok.bind_new(1, "/public");
    REQUIRE(f2);
    ok.ident(1, *f2);
    ok.upload(1, 1, valid_changeset("fine"));
    for (int i = 0; i < 100 && history_version(srv, "/public") == 0; ++i)
        std::this_thread::sleep_for(10ms);
    CHECK(history_version(srv, "/public") == 1);

    std::string why;
    CHECK(good_client_syncs(srv, token_of(srv, "alice", auth::token_kind::access, std::string("/public")), "/public",
                            dialects::mongodb_pbs, &why));
    INFO(why);
    srv.stop();
}

TEST_CASE("sync attack 3: an oversized changeset is refused before it is stored")
{
    reference::server_config cfg;
    cfg.limits.max_changeset_size = 64 * 1024;
    reference::server srv(cfg);
    srv.start();
    std::string token = token_of(srv, "mallory", auth::token_kind::access);
    raw_client c;
    REQUIRE(c.open(srv.port()));
    REQUIRE(c.upgrade(dialects::mongodb_pbs, token) == 101);
    auto file = c.bind_new(1, "/big");
    REQUIRE(file);
    c.ident(1, *file);
    c.upload(1, 1, valid_changeset(std::string(100 * 1024, 'x')));
    auto err = c.next_error();
    REQUIRE(err);
    CHECK(err->first == 212);
    CHECK(history_version(srv, "/big") == 0);
    CHECK(good_client_syncs(srv, token, "/big"));
    srv.stop();
}

TEST_CASE("sync attack 6: FLX checks the token's path against the realm it serves")
{
    reference::server_config cfg;
    reference::server srv(cfg);
    srv.start();
    // Alice may use the FLX realm and writes to it.
    std::string alice = token_of(srv, "alice", auth::token_kind::access, std::string("/__flx"));
    REQUIRE(good_client_syncs(srv, alice, "/ignored", dialects::mongodb_flx));
    REQUIRE(history_version(srv, "/__flx") >= 1);

    // Bob's token is for his own realm: through FLX it must not read Alice's data.
    std::string bob = token_of(srv, "bob", auth::token_kind::access, std::string("/bob/r"));
    raw_client c;
    REQUIRE(c.open(srv.port()));
    REQUIRE(c.upgrade(dialects::mongodb_flx, bob, "") == 101);
    auto file = c.bind_new(1, "{}");
    CHECK_FALSE(file);
    CHECK(c.last_error() == 206); // permission_denied
    c.ident(1, {2, 1}); // an IDENT anyway: no DOWNLOAD may follow
    bool downloaded = false;
    for (int i = 0; i < 5; ++i) {
        auto m = c.next(200ms);
        if (m && std::holds_alternative<protocol::download_message>(*m))
            downloaded = true;
    }
    CHECK_FALSE(downloaded);

    // Bob still syncs his own realm, and Alice FLX.
    CHECK(good_client_syncs(srv, bob, "/bob/r"));
    CHECK(good_client_syncs(srv, alice, "/ignored", dialects::mongodb_flx));
    srv.stop();
}

TEST_CASE("sync attack 7: refresh, user and revoked tokens do not sync")
{
    reference::server_config cfg;
    reference::server srv(cfg);
    srv.start();
    const std::string realm = "/victim/r";

    SECTION("at the handshake")
    {
        std::string refresh = token_of(srv, "eve", auth::token_kind::refresh);
        std::string admin_refresh = token_of(srv, "root", auth::token_kind::refresh, std::nullopt, true);
        std::string user = token_of(srv, "eve", auth::token_kind::user);
        std::string revoked = token_of(srv, "eve", auth::token_kind::access);
        std::string revoked_admin = token_of(srv, "root", auth::token_kind::refresh, std::nullopt, true);
        revoke(srv, revoked);
        std::string revoked_admin_access = token_of(srv, "root", auth::token_kind::access, std::nullopt, true);
        revoke(srv, revoked_admin);
        revoke(srv, revoked_admin_access);
        for (const dialect* d : dialects::all) {
            for (const std::string* t : {&refresh, &admin_refresh, &user, &revoked, &revoked_admin, &revoked_admin_access}) {
                INFO(d->name);
                raw_client c;
                REQUIRE(c.open(srv.port()));
                int status = c.upgrade(*d, *t, realm);
                // revoked: unauthorized; the wrong kind: forbidden
                CHECK(status == (t == &revoked || t == &revoked_admin_access ? 401 : 403));
            }
        }
    }
    SECTION("at BIND (a good token in the handshake, another in the BIND)")
    {
        std::string refresh = token_of(srv, "eve", auth::token_kind::refresh, std::nullopt, true);
        std::string user = token_of(srv, "eve", auth::token_kind::user);
        std::string revoked = token_of(srv, "eve", auth::token_kind::access);
        std::string good = token_of(srv, "eve", auth::token_kind::access);
        revoke(srv, revoked);
        std::uint64_t session = 1;
        raw_client c;
        REQUIRE(c.open(srv.port()));
        REQUIRE(c.upgrade(dialects::realm_sync_2020, good, realm) == 101);
        for (const std::string* t : {&refresh, &user, &revoked}) {
            CHECK_FALSE(c.bind_new(session++, realm, *t));
            CHECK(c.last_error() == 203); // bad_authentication
        }
        CHECK(c.bind_new(session++, realm, good)); // the same connection with an access token
    }
    SECTION("revoked after the handshake, at BIND and at REFRESH")
    {
        std::string token = token_of(srv, "eve", auth::token_kind::access);
        std::string later = token_of(srv, "eve", auth::token_kind::access);
        raw_client c;
        REQUIRE(c.open(srv.port()));
        REQUIRE(c.upgrade(dialects::legacy_ros, token, realm) == 101);
        auto file = c.bind_new(1, realm, token);
        REQUIRE(file);
        c.ident(1, *file);
        revoke(srv, token);
        CHECK_FALSE(c.bind_new(2, "/victim/other", token));
        CHECK(c.last_error() == 203);
        revoke(srv, later);
        protocol::refresh_message r;
        r.session_ident = 1;
        r.signed_user_token = later;
        c.send_msg(r);
        auto err = c.next_error();
        REQUIRE(err);
        CHECK(err->first == 203);
        CHECK(err->second == 1);
    }
    CHECK(good_client_syncs(srv, token_of(srv, "alice", auth::token_kind::access), "/alice/r"));
    srv.stop();
}

TEST_CASE("sync attack 11: long realm paths get a file, and ~ is only a leading segment")
{
    temp_dir dir;
    reference::server_config cfg;
    cfg.data_dir = dir.str();
    reference::server srv(cfg);
    srv.start();
    std::string token = token_of(srv, "bob", auth::token_kind::access);

    SECTION("paths of 126 to 1024 bytes sync like short ones")
    {
        for (std::size_t len : {126u, 200u, 513u, 1024u}) {
            std::string path = "/" + std::string(len - 1, 'p');
            INFO(len);
            raw_client c;
            REQUIRE(c.open(srv.port()));
            REQUIRE(c.upgrade(dialects::mongodb_pbs, token) == 101);
            auto file = c.bind_new(1, path);
            REQUIRE(file); // was: error 100 with try_again, forever
            CHECK(good_client_syncs(srv, token, path));
        }
        std::size_t hashed = 0;
        for (const auto& e : std::filesystem::directory_iterator(dir.path / "realms")) {
            std::string name = e.path().filename().string();
            CHECK(name.size() <= 2 * reference::realm_directory::max_hex_name_path + 4);
            hashed += name[0] == 'h';
        }
        CHECK(hashed == 4);
        // A short path keeps its readable hex name (existing data directories stay valid).
        CHECK(reference::realm_directory::file_name("/ab") == "2f6162.log");
    }
    SECTION("~ in the middle of a path is not expanded")
    {
        raw_client c;
        REQUIRE(c.open(srv.port()));
        REQUIRE(c.upgrade(dialects::mongodb_pbs, token) == 101);
        CHECK_FALSE(c.bind_new(1, "/a/~/b", token));
        CHECK(c.last_error() == 204); // illegal_realm_path, not /a/bob/b
        CHECK(auth::expand_home("/a/~/b", "bob") == "/a/~/b");
        CHECK(auth::expand_home("/~/b", "bob") == "/bob/b");
        CHECK(auth::expand_home("/~", "bob") == "/bob");
        CHECK(auth::expand_home("/~x/b", "bob") == "/~x/b");
        // The leading segment still means the user's own tree.
        auto file = c.bind_new(2, "/~/notes", token);
        CHECK(file);
        CHECK(good_client_syncs(srv, token, "/~/notes"));
        CHECK(srv.on_io_thread([&] {
            auto p = srv.realms().paths();
            return std::find(p.begin(), p.end(), "/bob/notes") != p.end();
        }));
    }
    srv.stop();
}
