#ifndef REALMWIRE_ERRORS_QUERY_HPP
#define REALMWIRE_ERRORS_QUERY_HPP

#include "realmwire/error.hpp"

namespace realmwire {

/// Errors of the realm query language (flexible sync subscriptions): parsing, binding to a schema and
/// the subscription-set JSON. The parser also gives a realm-core-like sentence and a byte offset
/// (query::diagnostic); the code says which kind of problem it was.
enum class query_error {
    syntax_error = 1,       ///< the text does not follow the grammar (realm-core's "syntax error, unexpected ...")
    invalid_literal,        ///< a literal is malformed: timestamp out of range, a date before 1900, ...
    unsupported_expression, ///< valid realm query language that flexible sync does not take here
    key_path,               ///< a key path (`a.b`), `@count`, `@size`, ... — only top-level fields
    argument,               ///< an argument placeholder (`$0`, `$K0`): subscriptions carry no arguments
    descriptor,             ///< SORT, DISTINCT or LIMIT after the predicate
    too_long,               ///< the text is longer than limits::max_length
    too_deep,               ///< parentheses or NOT nest deeper than limits::max_depth
    list_too_large,         ///< an IN list holds more than limits::max_list_size elements
    too_many_nodes,         ///< more comparisons than limits::max_nodes
    unknown_table,          ///< binding: the table is not in the schema
    unknown_field,          ///< binding: the table has no such field
    field_not_queryable,    ///< binding: the field exists but is not queryable
    type_mismatch,          ///< binding: the operator or literal does not fit the field's type
    constant_comparison,    ///< both sides of a comparison are constants
    malformed_subscriptions, ///< the subscription set is not a JSON object of table -> query string
};

template <>
struct error_enum_traits<query_error> {
    static constexpr const char* category_name = "realmwire.query";
    static constexpr const char* unknown_message = "unknown query error";
    static constexpr condition unknown_condition = condition::malformed_input;
    // clang-format off
    static constexpr error_row<query_error> rows[] = {
        {query_error::syntax_error, "query has a syntax error", condition::malformed_input},
        {query_error::invalid_literal, "query literal is invalid", condition::malformed_input},
        {query_error::unsupported_expression, "query uses an expression flexible sync does not support", condition::unsupported},
        {query_error::key_path, "query uses a key path or collection operator (only top-level fields)", condition::unsupported},
        {query_error::argument, "query uses an argument placeholder", condition::unsupported},
        {query_error::descriptor, "query uses SORT, DISTINCT or LIMIT", condition::unsupported},
        {query_error::too_long, "query is longer than the configured limit", condition::limit_exceeded},
        {query_error::too_deep, "query nests deeper than the configured limit", condition::limit_exceeded},
        {query_error::list_too_large, "query list is longer than the configured limit", condition::limit_exceeded},
        {query_error::too_many_nodes, "query has more terms than the configured limit", condition::limit_exceeded},
        {query_error::unknown_table, "query names a table that is not in the schema", condition::invalid_argument},
        {query_error::unknown_field, "query names a field the table does not have", condition::invalid_argument},
        {query_error::field_not_queryable, "query names a field that is not queryable", condition::invalid_argument},
        {query_error::type_mismatch, "query compares values of incompatible types", condition::malformed_input},
        {query_error::constant_comparison, "query compares two constants", condition::malformed_input},
        {query_error::malformed_subscriptions, "subscription set is not a JSON object of query strings", condition::malformed_input},
    };
    // clang-format on
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(query_error)

#endif
