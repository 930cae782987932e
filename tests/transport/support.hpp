// Test helpers for the transport and driver tests: temp dirs, a test PKI made with the openssl CLI at
// test time, an echo server (TCP or TLS), a scripted fake proxy, and running an io_context with a bound.
#ifndef REALMWIRE_TESTS_TRANSPORT_SUPPORT_HPP
#define REALMWIRE_TESTS_TRANSPORT_SUPPORT_HPP

#include "realmwire/transport/any_transport.hpp"
#include "realmwire/transport/tcp.hpp"
#include "realmwire/transport/tls.hpp"

#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>

namespace rw_test {

namespace fs = std::filesystem;

struct temp_dir {
    fs::path path;
    temp_dir()
    {
        std::random_device rd;
        path = fs::temp_directory_path() / ("realmwire-f-" + std::to_string(rd()) + std::to_string(rd()));
        fs::create_directories(path);
    }
    ~temp_dir()
    {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string file(const std::string& name) const { return (path / name).string(); }
};

inline void run_or_throw(const std::string& cmd)
{
    if (std::system(cmd.c_str()) != 0)
        throw std::runtime_error("command failed: " + cmd);
}

/// A CA and a server certificate for localhost / 127.0.0.1, signed by it; also a second, unrelated CA.
struct test_pki {
    temp_dir dir;
    std::string ca, server_cert, server_key, other_ca;
    test_pki()
    {
        const std::string d = dir.path.string();
        const std::string q = " >/dev/null 2>&1";
        const std::string ec = " -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes";
        run_or_throw("cd " + d + " && openssl req -x509" + ec +
                     " -keyout ca.key -out ca.pem -days 2 -subj /CN=realmwire-test-ca"
                     " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign" + q);
        run_or_throw("cd " + d + " && openssl req -x509" + ec +
                     " -keyout other.key -out other.pem -days 2 -subj /CN=unrelated-ca"
                     " -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign" + q);
        run_or_throw("cd " + d + " && openssl req" + ec + " -keyout server.key -out server.csr -subj /CN=localhost" + q);
        {
            std::ofstream ext(dir.file("ext.cnf"));
            ext << "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\n"
                   "extendedKeyUsage=serverAuth\n";
        }
        run_or_throw("cd " + d +
                     " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial"
                     " -out server.pem -days 2 -extfile ext.cnf" + q);
        ca = dir.file("ca.pem");
        other_ca = dir.file("other.pem");
        server_cert = dir.file("server.pem");
        server_key = dir.file("server.key");
    }
};

/// Runs `ioc` until `done()` or the deadline; returns whether done() became true.
inline bool run_until(asio::io_context& ioc, const std::function<bool()>& done,
                      std::chrono::milliseconds limit = std::chrono::seconds(20))
{
    auto deadline = std::chrono::steady_clock::now() + limit;
    ioc.restart();
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        ioc.run_for(std::chrono::milliseconds(20));
        ioc.restart();
    }
    return done();
}

/// Echoes every byte back on one transport until it fails.
struct echo_session : std::enable_shared_from_this<echo_session> {
    explicit echo_session(realmwire::transport::any_transport t) : t(std::move(t)) {}
    void start()
    {
        auto self = shared_from_this();
        t.async_read_some(asio::buffer(buf), [self](std::error_code ec, std::size_t n) {
            if (ec)
                return self->t.close();
            self->t.async_write(asio::buffer(self->buf, n), [self](std::error_code ec, std::size_t) {
                if (ec)
                    return self->t.close();
                self->start();
            });
        });
    }
    realmwire::transport::any_transport t;
    char buf[4096];
};

/// Accepts connections on 127.0.0.1:<ephemeral> and hands each (after TLS, if configured) to on_accept.
class test_server {
public:
    using accept_fn = std::function<void(realmwire::transport::any_transport)>;
    test_server(asio::io_context& ioc, accept_fn fn, std::shared_ptr<asio::ssl::context> tls = nullptr)
        : acceptor_(ioc, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)), fn_(std::move(fn)),
          tls_(std::move(tls))
    {
        accept();
    }
    ~test_server() { stop(); }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
    void stop()
    {
        std::error_code ignored;
        acceptor_.close(ignored);
    }
    int accepted = 0;

private:
    void accept()
    {
        acceptor_.async_accept([this](std::error_code ec, asio::ip::tcp::socket s) {
            if (ec)
                return;
            ++accepted;
            realmwire::transport::tcp_transport t(std::move(s));
            if (!tls_) {
                fn_(realmwire::transport::any_transport(std::move(t)));
            }
            else {
                auto tls = std::make_shared<realmwire::transport::tls_transport<realmwire::transport::tcp_transport>>(
                    std::move(t), tls_);
                auto fn = fn_;
                tls->async_handshake(asio::ssl::stream_base::server, [tls, fn](std::error_code ec) {
                    if (ec)
                        return tls->close();
                    fn(realmwire::transport::any_transport(std::move(*tls)));
                });
            }
            accept();
        });
    }
    asio::ip::tcp::acceptor acceptor_;
    accept_fn fn_;
    std::shared_ptr<asio::ssl::context> tls_;
};

inline test_server::accept_fn echo()
{
    return [](realmwire::transport::any_transport t) { std::make_shared<echo_session>(std::move(t))->start(); };
}

/// Writes `data` then reads exactly data.size() bytes back; sets `result` (or `error`).
struct echo_check : std::enable_shared_from_this<echo_check> {
    echo_check(realmwire::transport::any_transport& t, std::string data) : t(t), data(std::move(data)) {}
    void start()
    {
        auto self = shared_from_this();
        t.async_write(asio::buffer(data), [self](std::error_code ec, std::size_t) {
            if (ec) {
                self->error = ec;
                self->finished = true;
                return;
            }
            self->read();
        });
    }
    void read()
    {
        auto self = shared_from_this();
        t.async_read_some(asio::buffer(buf), [self](std::error_code ec, std::size_t n) {
            self->result.append(self->buf, n);
            if (ec) {
                self->error = ec;
                self->finished = true;
                return;
            }
            if (self->result.size() >= self->data.size()) {
                self->finished = true;
                return;
            }
            self->read();
        });
    }
    realmwire::transport::any_transport& t;
    std::string data;
    std::string result;
    std::error_code error;
    bool finished = false;
    char buf[4096];
};

} // namespace rw_test

#endif
