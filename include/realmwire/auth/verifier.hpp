#ifndef REALMWIRE_AUTH_VERIFIER_HPP
#define REALMWIRE_AUTH_VERIFIER_HPP

// Token verification, one explicit check at a time, each with its own error:
//
//   format → base64 → signature → json → expiry → kind → path → privilege
//
// The order is realm-core's: the signature is checked over the decoded bytes before the JSON is read,
// and expiry only after that (vectors/tokens/README.md, "Order of checks"). The first failing check
// decides the error; the later ones are reported as skipped.
//
// Path and privilege follow realm-core's AccessControl::can(): a token with a `path` is good for that
// exact path only, a token without one for every path, and every requested privilege bit must be
// granted. realmwire adds ROS's rules on top: `~` in the requested path stands for the token's
// identity, and admins (claims::is_admin) are exempt from the path check.

#include "realmwire/auth/claims.hpp"
#include "realmwire/auth/keys.hpp"
#include "realmwire/auth/token.hpp"
#include "realmwire/auth/token_checker.hpp"

#include <openssl/evp.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace realmwire::auth {

/// Unix seconds now. Injected wherever expiry is decided, so tests can pin time.
using unix_clock = std::function<std::int64_t()>;

inline std::int64_t system_unix_now()
{
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

/// SHA-256 of `data` as lowercase hex.
inline std::string sha256_hex(std::string_view data)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr) != 1)
        return {};
    static const char digits[] = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < len; ++i) {
        out.push_back(digits[md[i] >> 4]);
        out.push_back(digits[md[i] & 0xf]);
    }
    return out;
}

/// The RS256 token_checker: realm-core's checks with an RSA public key (OpenSSL).
class token_verifier final : public token_checker {
public:
    /// `public_key` checks signatures; `clock` gives "now" for expiry.
    explicit token_verifier(rsa_key public_key, unix_clock clock = system_unix_now, token_limits limits = {})
        : key_(std::move(public_key))
        , clock_(std::move(clock))
        , limits_(limits)
    {
    }

    const rsa_key& key() const noexcept { return key_; }
    const token_limits& limits() const noexcept { return limits_; }
    std::int64_t now() const override { return clock_(); }

    std::optional<std::string> unverified_identity(std::string_view token) const override
    {
        std::error_code ec;
        claims c = decode_token_unverified(token, ec, limits_);
        if (ec)
            return std::nullopt;
        return std::move(c.identity);
    }

    /// Runs every check; never throws on bad input.
    verification verify(std::string_view token, const verify_request& req = {}) const override
    {
        verification v;
        v.checks.fill(check_verdict::skipped);
        auto pass = [&](token_check c) { v.checks[static_cast<std::size_t>(c)] = check_verdict::passed; };
        auto not_requested = [&](token_check c) { v.checks[static_cast<std::size_t>(c)] = check_verdict::not_requested; };
        auto fail = [&](token_check c, auth_error e) {
            v.checks[static_cast<std::size_t>(c)] = check_verdict::failed;
            v.failed_check = c;
            v.error = e;
            return v;
        };

        std::error_code ec;
        decoded_token d = decode_token_parts(token, ec, limits_);
        if (ec == auth_error::token_format)
            return fail(token_check::format, auth_error::token_format);
        pass(token_check::format);
        v.format = d.format;
        if (ec)
            return fail(token_check::base64, auth_error::token_base64);
        pass(token_check::base64);
        v.revocation_key = sha256_hex(d.claims_json);

        if (!rs256_verify(key_, signed_bytes(d), d.signature))
            return fail(token_check::signature, auth_error::token_signature);
        pass(token_check::signature);

        v.token_claims = parse_claims(d.claims_json, ec, limits_.claims);
        if (ec)
            return fail(token_check::json, auth_error::token_json);
        pass(token_check::json);
        const claims& c = v.token_claims;

        if (!req.check_expiry)
            not_requested(token_check::expiry);
        else if (c.expired(clock_()))
            return fail(token_check::expiry, auth_error::token_expired);
        else
            pass(token_check::expiry);

        if (!req.kind)
            not_requested(token_check::kind);
        else if (c.kind() != *req.kind)
            return fail(token_check::kind, auth_error::token_kind);
        else
            pass(token_check::kind);

        if (!req.path)
            not_requested(token_check::path);
        else if (c.path && !c.is_admin() && *c.path != expand_home(*req.path, c.identity))
            return fail(token_check::path, auth_error::token_path);
        else
            pass(token_check::path);

        if (req.privileges == 0)
            not_requested(token_check::privilege);
        else if (!c.grants(req.privileges))
            return fail(token_check::privilege, auth_error::token_privilege);
        else
            pass(token_check::privilege);
        return v;
    }

    /// The claims of a token that passes every requested check; the error of the first that fails.
    claims verify(std::string_view token, const verify_request& req, std::error_code& ec) const
    {
        verification v = verify(token, req);
        ec = v.error;
        return ec ? claims{} : std::move(v.token_claims);
    }

    claims verify_or_throw(std::string_view token, const verify_request& req = {}) const
    {
        return throw_on_error("verify token", [&](std::error_code& ec) { return verify(token, req, ec); });
    }

private:
    rsa_key key_;
    unix_clock clock_;
    token_limits limits_;
};

} // namespace realmwire::auth

#endif
