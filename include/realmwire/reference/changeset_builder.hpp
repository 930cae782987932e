#ifndef REALMWIRE_REFERENCE_CHANGESET_BUILDER_HPP
#define REALMWIRE_REFERENCE_CHANGESET_BUILDER_HPP

// Changesets that recreate what a reference::state holds: its schema, whole objects (every field, with
// embedded objects and collections nested in Mixed), a compensating write that puts an object back,
// erases. FLX bootstraps are built with it (a client's realm brought to what its subscriptions select),
// and so are the snapshots a local store compacts its log into (object_store.hpp): applying
// state_changesets(s) to an empty state gives a state equal to s.

#include "realmwire/changeset/encoder.hpp"
#include "realmwire/changeset/instruction.hpp"
#include "realmwire/reference/state.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace realmwire::reference {

/// Builds one changeset from a state's content: names interned through a hash map (changeset::intern is
/// linear, and a bootstrap interns one string per String primary key).
class changeset_builder {
public:
    changeset::string_id intern(std::string_view s)
    {
        auto it = ids_.find(std::string(s));
        if (it != ids_.end())
            return {it->second};
        auto id = static_cast<std::uint32_t>(cs_.strings.size());
        cs_.strings.emplace_back(s);
        ids_.emplace(std::string(s), id);
        bytes_ += s.size() + 4;
        return {id};
    }
    changeset::primary_key key(const object_key& k)
    {
        switch (k.index()) {
            case 1: return std::get<std::int64_t>(k);
            case 2: return intern(std::get<std::string>(k));
            case 3: return std::get<changeset::object_id>(k);
            case 4: return std::get<changeset::uuid>(k);
            case 5: return std::get<changeset::global_key>(k);
            default: return std::monostate{};
        }
    }
    void add(changeset::instruction i)
    {
        bytes_ += approx_encoded_bytes(i);
        cs_.instructions.push_back(std::move(i));
    }

    /// AddTable for every table, then AddColumn for every column (link targets exist by then).
    void schema(const state& s)
    {
        for (const auto& [name, t] : s.tables()) {
            changeset::add_table a;
            a.table = intern(name);
            a.type = t.embedded ? changeset::table_type::embedded : changeset::table_type::top_level;
            if (!t.embedded) {
                a.pk_field = intern(t.pk_field);
                a.pk_type = t.pk_type;
                a.pk_nullable = t.pk_nullable;
            }
            add(a);
        }
        for (const auto& [name, t] : s.tables()) {
            for (const auto& [field, c] : t.columns) {
                changeset::add_column a;
                a.table = intern(name);
                a.field = intern(field);
                a.type = c.type;
                a.nullable = c.nullable;
                a.collection = c.collection;
                if (c.type == changeset::payload_type::link)
                    a.link_target_table = intern(c.link_target);
                if (c.collection == changeset::collection_type::dictionary)
                    a.key_type = changeset::payload_type::string;
                add(a);
            }
        }
    }

    /// CreateObject and the instructions that give it every field it has in `o` (null singles are
    /// left at the default CreateObject gives them).
    void full_object(const std::string& table_name, const object_key& k, const object& o)
    {
        changeset::create_object c;
        c.table = intern(table_name);
        c.object = key(k);
        add(c);
        changeset::path_target base;
        base.table = c.table;
        base.object = c.object;
        for (const auto& [field, f] : o.fields) {
            base.field = intern(field);
            emit_field(base, f);
        }
    }

    /// Replaces every field of an existing object by its value in `o` (a compensating write that
    /// restores an object the client changed): collections are cleared and refilled.
    void restore_object(const std::string& table_name, const object_key& k, const object& o)
    {
        changeset::path_target base;
        base.table = intern(table_name);
        base.object = key(k);
        for (const auto& [field, f] : o.fields) {
            base.field = intern(field);
            if (f.kind != changeset::collection_type::single) {
                changeset::clear cl;
                static_cast<changeset::path_target&>(cl) = base;
                cl.collection = f.kind;
                add(cl);
                emit_field(base, f);
            }
            else if (f.scalar.is_null()) {
                changeset::update u;
                static_cast<changeset::path_target&>(u) = base;
                add(u);
            }
            else {
                emit_field(base, f);
            }
        }
    }

    void erase_object(const std::string& table_name, const object_key& k)
    {
        changeset::erase_object e;
        e.table = intern(table_name);
        e.object = key(k);
        add(e);
    }

    bool empty() const noexcept { return cs_.instructions.empty(); }
    std::size_t size() const noexcept { return cs_.instructions.size(); }
    /// About how many bytes the changeset encodes to: what chunked output (FLX bootstraps) is cut by.
    /// String and binary values count in full, so a few large objects make a changeset as full as
    /// many small ones.
    std::size_t approx_bytes() const noexcept { return bytes_; }
    const changeset::changeset& get() const noexcept { return cs_; }
    /// The encoded changeset; the builder starts over.
    std::string take_encoded()
    {
        std::string out = changeset::encode(cs_);
        cs_ = {};
        ids_.clear();
        bytes_ = 0;
        return out;
    }

private:
    /// An instruction's fixed part (tag, ids, key, small fields) as a flat 16 bytes, plus its path and
    /// the bytes of a String or Binary value.
    static std::size_t approx_encoded_bytes(const changeset::instruction& i) noexcept
    {
        return std::visit(
            [](const auto& in) -> std::size_t {
                using T = std::decay_t<decltype(in)>;
                std::size_t n = 16;
                if constexpr (std::is_base_of_v<changeset::path_target, T>)
                    n += 4 * in.path.size();
                if constexpr (std::is_same_v<T, changeset::update> || std::is_same_v<T, changeset::array_insert> ||
                              std::is_same_v<T, changeset::set_insert> || std::is_same_v<T, changeset::set_erase>)
                    n += in.value.data.size();
                return n;
            },
            i);
    }

    changeset::payload to_payload(const value& v)
    {
        using pt = changeset::payload_type;
        if (v.scalar.type == pt::link)
            return changeset::payload::make_link(intern(v.link_table), key(v.link_key));
        if (v.scalar.type == pt::object_value || v.is_nested())
            return changeset::payload::make(v.scalar.type);
        return v.scalar;
    }
    /// What lives inside a value (an embedded object's fields, a nested collection), at `at`.
    void emit_inside(const changeset::path_target& at, const value& v)
    {
        if (v.is_embedded()) {
            changeset::path_target sub = at;
            for (const auto& [name, f] : v.embedded.front().fields) {
                sub.path = at.path;
                sub.path.push_back(intern(name));
                emit_at(sub, f);
            }
        }
        else if (v.is_nested()) {
            emit_at(at, v.nested.front());
        }
    }
    void emit_field(const changeset::path_target& at, const field_value& f) { emit_at(at, f); }
    void emit_at(const changeset::path_target& at, const field_value& f)
    {
        using ct = changeset::collection_type;
        switch (f.kind) {
            case ct::single: {
                if (f.scalar.is_null() && !f.scalar.is_embedded())
                    return;
                changeset::update u;
                static_cast<changeset::path_target&>(u) = at;
                u.value = to_payload(f.scalar);
                add(u);
                emit_inside(at, f.scalar);
                return;
            }
            case ct::list: {
                std::uint32_t i = 0;
                for (const value& v : f.elements) {
                    changeset::array_insert a;
                    static_cast<changeset::path_target&>(a) = at;
                    a.path.push_back(i);
                    a.value = to_payload(v);
                    a.prior_size = i;
                    add(a);
                    changeset::path_target inside = at;
                    inside.path.push_back(i);
                    emit_inside(inside, v);
                    ++i;
                }
                return;
            }
            case ct::set:
                for (const value& v : f.elements) {
                    changeset::set_insert s;
                    static_cast<changeset::path_target&>(s) = at;
                    s.value = to_payload(v);
                    add(s);
                }
                return;
            case ct::dictionary:
                for (const auto& [k, v] : f.entries) {
                    changeset::update u;
                    static_cast<changeset::path_target&>(u) = at;
                    u.path.push_back(intern(k));
                    u.value = to_payload(v);
                    add(u);
                    changeset::path_target inside = at;
                    inside.path.push_back(intern(k));
                    emit_inside(inside, v);
                }
                return;
        }
    }

    changeset::changeset cs_;
    std::unordered_map<std::string, std::uint32_t> ids_;
    std::size_t bytes_ = 0;
};

/// The content of `s` as changesets, in order: the schema (every table, then every column), then the
/// objects of the top-level tables, `objects_per_changeset` to a changeset, each encoded. Applied in
/// order to an empty state they give a state equal to `s`. Splitting keeps each one far under the
/// decoder's default limits for any state whose single objects are (a changeset per object at most).
inline std::vector<std::string> state_changesets(const state& s, std::size_t objects_per_changeset = 1000)
{
    std::vector<std::string> out;
    changeset_builder b;
    b.schema(s);
    if (!b.empty())
        out.push_back(b.take_encoded());
    std::size_t in_this = 0;
    for (const auto& [name, t] : s.tables()) {
        for (const auto& [key, o] : t.objects) {
            b.full_object(name, key, o);
            if (++in_this >= objects_per_changeset) {
                out.push_back(b.take_encoded());
                in_this = 0;
            }
        }
    }
    if (!b.empty())
        out.push_back(b.take_encoded());
    return out;
}

} // namespace realmwire::reference

#endif
