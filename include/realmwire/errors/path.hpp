#ifndef REALMWIRE_ERRORS_PATH_HPP
#define REALMWIRE_ERRORS_PATH_HPP

#include "realmwire/error.hpp"

namespace realmwire {

/// What is wrong with a virtual realm path (`/owner/name`), or with its percent-encoded form in a
/// request target. Validation errors first, then decoding errors.
enum class path_error {
    // --- validation (validate_realm_path) ---
    empty = 1,              ///< the path (or the encoded segment) is empty
    too_long,               ///< longer than path_limits::max_length bytes
    missing_leading_slash,  ///< the path must start with '/'
    empty_segment,          ///< `//`, or a trailing '/', or the path "/" alone
    dot_segment,            ///< a segment starts with '.' (`.`, `..`, hidden names)
    reserved_suffix,        ///< a segment ends with `.realm`, `.realm.lock` or `.realm.management`
    invalid_character,      ///< a byte outside [A-Za-z0-9_.-] in a segment
    // --- decoding (decode_realm_path) ---
    malformed_percent_encoding, ///< '%' not followed by two hex digits
    double_encoding,        ///< `%25`: a percent sign encoded again (`%252F`)
    query_in_path,          ///< '?' (raw or as `%3F`): a query smuggled into the path
    fragment_in_path,       ///< '#' (raw or as `%23`): a fragment smuggled into the path
    unencoded_character,    ///< a byte that must be percent-encoded in one segment (raw '/', space, ...)
    // --- validation, added later (kept last so the values above stay stable) ---
    unexpanded_user_segment, ///< a `~` segment: the user id must replace it first (expand_user_path)
};

template <>
struct error_enum_traits<path_error> {
    static constexpr const char* category_name = "realmwire.path";
    static constexpr const char* unknown_message = "unknown path error";
    static constexpr condition unknown_condition = condition::malformed_input;
    // clang-format off
    static constexpr error_row<path_error> rows[] = {
        {path_error::empty, "realm path is empty", condition::malformed_input},
        {path_error::too_long, "realm path is longer than the configured limit", condition::limit_exceeded},
        {path_error::missing_leading_slash, "realm path does not start with '/' (write /owner/name)", condition::malformed_input},
        {path_error::empty_segment, "realm path has an empty segment", condition::malformed_input},
        {path_error::dot_segment, "realm path segment starts with '.'", condition::malformed_input},
        {path_error::reserved_suffix, "realm path segment ends with .realm, .realm.lock or .realm.management: name the realm, not its file", condition::malformed_input},
        {path_error::invalid_character, "realm path segment has a character outside [A-Za-z0-9_.-] (validate the decoded path, not its percent-encoded form)", condition::malformed_input},
        {path_error::malformed_percent_encoding, "'%' is not followed by two hex digits", condition::malformed_input},
        {path_error::double_encoding, "encoded realm path is percent-encoded twice (%25)", condition::malformed_input},
        {path_error::query_in_path, "a query ('?') inside the encoded realm path", condition::malformed_input},
        {path_error::fragment_in_path, "a fragment ('#') inside the encoded realm path", condition::malformed_input},
        {path_error::unencoded_character, "encoded realm path holds a character that must be percent-encoded", condition::malformed_input},
        {path_error::unexpanded_user_segment, "realm path has a '~' segment: replace it with the user id first (expand_user_path, or client_handshake_options::user_id)", condition::malformed_input},
    };
    // clang-format on
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(path_error)

#endif
