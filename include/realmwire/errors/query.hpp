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
    static const char* message(query_error e) noexcept
    {
        switch (e) {
            case query_error::syntax_error: return "query has a syntax error";
            case query_error::invalid_literal: return "query literal is invalid";
            case query_error::unsupported_expression: return "query uses an expression flexible sync does not support";
            case query_error::key_path: return "query uses a key path or collection operator (only top-level fields)";
            case query_error::argument: return "query uses an argument placeholder";
            case query_error::descriptor: return "query uses SORT, DISTINCT or LIMIT";
            case query_error::too_long: return "query is longer than the configured limit";
            case query_error::too_deep: return "query nests deeper than the configured limit";
            case query_error::list_too_large: return "query list is longer than the configured limit";
            case query_error::too_many_nodes: return "query has more terms than the configured limit";
            case query_error::unknown_table: return "query names a table that is not in the schema";
            case query_error::unknown_field: return "query names a field the table does not have";
            case query_error::field_not_queryable: return "query names a field that is not queryable";
            case query_error::type_mismatch: return "query compares values of incompatible types";
            case query_error::constant_comparison: return "query compares two constants";
            case query_error::malformed_subscriptions: return "subscription set is not a JSON object of query strings";
        }
        return "unknown query error";
    }
    static condition to_condition(query_error e) noexcept
    {
        switch (e) {
            case query_error::too_long:
            case query_error::too_deep:
            case query_error::list_too_large:
            case query_error::too_many_nodes: return condition::limit_exceeded;
            case query_error::unsupported_expression:
            case query_error::key_path:
            case query_error::argument:
            case query_error::descriptor: return condition::unsupported;
            case query_error::unknown_table:
            case query_error::unknown_field:
            case query_error::field_not_queryable: return condition::invalid_argument;
            default: return condition::malformed_input;
        }
    }
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(query_error)

#endif
