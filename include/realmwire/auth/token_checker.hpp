#ifndef REALMWIRE_AUTH_TOKEN_CHECKER_HPP
#define REALMWIRE_AUTH_TOKEN_CHECKER_HPP

// What a token check is asked and what it answers, and token_checker, the interface through which the
// sync endpoints verify tokens. No crypto and no JSON here: the RS256 implementation realm-core uses
// is auth::token_verifier (auth/verifier.hpp, OpenSSL), and a user may plug in another.

#include "realmwire/auth/claims_types.hpp"

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace realmwire::auth {

/// How a token is laid out: ROS's legacy `base64(claims):base64(signature)` or a JWT.
enum class token_format { legacy, jwt };

inline const char* to_string(token_format f) noexcept { return f == token_format::legacy ? "legacy" : "jwt"; }

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

/// Verifies tokens for a sync server. Implementations are safe to call from several connections at
/// once (const, no hidden mutable state) and never throw on bad input.
class token_checker {
public:
    virtual ~token_checker() = default;
    /// Runs every check of `req` on `token`; the first failing one decides verification::error.
    virtual verification verify(std::string_view token, const verify_request& req) const = 0;
    /// Unix seconds now, as expiry is decided (injectable, so tests pin time).
    virtual std::int64_t now() const = 0;
    /// The identity a token claims, read WITHOUT checking its signature: only to expand `~` in a
    /// requested path before the verified check runs. nullopt when the token cannot be read.
    virtual std::optional<std::string> unverified_identity(std::string_view token) const = 0;
};

} // namespace realmwire::auth

#endif
