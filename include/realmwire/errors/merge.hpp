#ifndef REALMWIRE_ERRORS_MERGE_HPP
#define REALMWIRE_ERRORS_MERGE_HPP

#include "realmwire/error.hpp"

namespace realmwire {

/// Errors of the merge transformer (realmwire/merge.hpp). Every one of them means the changesets cannot
/// be merged as given; a sync server answers them with protocol error 212, the session-level "bad
/// changeset" (112 is the connection-level "bad changeset size").
enum class merge_error {
    bad_changeset = 1,     ///< a history entry or reciprocal transform does not decode
    invalid_string_ref,    ///< an instruction refers to a string id outside the changeset's strings
    schema_mismatch,       ///< both sides create the same table or column with different properties
    prior_size_mismatch,   ///< two list instructions on the same list disagree on its size
    index_out_of_range,    ///< a list index at or beyond the list's prior size
    inconsistent_paths,    ///< two paths into the same container disagree on an element's kind
    invalid_instruction,   ///< an instruction shape the merge rules cannot meet (a list update without index, ...)
    invalid_payload_type,  ///< a payload type the merge cannot compare
    work_limit_exceeded,   ///< more instruction pairs than merge::limits::max_pairs
    window_too_large,      ///< more window instructions than merge::limits::max_window_instructions
    invalid_argument,      ///< a caller error (local file ident 0, versions out of order)
    reciprocal_history_too_large, ///< a server's reciprocal history would exceed its byte limit
};

template <>
struct error_enum_traits<merge_error> {
    static constexpr const char* category_name = "realmwire.merge";
    static const char* message(merge_error e) noexcept
    {
        switch (e) {
            case merge_error::bad_changeset: return "history changeset does not decode";
            case merge_error::invalid_string_ref: return "instruction refers to a string that is not interned";
            case merge_error::schema_mismatch: return "schema mismatch between the merged changesets";
            case merge_error::prior_size_mismatch: return "list instructions disagree on the list's size";
            case merge_error::index_out_of_range: return "list index out of range";
            case merge_error::inconsistent_paths: return "inconsistent paths";
            case merge_error::invalid_instruction: return "instruction cannot be merged";
            case merge_error::invalid_payload_type: return "invalid payload type in instruction";
            case merge_error::work_limit_exceeded: return "merge needs more work than the configured limit";
            case merge_error::window_too_large: return "merge window larger than the configured limit";
            case merge_error::invalid_argument: return "invalid merge argument";
            case merge_error::reciprocal_history_too_large: return "reciprocal history larger than the configured limit";
        }
        return "unknown merge error";
    }
    static condition to_condition(merge_error e) noexcept
    {
        switch (e) {
            case merge_error::work_limit_exceeded:
            case merge_error::window_too_large:
            case merge_error::reciprocal_history_too_large: return condition::limit_exceeded;
            case merge_error::invalid_argument: return condition::invalid_argument;
            default: return condition::malformed_input;
        }
    }
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(merge_error)

#endif
