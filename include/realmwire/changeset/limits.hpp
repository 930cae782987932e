#ifndef REALMWIRE_CHANGESET_LIMITS_HPP
#define REALMWIRE_CHANGESET_LIMITS_HPP

// Every bound the changeset decoder enforces. The defaults follow realm-core's own limits where it has
// one (string and binary sizes, name lengths) and are generous elsewhere; all are configurable.

#include <cstddef>
#include <cstdint>

namespace realmwire::changeset {

struct limits {
    /// Whole changeset, in bytes. realm-core caps an UPLOAD at 16 MiB of changesets; a single changeset
    /// can carry one maximal string plus its instruction, hence 32 MiB.
    std::size_t max_changeset_size = std::size_t(32) << 20;
    /// String bytes (interned strings and String payloads): realm-core's Table::max_string_size.
    std::size_t max_string_size = 16777199;
    /// Binary payload bytes: realm-core's Table::max_binary_size (its parser has no cap at all).
    std::size_t max_binary_size = 16777200;
    /// Path elements after table[object].field.
    std::size_t max_path_depth = 256;
    /// Interned strings per changeset.
    std::size_t max_interned_strings = std::size_t(1) << 20;
    /// Instructions per changeset.
    std::size_t max_instructions = std::size_t(1) << 24;
    /// Class (table) names: Group::max_class_name_length (63 minus the "class_" prefix). 0 = unchecked.
    std::size_t max_class_name_size = 57;
    /// Field (column) names: Table::max_column_name_length. 0 = unchecked.
    std::size_t max_field_name_size = 63;
    /// Reject strings that are not UTF-8 (realm-core does not check).
    bool validate_utf8 = true;
};

} // namespace realmwire::changeset

#endif
