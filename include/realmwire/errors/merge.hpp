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
    static constexpr const char* unknown_message = "unknown merge error";
    static constexpr condition unknown_condition = condition::malformed_input;
    // clang-format off
    static constexpr error_row<merge_error> rows[] = {
        {merge_error::bad_changeset, "history changeset does not decode", condition::malformed_input},
        {merge_error::invalid_string_ref, "instruction refers to a string that is not interned", condition::malformed_input},
        {merge_error::schema_mismatch, "schema mismatch between the merged changesets", condition::malformed_input},
        {merge_error::prior_size_mismatch, "list instructions disagree on the list's size", condition::malformed_input},
        {merge_error::index_out_of_range, "list index out of range", condition::malformed_input},
        {merge_error::inconsistent_paths, "inconsistent paths", condition::malformed_input},
        {merge_error::invalid_instruction, "instruction cannot be merged", condition::malformed_input},
        {merge_error::invalid_payload_type, "invalid payload type in instruction", condition::malformed_input},
        {merge_error::work_limit_exceeded, "merge needs more work than the configured limit", condition::limit_exceeded},
        {merge_error::window_too_large, "merge window larger than the configured limit", condition::limit_exceeded},
        {merge_error::invalid_argument, "invalid merge argument", condition::invalid_argument},
        {merge_error::reciprocal_history_too_large, "reciprocal history larger than the configured limit", condition::limit_exceeded},
    };
    // clang-format on
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(merge_error)

#endif
