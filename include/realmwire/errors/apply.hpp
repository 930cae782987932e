#ifndef REALMWIRE_ERRORS_APPLY_HPP
#define REALMWIRE_ERRORS_APPLY_HPP

#include "realmwire/error.hpp"

namespace realmwire {

/// Why a well-formed changeset cannot apply to a state (reference/object_store.hpp). The store reports
/// the index of the failing instruction beside the code (reference::apply_info); nothing of the
/// changeset is applied then.
enum class apply_error {
    invalid_string_ref = 1,  ///< an instruction names a string the changeset does not intern
    no_such_table,           ///< the table does not exist (or EraseTable of a missing table)
    table_mismatch,          ///< AddTable of an existing table with other properties
    no_such_object,          ///< Update / AddInteger / list / set / dictionary write to a missing object
    no_such_field,           ///< the field is not a column of the table (or EraseColumn of a missing one)
    column_mismatch,         ///< AddColumn of an existing column with another type, nullability or target
    primary_key_mismatch,    ///< CreateObject with a key of another type than the table's primary key
    type_mismatch,           ///< a value of a type the column (list, set, dictionary) cannot hold
    null_not_allowed,        ///< null written to a non-nullable field or collection
    invalid_link_target,     ///< a link to a table that does not exist, is embedded, or is not the column's
    invalid_path,            ///< the path does not fit the field (index on a non-list, key on a non-dictionary, ...)
    index_out_of_range,      ///< a list index past the end, or a prior_size unlike the list's size
    not_an_integer,          ///< AddInteger on a field holding something other than an integer
    unsupported,             ///< an instruction realm does not allow here (CreateObject in an embedded table, a collection value where a scalar belongs)
    table_is_link_target,    ///< EraseTable of a table that a link column of another table targets (realm-core's CrossTableLinkTarget)
};

template <>
struct error_enum_traits<apply_error> {
    static constexpr const char* category_name = "realmwire.apply";
    static constexpr const char* unknown_message = "unknown apply error";
    static constexpr condition unknown_condition = condition::protocol_violation;
    // clang-format off
    static constexpr error_row<apply_error> rows[] = {
        {apply_error::invalid_string_ref, "instruction refers to a string the changeset does not intern", condition::protocol_violation},
        {apply_error::no_such_table, "no such table", condition::protocol_violation},
        {apply_error::table_mismatch, "table exists with other properties", condition::protocol_violation},
        {apply_error::no_such_object, "no such object", condition::protocol_violation},
        {apply_error::no_such_field, "no such field", condition::protocol_violation},
        {apply_error::column_mismatch, "column exists with another type", condition::protocol_violation},
        {apply_error::primary_key_mismatch, "object key does not match the table's primary key", condition::protocol_violation},
        {apply_error::type_mismatch, "value type does not match the field", condition::protocol_violation},
        {apply_error::null_not_allowed, "null in a non-nullable field", condition::protocol_violation},
        {apply_error::invalid_link_target, "invalid link target", condition::protocol_violation},
        {apply_error::invalid_path, "path does not fit the field", condition::protocol_violation},
        {apply_error::index_out_of_range, "list index or prior size out of range", condition::protocol_violation},
        {apply_error::not_an_integer, "AddInteger on a field that is not an integer", condition::protocol_violation},
        {apply_error::unsupported, "instruction not allowed here (CreateObject in an embedded table, or a collection value where a scalar belongs)", condition::unsupported},
        {apply_error::table_is_link_target, "table is the target of another table's link column", condition::protocol_violation},
    };
    // clang-format on
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(apply_error)

#endif
