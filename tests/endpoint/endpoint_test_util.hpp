#ifndef REALMWIRE_TESTS_ENDPOINT_TEST_UTIL_HPP
#define REALMWIRE_TESTS_ENDPOINT_TEST_UTIL_HPP

#include "memory_backend.hpp"

#include "realmwire/auth/token.hpp"
#include "realmwire/auth/verifier.hpp"
#include "realmwire/endpoint/default_codecs.hpp"
#include "realmwire/endpoint/server_connection.hpp"
#include "realmwire/protocol/decode.hpp"
#include "realmwire/protocol/encode.hpp"

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace realmwire_test {

namespace ra = realmwire::auth;

/// One RSA key for every test in the binary (key generation is slow).
inline const ra::rsa_key& test_key()
{
    static const ra::rsa_key key = ra::rsa_key::generate(1024);
    return key;
}

inline std::string make_token(const std::string& identity, std::optional<std::string> path,
                              std::uint32_t access = ra::privilege::download | ra::privilege::upload,
                              std::optional<std::int64_t> expires = std::nullopt)
{
    ra::claims c;
    c.identity = identity;
    c.has_access = true;
    c.access = access;
    c.path = std::move(path);
    c.expires = expires;
    return ra::sign_claims(c, test_key());
}

inline time_point t0()
{
    return time_point{} + std::chrono::hours(1000);
}

/// Feeds client messages to a server_connection and collects what it answers.
struct scripted_client {
    memory_backend backend;
    std::int64_t unix_now = 1'700'000'000;
    std::unique_ptr<ra::token_verifier> verifier;
    std::unique_ptr<server_connection> conn;
    std::vector<rp::server_message> received;
    std::vector<std::string> raw;

    /// `cfg` gets zlib and picojson where it names no codec (as the drivers do); `plain` keeps it bare.
    explicit scripted_client(server_connection_config cfg = {}, bool with_auth = false, bool plain = false)
    {
        if (!plain)
            cfg = realmwire::endpoint::with_default_codecs(std::move(cfg));
        if (with_auth) {
            verifier = std::make_unique<ra::token_verifier>(test_key(), [this] { return unix_now; });
            cfg.verifier = verifier.get();
        }
        cfg.log_message_on_connect = false;
        conn = std::make_unique<server_connection>(backend, std::move(cfg), t0());
    }

    template <class M>
    void send(const M& m)
    {
        conn->receive(rp::encode(m), t0());
    }
    void send_raw(std::string_view bytes) { conn->receive(bytes, t0()); }

    /// Drains the output; returns the messages (decoded; raw bytes kept alive in `raw`).
    std::vector<rp::server_message> drain()
    {
        std::vector<rp::server_message> out;
        rp::decode_options opts;
        opts.mode = conn->config().dialect == realmwire::dialect_id::mongodb_flx ? rp::sync_mode::flx : rp::sync_mode::pbs;
        opts.protocol_version = conn->config().protocol_version;
        while (auto m = conn->next_output(t0())) {
            raw.push_back(std::move(*m));
            out.push_back(rp::decode_server_message(raw.back(), opts));
        }
        received.insert(received.end(), out.begin(), out.end());
        return out;
    }

    /// The single ERROR expected in the output: its code and session.
    std::pair<int, std::uint64_t> expect_error()
    {
        auto out = drain();
        for (auto& m : out)
            if (auto* e = std::get_if<rp::error_message>(&m))
                return {e->error_code, e->session_ident};
        return {0, 0};
    }
};

inline rp::bind_message bind(std::uint64_t session, std::string_view path, bool need_ident = true, std::string_view token = {})
{
    rp::bind_message b;
    b.session_ident = session;
    b.path = path;
    b.need_client_file_ident = need_ident;
    b.signed_user_token = token;
    return b;
}

inline rp::client_ident_message ident(std::uint64_t session, const rp::server_ident_message& si)
{
    rp::client_ident_message m;
    m.session_ident = session;
    m.client_file_ident = si.client_file_ident;
    m.client_file_ident_salt = si.client_file_ident_salt;
    return m;
}

} // namespace realmwire_test

#endif
