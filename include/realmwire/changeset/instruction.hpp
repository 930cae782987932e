#ifndef REALMWIRE_CHANGESET_INSTRUCTION_HPP
#define REALMWIRE_CHANGESET_INSTRUCTION_HPP

// The changeset value model: regular value types a user can build, inspect and compare.
//
// Names (tables, fields, dictionary keys, String primary keys) are interned: an instruction holds a
// string_id, an index into changeset::strings. The changeset keeps the interning order and, per string,
// where its InternString record stood, so a decoded changeset re-encodes to its own bytes in either of
// realm-core's layouts (see encoder.hpp).

#include "realmwire/changeset/types.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace realmwire::changeset {

/// Index of an interned string in changeset::strings.
struct string_id {
    std::uint32_t index = 0;
    friend bool operator==(string_id a, string_id b) noexcept { return a.index == b.index; }
    friend bool operator!=(string_id a, string_id b) noexcept { return a.index != b.index; }
};

/// An object's primary key: null, Int, String (interned), ObjectId, UUID or GlobalKey.
using primary_key = std::variant<std::monostate, std::int64_t, string_id, object_id, uuid, global_key>;

/// A path element: a list index or a string (dictionary key / embedded field name, interned).
using path_element = std::variant<std::uint32_t, string_id>;
using path = std::vector<path_element>;

inline bool is_index(const path_element& e) noexcept
{
    return std::holds_alternative<std::uint32_t>(e);
}
/// realm-core's Path::is_array_index: non-empty and ending in an integer.
inline bool ends_in_index(const path& p) noexcept
{
    return !p.empty() && is_index(p.back());
}

/// Target of a Link payload.
struct link {
    string_id target_table;
    primary_key target;
    friend bool operator==(const link& a, const link& b) { return a.target_table == b.target_table && a.target == b.target; }
    friend bool operator!=(const link& a, const link& b) { return !(a == b); }
};
// payload keeps it in a union with the other scalars: the union must copy and destroy as plain bytes.
static_assert(std::is_trivially_copyable_v<link> && std::is_trivially_destructible_v<link>,
              "link must stay trivially copyable (payload holds it in a union)");

/// A value (realm-core's Instruction::Payload). `type` says which member holds the value; build one with
/// the named constructors. Equality compares the type and that member only.
///
/// The scalar members share storage (an anonymous union): only the member `type` names holds a value;
/// the others are not to be read (they alias it). To change the type, set the member it names too. A default-built payload is Null (its link_value is valid and empty);
/// make(t) gives t's zero value. `data` has its own storage (it owns memory) and is empty unless set.
/// The union keeps `payload` at 72 bytes (64-bit, libstdc++) instead of 176 with every member side by
/// side, which made an instruction 256 bytes: a changeset's instructions are read from memory once per
/// encode, so their size is the encoder's speed on a large changeset.
struct payload {
    payload_type type = payload_type::null;
    union {
        link link_value; ///< Link (trivially copyable, so the union copies as bytes)
        std::int64_t integer; ///< Int
        bool boolean;         ///< Bool
        timestamp time;       ///< Timestamp
        float float_value;    ///< Float
        double double_value;  ///< Double
        decimal128 decimal;   ///< Decimal
        object_id oid;        ///< ObjectId
        uuid uuid_value;      ///< UUID
    };
    std::string data; ///< String (UTF-8) or Binary bytes, inline (not interned)

    // Written out: timestamp, decimal128, object_id, uuid and link have non-trivial default constructors
    // (their members have initializers), which deletes the implicit one of a union holding them. The
    // union starts as an empty link, so a Null payload's link_value is a valid object.
    payload() noexcept : link_value{} {}

    static payload null() { return {}; }
    /// A value of type `t` with no body (ObjectValue, Dictionary, List, Set, Erased, Null) or, for a
    /// scalar type, its zero: 0, false, empty, 0:0, the all-zero id, a link to table 0's null key.
    static payload make(payload_type t)
    {
        payload p;
        p.type = t;
        switch (t) {
            case payload_type::integer: p.integer = 0; break;
            case payload_type::boolean: p.boolean = false; break;
            case payload_type::timestamp: p.time = timestamp{}; break;
            case payload_type::float_: p.float_value = 0; break;
            case payload_type::double_: p.double_value = 0; break;
            case payload_type::decimal: p.decimal = decimal128{}; break;
            case payload_type::object_id: p.oid = object_id{}; break;
            case payload_type::uuid: p.uuid_value = uuid{}; break;
            default: break; // link: the default link_value; string, binary: empty data
        }
        return p;
    }
    static payload make_int(std::int64_t v)
    {
        payload p;
        p.type = payload_type::integer;
        p.integer = v;
        return p;
    }
    static payload make_bool(bool v)
    {
        payload p;
        p.type = payload_type::boolean;
        p.boolean = v;
        return p;
    }
    static payload make_string(std::string v)
    {
        payload p;
        p.type = payload_type::string;
        p.data = std::move(v);
        return p;
    }
    static payload make_binary(std::string v)
    {
        payload p;
        p.type = payload_type::binary;
        p.data = std::move(v);
        return p;
    }
    static payload make_timestamp(timestamp v)
    {
        payload p;
        p.type = payload_type::timestamp;
        p.time = v;
        return p;
    }
    static payload make_float(float v)
    {
        payload p;
        p.type = payload_type::float_;
        p.float_value = v;
        return p;
    }
    static payload make_double(double v)
    {
        payload p;
        p.type = payload_type::double_;
        p.double_value = v;
        return p;
    }
    static payload make_decimal(decimal128 v)
    {
        payload p;
        p.type = payload_type::decimal;
        p.decimal = v;
        return p;
    }
    static payload make_link(string_id table, primary_key target)
    {
        payload p;
        p.type = payload_type::link;
        p.link_value = link{table, std::move(target)};
        return p;
    }
    static payload make_object_id(object_id v)
    {
        payload p;
        p.type = payload_type::object_id;
        p.oid = v;
        return p;
    }
    static payload make_uuid(uuid v)
    {
        payload p;
        p.type = payload_type::uuid;
        p.uuid_value = v;
        return p;
    }

    friend bool operator==(const payload& a, const payload& b)
    {
        if (a.type != b.type)
            return false;
        switch (a.type) {
            case payload_type::integer: return a.integer == b.integer;
            case payload_type::boolean: return a.boolean == b.boolean;
            case payload_type::string:
            case payload_type::binary: return a.data == b.data;
            case payload_type::timestamp: return a.time == b.time;
            case payload_type::float_: return same_bits(a.float_value, b.float_value);
            case payload_type::double_: return same_bits(a.double_value, b.double_value);
            case payload_type::decimal: return a.decimal == b.decimal;
            case payload_type::link: return a.link_value == b.link_value;
            case payload_type::object_id: return a.oid == b.oid;
            case payload_type::uuid: return a.uuid_value == b.uuid_value;
            default: return true;
        }
    }
    friend bool operator!=(const payload& a, const payload& b) { return !(a == b); }
};
// The union's largest member, the string and the type (plus padding): nothing side by side again.
static_assert(sizeof(payload) <= sizeof(link) + sizeof(std::string) + alignof(std::string),
              "payload grew: its scalar members must share storage");

// ---- instructions ----

struct add_table {
    string_id table;
    changeset::table_type type = table_type::top_level;
    // Only for top-level (and asymmetric) tables:
    string_id pk_field;
    payload_type pk_type = payload_type::integer; ///< Int, String, ObjectId, UUID or GlobalKey
    bool pk_nullable = false;
    friend bool operator==(const add_table& a, const add_table& b)
    {
        if (a.table != b.table || a.type != b.type)
            return false;
        return a.type == table_type::embedded ||
               (a.pk_field == b.pk_field && a.pk_type == b.pk_type && a.pk_nullable == b.pk_nullable);
    }
};

struct erase_table {
    string_id table;
    friend bool operator==(const erase_table& a, const erase_table& b) { return a.table == b.table; }
};

struct create_object {
    string_id table;
    primary_key object;
    friend bool operator==(const create_object& a, const create_object& b)
    {
        return a.table == b.table && a.object == b.object;
    }
};

struct erase_object {
    string_id table;
    primary_key object;
    friend bool operator==(const erase_object& a, const erase_object& b)
    {
        return a.table == b.table && a.object == b.object;
    }
};

/// table[object].field followed by `path`: the address of every path instruction. (The two ids sit
/// side by side so that they share one 8-byte word: 56 bytes, not 64.)
struct path_target {
    string_id table;
    string_id field;
    primary_key object;
    changeset::path path;
    friend bool operator==(const path_target& a, const path_target& b)
    {
        return a.table == b.table && a.object == b.object && a.field == b.field && a.path == b.path;
    }
};

/// Update (and "ArrayUpdate" when the path ends in a list index: then prior_size is on the wire,
/// otherwise is_default).
struct update : path_target {
    payload value;
    bool is_default = false;
    std::uint32_t prior_size = 0;
    friend bool operator==(const update& a, const update& b)
    {
        if (!(static_cast<const path_target&>(a) == b) || a.value != b.value)
            return false;
        return ends_in_index(a.path) ? a.prior_size == b.prior_size : a.is_default == b.is_default;
    }
};

struct add_integer : path_target {
    std::int64_t value = 0;
    friend bool operator==(const add_integer& a, const add_integer& b)
    {
        return static_cast<const path_target&>(a) == b && a.value == b.value;
    }
};

struct add_column {
    string_id table;
    string_id field;
    payload_type type = payload_type::null; ///< null = Mixed
    bool nullable = false;
    changeset::collection_type collection = collection_type::single;
    string_id link_target_table; ///< only when type == Link (the empty string: a typed link)
    payload_type key_type = payload_type::null; ///< only for dictionaries (always String)
    friend bool operator==(const add_column& a, const add_column& b)
    {
        return a.table == b.table && a.field == b.field && a.type == b.type && a.nullable == b.nullable &&
               a.collection == b.collection &&
               (a.type != payload_type::link || a.link_target_table == b.link_target_table) &&
               (a.collection != collection_type::dictionary || a.key_type == b.key_type);
    }
};

struct erase_column {
    string_id table;
    string_id field;
    friend bool operator==(const erase_column& a, const erase_column& b)
    {
        return a.table == b.table && a.field == b.field;
    }
};

/// The path must end in the insert position.
struct array_insert : path_target {
    payload value;
    std::uint32_t prior_size = 0;
    friend bool operator==(const array_insert& a, const array_insert& b)
    {
        return static_cast<const path_target&>(a) == b && a.value == b.value && a.prior_size == b.prior_size;
    }
};

/// The path ends in the "from" index; ndx_2 is the "to" index.
struct array_move : path_target {
    std::uint32_t ndx_2 = 0;
    std::uint32_t prior_size = 0;
    friend bool operator==(const array_move& a, const array_move& b)
    {
        return static_cast<const path_target&>(a) == b && a.ndx_2 == b.ndx_2 && a.prior_size == b.prior_size;
    }
};

struct array_erase : path_target {
    std::uint32_t prior_size = 0;
    friend bool operator==(const array_erase& a, const array_erase& b)
    {
        return static_cast<const path_target&>(a) == b && a.prior_size == b.prior_size;
    }
};

struct clear : path_target {
    changeset::collection_type collection = collection_type::single;
    friend bool operator==(const clear& a, const clear& b)
    {
        return static_cast<const path_target&>(a) == b && a.collection == b.collection;
    }
};

struct set_insert : path_target {
    payload value;
    friend bool operator==(const set_insert& a, const set_insert& b)
    {
        return static_cast<const path_target&>(a) == b && a.value == b.value;
    }
};

struct set_erase : path_target {
    payload value;
    friend bool operator==(const set_erase& a, const set_erase& b)
    {
        return static_cast<const path_target&>(a) == b && a.value == b.value;
    }
};

/// One instruction. The alternative's index equals its instruction_type value.
using instruction = std::variant<add_table, erase_table, create_object, erase_object, update, add_integer,
                                 add_column, erase_column, array_insert, array_move, array_erase, clear,
                                 set_insert, set_erase>;

namespace detail {
template <instruction_type T, class X>
inline constexpr bool alternative_is =
    std::is_same_v<std::variant_alternative_t<static_cast<std::size_t>(T), instruction>, X>;
template <std::size_t N, class X>
inline constexpr bool key_alternative_is = std::is_same_v<std::variant_alternative_t<N, primary_key>, X>;
} // namespace detail

/// True when every alternative of `instruction` sits at its tag's index. Code that switches on
/// `index()` with numbers (print.hpp, encoder.hpp) static_asserts it, so reordering fails to compile.
inline constexpr bool instruction_alternatives_in_tag_order =
    std::variant_size_v<instruction> == 14 && detail::alternative_is<instruction_type::add_table, add_table> &&
    detail::alternative_is<instruction_type::erase_table, erase_table> &&
    detail::alternative_is<instruction_type::create_object, create_object> &&
    detail::alternative_is<instruction_type::erase_object, erase_object> &&
    detail::alternative_is<instruction_type::update, update> &&
    detail::alternative_is<instruction_type::add_integer, add_integer> &&
    detail::alternative_is<instruction_type::add_column, add_column> &&
    detail::alternative_is<instruction_type::erase_column, erase_column> &&
    detail::alternative_is<instruction_type::array_insert, array_insert> &&
    detail::alternative_is<instruction_type::array_move, array_move> &&
    detail::alternative_is<instruction_type::array_erase, array_erase> &&
    detail::alternative_is<instruction_type::clear, clear> &&
    detail::alternative_is<instruction_type::set_insert, set_insert> &&
    detail::alternative_is<instruction_type::set_erase, set_erase>;
static_assert(instruction_alternatives_in_tag_order, "instruction's alternatives must follow instruction_type");
// The largest alternatives (Update, ArrayInsert) are a path_target, a payload and two small fields; the
// variant adds its index. 144 bytes on 64-bit libstdc++ (256 when payload held every member apart).
static_assert(sizeof(path_target) <= 2 * sizeof(string_id) + sizeof(primary_key) + sizeof(path),
              "path_target grew: keep the two ids together");
static_assert(sizeof(instruction) <= sizeof(path_target) + sizeof(payload) + 2 * sizeof(std::uint64_t),
              "instruction grew: check the size of its largest alternatives");

/// True when primary_key's alternatives are null, Int, String, ObjectId, UUID, GlobalKey in that order
/// (the order print.hpp and encoder.hpp switch on).
inline constexpr bool primary_key_alternatives_in_order =
    std::variant_size_v<primary_key> == 6 && detail::key_alternative_is<0, std::monostate> &&
    detail::key_alternative_is<1, std::int64_t> && detail::key_alternative_is<2, string_id> &&
    detail::key_alternative_is<3, object_id> && detail::key_alternative_is<4, uuid> &&
    detail::key_alternative_is<5, global_key>;

inline instruction_type type_of(const instruction& i) noexcept
{
    return static_cast<instruction_type>(i.index());
}

/// A decoded (or hand-built) changeset.
struct changeset {
    /// Interned strings in index order (the InternString records' order).
    std::vector<std::string> strings;
    /// For each string, the number of instructions that preceded its InternString record in the input.
    /// Empty means "all strings first". Only layout::preserve reads it.
    std::vector<std::size_t> placement;
    std::vector<instruction> instructions;

    /// Interns `s` (returning the existing id if it is already there), appended as the next index.
    string_id intern(std::string_view s)
    {
        for (std::size_t i = 0; i < strings.size(); ++i) {
            if (strings[i] == s)
                return {static_cast<std::uint32_t>(i)};
        }
        if (!placement.empty())
            placement.push_back(instructions.size());
        strings.emplace_back(s);
        return {static_cast<std::uint32_t>(strings.size() - 1)};
    }
    /// The string behind an id (the id must be valid).
    const std::string& str(string_id id) const { return strings[id.index]; }

    /// Same strings (in the same order) and the same instructions. Placement is layout, not content.
    friend bool operator==(const changeset& a, const changeset& b)
    {
        return a.strings == b.strings && a.instructions == b.instructions;
    }
    friend bool operator!=(const changeset& a, const changeset& b) { return !(a == b); }
};

} // namespace realmwire::changeset

#endif
