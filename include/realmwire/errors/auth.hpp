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
    static constexpr const char* unknown_message = "unknown auth error";
    static constexpr condition unknown_condition = condition::malformed_input;
    // clang-format off
    static constexpr error_row<auth_error> rows[] = {
        {auth_error::token_format, "token is not in a known format", condition::malformed_input},
        {auth_error::token_base64, "token part is not valid base64", condition::malformed_input},
        {auth_error::token_signature, "token signature does not verify", condition::unauthorized},
        {auth_error::token_json, "token claims are not valid JSON", condition::malformed_input},
        {auth_error::token_expired, "token has expired", condition::unauthorized},
        {auth_error::token_kind, "token is of the wrong kind", condition::forbidden},
        {auth_error::token_path, "token is not valid for this realm path", condition::forbidden},
        {auth_error::token_privilege, "token lacks a privilege needed for the operation", condition::forbidden},
        {auth_error::token_revoked, "token has been revoked", condition::unauthorized},
        {auth_error::key_invalid, "key is missing, unreadable or not RSA", condition::invalid_argument},
        {auth_error::key_generation, "RSA key generation failed", condition::transport_failed},
        {auth_error::signing_failed, "signing failed", condition::transport_failed},
        {auth_error::invalid_parameters, "request parameters did not validate (601)", condition::invalid_argument},
        {auth_error::missing_parameters, "request is missing parameters (602)", condition::invalid_argument},
        {auth_error::invalid_credentials, "credentials are invalid or the user does not exist (611)", condition::unauthorized},
        {auth_error::unknown_account, "account does not exist (612)", condition::unauthorized},
        {auth_error::existing_account, "account exists already (613)", condition::unauthorized},
        {auth_error::access_denied, "access denied (614)", condition::forbidden},
        {auth_error::realm_not_found, "realm not found (617)", condition::forbidden},
        {auth_error::unknown_user, "user does not exist (618)", condition::forbidden},
        {auth_error::server_error, "auth server reported an error", condition::transport_failed},
        {auth_error::malformed_request, "malformed /auth request", condition::malformed_input},
        {auth_error::malformed_response, "malformed /auth response", condition::malformed_input},
        {auth_error::body_too_large, "body exceeds its limit", condition::limit_exceeded},
        {auth_error::store_io, "user store I/O failed", condition::transport_failed},
        {auth_error::rate_limited, "too many attempts; retry later (429)", condition::limit_exceeded},
        {auth_error::user_limit, "the server accepts no more users", condition::limit_exceeded},
        {auth_error::user_exists, "a user with this id or account exists already", condition::unauthorized},
        {auth_error::server_busy, "the /auth workers are busy (503)", condition::limit_exceeded},
    };
    // clang-format on
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(auth_error)

#endif
