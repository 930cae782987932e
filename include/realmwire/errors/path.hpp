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
    static const char* message(path_error e) noexcept
    {
        switch (e) {
            case path_error::empty: return "realm path is empty";
            case path_error::too_long: return "realm path is longer than the configured limit";
            case path_error::missing_leading_slash:
                return "realm path does not start with '/' (write "
                       "/owner/name)";
            case path_error::empty_segment: return "realm path has an empty segment";
            case path_error::dot_segment: return "realm path segment starts with '.'";
            case path_error::reserved_suffix:
                return "realm path segment ends with .realm, .realm.lock or .realm.management: name the "
                       "realm, not its file";
            case path_error::invalid_character:
                return "realm path segment has a character outside [A-Za-z0-9_.-] (validate the decoded path, "
                       "not its percent-encoded form)";
            case path_error::malformed_percent_encoding: return "'%' is not followed by two hex digits";
            case path_error::double_encoding: return "encoded realm path is percent-encoded twice (%25)";
            case path_error::query_in_path: return "a query ('?') inside the encoded realm path";
            case path_error::fragment_in_path: return "a fragment ('#') inside the encoded realm path";
            case path_error::unencoded_character:
                return "encoded realm path holds a character that must be percent-encoded";
            case path_error::unexpanded_user_segment:
                return "realm path has a '~' segment: replace it with the user id first (expand_user_path, or "
                       "client_handshake_options::user_id)";
        }
        return "unknown path error";
    }
    static condition to_condition(path_error e) noexcept
    {
        switch (e) {
            case path_error::too_long: return condition::limit_exceeded;
            default: return condition::malformed_input;
        }
    }
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(path_error)

#endif
