#ifndef REALMWIRE_AUTH_PASSWORD_HPP
#define REALMWIRE_AUTH_PASSWORD_HPP

// Password hashing as ROS's password provider did it: PBKDF2-HMAC-SHA512, 10000 iterations, a 32-byte
// random salt, a 512-byte derived key (ROS's PasswordAuthProvider.js).
// Comparison is constant-time. Needs realmwire::crypto.

#include "realmwire/auth/keys.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace realmwire::auth {

struct password_policy {
    int iterations = 10000;
    std::size_t salt_bytes = 32;
    std::size_t key_bytes = 512;
};

/// What is stored for a password: never the password itself.
struct password_hash {
    std::string salt_hex;
    std::string hash_hex;
    int iterations = 0;

    friend bool operator==(const password_hash& a, const password_hash& b)
    {
        return a.salt_hex == b.salt_hex && a.hash_hex == b.hash_hex && a.iterations == b.iterations;
    }
};

inline std::string to_hex(std::string_view bytes)
{
    static const char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(bytes.size() * 2);
    for (unsigned char c : bytes) {
        out.push_back(digits[c >> 4]);
        out.push_back(digits[c & 0xf]);
    }
    return out;
}

/// `n` bytes from OpenSSL's CSPRNG, hex-encoded (token salts, anonymous user ids).
inline std::string random_hex(std::size_t n)
{
    std::string raw(n, '\0');
    if (n != 0 && RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(n)) != 1)
        throw_error(std::make_error_code(std::errc::resource_unavailable_try_again), "RAND_bytes failed");
    return to_hex(raw);
}

namespace detail {

inline std::string pbkdf2_sha512(std::string_view password, std::string_view salt, int iterations, std::size_t len)
{
    std::string out(len, '\0');
    if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                          reinterpret_cast<const unsigned char*>(salt.data()), static_cast<int>(salt.size()), iterations,
                          EVP_sha512(), static_cast<int>(len), reinterpret_cast<unsigned char*>(out.data())) != 1)
        throw_error(std::make_error_code(std::errc::invalid_argument), "PBKDF2 failed");
    return out;
}

} // namespace detail

/// PBKDF2-HMAC-SHA512 of `password`, salted with the stored hex text `salt_hex` (the text is the salt
/// input, so a stored record is self-describing). Returns the derived key as hex.
inline std::string derive_password_key(std::string_view password, std::string_view salt_hex, int iterations,
                                       std::size_t key_bytes)
{
    return to_hex(detail::pbkdf2_sha512(password, salt_hex, iterations, key_bytes));
}

/// A new salted hash of `password`.
inline password_hash hash_password(std::string_view password, const password_policy& policy = {})
{
    password_hash h;
    h.salt_hex = random_hex(policy.salt_bytes);
    h.iterations = policy.iterations;
    h.hash_hex = derive_password_key(password, h.salt_hex, policy.iterations, policy.key_bytes);
    return h;
}

/// True when `password` matches; constant-time in the hash comparison.
inline bool check_password(std::string_view password, const password_hash& stored)
{
    if (stored.iterations <= 0 || stored.hash_hex.empty() || stored.hash_hex.size() % 2 != 0)
        return false;
    std::string candidate = derive_password_key(password, stored.salt_hex, stored.iterations, stored.hash_hex.size() / 2);
    return constant_time_equal(candidate, stored.hash_hex);
}

} // namespace realmwire::auth

#endif
