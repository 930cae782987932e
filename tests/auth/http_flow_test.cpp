#include "realmwire/driver/http_server.hpp"

#include "auth_test_util.hpp"
#include "realmwire/auth.hpp"
#include "realmwire/driver/http_client.hpp"

#include <catch2/catch.hpp>

#include <atomic>

using namespace realmwire;
using namespace realmwire::auth;
using namespace realmwire::driver;
using auth_test::read_vector;

namespace {

struct auth_server_fixture {
    key_pair keys{rsa_key::from_private_pem(read_vector("test-private.pem")),
                  rsa_key::from_public_pem(read_vector("test-public.pem"))};
    std::shared_ptr<memory_user_store> store = std::make_shared<memory_user_store>();
    auth_service service;
    threaded_http_server server;
    http_target target;
    auth_client_policy policy;

    explicit auth_server_fixture(auth_service_config cfg = dev_config())
        : service(keys, store, std::move(cfg))
        , server([this](const http::request& r) { return service.handle(r); })
    {
        server.start();
        target = {"127.0.0.1", server.port(), false};
        policy.host = "127.0.0.1:" + std::to_string(server.port());
    }
    /// The development providers on (their error answers are checked here), brakes off (tests/security).
    static auth_service_config dev_config()
    {
        auth_service_config c;
        c.enable_nickname = true;
        c.enable_anonymous = true;
        c.login.enabled = false;
        return c;
    }
    http::response send(const http::request& r)
    {
        http_client_options o;
        o.connect_timeout = std::chrono::seconds(5);
        o.request_timeout = std::chrono::seconds(10);
        return http_request(target, r, o);
    }
};

} // namespace

TEST_CASE("full /auth flow over loopback HTTP: register, login, access token, verify, revoke, refresh refused")
{
    auth_server_fixture f;
    // register
    std::error_code ec;
    problem why;
    issued_token reg = parse_login_response(f.send(make_login_request(f.policy, credentials::password("eve@x", "pw", true))), ec, &why);
    REQUIRE(!ec);
    // login
    issued_token rt = parse_login_response(f.send(make_login_request(f.policy, credentials::password("eve@x", "pw", false))));
    CHECK(rt.data.identity == reg.data.identity);
    CHECK(rt.data.kind() == token_kind::refresh);
    const std::string uid = rt.data.identity;
    // per-realm access token
    issued_token at = parse_refresh_response(f.send(make_refresh_request(f.policy, rt.token, std::string_view("/~/tasks"))));
    CHECK(at.data.path == "/" + uid + "/tasks");
    // verify it as a sync server would, with only the public key
    token_verifier verifier(rsa_key::from_public_pem(read_vector("test-public.pem")));
    auto ok = verifier.verify(at.token, verify_request::sync("/" + uid + "/tasks"));
    CHECK(ok.valid());
    CHECK(std::string(ok.realm_core_verdict()) == "valid");
    auto other = verifier.verify(at.token, verify_request::sync("/" + uid + "/other"));
    CHECK(other.error == auth_error::token_path);
    CHECK(std::string(other.realm_core_verdict()) == "no-access");
    // revoke the refresh token (logout), then refreshing is refused with 403/614
    auto rv = f.send(make_revoke_request(f.policy, rt.token, rt.token));
    parse_empty_response(rv, ec);
    CHECK(!ec);
    auto refused = f.send(make_refresh_request(f.policy, rt.token, std::string_view("/~/tasks")));
    CHECK(refused.status == 403);
    parse_refresh_response(refused, ec, &why);
    CHECK(ec == auth_error::access_denied);
    CHECK(why.code == 614);
    CHECK(why.title == "The path is invalid or current user has no access.");
    CHECK(refused.headers.get("Server"));
    // the earlier registration token still works (only the revoked one is dead)
    CHECK(f.send(make_refresh_request(f.policy, reg.token, std::string_view("/~/tasks"))).status == 200);
}

TEST_CASE("provider errors over HTTP: status codes and problem bodies")
{
    auth_server_fixture f;
    struct expect {
        std::string body;
        int status;
        int code;
    };
    const expect cases[] = {
        {R"({"data":"x"})", 400, 602},
        {R"({"provider":"nope","data":"x"})", 400, 601},
        {R"({"provider":"password","data":"a","user_info":{"password":"p","register":false}})", 401, 611},
        {R"({"provider":"password","data":"a","user_info":{}})", 400, 602},
        {R"({"provider":"nickname"})", 400, 602},
        {R"({"provider":"realm","data":"bad:token"})", 403, 614},
        {"{", 400, 601},
    };
    for (const auto& c : cases) {
        INFO(c.body);
        http::request r = make_login_request(f.policy, credentials::anonymous());
        r.body = c.body;
        r.headers.set("Content-Length", std::to_string(r.body.size()));
        auto res = f.send(r);
        CHECK(res.status == c.status);
        problem p = parse_problem(res);
        CHECK(p.code == c.code);
        CHECK(p.title == find_problem(c.code)->title);
        CHECK(p.type == std::string(problem_type_prefix) + find_problem(c.code)->slug);
    }
    // 404 for other paths; keep-alive: several requests on one connection work
    http::request r;
    r.target = "/nope";
    r.headers.set("Host", "x");
    CHECK(f.send(r).status == 404);
}

TEST_CASE("http server: limits, timeouts, keep-alive, and upgrade hand-off")
{
    std::atomic<int> upgrades{0};
    std::string upgrade_target;
    std::string upgrade_rest;
    http_server_options opts;
    opts.read_timeout = std::chrono::milliseconds(300);
    opts.idle_timeout = std::chrono::milliseconds(300);
    opts.limits.max_body_size = 1024;
    threaded_http_server server(
        [](const http::request& r) {
            http::response res;
            res.status = 200;
            res.reason = "OK";
            res.body = r.method + " " + r.target + " " + std::to_string(r.body.size());
            return res;
        },
        opts);
    server.server().set_upgrade_handler([&](asio::ip::tcp::socket s, http::request req, std::string rest) {
        upgrade_target = req.target;
        upgrade_rest = rest;
        std::string answer = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n";
        std::error_code ec;
        asio::write(s, asio::buffer(answer), ec);
        s.close(ec);
        ++upgrades;
    });
    server.start();

    asio::io_context ioc;
    auto raw = [&](const std::string& bytes, std::chrono::milliseconds wait_for_close) {
        asio::ip::tcp::socket s(ioc);
        s.connect({asio::ip::make_address("127.0.0.1"), server.port()});
        asio::write(s, asio::buffer(bytes));
        std::string got;
        std::array<char, 4096> buf;
        std::error_code ec;
        auto until = std::chrono::steady_clock::now() + wait_for_close;
        s.non_blocking(true);
        while (std::chrono::steady_clock::now() < until) {
            std::size_t n = s.read_some(asio::buffer(buf), ec);
            if (ec == asio::error::would_block) {
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
                continue;
            }
            if (ec)
                break;
            got.append(buf.data(), n);
        }
        return std::make_pair(got, ec);
    };

    // two pipelined requests answered in order on one connection
    auto two = raw("GET /a HTTP/1.1\r\nHost: x\r\n\r\nPOST /b HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
                   std::chrono::milliseconds(1500));
    CHECK(two.first.find("GET /a 0") != std::string::npos);
    CHECK(two.first.find("POST /b 3") != std::string::npos);
    CHECK(two.first.find("GET /a 0") < two.first.find("POST /b 3"));
    CHECK(two.second == asio::error::eof); // idle timeout closed it
    // a body over the limit: 413 and close
    auto big = raw("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n", std::chrono::milliseconds(1500));
    CHECK(big.first.compare(0, 12, "HTTP/1.1 413") == 0);
    // garbage: 400
    auto bad = raw("GET / HTTP/9.9\r\n\r\n", std::chrono::milliseconds(1500));
    CHECK(bad.first.compare(0, 12, "HTTP/1.1 400") == 0);
    // a request that never finishes is cut off by the read timeout
    auto slow_start = std::chrono::steady_clock::now();
    auto slow = raw("GET / HTTP/1.1\r\nHost: x\r\n", std::chrono::milliseconds(3000));
    CHECK(slow.first.empty());
    CHECK(std::chrono::steady_clock::now() - slow_start < std::chrono::milliseconds(2500));
    // Connection: close is honoured
    auto closing = raw("GET /c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", std::chrono::milliseconds(1500));
    CHECK(closing.first.find("Connection: close") != std::string::npos);
    // an upgrade is handed off with the bytes after the head
    auto up = raw("GET /realm-sync/%2Fa HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: keep-alive, Upgrade\r\n\r\n\x81\x05",
                  std::chrono::milliseconds(1500));
    CHECK(up.first.compare(0, 12, "HTTP/1.1 101") == 0);
    CHECK(upgrades == 1);
    CHECK(upgrade_target == "/realm-sync/%2Fa");
    CHECK(upgrade_rest == "\x81\x05");
    server.stop();
}

TEST_CASE("http client: connection refused, timeout, malformed answer")
{
    // a port with nothing listening: bind, note the port, close
    std::uint16_t dead_port;
    {
        asio::io_context ioc;
        asio::ip::tcp::acceptor a(ioc, {asio::ip::make_address("127.0.0.1"), 0});
        dead_port = a.local_endpoint().port();
    }
    http::request r;
    r.headers.set("Host", "x");
    std::error_code ec;
    http_request({"127.0.0.1", dead_port, false}, r, {}, ec);
    CHECK(ec == asio::error::connection_refused);

    // a server that accepts but never answers → timed_out within the request timeout
    asio::io_context ioc;
    asio::ip::tcp::acceptor silent(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    http_client_options o;
    o.request_timeout = std::chrono::milliseconds(200);
    auto start = std::chrono::steady_clock::now();
    http_request({"127.0.0.1", silent.local_endpoint().port(), false}, r, o, ec);
    CHECK(ec == std::errc::timed_out);
    CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(3));

    // a server that answers garbage → the http parser's error
    asio::ip::tcp::acceptor liar(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    std::thread garbage([&] {
        for (int i = 0; i < 1; ++i) {
            asio::ip::tcp::socket s(ioc);
            liar.accept(s);
            std::array<char, 1024> buf;
            std::error_code e;
            std::size_t n = s.read_some(asio::buffer(buf), e);
            if (e || n == 0)
                continue;
            asio::write(s, asio::buffer(std::string("NOT HTTP\r\n\r\n")), e);
            s.close(e);
            return;
        }
    });
    o.request_timeout = std::chrono::seconds(5);
    http_request({"127.0.0.1", liar.local_endpoint().port(), false}, r, o, ec);
    garbage.join();
    CHECK(ec);
    CHECK(ec.category().name() == std::string("realmwire.http"));
}
