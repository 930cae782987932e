#include "realmwire/driver/http_client.hpp"

#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <array>
#include <atomic>
#include <thread>

using namespace realmwire;
using namespace realmwire::driver;

namespace {

/// A self-signed certificate for DNS:localhost, made with OpenSSL at test time.
struct test_cert {
    std::string cert_pem;
    std::string key_pem;

    test_cert()
    {
        EVP_PKEY* key = EVP_RSA_gen(2048);
        REQUIRE(key);
        X509* x = X509_new();
        ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
        X509_gmtime_adj(X509_getm_notBefore(x), -60);
        X509_gmtime_adj(X509_getm_notAfter(x), 3600);
        X509_set_pubkey(x, key);
        X509_NAME* name = X509_get_subject_name(x);
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("localhost"), -1, -1, 0);
        X509_set_issuer_name(x, name);
        X509V3_CTX ctx;
        X509V3_set_ctx_nodb(&ctx);
        X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
        X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "DNS:localhost");
        REQUIRE(san);
        X509_add_ext(x, san, -1);
        X509_EXTENSION_free(san);
        REQUIRE(X509_sign(x, key, EVP_sha256()) > 0);
        cert_pem = to_pem([&](BIO* b) { return PEM_write_bio_X509(b, x); });
        key_pem = to_pem([&](BIO* b) { return PEM_write_bio_PrivateKey(b, key, nullptr, nullptr, 0, nullptr, nullptr); });
        X509_free(x);
        EVP_PKEY_free(key);
    }

    template <class F>
    static std::string to_pem(F&& write)
    {
        BIO* b = BIO_new(BIO_s_mem());
        write(b);
        char* data = nullptr;
        long n = BIO_get_mem_data(b, &data);
        std::string s(data, static_cast<std::size_t>(n));
        BIO_free(b);
        return s;
    }
};

/// A one-connection-at-a-time TLS server that answers every request with 200 "tls ok".
class tls_server {
public:
    explicit tls_server(const test_cert& cert)
        : ctx_(asio::ssl::context::tls_server)
        , acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0})
    {
        ctx_.use_certificate_chain(asio::buffer(cert.cert_pem));
        ctx_.use_private_key(asio::buffer(cert.key_pem), asio::ssl::context::pem);
        thread_ = std::thread([this] { serve(); });
    }
    ~tls_server()
    {
        stop_ = true;
        // wake the blocking accept
        std::error_code ec;
        asio::io_context c;
        asio::ip::tcp::socket s(c);
        s.connect(acceptor_.local_endpoint(), ec);
        thread_.join();
    }
    std::uint16_t port() const { return acceptor_.local_endpoint().port(); }

private:
    void serve()
    {
        while (!stop_) {
            asio::ssl::stream<asio::ip::tcp::socket> s(ioc_, ctx_);
            std::error_code ec;
            acceptor_.accept(s.next_layer(), ec);
            if (ec || stop_)
                return;
            s.handshake(asio::ssl::stream_base::server, ec);
            if (ec)
                continue; // the client refused our certificate
            std::string in;
            std::array<char, 4096> buf;
            while (in.find("\r\n\r\n") == std::string::npos) {
                std::size_t n = s.read_some(asio::buffer(buf), ec);
                if (ec)
                    break;
                in.append(buf.data(), n);
            }
            std::string out = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nConnection: close\r\n\r\ntls ok";
            asio::write(s, asio::buffer(out), ec);
            s.shutdown(ec);
        }
    }

    asio::io_context ioc_;
    asio::ssl::context ctx_;
    asio::ip::tcp::acceptor acceptor_;
    std::thread thread_;
    std::atomic<bool> stop_{false};
};

} // namespace

TEST_CASE("http client over TLS: verified, refused when untrusted or misnamed, optional no-verify")
{
    test_cert cert;
    tls_server server(cert);
    http::request req;
    req.target = "/auth";
    http_client_options trusting;
    trusting.connect_timeout = std::chrono::seconds(5);
    trusting.request_timeout = std::chrono::seconds(5);
    trusting.tls_context = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    trusting.tls_context->add_certificate_authority(asio::buffer(cert.cert_pem));

    std::error_code ec;
    http::response r = http_request({"localhost", server.port(), true}, req, trusting, ec);
    REQUIRE(!ec);
    CHECK(r.status == 200);
    CHECK(r.body == "tls ok");

    // the system trust store does not know our self-signed certificate
    http_client_options system = trusting;
    system.tls_context = nullptr;
    http_request({"localhost", server.port(), true}, req, system, ec);
    CHECK(ec);
    CHECK(ec.category() == asio::error::get_ssl_category());

    // trusted, but the certificate names localhost, not 127.0.0.1
    http_request({"127.0.0.1", server.port(), true}, req, trusting, ec);
    CHECK(ec);

    // verification switched off on purpose
    http_client_options insecure = system;
    insecure.verify_peer = false;
    r = http_request({"127.0.0.1", server.port(), true}, req, insecure, ec);
    CHECK(!ec);
    CHECK(r.body == "tls ok");
}
