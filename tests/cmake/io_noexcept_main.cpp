// Built with -fno-exceptions -DREALMWIRE_NO_EXCEPTIONS and run (tests/cmake/core_floor.cmake, MODE=run):
// the JSON reader, the auth claims and user store, the URL parser, the merge-scenario reader and the
// transport's proxy-URL and TLS-context setup report bad input as error_code without exceptions, and still
// read good input. It reaches Asio, so it is built with ASIO_NO_EXCEPTIONS and defines Asio's hook too.
#include <realmwire/auth/claims.hpp>
#include <realmwire/auth/store.hpp>
#include <realmwire/detail/json.hpp>
#include <realmwire/errors/message.hpp>
#include <realmwire/merge/scenario.hpp>
#include <realmwire/transport/proxy_env.hpp>
#include <realmwire/transport/tls.hpp>
#include <realmwire/url.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include <unistd.h>

// With REALMWIRE_NO_EXCEPTIONS the application says what a throwing overload does instead.
[[noreturn]] void realmwire::throw_exception(std::error_code ec, std::string_view what, error_info)
{
    std::printf("throw_exception: %.*s: %s\n", static_cast<int>(what.size()), what.data(), ec.message().c_str());
    std::abort();
}

template <typename Exception>
void asio::detail::throw_exception(const Exception& e)
{
    std::printf("asio::detail::throw_exception: %s\n", e.what());
    std::abort();
}

namespace {

int failures = 0;

void check(bool ok, const char* what)
{
    if (!ok) {
        std::printf("FAILED: %s\n", what);
        ++failures;
    }
}

void write_file(const std::string& path, const std::string& text)
{
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

void json()
{
    using realmwire::detail::parse_json;
    std::string err;
    check(!parse_json("[1e400]", &err), "a number beyond double is refused (picojson would throw)");
    check(err == "JSON number out of range", "... and says so");
    check(!parse_json("{\"a\": -1.5e999}", &err), "a negative one too");
    check(!parse_json(std::string(100, '[') + std::string(100, ']'), &err), "nesting beyond the limit");
    check(!parse_json("{} x", &err), "trailing characters");
    auto v = parse_json("{\"big\": 9223372036854775807, \"d\": 1.5e300, \"s\": \"1e400\", \"t\": true}", &err);
    check(v && v->is<realmwire::picojson::object>(), "good JSON still parses");
    if (v) {
        const auto& o = v->get<realmwire::picojson::object>();
        check(o.at("big").is<std::int64_t>() && o.at("big").get<std::int64_t>() == 9223372036854775807LL, "int64");
        check(o.at("d").is<double>() && o.at("d").get<double>() == 1.5e300, "a large finite double");
        check(o.at("s").get<std::string>() == "1e400", "a number-like string is left alone");
    }
    std::error_code ec;
    realmwire::auth::parse_claims("{\"exp\": 1e400}", ec);
    check(ec == realmwire::auth_error::token_json, "claims with an out-of-range number: an error_code");
}

void store()
{
    char dir_template[] = "/tmp/realmwire_noexcept_XXXXXX";
    const char* dir = ::mkdtemp(dir_template);
    check(dir != nullptr, "mkdtemp");
    if (!dir)
        return;
    const std::string path = std::string(dir) + "/users.json";
    namespace auth = realmwire::auth;
    {
        std::error_code ec;
        auth::file_user_store s(path, ec);
        check(!ec, "an absent store opens empty");
        auth::user_record u;
        u.user_id = "u1";
        u.accounts.push_back({"anon-user", "device-1"});
        s.add_user(u, 0, ec);
        check(!ec, "add_user");
        s.grant({"u1", "/realm", 3}, ec);
        check(!ec, "grant");
        s.compact(ec);
        check(!ec, "compact");
    }
    {
        std::error_code ec;
        auth::file_user_store s(path, ec);
        check(!ec && s.find_user("u1") && s.permissions("u1", "/realm") == 3, "the store reads back");
    }
    struct bad_case {
        const char* snapshot;
        const char* log;
        const char* what;
    };
    const bad_case cases[] = {
        {"[]", "", "a snapshot that is not an object"},
        {"{\"users\": 5, \"permissions\": [], \"revoked\": {}}", "", "users not an array"},
        {"{\"permissions\": [], \"revoked\": {}}", "", "users missing"},
        {"{\"users\": [{\"user_id\": 7, \"is_admin\": false, \"accounts\": []}], \"permissions\": [], \"revoked\": {}}",
         "", "a user id that is not a string"},
        {"{\"users\": [], \"permissions\": [{\"user_id\": \"\", \"path\": \"/x\"}], \"revoked\": {}}", "",
         "a permission without access"},
        {"{\"users\": [], \"permissions\": [], \"revoked\": {\"k\": \"soon\"}}", "", "a revocation time not a number"},
        {"{\"users\": [], \"permissions\": [], \"revoked\": {}}", "{\"explode\": 1}\n", "an unknown change in the log"},
        {"{\"users\": [], \"permissions\": [], \"revoked\": {}}", "{\"remove\": 5}\n", "a remove of a non-string"},
        {"{\"users\": [], \"permissions\": [], \"revoked\": {}}", "{\"revoke\": {\"key\": \"k\"}}\n",
         "a revoke without expiry"},
        {"{\"users\": [], \"permissions\": [], \"revoked\": {\"k\": 1e400}}", "", "an out-of-range number"},
    };
    for (const auto& c : cases) {
        write_file(path, c.snapshot);
        write_file(path + ".log", c.log);
        std::error_code ec;
        auth::file_user_store s(path, ec);
        check(ec == realmwire::auth_error::store_io, c.what);
        check(!s.find_user("u1"), "nothing half-loaded");
    }
    ::unlink((path + ".log").c_str());
    ::unlink(path.c_str());
    ::unlink((path + ".tmp").c_str());
    ::rmdir(dir);
}

void url()
{
    std::error_code ec;
    realmwire::parse_server_url("wss://host:99999/api", ec);
    check(ec == realmwire::url_error::invalid_port, "a port beyond 65535");
    realmwire::parse_server_url("gopher://host/", ec);
    check(ec == realmwire::url_error::unsupported_scheme, "an unknown scheme");
    auto u = realmwire::parse_server_url("wss://realm.example.com:443/api/client/v2.0/app/x/realm-sync", ec);
    check(!ec && u.port == 443, "a good URL");
}

void scenario()
{
    namespace sc = realmwire::merge::scenario;
    std::error_code ec;
    std::string why;
    sc::parse("[1, 2]", ec, &why);
    check(ec == realmwire::message_error::json_not_object, "a scenario that is not an object");
    sc::parse("{\"server_file_ident\": 1}", ec, &why);
    check(ec == realmwire::message_error::json_missing_key && why == "file: missing \"events\"", "missing events");
    sc::parse("{\"server_file_ident\": 1, \"events\": [{\"event\": \"server_integrate\", \"origin_file_ident\": 2, "
              "\"origin_timestamp\": 0, \"client_version\": 1, \"server_version\": 1, "
              "\"last_integrated_server_version\": 0, \"upload_changeset_hex\": \"0g\", "
              "\"integrated_changeset_hex\": \"\"}]}",
              ec, &why);
    check(ec == realmwire::message_error::json_bad_value, "bad hex");
    check(why == "event 0 upload_changeset_hex: not hex", "... named");
    auto s = sc::parse("{\"server_file_ident\": 1, \"events\": []}", ec, &why);
    check(!ec && s.events.empty(), "an empty scenario");
}

void transport_setup()
{
    namespace tr = realmwire::transport;
    std::error_code ec;
    check(!tr::parse_proxy_url("socks5://proxy:1080", ec) && ec == realmwire::transport_error::bad_proxy_url,
          "a proxy URL that is not HTTP");
    auto p = tr::parse_proxy_url("http://proxy.example:3128", ec);
    check(!ec && p && p->port == 3128, "a good proxy URL");
    check(!tr::make_server_tls_context("/nonexistent/cert.pem", "/nonexistent/key.pem", ec) && ec,
          "a server TLS context without its files");
    tr::tls_options o;
    o.ca_file = "/nonexistent/ca.pem";
    check(!tr::make_client_tls_context(o, ec) && ec, "a client TLS context with a missing CA file");
    o.verify_peer = false;
    check(tr::make_client_tls_context(o, ec) && !ec, "a client TLS context without verification");
}

} // namespace

int main()
{
    json();
    store();
    url();
    scenario();
    transport_setup();
    std::printf("%s\n", failures ? "I/O-side code without exceptions: FAILED" : "I/O-side code without exceptions: ok");
    return failures ? 1 : 0;
}
