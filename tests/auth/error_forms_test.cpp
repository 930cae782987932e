// Both forms of the fallible auth and transport-setup calls: the error_code form reports, the throwing
// form throws realmwire::system_error with the same code; and the user store refuses a damaged file
// whatever part of it is wrong.
#include "realmwire/auth/client.hpp"
#include "realmwire/auth/keys.hpp"
#include "realmwire/auth/store.hpp"
#include "realmwire/transport/proxy_env.hpp"
#include "realmwire/transport/tls.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <string>

#include <sys/stat.h>
#include <unistd.h>

using namespace realmwire;

namespace {

struct temp_dir {
    std::string path;
    temp_dir()
    {
        char t[] = "/tmp/realmwire_error_forms_XXXXXX";
        REQUIRE(::mkdtemp(t));
        path = t;
    }
    ~temp_dir()
    {
        for (const char* f : {"/users.json", "/users.json.log", "/users.json.tmp"})
            ::unlink((path + f).c_str());
        ::rmdir(path.c_str());
    }
};

void write_file(const std::string& path, const std::string& text)
{
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

template <class F>
std::error_code thrown_code(F&& f)
{
    try {
        f();
    }
    catch (const realmwire::system_error& e) {
        return e.code();
    }
    return {};
}

} // namespace

TEST_CASE("file_user_store: a snapshot or log of the wrong shape is store_io, never half loaded")
{
    temp_dir d;
    const std::string path = d.path + "/users.json";
    const std::string empty_snapshot = R"({"users": [], "permissions": [], "revoked": {}})";
    const std::string good_user = R"({"user_id": "u1", "is_admin": false, "accounts": [{"provider": "p", "provider_id": "1"}]})";
    struct bad_case {
        std::string snapshot, log;
    };
    const bad_case cases[] = {
        {"[]", ""},
        {R"({"users": 5, "permissions": [], "revoked": {}})", ""},
        {R"({"permissions": [], "revoked": {}})", ""},
        {R"({"users": [], "revoked": {}})", ""},
        {R"({"users": [], "permissions": []})", ""},
        {R"({"users": [{"user_id": 7, "is_admin": false, "accounts": []}], "permissions": [], "revoked": {}})", ""},
        {R"({"users": [{"user_id": "u", "accounts": []}], "permissions": [], "revoked": {}})", ""},
        {R"({"users": [{"user_id": "u", "is_admin": false, "accounts": [{"provider": "p"}]}], "permissions": [], "revoked": {}})", ""},
        {R"({"users": [{"user_id": "u", "is_admin": false, "accounts": [], "password": {"salt": "00"}}], "permissions": [], "revoked": {}})", ""},
        {R"({"users": [], "permissions": [{"user_id": "", "path": "/x"}], "revoked": {}})", ""},
        {R"({"users": [], "permissions": [{"user_id": "", "path": "/x", "access": 1.5}], "revoked": {}})", ""},
        {R"({"users": [], "permissions": [], "revoked": {"k": "soon"}})", ""},
        {R"({"users": [], "permissions": [], "revoked": {"k": 1e400}})", ""},
        {empty_snapshot, "{\"put\": " + good_user + "}\n{\"explode\": 1}\n"},
        {empty_snapshot, "{\"put\": " + good_user + "}\n{\"remove\": 5}\n"},
        {empty_snapshot, "{\"put\": " + good_user + "}\n{\"revoke\": {\"key\": \"k\"}}\n"},
        {empty_snapshot, "{\"put\": " + good_user + "}\n{\"grant\": {\"user_id\": \"u1\"}}\n"},
        {empty_snapshot, "{\"put\": " + good_user + "}\n{\"put\": 1, \"remove\": \"u1\"}\n"},
        {empty_snapshot, "{\"put\": " + good_user + "}\n[]\n"},
    };
    for (const auto& c : cases) {
        INFO(c.snapshot << " / " << c.log);
        write_file(path, c.snapshot);
        write_file(path + ".log", c.log);
        std::error_code ec;
        auth::file_user_store s(path, ec);
        CHECK(ec == auth_error::store_io);
        CHECK_FALSE(s.find_user("u1"));
        CHECK(s.user_count() == 0);
        CHECK(thrown_code([&] { auth::file_user_store t(path); }) == auth_error::store_io);
    }
    // The same files, well formed, load.
    write_file(path, empty_snapshot);
    write_file(path + ".log", "{\"put\": " + good_user + "}\n{\"grant\": {\"user_id\": \"u1\", \"path\": \"/r\", \"access\": 3}}\n"
                              "{\"revoke\": {\"key\": \"k\", \"expires\": 0}}\n{\"remove\": \"nobody\"}\n");
    std::error_code ec;
    auth::file_user_store s(path, ec);
    REQUIRE_FALSE(ec);
    CHECK(s.find_account("p", "1"));
    CHECK(s.permissions("u1", "/r") == 3);
    CHECK(s.is_revoked("k"));
    CHECK(s.log_lines() == 4);
}

TEST_CASE("file_user_store::compact: both forms report a snapshot that cannot be written")
{
    temp_dir d;
    const std::string path = d.path + "/users.json";
    auth::file_user_store s(path);
    std::error_code ec;
    s.compact(ec);
    CHECK_FALSE(ec);
    s.compact();
    // compact() replaces a leftover temporary file, but not a directory in its way.
    REQUIRE(::mkdir((path + ".tmp").c_str(), 0700) == 0);
    s.compact(ec);
    CHECK(ec == auth_error::store_io);
    CHECK(thrown_code([&] { s.compact(); }) == auth_error::store_io);
    ::rmdir((path + ".tmp").c_str());
}

TEST_CASE("generate_key_pair: both forms")
{
    std::error_code ec;
    auto bad = auth::generate_key_pair(ec, 16); // below OpenSSL's smallest RSA key
    CHECK(ec == auth_error::key_generation);
    CHECK(bad.private_key.empty());
    CHECK(thrown_code([] { auth::generate_key_pair(16); }) == auth_error::key_generation);
    auto kp = auth::generate_key_pair(1024);
    CHECK(kp.private_key.has_private());
    CHECK_FALSE(kp.public_key.has_private());
}

TEST_CASE("TLS contexts: both forms report a missing file")
{
    std::error_code ec;
    CHECK_FALSE(transport::make_server_tls_context("/nonexistent/cert.pem", "/nonexistent/key.pem", ec));
    CHECK(ec);
    const std::error_code expected = ec;
    CHECK(thrown_code([] { transport::make_server_tls_context("/nonexistent/cert.pem", "/nonexistent/key.pem"); }) == expected);
    transport::tls_options o;
    o.ca_file = "/nonexistent/ca.pem";
    CHECK_FALSE(transport::make_client_tls_context(o, ec));
    CHECK(ec);
    CHECK(thrown_code([&] { transport::make_client_tls_context(o); }));
    o.verify_peer = false;
    CHECK(transport::make_client_tls_context(o));
}

TEST_CASE("parse_proxy_url: both forms")
{
    std::error_code ec;
    CHECK_FALSE(transport::parse_proxy_url("socks5://proxy:1080", ec));
    CHECK(ec == transport_error::bad_proxy_url);
    CHECK(thrown_code([] { transport::parse_proxy_url("socks5://proxy:1080"); }) == transport_error::bad_proxy_url);
    auto p = transport::parse_proxy_url("http://proxy.example:3128");
    REQUIRE(p);
    CHECK(p->port == 3128);
}

TEST_CASE("auth::parse_empty_response: both forms")
{
    http::response ok;
    ok.status = 200;
    ok.body = "{}";
    std::error_code ec;
    auth::parse_empty_response(ok, ec);
    CHECK_FALSE(ec);
    auth::parse_empty_response(ok);
    http::response bad = ok;
    bad.body = "[1e400]";
    auth::parse_empty_response(bad, ec);
    CHECK(ec == auth_error::malformed_response);
    CHECK(thrown_code([&] { auth::parse_empty_response(bad); }) == auth_error::malformed_response);
}
