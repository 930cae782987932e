#ifndef REALMWIRE_ERRORS_CHANGESET_HPP
#define REALMWIRE_ERRORS_CHANGESET_HPP

#include "realmwire/error.hpp"

namespace realmwire {

/// Errors of the changeset codec (realmwire/changeset.hpp). Decode errors always come with the byte
/// offset (error_info::offset) of the field that failed, and error_info::field names that field.
enum class changeset_error {
    // --- integer codec (docs/protocol.md, "Integers") ---
    truncated = 1,           ///< the input ended inside a record
    varint_too_long,         ///< more varint bytes than the field's type allows
    varint_non_minimal,      ///< an over-long varint (realm-core's encoder never writes one)
    varint_overflow,         ///< the value does not fit the field's type
    varint_sign_on_unsigned, ///< the sign flag (bit 6 of the last byte) on an unsigned field
    // --- records ---
    unknown_instruction,       ///< tag not in {0..13, 63}, checked before any narrowing
    unexpected_intern_index,   ///< InternString index != number of strings interned so far
    duplicate_intern_string,   ///< the same bytes interned twice
    invalid_string_ref,        ///< an interned-string reference to a string not (yet) interned
    length_exceeds_input,      ///< a declared string/binary length runs past the end of the input
    string_too_long,           ///< string longer than limits::max_string_size
    binary_too_long,           ///< binary longer than limits::max_binary_size
    invalid_utf8,              ///< a string (interned or String payload) is not valid UTF-8
    name_too_long,             ///< a class name > limits::max_class_name_size or field name > max_field_name_size
    invalid_bool,              ///< a bool field other than 0 or 1
    unknown_payload_type,      ///< payload or primary-key type outside -6..11
    payload_type_not_allowed,  ///< a payload type not allowed where it appears (GlobalKey, collections in Set*)
    unknown_primary_key_type,  ///< object key type not Null/Int/String/ObjectId/UUID/GlobalKey
    invalid_primary_key_type,  ///< AddTable pk type not Int/String/ObjectId/UUID/GlobalKey
    unknown_table_type,        ///< AddTable table type not 0/1/2
    unknown_collection_type,   ///< collection type not 0..3
    invalid_column_type,       ///< AddColumn type that cannot be a column (Erased, List, GlobalKey, ...)
    invalid_dictionary_key,    ///< AddColumn dictionary key type other than String
    missing_list_index,        ///< ArrayInsert/ArrayMove/ArrayErase whose path does not end in an index
    invalid_path_element,      ///< a path index > UINT32_MAX or a string marker other than -1
    timestamp_out_of_range,    ///< nanoseconds outside (-1e9, 1e9) or with a sign unlike the seconds
    decimal_coefficient_invalid, ///< Bid128 coefficient over-long, non-canonical or >= 2^113
    decimal_out_of_range,      ///< Decimal128 exponent outside the 14-bit field, or sign not 0/1
    // --- limits ---
    changeset_too_large,   ///< input larger than limits::max_changeset_size
    path_too_deep,         ///< path longer than limits::max_path_depth
    too_many_strings,      ///< more interned strings than limits::max_interned_strings
    too_many_instructions, ///< more instructions than limits::max_instructions
    // --- encoder / model ---
    invalid_model, ///< the value model cannot be encoded (bad string id, bad placement, wrong path shape)
};

template <>
struct error_enum_traits<changeset_error> {
    static constexpr const char* category_name = "realmwire.changeset";
    static constexpr const char* unknown_message = "unknown changeset error";
    static constexpr condition unknown_condition = condition::malformed_input;
    // clang-format off
    static constexpr error_row<changeset_error> rows[] = {
        {changeset_error::truncated, "changeset truncated", condition::malformed_input},
        {changeset_error::varint_too_long, "integer encoding too long for its field", condition::malformed_input},
        {changeset_error::varint_non_minimal, "integer not minimally encoded", condition::malformed_input},
        {changeset_error::varint_overflow, "integer out of range for its field", condition::malformed_input},
        {changeset_error::varint_sign_on_unsigned, "sign flag on an unsigned integer field", condition::malformed_input},
        {changeset_error::unknown_instruction, "unknown instruction type", condition::unsupported},
        {changeset_error::unexpected_intern_index, "unexpected intern index", condition::malformed_input},
        {changeset_error::duplicate_intern_string, "string interned twice", condition::malformed_input},
        {changeset_error::invalid_string_ref, "reference to a string that is not interned", condition::malformed_input},
        {changeset_error::length_exceeds_input, "declared length runs past the end of the input", condition::malformed_input},
        {changeset_error::string_too_long, "string too long", condition::limit_exceeded},
        {changeset_error::binary_too_long, "binary value too long", condition::limit_exceeded},
        {changeset_error::invalid_utf8, "string is not valid UTF-8", condition::malformed_input},
        {changeset_error::name_too_long, "class or field name too long", condition::limit_exceeded},
        {changeset_error::invalid_bool, "bool field not 0 or 1", condition::malformed_input},
        {changeset_error::unknown_payload_type, "unknown payload type", condition::malformed_input},
        {changeset_error::payload_type_not_allowed, "payload type not allowed here", condition::malformed_input},
        {changeset_error::unknown_primary_key_type, "unsupported object key type", condition::malformed_input},
        {changeset_error::invalid_primary_key_type, "invalid primary key type in AddTable", condition::malformed_input},
        {changeset_error::unknown_table_type, "unknown table type", condition::malformed_input},
        {changeset_error::unknown_collection_type, "unknown collection type", condition::malformed_input},
        {changeset_error::invalid_column_type, "invalid column type in AddColumn", condition::malformed_input},
        {changeset_error::invalid_dictionary_key, "dictionary key type is not String", condition::malformed_input},
        {changeset_error::missing_list_index, "list instruction without an index", condition::malformed_input},
        {changeset_error::invalid_path_element, "invalid path element", condition::malformed_input},
        {changeset_error::timestamp_out_of_range, "timestamp out of range", condition::malformed_input},
        {changeset_error::decimal_coefficient_invalid, "invalid Decimal128 coefficient", condition::malformed_input},
        {changeset_error::decimal_out_of_range, "Decimal128 exponent or sign out of range", condition::malformed_input},
        {changeset_error::changeset_too_large, "changeset larger than the configured limit", condition::limit_exceeded},
        {changeset_error::path_too_deep, "path deeper than the configured limit", condition::limit_exceeded},
        {changeset_error::too_many_strings, "more interned strings than the configured limit", condition::limit_exceeded},
        {changeset_error::too_many_instructions, "more instructions than the configured limit", condition::limit_exceeded},
        {changeset_error::invalid_model, "changeset model cannot be encoded", condition::invalid_argument},
    };
    // clang-format on
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(changeset_error)

#endif
