#ifndef REALMWIRE_REFERENCE_STATE_HPP
#define REALMWIRE_REFERENCE_STATE_HPP

// The state of a realm as a plain in-memory object model (tables, objects by primary key, fields,
// lists, sets, dictionaries), changed only by applying changesets. Used by the reference client's store
// and by the reference server (which applies each merged upload before storing it, and refuses one that
// does not apply).
//
// The state (class `state`) applies every instruction as realm-core's instruction applier does: schema
// instructions, objects, fields, lists (prior_size checked), sets, dictionaries, Mixed, links. A link
// names its target by table and key and resolves when read, which is realm's tombstone behaviour: a link
// to an erased object stays in a link list as unresolved and resolves again if the object comes back.
// Every failure is an apply_error with the failing instruction's index, and applies nothing. Embedded
// objects live inside the value that owns them (a link field, list element or dictionary value of an
// embedded table) and go with it; collections nested in Mixed likewise. Paths reach into both.

// decoder.hpp must come before instruction.hpp (it names changeset::uuid, which the struct
// changeset::changeset would otherwise shadow).
#include "realmwire/changeset/model_decoder.hpp"
#include "realmwire/changeset/instruction.hpp"
#include "realmwire/error.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

namespace realmwire::reference {

/// A primary key in the store: null, Int, String, ObjectId, UUID or GlobalKey (a table without one).
using object_key =
    std::variant<std::monostate, std::int64_t, std::string, changeset::object_id, changeset::uuid, changeset::global_key>;

/// Orders keys by kind, then by value (ObjectId/UUID bytewise), so any key can index a std::map.
struct object_key_less {
    bool operator()(const object_key& a, const object_key& b) const
    {
        if (a.index() != b.index())
            return a.index() < b.index();
        switch (a.index()) {
            case 1: return std::get<1>(a) < std::get<1>(b);
            case 2: return std::get<2>(a) < std::get<2>(b);
            case 3: return std::get<3>(a).bytes < std::get<3>(b).bytes;
            case 4: return std::get<4>(a).bytes < std::get<4>(b).bytes;
            case 5: {
                const auto& x = std::get<5>(a);
                const auto& y = std::get<5>(b);
                return x.hi != y.hi ? x.hi < y.hi : x.lo < y.lo;
            }
            default: return false;
        }
    }
};

struct field_value;
struct object;

/// A stored value. Links keep their target by name and key, never by a changeset's string ids, and
/// resolve lazily: a link to an object that does not exist (erased, or not created yet) is realm's
/// unresolved link — kept in link lists, read as null in a single link field — and resolves again when
/// an object with that key is created.
///
/// A value may also own what lives inside it: an embedded object (type ObjectValue, `embedded` holds
/// exactly one object of the column's embedded table) or a collection nested in Mixed (type List or
/// Dictionary, `nested` holds exactly one list or dictionary of Mixed). Owning them by value is what
/// makes realm's cascade free: replacing or erasing the value erases everything under it, and the undo
/// log's copy of the top-level object covers them too. (std::vector, not std::optional, because C++17
/// allows a vector of a type not yet complete.)
struct value {
    changeset::payload scalar; ///< the value; for a Link only `type` is meaningful
    std::string link_table;    ///< Link: the target table (wire name)
    object_key link_key;       ///< Link: the target's primary key
    std::vector<object> embedded;    ///< ObjectValue: the embedded object (one)
    std::vector<field_value> nested; ///< List / Dictionary in Mixed: the nested collection (one)

    // Declared here, defaulted below once `object` and `field_value` are complete: C++20's constexpr
    // containers want the element type complete wherever a destructor of the vector is instantiated,
    // and a type trait on `value` (std::map's pair asks whether it is default-constructible) does that.
    value();
    value(const value&);
    value(value&&) noexcept;
    value& operator=(const value&);
    value& operator=(value&&) noexcept;
    ~value();

    bool is_null() const noexcept { return scalar.type == changeset::payload_type::null; }
    bool is_embedded() const noexcept { return scalar.type == changeset::payload_type::object_value && !embedded.empty(); }
    bool is_nested() const noexcept
    {
        return (scalar.type == changeset::payload_type::list || scalar.type == changeset::payload_type::dictionary) &&
               !nested.empty();
    }
};
bool operator==(const value& a, const value& b);
inline bool operator!=(const value& a, const value& b) { return !(a == b); }

/// A field of an object: a scalar, a list, a set or a dictionary (the column's collection type). Also
/// the body of a collection nested in Mixed (kind list or dictionary, elements Mixed).
struct field_value {
    changeset::collection_type kind = changeset::collection_type::single;
    value scalar;                        ///< single
    std::vector<value> elements;         ///< list (in order, unresolved links included) or set (unique)
    std::map<std::string, value> entries; ///< dictionary
    friend bool operator==(const field_value& a, const field_value& b)
    {
        return a.kind == b.kind && a.scalar == b.scalar && a.elements == b.elements && a.entries == b.entries;
    }
};

struct object {
    std::map<std::string, field_value> fields; ///< one per column (the primary key is the map key)
    friend bool operator==(const object& a, const object& b) { return a.fields == b.fields; }
};

inline value::value() = default;
inline value::value(const value&) = default;
inline value::value(value&&) noexcept = default;
inline value& value::operator=(const value&) = default;
inline value& value::operator=(value&&) noexcept = default;
inline value::~value() = default;

/// About how many bytes of memory a stored value holds: its own size, the bytes it owns (string and
/// binary payloads, a link's table name) and what lives inside it. What limits on kept objects count
/// (flx_options::max_past_value_bytes); allocator and tree-node overheads are a fixed estimate per
/// element, not measured.
inline std::size_t approx_bytes(const value& v) noexcept;
inline constexpr std::size_t approx_node_bytes = 48; ///< a std::map node's links and colour, rounded

inline std::size_t approx_bytes(const field_value& f) noexcept
{
    std::size_t n = sizeof(field_value) + approx_bytes(f.scalar) - sizeof(value);
    for (const value& e : f.elements)
        n += approx_bytes(e);
    for (const auto& [key, e] : f.entries)
        n += approx_node_bytes + sizeof(std::string) + key.size() + approx_bytes(e);
    return n;
}

inline std::size_t approx_bytes(const object& o) noexcept
{
    std::size_t n = sizeof(object);
    for (const auto& [name, f] : o.fields)
        n += approx_node_bytes + sizeof(std::string) + name.size() + approx_bytes(f);
    return n;
}

inline std::size_t approx_bytes(const value& v) noexcept
{
    std::size_t n = sizeof(value) + v.scalar.data.size() + v.link_table.size();
    for (const object& e : v.embedded)
        n += approx_bytes(e);
    for (const field_value& f : v.nested)
        n += approx_bytes(f);
    return n;
}

inline bool operator==(const value& a, const value& b)
{
    using pt = changeset::payload_type;
    if (a.scalar.type == pt::link || b.scalar.type == pt::link)
        return a.scalar.type == b.scalar.type && a.link_table == b.link_table && a.link_key == b.link_key;
    if (a.scalar.type == pt::object_value || b.scalar.type == pt::object_value)
        return a.scalar.type == b.scalar.type && a.embedded == b.embedded;
    if (a.is_nested() || b.is_nested())
        return a.scalar.type == b.scalar.type && a.nested == b.nested;
    return a.scalar == b.scalar;
}

struct column {
    changeset::payload_type type = changeset::payload_type::null; ///< null: Mixed
    bool nullable = false;
    changeset::collection_type collection = changeset::collection_type::single;
    std::string link_target; ///< Link columns: the target table
    friend bool operator==(const column& a, const column& b)
    {
        return a.type == b.type && a.nullable == b.nullable && a.collection == b.collection && a.link_target == b.link_target;
    }
    friend bool operator!=(const column& a, const column& b) { return !(a == b); }
};

struct table {
    std::string pk_field;
    changeset::payload_type pk_type = changeset::payload_type::integer; ///< GlobalKey: no primary key
    bool pk_nullable = false;
    bool embedded = false;
    /// A Mixed field of another table has held a link to this table. realm-core then gives this table a
    /// backlink column for that field, which stays when the value, the field or even the other table
    /// goes, and refuses to erase the table from then on (as it does a link column's target). Schema
    /// layout, not content: equality leaves it out, and so do the changesets that recreate a state
    /// (object_store's snapshot lists it beside them).
    bool mixed_link_target = false;
    std::map<std::string, column> columns;
    std::map<object_key, object, object_key_less> objects;
    friend bool operator==(const table& a, const table& b)
    {
        return a.pk_field == b.pk_field && a.pk_type == b.pk_type && a.pk_nullable == b.pk_nullable &&
               a.embedded == b.embedded && a.columns == b.columns && a.objects == b.objects;
    }
    friend bool operator!=(const table& a, const table& b) { return !(a == b); }
};

/// Where an apply failed: the index of the instruction in the changeset.
struct apply_info {
    std::size_t changeset = 0;   ///< which changeset (apply of several)
    std::size_t instruction = 0; ///< which instruction in it
};

/// The state of a realm: tables, objects, fields. apply() applies a changeset as realm-core's instruction
/// applier does; a changeset applies entirely or not at all.
class state {
public:
    const std::map<std::string, table>& tables() const noexcept { return tables_; }
    const table* find_table(const std::string& name) const
    {
        auto it = tables_.find(name);
        return it == tables_.end() ? nullptr : &it->second;
    }
    /// Marks `table_name` as a table another table's Mixed field has linked to (table::mixed_link_target),
    /// for a state restored from storage: the changesets that recreate a state cannot say it. False, and
    /// nothing changed, when there is no such table.
    bool mark_mixed_link_target(const std::string& table_name)
    {
        auto it = tables_.find(table_name);
        if (it == tables_.end())
            return false;
        it->second.mixed_link_target = true;
        return true;
    }

    /// Same tables, columns and objects with the same values (the path limit is a setting, not content).
    friend bool operator==(const state& a, const state& b) { return a.tables_ == b.tables_; }
    friend bool operator!=(const state& a, const state& b) { return !(a == b); }

    /// The longest path an instruction may have (embedded objects and nested collections are reached
    /// through it). Longer paths fail with apply_error::invalid_path; this also bounds how deep values
    /// nest, which is what keeps copying, comparing and dumping them from recursing without end. The
    /// default is realm-core's nesting limit.
    std::size_t max_path_length() const noexcept { return max_path_length_; }
    void set_max_path_length(std::size_t n) noexcept { max_path_length_ = n; }

    /// Applies every instruction of `cs` in order. On an error, `ec` says why, `where` (if given) which
    /// instruction, and the state is unchanged.
    void apply(const changeset::changeset& cs, std::error_code& ec, apply_info* where = nullptr)
    {
        apply_all(&cs, &cs + 1, ec, where);
    }
    /// Applies several changesets in order, all or nothing.
    void apply(const std::vector<changeset::changeset>& list, std::error_code& ec, apply_info* where = nullptr)
    {
        apply_all(list.data(), list.data() + list.size(), ec, where);
    }
    void apply(const changeset::changeset& cs)
    {
        throw_on_error("apply changeset", [&](std::error_code& ec) { apply(cs, ec); });
    }
    /// Decodes, then applies; a decode error applies nothing.
    void apply(std::string_view bytes, std::error_code& ec, apply_info* where = nullptr)
    {
        changeset::changeset cs = changeset::decode_changeset(bytes, ec);
        if (!ec)
            apply(cs, ec, where);
    }

    /// The state, one line per table, object and field, in the merge vectors' canonical format: tables
    /// by name (with realm's `class_` prefix), objects by formatted key, fields by name (the primary key
    /// left out); sets and dictionaries by formatted element. Embedded tables get no lines of their own:
    /// an embedded object is printed inline where it lives, `{field = value, ...}` with its fields by
    /// name, and a collection nested in Mixed as the list or dictionary it is, recursively.
    std::vector<std::string> dump() const
    {
        std::vector<std::string> out;
        for (const auto& [name, t] : tables_) {
            if (t.embedded)
                continue;
            out.push_back("table class_" + name + " pk=" + t.pk_field + " objects=" + std::to_string(t.objects.size()));
            std::vector<std::pair<std::string, const object*>> objs;
            for (const auto& [k, o] : t.objects)
                objs.emplace_back(format_key(k), &o);
            std::sort(objs.begin(), objs.end(),
                      [](const auto& a, const auto& b) { return a.first < b.first; });
            for (const auto& [k, o] : objs) {
                out.push_back("object class_" + name + " " + k);
                for (const auto& [f, v] : o->fields)
                    out.push_back("  " + f + " = " + format_field(v));
            }
        }
        return out;
    }

    /// `v` as the dump writes it (links resolved against this state).
    std::string format_value(const value& v, bool in_collection) const
    {
        using pt = changeset::payload_type;
        const changeset::payload& p = v.scalar;
        switch (p.type) {
            case pt::null: return "null";
            case pt::integer: return "int:" + std::to_string(p.integer);
            case pt::boolean: return p.boolean ? "bool:true" : "bool:false";
            case pt::string: return "str:" + json_quote(p.data);
            case pt::binary: return "bin:" + hex(reinterpret_cast<const std::uint8_t*>(p.data.data()), p.data.size());
            case pt::timestamp:
                return "ts:" + std::to_string(p.time.seconds) + ":" + std::to_string(p.time.nanoseconds);
            case pt::float_: return "float:" + printf_g(9, static_cast<double>(p.float_value));
            case pt::double_: return "double:" + printf_g(17, p.double_value);
            case pt::decimal:
                return std::string("decimal:") + (p.decimal.negative ? "-" : "") + std::to_string(p.decimal.coefficient_hi) +
                       ":" + std::to_string(p.decimal.coefficient_lo) + "e" + std::to_string(p.decimal.exponent);
            case pt::object_id: return "oid:" + hex(p.oid.bytes.data(), p.oid.bytes.size());
            case pt::uuid: return "uuid:" + hex(p.uuid_value.bytes.data(), p.uuid_value.bytes.size());
            case pt::link: {
                bool resolved = false;
                if (const table* t = find_table(v.link_table))
                    resolved = t->objects.count(v.link_key) != 0;
                if (!resolved && !in_collection)
                    return "null";
                return (resolved ? "link:class_" : "unresolved:class_") + v.link_table + ":" + format_key(v.link_key);
            }
            case pt::object_value: {
                // An embedded object, inline: `{field = value, ...}`, every column of its table by name
                // (a column added after the object was created reads as its default).
                if (v.embedded.empty())
                    return "null";
                const object& o = v.embedded.front();
                std::string s = "{";
                bool first = true;
                for (const auto& [name, f] : o.fields) {
                    s += (first ? "" : ", ") + name + " = " + format_field(f);
                    first = false;
                }
                return s + "}";
            }
            case pt::list:
            case pt::dictionary:
                if (v.nested.empty())
                    return "null";
                return format_field(v.nested.front());
            default: return changeset::name_of(p.type);
        }
    }
    std::string format_field(const field_value& f) const
    {
        using ct = changeset::collection_type;
        if (f.kind == ct::single)
            return format_value(f.scalar, false);
        std::vector<std::string> parts;
        if (f.kind == ct::dictionary) {
            for (const auto& [k, v] : f.entries)
                parts.push_back(json_quote(k) + ": " + format_value(v, true));
        }
        else {
            for (const auto& v : f.elements)
                parts.push_back(format_value(v, true));
        }
        if (f.kind != ct::list)
            std::sort(parts.begin(), parts.end());
        std::string s = f.kind == ct::list ? "list[" : f.kind == ct::set ? "set[" : "dict{";
        for (std::size_t i = 0; i < parts.size(); ++i)
            s += (i ? ", " : "") + parts[i];
        return s + (f.kind == ct::dictionary ? "}" : "]");
    }
    static std::string format_key(const object_key& k)
    {
        switch (k.index()) {
            case 1: return "int:" + std::to_string(std::get<1>(k));
            case 2: return "str:" + json_quote(std::get<2>(k));
            case 3: return "oid:" + hex(std::get<3>(k).bytes.data(), 12);
            case 4: return "uuid:" + hex(std::get<4>(k).bytes.data(), 16);
            case 5: return "gk:" + std::to_string(std::get<5>(k).hi) + ":" + std::to_string(std::get<5>(k).lo);
            default: return "null";
        }
    }
    static std::string json_quote(std::string_view s)
    {
        std::string o = "\"";
        for (char c : s) {
            switch (c) {
                case '"': o += "\\\""; break;
                case '\\': o += "\\\\"; break;
                case '\n': o += "\\n"; break;
                case '\r': o += "\\r"; break;
                case '\t': o += "\\t"; break;
                case '\b': o += "\\b"; break;
                case '\f': o += "\\f"; break;
                default:
                    if (static_cast<unsigned char>(c) < 0x20) {
                        auto u = static_cast<std::uint8_t>(c);
                        o += "\\u00" + hex(&u, 1);
                    }
                    else {
                        o += c;
                    }
            }
        }
        return o + "\"";
    }

private:
    static std::string hex(const std::uint8_t* p, std::size_t n)
    {
        static const char digits[] = "0123456789abcdef";
        std::string s;
        for (std::size_t i = 0; i < n; ++i) {
            s += digits[p[i] >> 4];
            s += digits[p[i] & 15];
        }
        return s;
    }
    static std::string printf_g(int precision, double d)
    {
        char buf[64];
        std::snprintf(buf, sizeof buf, "%.*g", precision, d);
        return buf;
    }

    /// What a failed apply must put back: whole tables (schema changes) and single objects, each saved
    /// before its first change. Costs what the changeset touches, not the size of the state.
    struct undo_log {
        struct key_less {
            bool operator()(const std::pair<std::string, object_key>& a, const std::pair<std::string, object_key>& b) const
            {
                if (a.first != b.first)
                    return a.first < b.first;
                return object_key_less{}(a.second, b.second);
            }
        };
        std::map<std::string, std::optional<table>> tables;
        std::map<std::pair<std::string, object_key>, std::optional<object>, key_less> objects;
        std::vector<std::string> mixed_link_targets; ///< tables whose mixed_link_target was set

        void save_table(const std::map<std::string, table>& live, const std::string& name)
        {
            if (tables.count(name))
                return;
            auto it = live.find(name);
            tables.emplace(name, it == live.end() ? std::nullopt : std::optional<table>(it->second));
        }
        void save_object(const std::map<std::string, table>& live, const std::string& t, const object_key& k)
        {
            if (tables.count(t)) // the whole table is saved already
                return;
            auto key = std::make_pair(t, k);
            if (objects.count(key))
                return;
            std::optional<object> saved;
            auto it = live.find(t);
            if (it != live.end()) {
                auto o = it->second.objects.find(k);
                if (o != it->second.objects.end())
                    saved = o->second;
            }
            objects.emplace(std::move(key), std::move(saved));
        }
        // Whole tables first (as they were when saved, which may include earlier object changes), then
        // the objects (saved before any of their changes; never after their table was saved).
        void restore(std::map<std::string, table>& live)
        {
            for (auto& [name, saved] : tables) {
                if (saved)
                    live[name] = std::move(*saved);
                else
                    live.erase(name);
            }
            for (auto& [key, saved] : objects) {
                auto it = live.find(key.first);
                if (it == live.end())
                    continue;
                if (saved)
                    it->second.objects[key.second] = std::move(*saved);
                else
                    it->second.objects.erase(key.second);
            }
            for (const std::string& name : mixed_link_targets) {
                auto it = live.find(name);
                if (it != live.end())
                    it->second.mixed_link_target = false;
            }
        }
    };

    void apply_all(const changeset::changeset* first, const changeset::changeset* last, std::error_code& ec,
                   apply_info* where)
    {
        ec.clear();
        undo_log undo;
        for (const changeset::changeset* cs = first; cs != last; ++cs) {
            for (std::size_t n = 0; n < cs->instructions.size(); ++n) {
                applier a{*cs, tables_, {}, undo, max_path_length_};
                std::visit([&](const auto& i) { a.run(i); }, cs->instructions[n]);
                if (a.ec) {
                    ec = a.ec;
                    if (where) {
                        where->changeset = static_cast<std::size_t>(cs - first);
                        where->instruction = n;
                    }
                    undo.restore(tables_);
                    return;
                }
            }
        }
    }

    /// Applies one instruction to `tables`, recording the first error in `ec`.
    struct applier {
        const changeset::changeset& cs;
        std::map<std::string, table>& tables;
        std::error_code ec;
        undo_log& undo;
        std::size_t max_path_length;

        using pt = changeset::payload_type;
        using ct = changeset::collection_type;

        bool fail(apply_error e)
        {
            if (!ec)
                ec = e;
            return false;
        }
        const std::string* str(changeset::string_id id)
        {
            if (id.index >= cs.strings.size()) {
                fail(apply_error::invalid_string_ref);
                return nullptr;
            }
            return &cs.strings[id.index];
        }
        bool key_of(const changeset::primary_key& pk, object_key& out)
        {
            switch (pk.index()) {
                case 0: out = std::monostate{}; return true;
                case 1: out = std::get<std::int64_t>(pk); return true;
                case 2: {
                    const std::string* s = str(std::get<changeset::string_id>(pk));
                    if (!s)
                        return false;
                    out = *s;
                    return true;
                }
                case 3: out = std::get<changeset::object_id>(pk); return true;
                case 4: out = std::get<changeset::uuid>(pk); return true;
                default: out = std::get<changeset::global_key>(pk); return true;
            }
        }
        table* find_table(changeset::string_id id)
        {
            const std::string* name = str(id);
            if (!name)
                return nullptr;
            auto it = tables.find(*name);
            if (it == tables.end()) {
                fail(apply_error::no_such_table);
                return nullptr;
            }
            return &it->second;
        }
        /// A payload as a stored value; links are checked against the schema.
        bool to_value(const changeset::payload& p, value& out)
        {
            out = value{};
            if (p.type == pt::link) {
                const std::string* t = str(p.link_value.target_table);
                if (!t)
                    return false;
                auto it = tables.find(*t);
                if (it == tables.end() || it->second.embedded)
                    return fail(apply_error::invalid_link_target);
                out.scalar.type = pt::link;
                out.link_table = *t;
                return key_of(p.link_value.target, out.link_key);
            }
            if (p.type == pt::global_key) // realm-core reads a GlobalKey value as null
                return true;
            out.scalar = p;
            return true;
        }
        /// Can a column of this type (one element of its collection) hold `v`?
        bool fits(const column& c, const value& v)
        {
            if (v.is_null())
                return c.nullable || c.type == pt::null || (c.type == pt::link && c.collection == ct::single)
                           ? true
                           : fail(apply_error::null_not_allowed);
            if (static_cast<int>(v.scalar.type) < 0)
                return fail(apply_error::unsupported);
            if (c.type == pt::null)
                return true; // Mixed
            if (v.scalar.type != c.type)
                return fail(apply_error::type_mismatch);
            if (c.type == pt::link && v.link_table != c.link_target)
                return fail(apply_error::invalid_link_target);
            return true;
        }
        static value default_value(const column& c)
        {
            value v;
            if (c.nullable || c.type == pt::null || c.type == pt::link)
                return v;
            v.scalar = changeset::payload::make(c.type); // zero / false / empty / 0:0 / all-zero id, as realm's defaults are
            return v;
        }
        static field_value default_field(const column& c)
        {
            field_value f;
            f.kind = c.collection;
            if (c.collection == ct::single)
                f.scalar = default_value(c);
            return f;
        }

        /// The element type of a collection nested in Mixed: Mixed (nullable), in a list or dictionary.
        static const column& mixed_column(ct kind)
        {
            static const column list_of_mixed{pt::null, true, ct::list, {}};
            static const column dict_of_mixed{pt::null, true, ct::dictionary, {}};
            return kind == ct::list ? list_of_mixed : dict_of_mixed;
        }
        bool is_embedded_link(const column& c) const
        {
            if (c.type != pt::link)
                return false;
            auto it = tables.find(c.link_target);
            return it != tables.end() && it->second.embedded;
        }
        /// A new embedded object of `table_name`, every column at its default.
        value new_embedded(const std::string& table_name) const
        {
            value v;
            v.scalar.type = pt::object_value;
            v.link_table = table_name;
            object o;
            auto it = tables.find(table_name);
            if (it != tables.end())
                for (const auto& [name, c] : it->second.columns)
                    o.fields[name] = default_field(c);
            v.embedded.push_back(std::move(o));
            return v;
        }
        static value new_nested(ct kind)
        {
            value v;
            v.scalar.type = kind == ct::list ? pt::list : pt::dictionary;
            field_value f;
            f.kind = kind;
            v.nested.push_back(std::move(f));
            return v;
        }

        /// What a path instruction addresses, after following its path through embedded objects, list
        /// elements, dictionary values and collections nested in Mixed.
        struct target {
            table* t = nullptr;            ///< the table of the object holding `f` (embedded or not)
            const column* c = nullptr;     ///< the column of `f` (for a nested collection: Mixed)
            field_value* f = nullptr;      ///< the field, or the nested collection, addressed
            value* slot = nullptr;         ///< a single value addressed (a field's scalar or an element)
            value* holder = nullptr;       ///< the Mixed value owning `f` when `f` is a nested collection
            const changeset::path_element* elem = nullptr; ///< element mode: the last index or key in `f`
        };
        /// Follows `p`. In element mode the last path element (an index or key) is left for the caller in
        /// `out.elem`; otherwise the path is followed to its end (a collection, or a single value).
        bool resolve(const changeset::path_target& p, target& out, bool element_mode = true)
        {
            out.t = find_table(p.table);
            if (!out.t)
                return false;
            object_key k;
            if (!key_of(p.object, k))
                return false;
            auto oit = out.t->objects.find(k);
            if (oit == out.t->objects.end())
                return fail(apply_error::no_such_object);
            undo.save_object(tables, cs.strings[p.table.index], k); // covers everything nested inside it
            const std::string* field = str(p.field);
            if (!field)
                return false;
            auto cit = out.t->columns.find(*field);
            if (cit == out.t->columns.end())
                return fail(apply_error::no_such_field);
            out.c = &cit->second;
            out.f = &oit->second.fields[*field];
            if (p.path.size() > max_path_length)
                return fail(apply_error::invalid_path);
            const std::size_t n = p.path.size();
            std::size_t pos = 0;
            value* slot = nullptr;
            for (;;) {
                if (!slot && out.f->kind == ct::single)
                    slot = &out.f->scalar;
                if (slot) {
                    if (slot->is_embedded()) {
                        if (pos == n)
                            break;
                        if (changeset::is_index(p.path[pos]))
                            return fail(apply_error::invalid_path);
                        const std::string* name = str(std::get<changeset::string_id>(p.path[pos]));
                        if (!name)
                            return false;
                        auto tt = tables.find(slot->link_table);
                        if (tt == tables.end())
                            return fail(apply_error::no_such_table);
                        auto cc = tt->second.columns.find(*name);
                        if (cc == tt->second.columns.end())
                            return fail(apply_error::no_such_field);
                        object& eo = slot->embedded.front();
                        auto fit = eo.fields.find(*name);
                        if (fit == eo.fields.end() || fit->second.kind != cc->second.collection)
                            fit = eo.fields.insert_or_assign(*name, default_field(cc->second)).first;
                        out.t = &tt->second;
                        out.c = &cc->second;
                        out.f = &fit->second;
                        out.holder = nullptr;
                        slot = nullptr;
                        ++pos;
                        continue;
                    }
                    if (slot->is_nested()) {
                        if (pos == n && element_mode)
                            break; // the Mixed value itself (Update of it)
                        out.holder = slot;
                        out.f = &slot->nested.front();
                        out.c = &mixed_column(out.f->kind);
                        slot = nullptr;
                        continue;
                    }
                    if (pos == n)
                        break;
                    // A path into a null embedded object, or into a value that has no inside.
                    return fail(slot->is_null() && is_embedded_link(*out.c) ? apply_error::no_such_object
                                                                             : apply_error::invalid_path);
                }
                if (pos == n)
                    break; // the collection itself
                bool index = changeset::is_index(p.path[pos]);
                if (out.f->kind == ct::set || index != (out.f->kind == ct::list))
                    return fail(apply_error::invalid_path);
                if (element_mode && pos + 1 == n) {
                    out.elem = &p.path[pos];
                    break;
                }
                if (index) {
                    std::uint32_t at = std::get<std::uint32_t>(p.path[pos]);
                    if (at >= out.f->elements.size())
                        return fail(apply_error::index_out_of_range);
                    slot = &out.f->elements[at];
                }
                else {
                    const std::string* key = str(std::get<changeset::string_id>(p.path[pos]));
                    if (!key)
                        return false;
                    auto e = out.f->entries.find(*key);
                    if (e == out.f->entries.end())
                        return fail(apply_error::invalid_path);
                    slot = &e->second;
                }
                ++pos;
            }
            out.slot = slot;
            return true;
        }
        static std::uint32_t index_of(const target& g)
        {
            return std::get<std::uint32_t>(*g.elem);
        }
        /// `p` as a value for a slot of column `c` (a single field, or one element of its collection),
        /// including the payloads that create something: ObjectValue (an embedded object) and List /
        /// Dictionary (a collection nested in Mixed). Set in Mixed is refused, as realm-core does.
        bool make_value(const changeset::payload& p, const target& g, value& out)
        {
            const column& c = *g.c;
            switch (p.type) {
                case pt::object_value:
                    if (!is_embedded_link(c))
                        return fail(apply_error::type_mismatch);
                    out = new_embedded(c.link_target);
                    return true;
                case pt::list:
                case pt::dictionary:
                    if (c.type != pt::null)
                        return fail(apply_error::type_mismatch);
                    out = new_nested(p.type == pt::list ? ct::list : ct::dictionary);
                    return true;
                case pt::set:
                case pt::erased: return fail(apply_error::type_mismatch);
                default: break;
            }
            if (static_cast<int>(p.type) < 0 && p.type != pt::global_key)
                return fail(apply_error::type_mismatch);
            if (!to_value(p, out) || !fits(c, out))
                return false;
            note_mixed_link(g, out);
            return true;
        }
        /// A link stored in Mixed (a field, an element of a Mixed collection, or anything nested in one)
        /// makes its target table a link target of the table holding the field, for good.
        void note_mixed_link(const target& g, const value& v)
        {
            if (g.c->type != pt::null || v.scalar.type != pt::link)
                return;
            auto it = tables.find(v.link_table);
            if (it == tables.end() || &it->second == g.t || it->second.mixed_link_target)
                return;
            it->second.mixed_link_target = true;
            undo.mixed_link_targets.push_back(v.link_table);
        }
        /// Is writing `p` over `old` a no-op in realm-core? Creating an embedded object where one is, or
        /// a nested collection of the kind already there, keeps what is inside.
        static bool keeps(const changeset::payload& p, const value& old)
        {
            if (p.type == pt::object_value)
                return old.is_embedded();
            if (p.type == pt::list || p.type == pt::dictionary)
                return old.is_nested() && old.scalar.type == p.type;
            return false;
        }

        void run(const changeset::add_table& i)
        {
            const std::string* name = str(i.table);
            if (!name)
                return;
            const std::string* pk = i.type == changeset::table_type::embedded ? name : str(i.pk_field);
            if (!pk)
                return;
            auto it = tables.find(*name);
            bool embedded = i.type == changeset::table_type::embedded;
            if (it != tables.end()) {
                const table& t = it->second;
                if (t.embedded != embedded ||
                    (!embedded && (t.pk_field != *pk || t.pk_type != i.pk_type || t.pk_nullable != i.pk_nullable)))
                    fail(apply_error::table_mismatch);
                return;
            }
            undo.save_table(tables, *name);
            table t;
            t.embedded = embedded;
            if (!embedded) {
                t.pk_field = *pk;
                t.pk_type = i.pk_type;
                t.pk_nullable = i.pk_nullable;
            }
            tables.emplace(*name, std::move(t));
        }
        /// realm-core's Table::is_cross_table_link_target, which makes it refuse to remove a table: another
        /// table's link column targets it (removing it would have to drop those columns too), or another
        /// table's Mixed field has ever linked to it (the backlink column that made stays). A table's links
        /// to itself go with it.
        bool is_cross_table_link_target(const std::string& name) const
        {
            if (auto it = tables.find(name); it != tables.end() && it->second.mixed_link_target)
                return true;
            for (const auto& [other, t] : tables) {
                if (other == name)
                    continue;
                for (const auto& [field, c] : t.columns) {
                    if (c.type == pt::link && c.link_target == name)
                        return true;
                }
            }
            return false;
        }
        void run(const changeset::erase_table& i)
        {
            const std::string* name = str(i.table);
            if (!name)
                return;
            if (is_cross_table_link_target(*name)) {
                fail(apply_error::table_is_link_target);
                return;
            }
            undo.save_table(tables, *name);
            if (tables.erase(*name) == 0)
                fail(apply_error::no_such_table);
        }
        void run(const changeset::add_column& i)
        {
            table* t = find_table(i.table);
            const std::string* field = t ? str(i.field) : nullptr;
            if (!field)
                return;
            column c;
            c.type = i.type;
            c.nullable = i.nullable;
            c.collection = i.collection;
            if (i.type == pt::link) {
                const std::string* target = str(i.link_target_table);
                if (!target)
                    return;
                if (tables.count(*target) == 0) {
                    fail(apply_error::invalid_link_target);
                    return;
                }
                c.link_target = *target;
            }
            if (*field == t->pk_field && !t->embedded) {
                fail(apply_error::column_mismatch);
                return;
            }
            auto it = t->columns.find(*field);
            if (it != t->columns.end()) {
                const column& e = it->second;
                if (e.type != c.type || e.nullable != c.nullable || e.collection != c.collection ||
                    e.link_target != c.link_target)
                    fail(apply_error::column_mismatch);
                return;
            }
            undo.save_table(tables, cs.strings[i.table.index]);
            t->columns.emplace(*field, c);
            for (auto& kv : t->objects)
                kv.second.fields[*field] = default_field(c);
            if (t->embedded)
                sweep_embedded(cs.strings[i.table.index], [&](object& o) { o.fields[*field] = default_field(c); });
        }
        void run(const changeset::erase_column& i)
        {
            table* t = find_table(i.table);
            const std::string* field = t ? str(i.field) : nullptr;
            if (!field)
                return;
            if (t->columns.count(*field) == 0) {
                fail(apply_error::no_such_field);
                return;
            }
            undo.save_table(tables, cs.strings[i.table.index]);
            t->columns.erase(*field);
            for (auto& kv : t->objects)
                kv.second.fields.erase(*field);
            if (t->embedded)
                sweep_embedded(cs.strings[i.table.index], [&](object& o) { o.fields.erase(*field); });
        }
        /// Calls `fn` on every embedded object of table `name`, wherever it lives. Schema changes to an
        /// embedded table reach objects in every table, so every table is saved for undo first (rare,
        /// and proportional to the state, like the schema change itself in realm).
        template <class Fn>
        void sweep_embedded(const std::string& name, Fn&& fn)
        {
            for (auto& [tname, t] : tables) {
                undo.save_table(tables, tname);
                for (auto& kv : t.objects)
                    for (auto& fkv : kv.second.fields)
                        sweep_field(fkv.second, name, fn);
            }
        }
        template <class Fn>
        static void sweep_field(field_value& f, const std::string& name, Fn& fn)
        {
            sweep_value(f.scalar, name, fn);
            for (auto& v : f.elements)
                sweep_value(v, name, fn);
            for (auto& kv : f.entries)
                sweep_value(kv.second, name, fn);
        }
        template <class Fn>
        static void sweep_value(value& v, const std::string& name, Fn& fn)
        {
            for (auto& o : v.embedded) {
                if (v.link_table == name)
                    fn(o);
                for (auto& fkv : o.fields)
                    sweep_field(fkv.second, name, fn);
            }
            for (auto& n : v.nested)
                sweep_field(n, name, fn);
        }
        void run(const changeset::create_object& i)
        {
            table* t = find_table(i.table);
            object_key k;
            if (!t || !key_of(i.object, k))
                return;
            if (t->embedded) {
                fail(apply_error::unsupported);
                return;
            }
            bool ok = false;
            switch (i.object.index()) {
                case 0: ok = t->pk_nullable && t->pk_type != pt::global_key; break;
                case 1: ok = t->pk_type == pt::integer; break;
                case 2: ok = t->pk_type == pt::string; break;
                case 3: ok = t->pk_type == pt::object_id; break;
                case 4: ok = t->pk_type == pt::uuid; break;
                default: ok = t->pk_type == pt::global_key; break;
            }
            if (!ok) {
                fail(apply_error::primary_key_mismatch);
                return;
            }
            if (t->objects.count(k))
                return; // creating an existing object is a no-op (it may even revive links to it)
            undo.save_object(tables, cs.strings[i.table.index], k);
            object o;
            for (const auto& [name, c] : t->columns)
                o.fields[name] = default_field(c);
            t->objects.emplace(std::move(k), std::move(o));
        }
        void run(const changeset::erase_object& i)
        {
            table* t = find_table(i.table);
            object_key k;
            if (!t || !key_of(i.object, k))
                return;
            // Idempotent. Links to it stay where they are and read as unresolved (see `value`).
            undo.save_object(tables, cs.strings[i.table.index], k);
            t->objects.erase(k);
        }
        void run(const changeset::update& i)
        {
            target g;
            if (!resolve(i, g))
                return;
            if (!g.elem) {
                if (!g.slot) {
                    fail(apply_error::invalid_path); // a whole list, set or dictionary field
                    return;
                }
                if (keeps(i.value, *g.slot))
                    return;
                value v;
                if (!make_value(i.value, g, v))
                    return;
                *g.slot = std::move(v); // what was under the old value (embedded, nested) goes with it
                return;
            }
            if (g.f->kind == ct::list) {
                std::uint32_t n = index_of(g);
                if (n >= g.f->elements.size()) {
                    fail(apply_error::index_out_of_range);
                    return;
                }
                if (i.value.type == pt::object_value && is_embedded_link(*g.c))
                    return; // realm-core: the element is an embedded object already (link lists hold no nulls)
                if (keeps(i.value, g.f->elements[n]))
                    return;
                if ((i.value.type == pt::null || i.value.type == pt::global_key) && g.c->type == pt::link)
                    return; // link lists hold no nulls: realm-core ignores it
                value v;
                if (!make_value(i.value, g, v))
                    return;
                g.f->elements[n] = std::move(v);
                return;
            }
            // dictionary
            const std::string* key = str(std::get<changeset::string_id>(*g.elem));
            if (!key)
                return;
            if (i.value.type == pt::erased) {
                g.f->entries.erase(*key);
                return;
            }
            auto old = g.f->entries.find(*key);
            if (i.value.type != pt::object_value && old != g.f->entries.end() && keeps(i.value, old->second))
                return; // (an ObjectValue in a dictionary always makes a new object, as realm-core does)
            value v;
            if (!make_value(i.value, g, v))
                return;
            g.f->entries[*key] = std::move(v);
        }
        void run(const changeset::add_integer& i)
        {
            target g;
            if (!resolve(i, g))
                return;
            if (g.elem || !g.slot || g.f->kind != ct::single) {
                fail(apply_error::invalid_path);
                return;
            }
            changeset::payload& p = g.slot->scalar;
            if (p.type == pt::null)
                return; // adding to null leaves null
            if (p.type != pt::integer) {
                fail(apply_error::not_an_integer);
                return;
            }
            p.integer = static_cast<std::int64_t>(static_cast<std::uint64_t>(p.integer) + static_cast<std::uint64_t>(i.value));
        }
        /// A list write: the list, after checking that the path ends in an index and prior_size matches.
        std::vector<value>* list_at(const changeset::path_target& p, std::uint32_t prior_size, target& g)
        {
            if (!resolve(p, g))
                return nullptr;
            if (!g.elem || g.f->kind != ct::list) {
                fail(apply_error::invalid_path);
                return nullptr;
            }
            if (prior_size != g.f->elements.size()) {
                fail(apply_error::index_out_of_range);
                return nullptr;
            }
            return &g.f->elements;
        }
        void run(const changeset::array_insert& i)
        {
            target g;
            std::vector<value>* l = list_at(i, i.prior_size, g);
            if (!l)
                return;
            std::uint32_t n = index_of(g);
            if (n > l->size()) {
                fail(apply_error::index_out_of_range);
                return;
            }
            if ((i.value.type == pt::null || i.value.type == pt::global_key) && g.c->type == pt::link)
                return; // link lists hold no nulls
            value v;
            if (!make_value(i.value, g, v))
                return;
            l->insert(l->begin() + static_cast<std::ptrdiff_t>(n), std::move(v));
        }
        void run(const changeset::array_move& i)
        {
            target g;
            std::vector<value>* l = list_at(i, i.prior_size, g);
            if (!l)
                return;
            std::uint32_t from = index_of(g);
            if (from >= l->size() || i.ndx_2 >= l->size() || from == i.ndx_2) {
                fail(apply_error::index_out_of_range);
                return;
            }
            value v = std::move((*l)[from]);
            l->erase(l->begin() + static_cast<std::ptrdiff_t>(from));
            l->insert(l->begin() + static_cast<std::ptrdiff_t>(i.ndx_2), std::move(v));
        }
        void run(const changeset::array_erase& i)
        {
            target g;
            std::vector<value>* l = list_at(i, i.prior_size, g);
            if (!l)
                return;
            std::uint32_t n = index_of(g);
            if (n >= l->size()) {
                fail(apply_error::index_out_of_range);
                return;
            }
            l->erase(l->begin() + static_cast<std::ptrdiff_t>(n)); // an embedded object goes with it
        }
        void run(const changeset::clear& i)
        {
            target g;
            if (!resolve(i, g, false))
                return;
            // A Mixed value (not a collection yet, or a collection of another kind): Clear makes it an
            // empty collection of the instruction's kind, as realm-core does.
            value* mixed = g.slot && g.c->type == pt::null ? g.slot : g.holder;
            if (mixed && i.collection != ct::single && (g.slot || i.collection != g.f->kind)) {
                if (i.collection == ct::set) {
                    fail(apply_error::type_mismatch);
                    return;
                }
                *mixed = new_nested(i.collection);
                return;
            }
            if (g.slot) {
                fail(apply_error::invalid_path);
                return;
            }
            if (i.collection != ct::single && i.collection != g.f->kind) {
                fail(apply_error::type_mismatch);
                return;
            }
            g.f->elements.clear(); // embedded objects and nested collections go with their elements
            g.f->entries.clear();
        }
        /// The set a SetInsert (`inserting`) or SetErase writes to, with `pv` as the element value.
        std::vector<value>* set_at(const changeset::path_target& p, const changeset::payload& pv, value& v, bool inserting)
        {
            target g;
            if (!resolve(p, g, false))
                return nullptr;
            if (g.slot || g.f->kind != ct::set) {
                fail(apply_error::invalid_path);
                return nullptr;
            }
            if (static_cast<int>(pv.type) < 0 && pv.type != pt::global_key) {
                fail(apply_error::type_mismatch);
                return nullptr;
            }
            if (!to_value(pv, v) || !fits(*g.c, v))
                return nullptr;
            if (inserting)
                note_mixed_link(g, v);
            return &g.f->elements;
        }
        void run(const changeset::set_insert& i)
        {
            value v;
            std::vector<value>* s = set_at(i, i.value, v, true);
            if (s && std::find(s->begin(), s->end(), v) == s->end())
                s->push_back(std::move(v));
        }
        void run(const changeset::set_erase& i)
        {
            value v;
            std::vector<value>* s = set_at(i, i.value, v, false);
            if (!s)
                return;
            auto it = std::find(s->begin(), s->end(), v);
            if (it != s->end())
                s->erase(it);
        }
    };
    std::map<std::string, table> tables_;
    std::size_t max_path_length_ = 100;
};

/// The canonical dump of a state (state::dump), for tools and tests that compare states.
inline std::vector<std::string> dump_state(const state& s)
{
    return s.dump();
}

} // namespace realmwire::reference

#endif
