#ifndef REALMWIRE_AUTH_KEYS_HPP
#define REALMWIRE_AUTH_KEYS_HPP

// RSA keys and RS256 (RSASSA-PKCS1-v1_5 with SHA-256) through OpenSSL's EVP API. Needs
// realmwire::crypto.
//
// ROS kept `<dataPath>/keys/auth.key` (PKCS#8 private) and `auth.pub` (SubjectPublicKeyInfo) and
// generated a 2048-bit pair when they were missing (docs/auth.md); load_or_generate_keys
// does the same.

#include "realmwire/errors/auth.hpp"

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h> // EVP_PKEY_CTX_set_rsa_keygen_bits

#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>
#include <system_error>

#include <cerrno>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace realmwire::auth {

/// An RSA key: public only, or a private key (which can also verify). Cheap to copy (shared).
class rsa_key {
public:
    rsa_key() = default;

    bool empty() const noexcept { return !pkey_; }
    bool has_private() const noexcept { return has_private_; }
    int bits() const noexcept { return pkey_ ? EVP_PKEY_get_bits(pkey_.get()) : 0; }
    EVP_PKEY* native() const noexcept { return pkey_.get(); }

    /// Reads a PEM private key (PKCS#8 `BEGIN PRIVATE KEY` or PKCS#1 `BEGIN RSA PRIVATE KEY`).
    static rsa_key from_private_pem(std::string_view pem, std::error_code& ec)
    {
        return load(pem, true, ec);
    }
    /// Reads a PEM public key (SubjectPublicKeyInfo, `BEGIN PUBLIC KEY`), or the public half of a PEM
    /// private key.
    static rsa_key from_public_pem(std::string_view pem, std::error_code& ec)
    {
        rsa_key k = load(pem, false, ec);
        if (ec) {
            std::error_code ec2;
            k = load(pem, true, ec2);
            if (!ec2) {
                ec.clear();
                k.has_private_ = false; // used for verifying only
            }
        }
        return k;
    }
    static rsa_key from_private_pem(std::string_view pem)
    {
        return throw_on_error("load private key", [&](std::error_code& ec) { return from_private_pem(pem, ec); });
    }
    static rsa_key from_public_pem(std::string_view pem)
    {
        return throw_on_error("load public key", [&](std::error_code& ec) { return from_public_pem(pem, ec); });
    }

    /// A fresh RSA key pair (2048 bits by default, as ROS's autoKeyGen).
    static rsa_key generate(int bits, std::error_code& ec)
    {
        ec.clear();
        rsa_key k;
        EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, nullptr);
        EVP_PKEY* p = nullptr;
        bool ok = ctx && EVP_PKEY_keygen_init(ctx) > 0 && EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, bits) > 0 &&
                  EVP_PKEY_keygen(ctx, &p) > 0;
        EVP_PKEY_CTX_free(ctx);
        if (!ok || !p) {
            EVP_PKEY_free(p);
            ec = auth_error::key_generation;
            return k;
        }
        k.pkey_.reset(p, EVP_PKEY_free);
        k.has_private_ = true;
        return k;
    }
    static rsa_key generate(int bits = 2048)
    {
        return throw_on_error("generate RSA key", [&](std::error_code& ec) { return generate(bits, ec); });
    }

    /// PKCS#8 PEM of the private key (empty when there is none).
    std::string private_pem() const
    {
        if (!has_private_)
            return {};
        return to_pem([&](BIO* b) { return PEM_write_bio_PrivateKey(b, pkey_.get(), nullptr, nullptr, 0, nullptr, nullptr); });
    }
    /// SubjectPublicKeyInfo PEM (`BEGIN PUBLIC KEY`).
    std::string public_pem() const
    {
        if (!pkey_)
            return {};
        return to_pem([&](BIO* b) { return PEM_write_bio_PUBKEY(b, pkey_.get()); });
    }

private:
    static rsa_key load(std::string_view pem, bool priv, std::error_code& ec)
    {
        ec.clear();
        rsa_key k;
        if (pem.size() > 64 * 1024) {
            ec = auth_error::key_invalid;
            return k;
        }
        BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
        if (!bio) {
            ec = auth_error::key_invalid;
            return k;
        }
        EVP_PKEY* p = priv ? PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr)
                           : PEM_read_bio_PUBKEY(bio, nullptr, nullptr, nullptr);
        BIO_free(bio);
        if (!p || EVP_PKEY_get_base_id(p) != EVP_PKEY_RSA) {
            EVP_PKEY_free(p);
            ec = auth_error::key_invalid;
            return k;
        }
        k.pkey_.reset(p, EVP_PKEY_free);
        k.has_private_ = priv;
        return k;
    }

    template <class Write>
    static std::string to_pem(Write&& write)
    {
        BIO* b = BIO_new(BIO_s_mem());
        if (!b)
            return {};
        std::string out;
        if (write(b) == 1) {
            char* data = nullptr;
            long n = BIO_get_mem_data(b, &data);
            if (n > 0)
                out.assign(data, static_cast<std::size_t>(n));
        }
        BIO_free(b);
        return out;
    }

    std::shared_ptr<EVP_PKEY> pkey_;
    bool has_private_ = false;
};

/// RS256 signature (256 bytes for a 2048-bit key) over `data`.
inline std::string rs256_sign(const rsa_key& key, std::string_view data, std::error_code& ec)
{
    ec.clear();
    if (!key.has_private()) {
        ec = auth_error::key_invalid;
        return {};
    }
    std::string sig;
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    std::size_t len = 0;
    bool ok = md && EVP_DigestSignInit(md, nullptr, EVP_sha256(), nullptr, key.native()) == 1 &&
              EVP_DigestSign(md, nullptr, &len, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
    if (ok) {
        sig.resize(len);
        ok = EVP_DigestSign(md, reinterpret_cast<unsigned char*>(sig.data()), &len,
                            reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
        sig.resize(len);
    }
    EVP_MD_CTX_free(md);
    if (!ok) {
        ec = auth_error::signing_failed;
        return {};
    }
    return sig;
}

inline std::string rs256_sign(const rsa_key& key, std::string_view data)
{
    return throw_on_error("RS256 sign", [&](std::error_code& ec) { return rs256_sign(key, data, ec); });
}

/// True when `signature` is a valid RS256 signature of `data` under `key`.
inline bool rs256_verify(const rsa_key& key, std::string_view data, std::string_view signature) noexcept
{
    if (key.empty())
        return false;
    EVP_MD_CTX* md = EVP_MD_CTX_new();
    bool ok = md && EVP_DigestVerifyInit(md, nullptr, EVP_sha256(), nullptr, key.native()) == 1 &&
              EVP_DigestVerify(md, reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                               reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
    EVP_MD_CTX_free(md);
    return ok;
}

/// Constant-time equality for secrets (password hashes, shared secrets). Length is not hidden.
inline bool constant_time_equal(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size())
        return false;
    return a.empty() || CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

namespace detail {

inline bool read_file(const std::string& path, std::string& out)
{
    std::ifstream in(path, std::ios::binary);
    if (!in)
        return false;
    std::ostringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return true;
}

/// Creates `path` with `data`: never over an existing file or through a symlink (O_EXCL|O_NOFOLLOW), and
/// with `mode` from the first byte on (no window in which the umask's mode lets others read a private
/// key). A partly written file is removed.
inline bool write_file(const std::string& path, std::string_view data, unsigned mode)
{
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, static_cast<mode_t>(mode));
    if (fd < 0)
        return false;
    std::size_t off = 0;
    bool ok = true;
    while (ok && off < data.size()) {
        ssize_t n = ::write(fd, data.data() + off, data.size() - off);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        if (ok)
            off += static_cast<std::size_t>(n);
    }
    ok = ok && ::fsync(fd) == 0;
    ok = (::close(fd) == 0) && ok;
    if (!ok)
        ::unlink(path.c_str());
    return ok;
}

} // namespace detail

/// A private key and the public key that goes with it.
struct key_pair {
    rsa_key private_key;
    rsa_key public_key;
};

/// Loads `<dir>/auth.key` and `<dir>/auth.pub`; when both are missing, generates an RSA pair of `bits`
/// and writes them (private key created with mode 0600, exclusively, never through a symlink), as ROS
/// did at start-up. One file without the other is an error rather than a silent regeneration, which would
/// invalidate every token issued so far. A directory that cannot be created is an error (store_io):
/// there is no fallback location, since a key found anywhere else could have been planted there.
/// A fresh pair that lives in memory only (nothing is written anywhere): tokens die with the process.
inline key_pair generate_key_pair(std::error_code& ec, int bits = 2048)
{
    key_pair kp;
    kp.private_key = rsa_key::generate(bits, ec);
    if (!ec)
        kp.public_key = rsa_key::from_public_pem(kp.private_key.public_pem(), ec);
    return kp;
}

/// Throwing form of generate_key_pair.
inline key_pair generate_key_pair(int bits = 2048)
{
    return throw_on_error("generate key pair", [&](std::error_code& ec) { return generate_key_pair(ec, bits); });
}

inline key_pair load_or_generate_keys(const std::string& dir, std::error_code& ec, int bits = 2048)
{
    ec.clear();
    key_pair kp;
    const std::string priv_path = dir + "/auth.key";
    const std::string pub_path = dir + "/auth.pub";
    std::string priv_pem, pub_pem;
    bool have_priv = detail::read_file(priv_path, priv_pem);
    bool have_pub = detail::read_file(pub_path, pub_pem);
    if (have_priv && have_pub) {
        kp.private_key = rsa_key::from_private_pem(priv_pem, ec);
        if (!ec)
            kp.public_key = rsa_key::from_public_pem(pub_pem, ec);
        return kp;
    }
    if (have_priv || have_pub) {
        ec = auth_error::key_invalid;
        return kp;
    }
    if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
        ec = auth_error::store_io;
        return kp;
    }
    kp.private_key = rsa_key::generate(bits, ec);
    if (ec)
        return kp;
    kp.public_key = rsa_key::from_public_pem(kp.private_key.public_pem(), ec);
    if (ec)
        return kp;
    if (!detail::write_file(priv_path, kp.private_key.private_pem(), 0600)) {
        ec = auth_error::store_io;
        return kp;
    }
    if (!detail::write_file(pub_path, kp.public_key.public_pem(), 0644)) {
        ::unlink(priv_path.c_str()); // one file without the other would refuse the next start
        ec = auth_error::store_io;
    }
    return kp;
}

inline key_pair load_or_generate_keys(const std::string& dir, int bits = 2048)
{
    return throw_on_error("load or generate keys", [&](std::error_code& ec) { return load_or_generate_keys(dir, ec, bits); });
}

} // namespace realmwire::auth

#endif
