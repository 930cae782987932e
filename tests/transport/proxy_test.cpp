#include "realmwire/transport/http_connect.hpp"

#include "realmwire/transport/connect.hpp"
#include "realmwire/transport/proxy_env.hpp"
#include "transport/support.hpp"

#include <catch2/catch.hpp>

#include <asio/io_context.hpp>

#include <map>
#include <string>

using namespace realmwire;
using namespace realmwire::transport;

namespace {

// A scripted proxy: reads the request head, records it, answers `reply`; if `tunnel`, then echoes.
struct fake_proxy_session : std::enable_shared_from_this<fake_proxy_session> {
    fake_proxy_session(any_transport t, std::string reply, bool tunnel, std::string* seen)
        : t(std::move(t)), reply(std::move(reply)), tunnel(tunnel), seen(seen)
    {
    }
    void start()
    {
        auto self = shared_from_this();
        t.async_read_some(asio::buffer(buf), [self](std::error_code ec, std::size_t n) {
            if (ec)
                return;
            self->head.append(self->buf, n);
            if (self->head.find("\r\n\r\n") == std::string::npos)
                return self->start();
            *self->seen = self->head;
            self->t.async_write(asio::buffer(self->reply), [self](std::error_code ec, std::size_t) {
                if (ec)
                    return;
                if (self->tunnel)
                    std::make_shared<rw_test::echo_session>(std::move(self->t))->start();
                else
                    self->t.close();
            });
        });
    }
    any_transport t;
    std::string reply;
    bool tunnel;
    std::string* seen;
    std::string head;
    char buf[1024];
};

struct fake_proxy {
    fake_proxy(asio::io_context& ioc, std::string reply, bool tunnel)
        : server(ioc, [this, reply, tunnel](any_transport t) {
              std::make_shared<fake_proxy_session>(std::move(t), reply, tunnel, &seen)->start();
          })
    {
    }
    std::string seen;
    rw_test::test_server server;
};

struct outcome {
    bool done = false;
    std::error_code ec;
    any_transport t;
};

outcome connect_via(asio::io_context& ioc, connector& c, std::uint16_t proxy_port, proxy_auth auth = {})
{
    connect_options o;
    o.host = "sync.example.com";
    o.port = 443;
    proxy_config p;
    p.host = "127.0.0.1";
    p.port = proxy_port;
    p.auth = std::move(auth);
    o.proxy = p;
    outcome out;
    c.async_connect(o, [&](std::error_code ec, any_transport t) {
        out.ec = ec;
        out.t = std::move(t);
        out.done = true;
    });
    REQUIRE(rw_test::run_until(ioc, [&] { return out.done; }));
    return out;
}

} // namespace

TEST_CASE("CONNECT request: target, Host, Proxy-Authorization (Basic, Bearer), IPv6")
{
    proxy_config p;
    auto req = make_connect_request("sync.example.com", 443, p);
    CHECK(req.method == "CONNECT");
    CHECK(req.target == "sync.example.com:443");
    CHECK(req.headers.get("Host") == "sync.example.com:443");
    CHECK_FALSE(req.headers.contains("Proxy-Authorization"));
    p.auth = proxy_auth::basic("Aladdin", "open sesame");
    CHECK(make_connect_request("h", 1, p).headers.get("Proxy-Authorization") == "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    p.auth = proxy_auth::bearer("tok");
    CHECK(make_connect_request("h", 1, p).headers.get("Proxy-Authorization") == "Bearer tok");
    CHECK(make_connect_request("::1", 8080, p).target == "[::1]:8080");
}

TEST_CASE("CONNECT through a scripted proxy: HTTP/1.1 and HTTP/1.0 200 open the tunnel")
{
    asio::io_context ioc;
    for (std::string reply : {"HTTP/1.1 200 Connection established\r\n\r\n", "HTTP/1.0 200 OK\r\nVia: x\r\n\r\n"}) {
        fake_proxy proxy(ioc, reply, true);
        connector c(ioc.get_executor());
        auto r = connect_via(ioc, c, proxy.server.port(), proxy_auth::basic("u", "p"));
        REQUIRE_FALSE(r.ec);
        CHECK(proxy.seen.rfind("CONNECT sync.example.com:443 HTTP/1.1\r\n", 0) == 0);
        CHECK(proxy.seen.find("\r\nHost: sync.example.com:443\r\n") != std::string::npos);
        CHECK(proxy.seen.find("\r\nProxy-Authorization: Basic dTpw\r\n") != std::string::npos);
        auto check = std::make_shared<rw_test::echo_check>(r.t, "through the tunnel");
        check->start();
        REQUIRE(rw_test::run_until(ioc, [&] { return check->finished; }));
        CHECK(check->result == "through the tunnel");
        r.t.close();
    }
}

TEST_CASE("CONNECT refusals carry the proxy's status and headers")
{
    asio::io_context ioc;
    SECTION("407")
    {
        fake_proxy proxy(ioc,
                         "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"corp\"\r\n"
                         "Content-Length: 6\r\n\r\ndenied",
                         false);
        connector c(ioc.get_executor());
        auto r = connect_via(ioc, c, proxy.server.port());
        CHECK(r.ec == transport_error::proxy_auth_required);
        CHECK(r.ec == condition::proxy_failed);
        CHECK(c.failure().phase == phase::proxy);
        REQUIRE(c.failure().proxy_reply);
        CHECK(c.failure().proxy_reply->status == 407);
        CHECK(c.failure().proxy_reply->headers.get("Proxy-Authenticate") == "Basic realm=\"corp\"");
        CHECK(c.failure().proxy_reply->body == "denied");
        CHECK(c.failure().describe().find("407") != std::string::npos);
    }
    SECTION("403 from an HTTP/1.0 proxy that closes without a length")
    {
        fake_proxy proxy(ioc, "HTTP/1.0 403 Forbidden\r\nX-Why: policy\r\n\r\nno tunnels here", false);
        connector c(ioc.get_executor());
        auto r = connect_via(ioc, c, proxy.server.port());
        CHECK(r.ec == transport_error::proxy_refused);
        REQUIRE(c.failure().proxy_reply);
        CHECK(c.failure().proxy_reply->status == 403);
        CHECK(c.failure().proxy_reply->version_minor == 0);
        CHECK(c.failure().proxy_reply->headers.get("X-Why") == "policy");
    }
    SECTION("not HTTP at all")
    {
        fake_proxy proxy(ioc, "SSH-2.0-OpenSSH_9.2\r\n\r\n", false);
        connector c(ioc.get_executor());
        auto r = connect_via(ioc, c, proxy.server.port());
        CHECK(r.ec == transport_error::proxy_bad_response);
        CHECK_FALSE(c.failure().proxy_reply);
    }
    SECTION("closed before answering")
    {
        fake_proxy proxy(ioc, "", false);
        connector c(ioc.get_executor());
        auto r = connect_via(ioc, c, proxy.server.port());
        CHECK(r.ec == transport_error::proxy_bad_response);
    }
    SECTION("bytes after the 200 head")
    {
        fake_proxy proxy(ioc, "HTTP/1.1 200 OK\r\n\r\nsurprise", false);
        connector c(ioc.get_executor());
        auto r = connect_via(ioc, c, proxy.server.port());
        CHECK(r.ec == transport_error::proxy_bad_response);
    }
}

TEST_CASE("HTTPS proxy: TLS to the proxy, CONNECT inside, TLS to the server inside that")
{
    rw_test::test_pki pki;
    asio::io_context ioc;
    std::error_code ec;
    auto sctx = make_server_tls_context(pki.server_cert, pki.server_key, ec);
    REQUIRE_FALSE(ec);
    // The proxy speaks TLS; after its 200 the tunnel reaches a TLS echo "server" (same process).
    std::string seen;
    rw_test::test_server proxy(
        ioc,
        [&](any_transport t) {
            auto session = std::make_shared<fake_proxy_session>(std::move(t), "HTTP/1.1 200 OK\r\n\r\n", false, &seen);
            session->tunnel = false;
            // After the reply, run a TLS server handshake inside the tunnel, then echo.
            auto self = session;
            session->t.async_read_some(asio::buffer(session->buf), [self, sctx](std::error_code ec, std::size_t n) {
                if (ec)
                    return;
                self->head.append(self->buf, n);
                *self->seen = self->head;
                self->t.async_write(asio::buffer(self->reply), [self, sctx](std::error_code ec, std::size_t) {
                    if (ec)
                        return;
                    auto inner = std::make_shared<tls_transport<any_transport>>(std::move(self->t), sctx);
                    inner->async_handshake(asio::ssl::stream_base::server, [inner](std::error_code ec) {
                        if (ec)
                            return;
                        std::make_shared<rw_test::echo_session>(any_transport(std::move(*inner)))->start();
                    });
                });
            });
        },
        sctx);
    connector c(ioc.get_executor());
    connect_options o;
    o.host = "localhost";
    o.port = 443;
    o.tls = true;
    o.tls_opts.ca_file = pki.ca;
    proxy_config p;
    p.host = "localhost";
    p.port = proxy.port();
    p.tls = true;
    p.tls_opts.ca_file = pki.ca;
    o.proxy = p;
    bool done = false;
    any_transport t;
    c.async_connect(o, [&](std::error_code e, any_transport tr) {
        ec = e;
        t = std::move(tr);
        done = true;
    });
    REQUIRE(rw_test::run_until(ioc, [&] { return done; }));
    REQUIRE_FALSE(ec);
    CHECK(seen.rfind("CONNECT localhost:443 HTTP/1.1\r\n", 0) == 0);
    auto check = std::make_shared<rw_test::echo_check>(t, "tls in tls");
    check->start();
    REQUIRE(rw_test::run_until(ioc, [&] { return check->finished; }));
    CHECK(check->result == "tls in tls");
    t.close();
}

TEST_CASE("proxy URLs and the environment (opt-in helper)")
{
    std::error_code ec;
    auto p = parse_proxy_url("http://alice:p%40ss@proxy.corp:8080/", ec);
    REQUIRE(p);
    CHECK_FALSE(ec);
    CHECK(p->host == "proxy.corp");
    CHECK(p->port == 8080);
    CHECK_FALSE(p->tls);
    CHECK(p->auth.kind == proxy_auth::scheme::basic);
    CHECK(p->auth.user == "alice");
    CHECK(p->auth.password == "p@ss");
    p = parse_proxy_url("https://[::1]", ec);
    REQUIRE(p);
    CHECK(p->host == "::1");
    CHECK(p->port == 443);
    CHECK(p->tls);
    p = parse_proxy_url("proxy:3128", ec);
    REQUIRE(p);
    CHECK(p->port == 3128);
    for (const char* bad : {"socks5://h:1", "http://", "http://h:99999", "http://h:0", "http://h/path", "http://a b"}) {
        CHECK_FALSE(parse_proxy_url(bad, ec));
        CHECK(ec == transport_error::bad_proxy_url);
    }

    std::map<std::string, std::string> env{{"http_proxy", "http://plain:3128"},
                                           {"HTTP_PROXY", "http://ignored:1"},
                                           {"HTTPS_PROXY", "https://secure:8443"},
                                           {"no_proxy", "localhost, .internal.corp,exact.host:8080,10.0.0.1"}};
    env_getter get = [&](const char* name) -> const char* {
        auto it = env.find(name);
        return it == env.end() ? nullptr : it->second.c_str();
    };
    auto q = proxy_from_environment("sync.example.com", 80, false, ec, get);
    REQUIRE(q);
    CHECK(q->host == "plain");
    q = proxy_from_environment("sync.example.com", 443, true, ec, get);
    REQUIRE(q);
    CHECK(q->host == "secure");
    CHECK(q->tls);
    CHECK_FALSE(proxy_from_environment("localhost", 443, true, ec, get));
    CHECK_FALSE(proxy_from_environment("a.internal.corp", 443, true, ec, get));
    CHECK_FALSE(proxy_from_environment("internal.corp", 443, true, ec, get));
    CHECK(proxy_from_environment("xinternal.corp", 443, true, ec, get));
    CHECK_FALSE(proxy_from_environment("exact.host", 8080, true, ec, get));
    CHECK(proxy_from_environment("exact.host", 443, true, ec, get));
    CHECK_FALSE(proxy_from_environment("10.0.0.1", 443, true, ec, get));
    env.erase("http_proxy");
    CHECK_FALSE(proxy_from_environment("sync.example.com", 80, false, ec, get)); // HTTP_PROXY is not read
    env["no_proxy"] = "*";
    CHECK_FALSE(proxy_from_environment("sync.example.com", 443, true, ec, get));
    env["no_proxy"] = "";
    env["HTTPS_PROXY"] = "ftp://x";
    CHECK_FALSE(proxy_from_environment("sync.example.com", 443, true, ec, get));
    CHECK(ec == transport_error::bad_proxy_url);
}
