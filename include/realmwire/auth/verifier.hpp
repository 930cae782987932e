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

/// The checks, in the order they run.
enum class token_check { format, base64, signature, json, expiry, kind, path, privilege };
constexpr std::size_t token_check_count = 8;

inline const char* to_string(token_check c) noexcept
{
    switch (c) {
        case token_check::format: return "format";
        case token_check::base64: return "base64";
        case token_check::signature: return "signature";
        case token_check::json: return "json";
        case token_check::expiry: return "expiry";
        case token_check::kind: return "kind";
        case token_check::path: return "path";
        case token_check::privilege: return "privilege";
    }
    return "?";
}

enum class check_verdict {
    passed,
    failed,
    skipped,       ///< an earlier check failed
    not_requested, ///< the request did not ask for it (no path, no kind, no privilege)
};

inline const char* to_string(check_verdict v) noexcept
{
    switch (v) {
        case check_verdict::passed: return "ok";
        case check_verdict::failed: return "FAILED";
        case check_verdict::skipped: return "skipped";
        case check_verdict::not_requested: return "not requested";
    }
    return "?";
}

/// What the caller is about to do with the token.
struct verify_request {
    std::optional<std::string> path;        ///< realm path the token must be good for (`~` = identity)
    std::uint32_t privileges = 0;           ///< privilege bits the operation needs (auth::privilege)
    std::optional<token_kind> kind;         ///< the kind the caller accepts; nullopt = any (realm-core)
    bool check_expiry = true;               ///< ROS's sync proxy skipped it at upgrade time

    /// realm-core's `can(token, download|upload, path)`, as `rc-token verify --path` asks.
    static verify_request sync(std::string p)
    {
        verify_request r;
        r.path = std::move(p);
        r.privileges = privilege::download | privilege::upload;
        return r;
    }
};

/// The outcome of every check, the first error, and the claims once they could be read.
struct verification {
    std::array<check_verdict, token_check_count> checks{};
    std::error_code error;
    std::optional<token_check> failed_check;
    claims token_claims;     ///< valid when the json check passed
    token_format format = token_format::legacy;
    /// SHA-256 (hex) of the decoded claim bytes: the key a revocation list uses. Not the base64 text,
    /// which can be re-encoded (URL-safe, unpadded) without breaking a legacy signature.
    std::string revocation_key;

    bool valid() const noexcept { return !error; }
    check_verdict operator[](token_check c) const noexcept { return checks[static_cast<std::size_t>(c)]; }

    /// realm-core's verdict words, as its rc-token tool prints them: "valid", "invalid",
    /// "expired", "no-access".
    const char* realm_core_verdict() const noexcept
    {
        if (!error)
            return "valid";
        switch (*failed_check) {
            case token_check::expiry: return "expired";
            case token_check::path:
            case token_check::privilege: return "no-access";
            default: return "invalid";
        }
    }
};

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

/// ROS's home shorthand: a leading segment that is exactly `~` (`/~/x`, `/~`, or `~/x` before the
/// leading '/' is added) replaced by `identity`. A `~` anywhere else is left alone, so the path stays
/// invalid: expanding `/a/~/b` to `/a/<identity>/b` would let a user name a realm inside another
/// tree and pass a path check meant for its own.
inline std::string expand_home(std::string_view path, std::string_view identity)
{
    std::string out(path);
    std::size_t at = !out.empty() && out[0] == '/' ? 1 : 0;
    if (out.size() > at && out[at] == '~' && (out.size() == at + 1 || out[at + 1] == '/'))
        out.replace(at, 1, identity);
    return out;
}

class token_verifier {
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
    std::int64_t now() const { return clock_(); }

    /// Runs every check; never throws on bad input.
    verification verify(std::string_view token, const verify_request& req = {}) const
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
