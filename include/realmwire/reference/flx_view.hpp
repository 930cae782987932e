#ifndef REALMWIRE_REFERENCE_FLX_VIEW_HPP
#define REALMWIRE_REFERENCE_FLX_VIEW_HPP

// Flexible sync views over a reference::state, sans-I/O: what a subscription set (and a role's read
// filter) selects, and the changesets that bring a client's realm to exactly that.
//
//   flx_query_schema(state)     the query::schema of a state (primary key + every column)
//   flx_object_view             a state object as a query object view (query/evaluate.hpp)
//   flx_subscription            a subscription set: parsed per table, bound against a schema
//   flx_changeset_builder       changeset_builder (changeset_builder.hpp): schema, full objects, erases
//   flx_held_set                which objects a client's realm holds, by table
//
// Nothing here touches sockets or files; any backend that keeps its realm as a reference::state
// (reference/flx_state.hpp keeps one per server version) can reuse it.

#include "realmwire/changeset/encoder.hpp"
#include "realmwire/changeset/instruction.hpp"
#include "realmwire/query/schema.hpp"
#include "realmwire/query/subscriptions.hpp"
#include "realmwire/reference/changeset_builder.hpp"
#include "realmwire/reference/state.hpp"

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

namespace realmwire::reference {

/// The primary key of an object as a query value (what `_id == 5` compares with).
inline changeset::payload key_payload(const object_key& k)
{
    switch (k.index()) {
        case 1: return changeset::payload::make_int(std::get<std::int64_t>(k));
        case 2: return changeset::payload::make_string(std::get<std::string>(k));
        case 3: return changeset::payload::make_object_id(std::get<changeset::object_id>(k));
        case 4: return changeset::payload::make_uuid(std::get<changeset::uuid>(k));
        default: return changeset::payload::null();
    }
}

/// The query schema of a state: per top-level table its primary key and every column, with the
/// column's type, nullability and collection kind (query::schema decides what is queryable).
/// `queryable` ("Table.field", may be empty = every top-level scalar) restricts it as
/// `realmwire server --queryable` does; entries naming what the state does not have yet are skipped
/// (the schema grows as clients upload theirs).
inline query::schema flx_query_schema(const state& s, const std::vector<std::string>& queryable = {})
{
    query::schema out;
    for (const auto& [name, t] : s.tables()) {
        if (t.embedded)
            continue;
        out.add_table(name);
        if (!t.pk_field.empty() && t.pk_type != changeset::payload_type::global_key)
            out.add_field(name, t.pk_field, t.pk_type, t.pk_nullable);
        for (const auto& [field, c] : t.columns)
            out.add_field(name, field, c.type, c.nullable, c.collection);
    }
    if (!queryable.empty()) {
        std::vector<std::string> present;
        for (const auto& entry : queryable) {
            std::size_t dot = entry.find('.');
            if (dot == std::string::npos)
                continue;
            const query::table_schema* t = out.find(std::string_view(entry).substr(0, dot));
            const query::field_info* f = t ? t->find(std::string_view(entry).substr(dot + 1)) : nullptr;
            if (f && f->is_scalar())
                present.push_back(entry);
        }
        std::error_code ec;
        out.restrict_queryable(present, ec); // only entries checked above: cannot fail
    }
    return out;
}

/// One object of a state as a query object view: the primary key field and the top-level single
/// scalars (links, embedded objects and collections read as missing, i.e. null).
class flx_object_view {
public:
    flx_object_view(const table& t, const object_key& key, const object& o)
        : t_(&t), o_(&o), pk_(key_payload(key))
    {
    }
    const changeset::payload* field(std::string_view name) const
    {
        if (name == t_->pk_field)
            return &pk_;
        auto it = o_->fields.find(std::string(name));
        if (it == o_->fields.end() || it->second.kind != changeset::collection_type::single)
            return nullptr;
        const value& v = it->second.scalar;
        if (v.scalar.type == changeset::payload_type::link || v.is_embedded() || v.is_nested())
            return nullptr;
        return &v.scalar;
    }

private:
    const table* t_;
    const object* o_;
    changeset::payload pk_;
};
static_assert(query::is_object_view_v<flx_object_view>);

/// Why a subscription set was refused: the query_error and realm-core's sentence. The QUERY_ERROR a
/// server sends for it carries code 226 (bad_query) and this message.
struct flx_query_problem {
    std::error_code code;
    std::string message;
};

/// A subscription set as the server holds it for one session: each table's query (the OR of its
/// subscriptions), parsed once and bound against the realm's schema whenever it is evaluated (the
/// schema grows as clients upload theirs). An empty set selects nothing.
class flx_subscription {
public:
    flx_subscription() = default;

    /// Parses a QUERY/IDENT body (`{"Table":"query", ...}`) and checks each query against `schema`.
    /// A table the schema does not have yet is accepted (it selects nothing until it exists); any
    /// other parse or bind failure refuses the whole set.
    static flx_subscription parse(std::string_view json, const query::schema& schema, std::error_code& ec,
                                  flx_query_problem* problem = nullptr, const query::subscription_limits& lim = {})
    {
        flx_subscription out;
        query::diagnostic d;
        out.tables_ = query::parse_subscriptions(json, ec, &d, lim);
        if (!ec) {
            for (const auto& [table, where] : out.tables_) {
                if (!schema.find(table))
                    continue;
                query::bind(where, schema, table, ec, &d);
                if (ec)
                    break;
            }
        }
        if (ec) {
            if (problem)
                *problem = {ec, d.message};
            return {};
        }
        out.json_ = std::string(json);
        return out;
    }

    bool empty() const noexcept { return tables_.empty(); }
    const std::string& json() const noexcept { return json_; }
    const query::subscription_queries& tables() const noexcept { return tables_; }

    /// The bound queries against `schema` (a query that no longer binds selects nothing).
    std::map<std::string, query::bound_query, std::less<>> bind(const query::schema& schema) const
    {
        std::map<std::string, query::bound_query, std::less<>> out;
        for (const auto& [table, where] : tables_) {
            if (!schema.find(table))
                continue;
            std::error_code ec;
            query::bound_query b = query::bind(where, schema, table, ec);
            if (!ec)
                out.emplace(table, std::move(b));
        }
        return out;
    }

private:
    query::subscription_queries tables_;
    std::string json_;
};

/// The objects a client's realm holds, by table.
using flx_key_set = std::set<object_key, object_key_less>;
using flx_held_set = std::map<std::string, flx_key_set, std::less<>>;

/// The builder of bootstraps and compensating writes (reference/changeset_builder.hpp), under the name
/// this header gave it first.
using flx_changeset_builder = changeset_builder;

/// The top-level object an instruction addresses, or false for a schema instruction.
inline bool flx_instruction_object(const changeset::changeset& cs, const changeset::instruction& in,
                                   std::string& table, object_key& key)
{
    auto key_of = [&](const changeset::primary_key& pk) {
        switch (pk.index()) {
            case 1: key = std::get<std::int64_t>(pk); break;
            case 2: {
                auto id = std::get<changeset::string_id>(pk);
                if (id.index >= cs.strings.size())
                    return false;
                key = cs.strings[id.index];
                break;
            }
            case 3: key = std::get<changeset::object_id>(pk); break;
            case 4: key = std::get<changeset::uuid>(pk); break;
            case 5: key = std::get<changeset::global_key>(pk); break;
            default: key = std::monostate{};
        }
        return true;
    };
    auto name = [&](changeset::string_id id) {
        if (id.index >= cs.strings.size())
            return false;
        table = cs.strings[id.index];
        return true;
    };
    return std::visit(
        [&](const auto& i) -> bool {
            using T = std::decay_t<decltype(i)>;
            if constexpr (std::is_same_v<T, changeset::create_object> || std::is_same_v<T, changeset::erase_object>)
                return name(i.table) && key_of(i.object);
            else if constexpr (std::is_base_of_v<changeset::path_target, T>)
                return name(i.table) && key_of(i.object);
            else
                return false;
        },
        in);
}

} // namespace realmwire::reference

#endif
