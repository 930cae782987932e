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
};

template <>
struct error_enum_traits<apply_error> {
    static constexpr const char* category_name = "realmwire.apply";
    static const char* message(apply_error e) noexcept
    {
        switch (e) {
            case apply_error::invalid_string_ref: return "instruction refers to a string the changeset does not intern";
            case apply_error::no_such_table: return "no such table";
            case apply_error::table_mismatch: return "table exists with other properties";
            case apply_error::no_such_object: return "no such object";
            case apply_error::no_such_field: return "no such field";
            case apply_error::column_mismatch: return "column exists with another type";
            case apply_error::primary_key_mismatch: return "object key does not match the table's primary key";
            case apply_error::type_mismatch: return "value type does not match the field";
            case apply_error::null_not_allowed: return "null in a non-nullable field";
            case apply_error::invalid_link_target: return "invalid link target";
            case apply_error::invalid_path: return "path does not fit the field";
            case apply_error::index_out_of_range: return "list index or prior size out of range";
            case apply_error::not_an_integer: return "AddInteger on a field that is not an integer";
            case apply_error::unsupported: return "instruction not allowed here (CreateObject in an embedded table, or a collection value where a scalar belongs)";
        }
        return "unknown apply error";
    }
    static condition to_condition(apply_error e) noexcept
    {
        return e == apply_error::unsupported ? condition::unsupported : condition::protocol_violation;
    }
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(apply_error)

#endif
