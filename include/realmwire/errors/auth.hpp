#ifndef REALMWIRE_ERRORS_AUTH_HPP
#define REALMWIRE_ERRORS_AUTH_HPP

#include "realmwire/error.hpp"

namespace realmwire {

/// Errors of the auth area: token checks (one per verification step), keys and signing, the ROS
/// `/auth` API (one per ROS problem code), the user store and the auth HTTP drivers.
enum class auth_error {
    // --- token verification, in the order the verifier runs its checks ---
    token_format = 1,    ///< not `base64:base64` nor `header.payload.signature`, empty, or too long
    token_base64,        ///< a part is not valid base64 (standard or URL-safe, padding optional)
    token_signature,     ///< the RSA-SHA256 signature does not verify with the configured key
    token_json,          ///< the claims are not a JSON object, or a known claim has the wrong type
    token_expired,       ///< `expires` is set and lies before the verifier's clock
    token_kind,          ///< a refresh token where an access token was needed, or the reverse
    token_path,          ///< the token's `path` is not the requested realm path
    token_privilege,     ///< the token lacks a privilege the operation needs
    token_revoked,       ///< the token was revoked (POST /auth/revoke)
    // --- keys and signing ---
    key_invalid,         ///< a PEM key could not be read, or is not an RSA key of the needed kind
    key_generation,      ///< RSA key generation failed
    signing_failed,      ///< OpenSSL could not sign
    // --- the /auth API: ROS problem codes ---
    invalid_parameters,  ///< 601 — a parameter has a bad value (unknown provider, bad path, ...)
    missing_parameters,  ///< 602 — a required parameter is absent
    invalid_credentials, ///< 611 — wrong password, unknown user, bad or missing token
    unknown_account,     ///< 612 — the account does not exist
    existing_account,    ///< 613 — register for a name that is taken
    access_denied,       ///< 614 — bad refresh token, revoked, no access to the path
    realm_not_found,     ///< 617
    unknown_user,        ///< 618
    server_error,        ///< any other problem answer (5xx, codes outside the list above)
    malformed_request,   ///< the /auth request body is not the JSON the endpoint expects
    malformed_response,  ///< the /auth answer is not the JSON the client expects
    body_too_large,      ///< a request or answer body exceeds its limit
    // --- storage ---
    store_io,            ///< the user store could not be read or written
    // --- abuse limits (the /auth server's own answers, not ROS codes) ---
    rate_limited,        ///< 429: too many attempts from this address or for this user; retry later
    user_limit,          ///< the server accepts no more users (of this provider, or at all)
    user_exists,         ///< a new user's id or account is taken; records are never replaced
    server_busy,         ///< 503: every /auth worker is busy and the queue is full
};

template <>
struct error_enum_traits<auth_error> {
    static constexpr const char* category_name = "realmwire.auth";
    static const char* message(auth_error e) noexcept
    {
        switch (e) {
            case auth_error::token_format: return "token is not in a known format";
            case auth_error::token_base64: return "token part is not valid base64";
            case auth_error::token_signature: return "token signature does not verify";
            case auth_error::token_json: return "token claims are not valid JSON";
            case auth_error::token_expired: return "token has expired";
            case auth_error::token_kind: return "token is of the wrong kind";
            case auth_error::token_path: return "token is not valid for this realm path";
            case auth_error::token_privilege: return "token lacks a privilege needed for the operation";
            case auth_error::token_revoked: return "token has been revoked";
            case auth_error::key_invalid: return "key is missing, unreadable or not RSA";
            case auth_error::key_generation: return "RSA key generation failed";
            case auth_error::signing_failed: return "signing failed";
            case auth_error::invalid_parameters: return "request parameters did not validate (601)";
            case auth_error::missing_parameters: return "request is missing parameters (602)";
            case auth_error::invalid_credentials: return "credentials are invalid or the user does not exist (611)";
            case auth_error::unknown_account: return "account does not exist (612)";
            case auth_error::existing_account: return "account exists already (613)";
            case auth_error::access_denied: return "access denied (614)";
            case auth_error::realm_not_found: return "realm not found (617)";
            case auth_error::unknown_user: return "user does not exist (618)";
            case auth_error::server_error: return "auth server reported an error";
            case auth_error::malformed_request: return "malformed /auth request";
            case auth_error::malformed_response: return "malformed /auth response";
            case auth_error::body_too_large: return "body exceeds its limit";
            case auth_error::store_io: return "user store I/O failed";
            case auth_error::rate_limited: return "too many attempts; retry later (429)";
            case auth_error::user_limit: return "the server accepts no more users";
            case auth_error::user_exists: return "a user with this id or account exists already";
            case auth_error::server_busy: return "the /auth workers are busy (503)";
        }
        return "unknown auth error";
    }
    static condition to_condition(auth_error e) noexcept
    {
        switch (e) {
            case auth_error::token_format:
            case auth_error::token_base64:
            case auth_error::token_json:
            case auth_error::malformed_request:
            case auth_error::malformed_response: return condition::malformed_input;
            case auth_error::token_signature:
            case auth_error::token_expired:
            case auth_error::token_revoked:
            case auth_error::invalid_credentials:
            case auth_error::unknown_account:
            case auth_error::existing_account: return condition::unauthorized;
            case auth_error::token_kind:
            case auth_error::token_path:
            case auth_error::token_privilege:
            case auth_error::access_denied:
            case auth_error::realm_not_found:
            case auth_error::unknown_user: return condition::forbidden;
            case auth_error::key_invalid:
            case auth_error::invalid_parameters:
            case auth_error::missing_parameters: return condition::invalid_argument;
            case auth_error::body_too_large:
            case auth_error::rate_limited:
            case auth_error::user_limit:
            case auth_error::server_busy: return condition::limit_exceeded;
            case auth_error::user_exists: return condition::unauthorized;
            case auth_error::key_generation:
            case auth_error::signing_failed:
            case auth_error::server_error:
            case auth_error::store_io: return condition::transport_failed;
        }
        return condition::malformed_input;
    }
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(auth_error)

#endif
