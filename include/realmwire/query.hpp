#ifndef REALMWIRE_QUERY_HPP
#define REALMWIRE_QUERY_HPP

// The realm query language as flexible sync uses it, sans-I/O and dependency-free: parse a
// subscription's query (query/parser.hpp), type it against a schema (query/schema.hpp), evaluate it
// on objects (query/evaluate.hpp, query/value.hpp), read and write the subscription set's JSON
// (query/subscriptions.hpp). See docs/query.md.

#include "realmwire/query/expression.hpp"
#include "realmwire/query/parser.hpp"
#include "realmwire/query/value.hpp"
#include "realmwire/query/evaluate.hpp"
#include "realmwire/query/schema.hpp"
#include "realmwire/query/subscriptions.hpp"

#endif
