#ifndef REALMWIRE_WEBSOCKET_ACCEPT_KEY_HPP
#define REALMWIRE_WEBSOCKET_ACCEPT_KEY_HPP

// Sec-WebSocket-Key / Sec-WebSocket-Accept (RFC 6455 §4.2.2, §11.3.1). Needs realmwire::crypto.
//
//   accept = base64( SHA-1( key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11" ) )
//
// SHA-1 comes from OpenSSL's EVP interface (never hand-written), through a per-thread context. A key is base64 of 16 random bytes;
// the random bytes come either from a caller-supplied source (tests, fuzzers, deterministic replays)
// or from OpenSSL's RAND_bytes.

#include "realmwire/detail/base64.hpp"
#include "realmwire/error.hpp"
#include "realmwire/errors/handshake.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace realmwire::websocket {

/// The GUID of RFC 6455 §1.3.
inline constexpr std::string_view accept_guid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

/// Number of random bytes in a Sec-WebSocket-Key (RFC 6455 §4.1, item 7).
inline constexpr std::size_t key_bytes = 16;

/// The 28 characters of a Sec-WebSocket-Accept value (base64 of a 20-byte SHA-1, padded).
using accept_key_buffer = std::array<char, 28>;

namespace detail {

/// SHA-1 over key + GUID. OpenSSL 3 looks the algorithm up again on every EVP_DigestInit_ex given
/// EVP_sha1(), and a fresh context costs an allocation; on a busy acceptor that setup was most of the
/// accept key's time. So the fetched algorithm and one context are kept per thread and only re-initialised
/// per call. A failure (allocation inside OpenSSL) returns false and the caller reports an empty key.
inline bool accept_key_digest(std::string_view key, unsigned char (&digest)[20]) noexcept
{
    struct sha1_context {
        const EVP_MD* md = nullptr;
        EVP_MD_CTX* ctx = nullptr;
        bool owns_md = false;
        sha1_context() noexcept
        {
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
            md = EVP_MD_fetch(nullptr, "SHA1", nullptr);
            owns_md = md != nullptr;
#endif
            if (md == nullptr)
                md = EVP_sha1();
            ctx = EVP_MD_CTX_new();
        }
        ~sha1_context()
        {
            EVP_MD_CTX_free(ctx);
#if OPENSSL_VERSION_NUMBER >= 0x30000000L
            if (owns_md)
                EVP_MD_free(const_cast<EVP_MD*>(md));
#endif
        }
        sha1_context(const sha1_context&) = delete;
        sha1_context& operator=(const sha1_context&) = delete;
    };
    thread_local sha1_context c;
    unsigned int len = 0;
    bool ok = c.ctx != nullptr && EVP_DigestInit_ex(c.ctx, c.md, nullptr) == 1 &&
              EVP_DigestUpdate(c.ctx, key.data(), key.size()) == 1 &&
              EVP_DigestUpdate(c.ctx, accept_guid.data(), accept_guid.size()) == 1 &&
              EVP_DigestFinal_ex(c.ctx, digest, &len) == 1 && len == 20;
    return ok;
}

} // namespace detail

/// The Sec-WebSocket-Accept value for `key` (the key's text exactly as sent, not decoded), written to
/// `out` without allocating. Returns false (and leaves `out` filled with '\0') only when OpenSSL fails.
inline bool compute_accept_key(std::string_view key, accept_key_buffer& out) noexcept
{
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    unsigned char d[20];
    if (!detail::accept_key_digest(key, d)) {
        out.fill('\0');
        return false;
    }
    // 20 bytes: six groups of three, then two bytes and one '='.
    char* o = out.data();
    for (int i = 0; i < 18; i += 3) {
        std::uint32_t v = (std::uint32_t(d[i]) << 16) | (std::uint32_t(d[i + 1]) << 8) | d[i + 2];
        *o++ = alphabet[(v >> 18) & 63];
        *o++ = alphabet[(v >> 12) & 63];
        *o++ = alphabet[(v >> 6) & 63];
        *o++ = alphabet[v & 63];
    }
    std::uint32_t v = (std::uint32_t(d[18]) << 16) | (std::uint32_t(d[19]) << 8);
    *o++ = alphabet[(v >> 18) & 63];
    *o++ = alphabet[(v >> 12) & 63];
    *o++ = alphabet[(v >> 6) & 63];
    *o = '=';
    return true;
}

/// The Sec-WebSocket-Accept value for `key` (the key's text exactly as sent, not decoded).
inline std::string compute_accept_key(std::string_view key)
{
    accept_key_buffer b;
    if (!compute_accept_key(key, b))
        return {}; // only on allocation failure inside OpenSSL; an empty value never matches
    return std::string(b.data(), b.size());
}

/// True when `accept` is the right answer to `key`.
inline bool check_accept_key(std::string_view key, std::string_view accept) noexcept
{
    accept_key_buffer expected;
    return compute_accept_key(key, expected) && std::string_view(expected.data(), expected.size()) == accept;
}

/// True when `key` is base64 (standard alphabet, padded) of exactly 16 bytes, as RFC 6455 requires.
inline bool is_valid_key(std::string_view key)
{
    if (key.size() != 24 || key.substr(22) != "==")
        return false;
    for (char c : key.substr(0, 22)) {
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
        if (!ok)
            return false;
    }
    auto decoded = ::realmwire::detail::base64_decode(key);
    return decoded && decoded->size() == key_bytes;
}

/// Requirements for a random source: callable as `src(unsigned char* out, std::size_t n)`, filling `n`
/// bytes; it may return `bool` (false = failure) or `void` (cannot fail).
template <class T, class = void>
struct is_random_source : std::false_type {};
template <class T>
struct is_random_source<T, std::void_t<decltype(std::declval<T&>()(std::declval<unsigned char*>(), std::size_t{}))>>
    : std::true_type {};

/// The key for 16 bytes the caller chose (tests and replays use this to get byte-exact requests).
inline std::string make_key(const std::array<unsigned char, key_bytes>& bytes)
{
    return ::realmwire::detail::base64_encode(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

/// A fresh key from `random` (see is_random_source).
template <class RandomSource>
std::string generate_key(RandomSource&& random, std::error_code& ec)
{
    static_assert(is_random_source<RandomSource>::value,
                  "realmwire::websocket::generate_key: the random source must be callable as "
                  "src(unsigned char* out, std::size_t n), returning void or bool");
    std::array<unsigned char, key_bytes> bytes{};
    using result = decltype(random(bytes.data(), bytes.size()));
    if constexpr (std::is_void_v<result>) {
        random(bytes.data(), bytes.size());
    }
    else {
        if (!static_cast<bool>(random(bytes.data(), bytes.size()))) {
            ec = make_error_code(handshake_error::random_failed);
            return {};
        }
    }
    ec.clear();
    return make_key(bytes);
}

template <class RandomSource>
std::string generate_key(RandomSource&& random)
{
    return throw_on_error("generate_key",
                          [&](std::error_code& ec) { return generate_key(std::forward<RandomSource>(random), ec); });
}

/// OpenSSL's CSPRNG as a random source.
struct openssl_random {
    bool operator()(unsigned char* out, std::size_t n) const noexcept
    {
        return RAND_bytes(out, static_cast<int>(n)) == 1;
    }
};

/// A fresh key from OpenSSL's RAND_bytes.
inline std::string generate_key(std::error_code& ec) { return generate_key(openssl_random{}, ec); }
inline std::string generate_key() { return generate_key(openssl_random{}); }

} // namespace realmwire::websocket

#endif
