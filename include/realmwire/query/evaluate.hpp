#ifndef REALMWIRE_QUERY_EVALUATE_HPP
#define REALMWIRE_QUERY_EVALUATE_HPP

// Evaluating a query against one object, sans-I/O.
//
// The object is a policy: any type with
//     const changeset::payload* field(std::string_view name) const;
// (nullptr when the object has no such field, read as null). query::is_object_view<T> checks it;
// query::map_object is a ready one (field name -> payload), query::any_object the type-erased form
// for a runtime choice. A store adapts its own object type with a few lines and no copies.
//
// Semantics are query/value.hpp's: realm's null handling, numbers across types, bytewise strings,
// `[c]` on ASCII, LIKE's `*` and `?`. IN is true when any element is equal; BETWEEN {a, b} is
// `>= a && <= b`. A field compared with a field works too (both read from the object).

#include "realmwire/query/value.hpp"

#include <functional>
#include <map>
#include <type_traits>

namespace realmwire::query {

template <class T, class = void>
struct is_object_view : std::false_type {};
template <class T>
struct is_object_view<T, std::void_t<decltype(std::declval<const T&>().field(std::string_view{}))>>
    : std::is_convertible<decltype(std::declval<const T&>().field(std::string_view{})), const changeset::payload*> {};
template <class T>
inline constexpr bool is_object_view_v = is_object_view<T>::value;

/// An object as a map from field name to value.
struct map_object {
    std::map<std::string, changeset::payload, std::less<>> fields;

    const changeset::payload* field(std::string_view name) const
    {
        auto it = fields.find(name);
        return it == fields.end() ? nullptr : &it->second;
    }
    map_object& set(std::string name, changeset::payload v)
    {
        fields[std::move(name)] = std::move(v);
        return *this;
    }
};

/// Any object view behind one pointer and one function pointer (no allocation, no virtual call on
/// the object's type). The viewed object must outlive it.
class any_object {
public:
    template <class T, class = std::enable_if_t<is_object_view_v<T> && !std::is_same_v<T, any_object>>>
    any_object(const T& object) noexcept // NOLINT: implicit on purpose, any view converts
        : object_(&object)
        , get_([](const void* o, std::string_view name) -> const changeset::payload* {
            return static_cast<const T*>(o)->field(name);
        })
    {
    }
    const changeset::payload* field(std::string_view name) const { return get_(object_, name); }

private:
    const void* object_;
    const changeset::payload* (*get_)(const void*, std::string_view);
};

namespace detail {

inline const changeset::payload& null_payload()
{
    static const changeset::payload n;
    return n;
}

template <class Object>
const changeset::payload& operand_value(const operand& o, const Object& object)
{
    if (!o.is_field)
        return o.value;
    const changeset::payload* p = object.field(o.field);
    return p ? *p : null_payload();
}

// Nodes deeper than this (only possible in a tree built by hand; the parser stops at limits::max_depth)
// evaluate to false rather than recurse further.
inline constexpr std::size_t max_evaluation_depth = 1024;

template <class Object>
bool evaluate_node(const expression& e, std::uint32_t i, const Object& object, std::size_t depth)
{
    if (depth > max_evaluation_depth)
        return false;
    const node& n = e.at(i);
    switch (n.kind) {
        case node_kind::true_predicate: return true;
        case node_kind::false_predicate: return false;
        case node_kind::not_: return !evaluate_node(e, n.children.front(), object, depth + 1);
        case node_kind::and_:
            for (auto c : n.children)
                if (!evaluate_node(e, c, object, depth + 1))
                    return false;
            return true;
        case node_kind::or_:
            for (auto c : n.children)
                if (evaluate_node(e, c, object, depth + 1))
                    return true;
            return false;
        case node_kind::compare: break;
    }
    const changeset::payload& left = operand_value(n.left, object);
    if (n.op == compare_op::in) {
        for (const auto& r : n.right)
            if (values_equal(left, operand_value(r, object), n.case_insensitive))
                return true;
        return false;
    }
    if (n.op == compare_op::between) {
        return n.right.size() == 2 &&
               compare_values(left, compare_op::greater_equal, operand_value(n.right[0], object)) &&
               compare_values(left, compare_op::less_equal, operand_value(n.right[1], object));
    }
    if (n.right.empty())
        return false;
    return compare_values(left, n.op, operand_value(n.right[0], object), n.case_insensitive);
}

} // namespace detail

/// True when `object` is in the query's view.
template <class Object>
bool evaluate(const expression& e, const Object& object)
{
    static_assert(is_object_view_v<Object>,
                  "query::evaluate needs an object view: a type with "
                  "`const changeset::payload* field(std::string_view) const`");
    return detail::evaluate_node(e, e.root_index(), object, 0);
}

} // namespace realmwire::query

#endif
