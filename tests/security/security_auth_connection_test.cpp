// Attack 13b: /auth ignored `Connection: close` and kept the connection (and its slot) open.
#include "security_auth_support.hpp"

#include <mutex>

using namespace realmwire;
using namespace rw_sec;

namespace {

/// Sends `bytes` on a fresh connection and reads until the server closes it or `limit` passes.
/// `closed` says whether the server closed it.
std::string exchange(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds limit, bool& closed)
{
    asio::io_context ioc;
    asio::ip::tcp::socket sock(ioc);
    sock.connect({asio::ip::make_address("127.0.0.1"), port});
    asio::write(sock, asio::buffer(bytes));
    std::string got;
    std::array<char, 4096> buf{};
    closed = false;
    std::function<void()> read = [&] {
        sock.async_read_some(asio::buffer(buf), [&](std::error_code ec, std::size_t n) {
            got.append(buf.data(), n);
            if (ec)
                closed = true;
            else
                read();
        });
    };
    read();
    run_until(ioc, [&] { return closed; }, limit);
    return got;
}

std::string login_request(const std::string& connection)
{
    std::string body = R"({"provider":"password","data":"ann","user_info":{"password":"pw"}})";
    return "POST /auth HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" + connection +
           "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

} // namespace

TEST_CASE("security /auth: Connection: close is honoured, keep-alive still works")
{
    running_server s;
    REQUIRE(s.login("ann", "pw", true).status == 200);
    bool closed = false;
    auto t0 = clock::now();
    std::string got = exchange(s.port(), login_request("Connection: close\r\n"), 5s, closed);
    CHECK(closed);
    CHECK(clock::now() - t0 < 3s);
    CHECK(got.rfind("HTTP/1.1 200", 0) == 0);
    CHECK(got.find("\r\nConnection: close\r\n") != std::string::npos);
    // HTTP/1.0 without keep-alive closes too.
    std::string r10 = login_request("");
    r10.replace(r10.find("HTTP/1.1"), 8, "HTTP/1.0");
    got = exchange(s.port(), r10, 5s, closed);
    CHECK(closed);
    CHECK(got.find(" 200 ") != std::string::npos);
    // Without it, two pipelined requests on one connection are both answered and it stays open.
    got = exchange(s.port(), login_request("") + login_request(""), 1500ms, closed);
    CHECK_FALSE(closed);
    std::size_t first = got.find("HTTP/1.1 200");
    REQUIRE(first != std::string::npos);
    CHECK(got.find("HTTP/1.1 200", first + 1) != std::string::npos);
}

TEST_CASE("security /auth: served by driver::http_server on workers, the brakes are keyed by the client's address")
{
    auto priv = auth::rsa_key::generate(2048);
    auth::key_pair keys{priv, auth::rsa_key::from_public_pem(priv.public_pem())};
    auth::auth_service_config ac;
    ac.login.free_failures = 2;
    ac.login.backoff_base = 5000ms;
    auth::auth_service service(keys, std::make_shared<auth::memory_user_store>(), ac);
    std::mutex m;
    std::string seen_peer;
    driver::http_server_options o;
    o.worker_threads = 1;
    driver::threaded_http_server server(
        [&](const http::request& r, const std::string& peer) {
            {
                std::lock_guard<std::mutex> lock(m);
                seen_peer = peer;
            }
            return service.handle(r, peer);
        },
        o);
    server.start();
    auth::auth_client_policy p;
    p.host = "127.0.0.1:" + std::to_string(server.port());
    driver::http_target t{"127.0.0.1", server.port(), false};
    auto login = [&](const char* user, const char* pw, std::optional<bool> reg) {
        return driver::http_request(t, auth::make_login_request(p, auth::credentials::password(user, pw, reg))).status;
    };
    CHECK(login("ann", "pw", true) == 200);
    CHECK(login("ann", "x", std::nullopt) == 401);
    CHECK(login("bob", "x", std::nullopt) == 401); // a second failure from this address: the brake is on
    CHECK(login("carl", "x", std::nullopt) == 429);
    CHECK(login("ann", "pw", std::nullopt) == 429);
    std::lock_guard<std::mutex> lock(m);
    CHECK(seen_peer == "127.0.0.1");
}
