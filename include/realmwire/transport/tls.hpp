#ifndef REALMWIRE_TRANSPORT_TLS_HPP
#define REALMWIRE_TRANSPORT_TLS_HPP

// TLS on Asio + OpenSSL over any transport. For a client, SNI is set to the server's host name and
// the certificate is verified against that name by default (no partial wildcards, as realm-core,
// network_ssl.cpp:682-723); the trust store is the system's or a CA file of your choosing. Turning
// verification off is an explicit, separate switch. Like realm-core, close() does not send a TLS
// close_notify: the Realm sync protocol ends connections by closing the socket.

#include "realmwire/error.hpp"
#include "realmwire/transport/detail/asio_stream.hpp"
#include "realmwire/transport/requirements.hpp"

#include <asio/any_io_executor.hpp>
#include <asio/buffer.hpp>
#include <asio/ip/address.hpp>
#include <asio/ssl.hpp>
#include <asio/write.hpp>

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <memory>
#include <string>
#include <system_error>
#include <utility>

namespace realmwire::transport {

struct tls_options {
    /// Verify the server's certificate chain. Setting this to false is the explicit opt-out (tests,
    /// private deployments with self-signed certificates you cannot distribute).
    bool verify_peer = true;
    /// Check that the certificate is for the host name (or IP address) we connect to.
    bool verify_host_name = true;
    /// PEM file of trusted CA certificates; empty: the system's default trust store.
    std::string ca_file;
    /// Name sent as SNI and verified; empty: the host being connected to.
    std::string server_name;
};

/// A client context per tls_options: TLS ≥ 1.2 (realm-core allows older; nothing current needs it).
inline std::shared_ptr<asio::ssl::context> make_client_tls_context(const tls_options& o, std::error_code& ec)
{
    ec.clear();
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    ctx->set_options(asio::ssl::context::no_compression, ec);
    if (ec)
        return nullptr;
    if (o.verify_peer) {
        if (o.ca_file.empty())
            ctx->set_default_verify_paths(ec);
        else
            ctx->load_verify_file(o.ca_file, ec);
        if (ec)
            return nullptr;
        ctx->set_verify_mode(asio::ssl::verify_peer, ec);
    }
    else {
        ctx->set_verify_mode(asio::ssl::verify_none, ec);
    }
    if (ec)
        return nullptr;
    return ctx;
}

/// Throwing form: realmwire::system_error with the OpenSSL error.
inline std::shared_ptr<asio::ssl::context> make_client_tls_context(const tls_options& o)
{
    return throw_on_error("make_client_tls_context", [&](std::error_code& ec) { return make_client_tls_context(o, ec); });
}

/// A server context with a certificate chain and private key (PEM files).
inline std::shared_ptr<asio::ssl::context> make_server_tls_context(const std::string& cert_chain_file,
                                                                   const std::string& private_key_file,
                                                                   std::error_code& ec)
{
    ec.clear();
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
    SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
    ctx->use_certificate_chain_file(cert_chain_file, ec);
    if (!ec)
        ctx->use_private_key_file(private_key_file, asio::ssl::context::pem, ec);
    if (ec)
        return nullptr;
    return ctx;
}

/// Throwing form: realmwire::system_error with the OpenSSL error (a missing or unreadable file).
inline std::shared_ptr<asio::ssl::context> make_server_tls_context(const std::string& cert_chain_file,
                                                                   const std::string& private_key_file)
{
    return throw_on_error("make_server_tls_context", [&](std::error_code& ec) {
        return make_server_tls_context(cert_chain_file, private_key_file, ec);
    });
}

template <class Next>
class tls_transport {
public:
    using executor_type = asio::any_io_executor;
    using stream_type = asio::ssl::stream<detail::asio_stream<Next>>;

    tls_transport(Next next, std::shared_ptr<asio::ssl::context> ctx)
        : ctx_(std::move(ctx))
        , stream_(std::make_unique<stream_type>(detail::asio_stream<Next>(std::move(next)), *ctx_))
    {
        static_assert(check_async_stream<Next>());
    }
    tls_transport(tls_transport&&) noexcept = default;
    tls_transport& operator=(tls_transport&&) noexcept = default;

    /// Client side: SNI and host name verification for `host` (a DNS name or an IP literal; SNI is
    /// not sent for IP literals, RFC 6066 §3).
    void set_client_host(const std::string& host, const tls_options& o, std::error_code& ec)
    {
        ec.clear();
        const std::string& name = o.server_name.empty() ? host : o.server_name;
        SSL* ssl = stream_->native_handle();
        std::error_code addr_ec;
        (void)asio::ip::make_address(name, addr_ec);
        const bool is_ip = !addr_ec;
        if (!is_ip && SSL_set_tlsext_host_name(ssl, name.c_str()) != 1) {
            ec = std::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
            return;
        }
        if (o.verify_peer && o.verify_host_name) {
            X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
            X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
            int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str())
                           : X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
            if (ok != 1)
                ec = std::error_code(static_cast<int>(::ERR_get_error()), asio::error::get_ssl_category());
        }
    }

    /// Throwing form of set_client_host.
    void set_client_host(const std::string& host, const tls_options& o)
    {
        throw_on_error("set_client_host", [&](std::error_code& ec) { set_client_host(host, o, ec); });
    }

    /// Completes with (std::error_code).
    template <class CompletionToken>
    auto async_handshake(asio::ssl::stream_base::handshake_type type, CompletionToken&& token)
    {
        return stream_->async_handshake(type, std::forward<CompletionToken>(token));
    }

    executor_type get_executor() { return stream_->next_layer().get_executor(); }

    // Tokens go straight to asio::ssl::stream: Asio's own initiating functions.
    template <class MutableBufferSequence, class CompletionToken>
    auto async_read_some(const MutableBufferSequence& b, CompletionToken&& token)
    {
        return stream_->async_read_some(b, std::forward<CompletionToken>(token));
    }
    template <class ConstBufferSequence, class CompletionToken>
    auto async_write_some(const ConstBufferSequence& b, CompletionToken&& token)
    {
        return stream_->async_write_some(b, std::forward<CompletionToken>(token));
    }
    /// Writes all of `b`.
    template <class ConstBufferSequence, class CompletionToken>
    auto async_write(const ConstBufferSequence& b, CompletionToken&& token)
    {
        return asio::async_write(*stream_, b, std::forward<CompletionToken>(token));
    }
    void close()
    {
        if (stream_)
            close_stream(stream_->next_layer().next());
    }

    Next& next_layer() noexcept { return stream_->next_layer().next(); }
    stream_type& stream() noexcept { return *stream_; }

private:
    std::shared_ptr<asio::ssl::context> ctx_;
    std::unique_ptr<stream_type> stream_;
};

} // namespace realmwire::transport

#endif
