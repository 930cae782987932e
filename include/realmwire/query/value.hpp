#ifndef REALMWIRE_QUERY_VALUE_HPP
#define REALMWIRE_QUERY_VALUE_HPP

// Comparing values as realm's queries do. Values are changeset::payload (the changeset model's value,
// also what the reference stores keep), so a server can evaluate a query over the objects it already
// holds without converting them.
//
//  * null equals null and nothing else; an ordering comparison (<, <=, >, >=) with null is false,
//    except <= and >= between two nulls, which are true (as realm's Mixed conditions);
//  * Int, Float, Double and Decimal compare by numeric value across types (NaN equals NaN and is not
//    ordered); Bool is its own kind (never equal to 1);
//  * String and Binary compare bytewise with each other; `[c]` folds ASCII letters only (realm-core
//    also folds Latin-1 and other Unicode letters: `[c]` on non-ASCII letters is stricter here);
//  * Timestamp, ObjectId, UUID compare within their kind (ObjectId and UUID bytewise);
//  * values of kinds that do not compare (a Mixed field holding a string, against an int) are unequal
//    and unordered: == is false, != is true, <, > are false.

#include "realmwire/query/expression.hpp"

#include <cmath>
#include <cstring>
#include <optional>

namespace realmwire::query {

/// The kind a value compares as.
enum class value_class : std::uint8_t { null, numeric, boolean, string, timestamp, object_id, uuid, other };

inline value_class class_of(changeset::payload_type t) noexcept
{
    using pt = changeset::payload_type;
    switch (t) {
        case pt::null: return value_class::null;
        case pt::integer:
        case pt::float_:
        case pt::double_:
        case pt::decimal: return value_class::numeric;
        case pt::boolean: return value_class::boolean;
        case pt::string:
        case pt::binary: return value_class::string;
        case pt::timestamp: return value_class::timestamp;
        case pt::object_id: return value_class::object_id;
        case pt::uuid: return value_class::uuid;
        default: return value_class::other;
    }
}

/// realm-core's name of a type in its messages ("int", "string", "objectId", ...). Null is Mixed in a
/// schema (AddColumn's convention), "null" for a value.
inline const char* type_name(changeset::payload_type t, bool as_column = false) noexcept
{
    using pt = changeset::payload_type;
    switch (t) {
        case pt::null: return as_column ? "mixed" : "null";
        case pt::integer: return "int";
        case pt::boolean: return "bool";
        case pt::string: return "string";
        case pt::binary: return "binary";
        case pt::timestamp: return "timestamp";
        case pt::float_: return "float";
        case pt::double_: return "double";
        case pt::decimal: return "decimal128";
        case pt::link: return "link";
        case pt::object_id: return "objectId";
        case pt::uuid: return "uuid";
        case pt::list: return "list";
        case pt::set: return "set";
        case pt::dictionary: return "dictionary";
        default: return "unknown";
    }
}

namespace detail {

inline long double decimal_value(const changeset::decimal128& d) noexcept
{
    long double c = static_cast<long double>(d.coefficient_hi) * 18446744073709551616.0L +
                    static_cast<long double>(d.coefficient_lo);
    long double v = c * std::pow(10.0L, static_cast<long double>(d.exponent));
    return d.negative ? -v : v;
}

inline long double numeric_value(const changeset::payload& p) noexcept
{
    using pt = changeset::payload_type;
    switch (p.type) {
        case pt::integer: return static_cast<long double>(p.integer);
        case pt::float_: return static_cast<long double>(p.float_value);
        case pt::double_: return static_cast<long double>(p.double_value);
        case pt::decimal: return decimal_value(p.decimal);
        default: return 0;
    }
}

inline char fold(char c) noexcept
{
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
}

inline bool bytes_equal(std::string_view a, std::string_view b, bool ci) noexcept
{
    if (a.size() != b.size())
        return false;
    if (!ci)
        return a == b;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (fold(a[i]) != fold(b[i]))
            return false;
    return true;
}

inline std::size_t find_bytes(std::string_view hay, std::string_view needle, bool ci) noexcept
{
    if (!ci)
        return hay.find(needle);
    if (needle.size() > hay.size())
        return std::string_view::npos;
    for (std::size_t i = 0; i + needle.size() <= hay.size(); ++i)
        if (bytes_equal(hay.substr(i, needle.size()), needle, true))
            return i;
    return std::string_view::npos;
}

// Length of the UTF-8 character at i (1 for a byte that starts no valid sequence).
inline std::size_t char_length(std::string_view s, std::size_t i) noexcept
{
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t n = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
    if (i + n > s.size())
        return 1;
    for (std::size_t k = 1; k < n; ++k)
        if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80)
            return 1;
    return n;
}

} // namespace detail

/// realm's LIKE: `*` matches any run of characters, `?` exactly one (UTF-8) character, everything
/// else itself (`[c]`: ASCII letters folded). Iterative, O(|text| * |pattern|) at worst, no recursion.
inline bool like_match(std::string_view text, std::string_view pattern, bool ci = false) noexcept
{
    std::size_t t = 0, p = 0;
    std::size_t star_p = std::string_view::npos, star_t = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            star_p = ++p;
            star_t = t;
            continue;
        }
        if (p < pattern.size() && pattern[p] == '?') {
            t += detail::char_length(text, t);
            ++p;
            continue;
        }
        if (p < pattern.size()) {
            std::size_t n = detail::char_length(pattern, p);
            if (t + n <= text.size() && detail::bytes_equal(text.substr(t, n), pattern.substr(p, n), ci)) {
                t += n;
                p += n;
                continue;
            }
        }
        if (star_p == std::string_view::npos)
            return false;
        // backtrack: the last '*' takes one more character
        star_t += detail::char_length(text, star_t);
        t = star_t;
        p = star_p;
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

/// Equality as realm's == (`ci`: `==[c]`).
inline bool values_equal(const changeset::payload& a, const changeset::payload& b, bool ci = false) noexcept
{
    value_class ca = class_of(a.type), cb = class_of(b.type);
    if (ca != cb)
        return false;
    switch (ca) {
        case value_class::null: return true;
        case value_class::numeric: {
            if (a.type == changeset::payload_type::integer && b.type == changeset::payload_type::integer)
                return a.integer == b.integer;
            long double x = detail::numeric_value(a), y = detail::numeric_value(b);
            if (std::isnan(x) || std::isnan(y))
                return std::isnan(x) && std::isnan(y);
            return x == y;
        }
        case value_class::boolean: return a.boolean == b.boolean;
        case value_class::string: return detail::bytes_equal(a.data, b.data, ci);
        case value_class::timestamp: return a.time == b.time;
        case value_class::object_id: return a.oid == b.oid;
        case value_class::uuid: return a.uuid_value == b.uuid_value;
        case value_class::other: return false;
    }
    return false;
}

/// Ordering as realm's <, >: negative, zero, positive; nullopt when the two do not order (a null,
/// a NaN, different kinds).
inline std::optional<int> values_order(const changeset::payload& a, const changeset::payload& b) noexcept
{
    value_class ca = class_of(a.type), cb = class_of(b.type);
    if (ca != cb || ca == value_class::null || ca == value_class::other)
        return std::nullopt;
    auto sign = [](auto x, auto y) { return x < y ? -1 : (y < x ? 1 : 0); };
    switch (ca) {
        case value_class::numeric: {
            if (a.type == changeset::payload_type::integer && b.type == changeset::payload_type::integer)
                return sign(a.integer, b.integer);
            long double x = detail::numeric_value(a), y = detail::numeric_value(b);
            if (std::isnan(x) || std::isnan(y))
                return std::nullopt;
            return sign(x, y);
        }
        case value_class::boolean: return sign(int(a.boolean), int(b.boolean));
        case value_class::string: {
            int c = std::string_view(a.data).compare(std::string_view(b.data)); // bytewise (char_traits<char>
            return c < 0 ? -1 : (c > 0 ? 1 : 0);                                // compares as unsigned char)
        }
        case value_class::timestamp:
            if (a.time.seconds != b.time.seconds)
                return sign(a.time.seconds, b.time.seconds);
            return sign(a.time.nanoseconds, b.time.nanoseconds);
        case value_class::object_id: return sign(a.oid.bytes, b.oid.bytes);
        case value_class::uuid: return sign(a.uuid_value.bytes, b.uuid_value.bytes);
        default: return std::nullopt;
    }
}

/// One comparison `a op b` (not IN / BETWEEN, which are built from these).
inline bool compare_values(const changeset::payload& a, compare_op op, const changeset::payload& b,
                           bool ci = false) noexcept
{
    switch (op) {
        case compare_op::equal:
        case compare_op::in: return values_equal(a, b, ci);
        case compare_op::not_equal: return !values_equal(a, b, ci);
        case compare_op::less:
        case compare_op::greater: {
            auto o = values_order(a, b);
            return o && (op == compare_op::less ? *o < 0 : *o > 0);
        }
        case compare_op::less_equal:
        case compare_op::greater_equal: {
            if (a.type == changeset::payload_type::null && b.type == changeset::payload_type::null)
                return true;
            auto o = values_order(a, b);
            return o && (op == compare_op::less_equal ? *o <= 0 : *o >= 0);
        }
        case compare_op::begins_with:
        case compare_op::ends_with:
        case compare_op::contains:
        case compare_op::like: {
            // string operators apply to String and Binary only; a null on either side never matches
            if (class_of(a.type) != value_class::string || class_of(b.type) != value_class::string)
                return false;
            std::string_view s = a.data, x = b.data;
            if (op == compare_op::like)
                return like_match(s, x, ci);
            if (x.size() > s.size())
                return false;
            if (op == compare_op::begins_with)
                return detail::bytes_equal(s.substr(0, x.size()), x, ci);
            if (op == compare_op::ends_with)
                return detail::bytes_equal(s.substr(s.size() - x.size()), x, ci);
            return detail::find_bytes(s, x, ci) != std::string_view::npos;
        }
        case compare_op::between: return false;
    }
    return false;
}

} // namespace realmwire::query

#endif
