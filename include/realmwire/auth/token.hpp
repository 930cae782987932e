#ifndef REALMWIRE_AUTH_TOKEN_HPP
#define REALMWIRE_AUTH_TOKEN_HPP

// The two signed token encodings realm-core accepts (access_token.cpp, AccessToken::parse):
//
//   legacy  base64(claims) ":" base64(RS256(claims))      — ROS's format; split at the FIRST ':'
//   jwt     b64url(header) "." b64url(claims) "." b64url(RS256(header "." claims))
//           — chosen when there is no ':' but a '.'. The header is not read: like realm-core,
//           realmwire never lets a token choose its own algorithm (no "alg":"none" downgrade).
//
// Base64 is read as realm-core reads it: standard or URL-safe alphabet, '=' padding optional. realm-core
// also skips whitespace inside a part; realmwire refuses it unless token_limits::skip_whitespace is set
// (a token with blanks inside has been mangled on its way, and refusing it is the safer default).
// A token with neither ':' nor '.' is refused as token_format; realm-core would read it as unsigned
// claims and then fail the signature check.

#include "realmwire/auth/claims.hpp"
#include "realmwire/auth/keys.hpp"
#include "realmwire/auth/token_checker.hpp"
#include "realmwire/detail/base64.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace realmwire::auth {

struct token_limits {
    std::size_t max_token_bytes = 32 * 1024; ///< longer tokens are refused before any decoding
    bool skip_whitespace = false;            ///< realm-core's leniency: ignore blanks inside base64
    claims_limits claims{};
};

/// A token taken apart, without any check of its signature.
struct decoded_token {
    token_format format = token_format::legacy;
    std::string claims_json;            ///< the decoded claim bytes, exactly as signed (legacy) or sent (jwt)
    std::string signature;              ///< the decoded signature bytes
    std::string_view jwt_signed_input;  ///< jwt only: `header.payload`, a view into the token
    std::string_view claims_part;       ///< the base64 claims part as it appears in the token
};

namespace detail {

inline std::optional<std::string> token_b64(std::string_view part, bool skip_ws)
{
    if (!skip_ws)
        return realmwire::detail::base64_decode(part);
    std::string clean;
    clean.reserve(part.size());
    for (char c : part) {
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
            clean.push_back(c);
    }
    return realmwire::detail::base64_decode(clean);
}

} // namespace detail

/// Splits and base64-decodes a token (format, then base64). The views in the result point into
/// `token`, which must outlive it. Errors: token_format, token_base64.
inline decoded_token decode_token_parts(std::string_view token, std::error_code& ec, const token_limits& limits = {})
{
    ec.clear();
    decoded_token d;
    if (token.empty() || token.size() > limits.max_token_bytes) {
        ec = auth_error::token_format;
        return d;
    }
    std::size_t colon = token.find(':');
    std::string_view claims_b64, sig_b64;
    if (colon != std::string_view::npos) {
        d.format = token_format::legacy;
        claims_b64 = token.substr(0, colon);
        sig_b64 = token.substr(colon + 1);
    }
    else {
        std::size_t dot1 = token.find('.');
        if (dot1 == std::string_view::npos) {
            ec = auth_error::token_format;
            return d;
        }
        std::size_t dot2 = token.find('.', dot1 + 1);
        if (dot2 == std::string_view::npos) {
            ec = auth_error::token_format; // realm-core: invalid_jwt
            return d;
        }
        d.format = token_format::jwt;
        claims_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
        sig_b64 = token.substr(dot2 + 1); // a third '.' lands here and fails base64, as in realm-core
        d.jwt_signed_input = token.substr(0, dot2);
    }
    if (claims_b64.empty()) {
        ec = auth_error::token_format;
        return d;
    }
    d.claims_part = claims_b64;
    auto claims_bytes = detail::token_b64(claims_b64, limits.skip_whitespace);
    auto sig_bytes = detail::token_b64(sig_b64, limits.skip_whitespace);
    if (!claims_bytes || !sig_bytes) {
        ec = auth_error::token_base64;
        return d;
    }
    d.claims_json = std::move(*claims_bytes);
    d.signature = std::move(*sig_bytes);
    return d;
}

inline decoded_token decode_token_parts(std::string_view token, const token_limits& limits = {})
{
    return throw_on_error("decode token", [&](std::error_code& ec) { return decode_token_parts(token, ec, limits); });
}

/// The bytes a token's signature covers.
inline std::string_view signed_bytes(const decoded_token& d) noexcept
{
    return d.format == token_format::legacy ? std::string_view(d.claims_json) : d.jwt_signed_input;
}

/// Reads a token's claims without checking its signature (`realmwire token decode`). Never use the
/// result to grant anything.
inline claims decode_token_unverified(std::string_view token, std::error_code& ec, const token_limits& limits = {})
{
    decoded_token d = decode_token_parts(token, ec, limits);
    if (ec)
        return {};
    return parse_claims(d.claims_json, ec, limits.claims);
}

inline claims decode_token_unverified(std::string_view token, const token_limits& limits = {})
{
    return throw_on_error("decode token", [&](std::error_code& ec) { return decode_token_unverified(token, ec, limits); });
}

/// The JWT header realmwire writes.
constexpr std::string_view jwt_rs256_header = R"({"alg":"RS256","typ":"JWT"})";

/// Signs `claims_json` exactly as given (no re-serialisation, so the token carries these bytes).
/// legacy: standard base64 with padding, as ROS wrote; jwt: base64url without padding.
inline std::string sign_token(std::string_view claims_json, const rsa_key& key, token_format format, std::error_code& ec)
{
    using realmwire::detail::base64_alphabet;
    using realmwire::detail::base64_encode;
    ec.clear();
    if (format == token_format::legacy) {
        std::string sig = rs256_sign(key, claims_json, ec);
        if (ec)
            return {};
        return base64_encode(claims_json) + ":" + base64_encode(sig);
    }
    std::string input = base64_encode(jwt_rs256_header, base64_alphabet::url, false) + "." +
                        base64_encode(claims_json, base64_alphabet::url, false);
    std::string sig = rs256_sign(key, input, ec);
    if (ec)
        return {};
    return input + "." + base64_encode(sig, base64_alphabet::url, false);
}

inline std::string sign_token(std::string_view claims_json, const rsa_key& key, token_format format = token_format::legacy)
{
    return throw_on_error("sign token", [&](std::error_code& ec) { return sign_token(claims_json, key, format, ec); });
}

/// Serialises `c` (claims_to_json) and signs it.
inline std::string sign_claims(const claims& c, const rsa_key& key, token_format format, std::error_code& ec)
{
    return sign_token(claims_to_json(c), key, format, ec);
}

inline std::string sign_claims(const claims& c, const rsa_key& key, token_format format = token_format::legacy)
{
    return sign_token(claims_to_json(c), key, format);
}

} // namespace realmwire::auth

#endif
