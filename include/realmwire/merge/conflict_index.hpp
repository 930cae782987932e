#ifndef REALMWIRE_MERGE_CONFLICT_INDEX_HPP
#define REALMWIRE_MERGE_CONFLICT_INDEX_HPP

// Which incoming instructions an instruction of the history meets (realm's conflict groups).
//
// Every object an instruction touches is a node; an Update or ArrayInsert of a link joins its object
// with the link target, and an AddColumn of a link joins the two tables' schema nodes. Both sides are
// scanned, so objects linked on either side meet each other. A history instruction on an object meets
// the incoming instructions of that object's group; a schema instruction meets everything. EraseTable
// or EraseColumn anywhere turns the index off: everything meets everything.
//
// The ranges stay valid while the merge discards and prepends because working_changeset never shifts
// its slots; a cursor walks the ranges of one group in (changeset, position) order.

#include "realmwire/changeset/instruction.hpp"
#include "realmwire/merge/working_changeset.hpp"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace realmwire::merge::detail {

struct range {
    position begin;
    position end;
};
struct changeset_ranges {
    std::size_t changeset = 0; ///< index of the incoming changeset
    std::vector<range> ranges; ///< sorted, disjoint, never empty
};
using range_set = std::vector<changeset_ranges>; ///< sorted by changeset index

/// Serialises (table, primary key) into a map key; string parts by content.
inline std::string object_key(const working_changeset& cs, changeset::string_id table, const changeset::primary_key& pk)
{
    const std::string& t = cs.str(table);
    std::string k = std::to_string(t.size());
    k += ':';
    k += t;
    auto raw = [&](const void* p, std::size_t n) { k.append(static_cast<const char*>(p), n); };
    switch (pk.index()) {
        case 0: k += 'n'; break;
        case 1: {
            k += 'i';
            std::int64_t v = std::get<std::int64_t>(pk);
            raw(&v, sizeof v);
            break;
        }
        case 2: k += 's'; k += cs.str(std::get<changeset::string_id>(pk)); break;
        case 3: k += 'o'; raw(std::get<changeset::object_id>(pk).bytes.data(), 12); break;
        case 4: k += 'u'; raw(std::get<changeset::uuid>(pk).bytes.data(), 16); break;
        default: {
            k += 'g';
            const auto& g = std::get<changeset::global_key>(pk);
            raw(&g.hi, sizeof g.hi);
            raw(&g.lo, sizeof g.lo);
            break;
        }
    }
    return k;
}

inline bool is_schema_instruction(const changeset::instruction& in) noexcept
{
    switch (changeset::type_of(in)) {
        case changeset::instruction_type::add_table:
        case changeset::instruction_type::erase_table:
        case changeset::instruction_type::add_column:
        case changeset::instruction_type::erase_column: return true;
        default: return false;
    }
}

/// The objects an object instruction touches: itself, plus a link target for Update / ArrayInsert.
inline std::size_t object_keys(const working_changeset& cs, const changeset::instruction& in, std::string keys[2])
{
    using namespace changeset;
    std::size_t n = 0;
    std::visit(
        [&](const auto& i) {
            using T = std::decay_t<decltype(i)>;
            if constexpr (std::is_same_v<T, create_object> || std::is_same_v<T, erase_object> ||
                          std::is_base_of_v<path_target, T>) {
                keys[n++] = object_key(cs, i.table, i.object);
                if constexpr (std::is_same_v<T, update> || std::is_same_v<T, array_insert>) {
                    if (i.value.type == payload_type::link)
                        keys[n++] = object_key(cs, i.value.link_value.target_table, i.value.link_value.target);
                }
            }
        },
        in);
    return n;
}

class conflict_index {
public:
    void scan(const working_changeset& cs)
    {
        using changeset::instruction_type;
        if (destructive_)
            return;
        for (const auto& slot : cs.slots) {
            for (const auto& in : slot) {
                switch (changeset::type_of(in)) {
                    case instruction_type::add_table:
                        schema_node(cs.str(std::get<changeset::add_table>(in).table));
                        break;
                    case instruction_type::erase_table:
                    case instruction_type::erase_column:
                        destructive_ = true;
                        schema_.clear();
                        objects_.clear();
                        parent_.clear();
                        return;
                    case instruction_type::add_column: {
                        const auto& c = std::get<changeset::add_column>(in);
                        std::size_t a = schema_node(cs.str(c.table));
                        if (c.type == changeset::payload_type::link)
                            unite(a, schema_node(cs.str(c.link_target_table)));
                        break;
                    }
                    default: {
                        std::string keys[2];
                        std::size_t n = object_keys(cs, in, keys);
                        std::size_t a = object_node(keys[0]);
                        if (n == 2)
                            unite(a, object_node(keys[1]));
                        break;
                    }
                }
            }
        }
    }

    /// Call after every scan(): indexes incoming changeset number `idx`.
    void add(std::size_t idx, working_changeset& cs)
    {
        if (incoming_.size() <= idx)
            incoming_.resize(idx + 1, nullptr);
        incoming_[idx] = &cs;
        if (!cs.empty())
            everything_.push_back({idx, {range{cs.begin(), cs.end()}}});
        if (destructive_)
            return;
        for (position p = cs.begin(); p != cs.end(); cs.advance(p)) {
            const changeset::instruction* in = cs.at(p);
            if (!in)
                continue;
            std::size_t node;
            if (auto t = std::get_if<changeset::add_table>(in))
                node = schema_node(cs.str(t->table));
            else if (auto c = std::get_if<changeset::add_column>(in))
                node = schema_node(cs.str(c->table));
            else {
                std::string keys[2];
                object_keys(cs, *in, keys);
                node = object_node(keys[0]);
            }
            add_at(groups_[find(node)], idx, p, cs);
        }
    }

    range_set* everything() noexcept { return &everything_; }

    range_set* for_object(const std::string& key)
    {
        if (destructive_)
            return &everything_;
        auto it = objects_.find(key);
        if (it == objects_.end())
            return &empty_;
        auto g = groups_.find(find(it->second));
        return g == groups_.end() ? &empty_ : &g->second;
    }

    working_changeset& changeset_at(std::size_t idx) { return *incoming_[idx]; }

private:
    std::map<std::string, std::size_t> schema_;
    std::map<std::string, std::size_t> objects_;
    std::vector<std::size_t> parent_;
    std::map<std::size_t, range_set> groups_;
    std::vector<working_changeset*> incoming_;
    range_set everything_;
    range_set empty_;
    bool destructive_ = false;

    std::size_t new_node()
    {
        parent_.push_back(parent_.size());
        return parent_.size() - 1;
    }
    std::size_t schema_node(const std::string& name) { return node_of(schema_, name); }
    std::size_t object_node(const std::string& key) { return node_of(objects_, key); }
    /// The node `key` has in `nodes`, made on first use.
    std::size_t node_of(std::map<std::string, std::size_t>& nodes, const std::string& key)
    {
        auto it = nodes.find(key);
        if (it != nodes.end())
            return it->second;
        std::size_t n = new_node();
        nodes.emplace(key, n);
        return n;
    }
    std::size_t find(std::size_t n)
    {
        while (parent_[n] != n) {
            parent_[n] = parent_[parent_[n]];
            n = parent_[n];
        }
        return n;
    }
    void unite(std::size_t a, std::size_t b)
    {
        a = find(a);
        b = find(b);
        if (a != b)
            parent_[b] = a;
    }

    /// Adds the one-instruction range at `p`, joining it with touching neighbours.
    static void add_at(range_set& rs, std::size_t idx, position p, const working_changeset& cs)
    {
        auto it = rs.begin();
        while (it != rs.end() && it->changeset < idx)
            ++it;
        if (it == rs.end() || it->changeset != idx)
            it = rs.insert(it, changeset_ranges{idx, {}});
        auto& v = it->ranges;
        position next = p;
        cs.advance(next);
        range incoming{p, next};
        auto pos = v.begin();
        while (pos != v.end() && pos->begin < p)
            ++pos;
        auto r = v.insert(pos, incoming);
        if (r != v.begin())
            --r;
        while (r + 1 != v.end()) {
            auto nx = r + 1;
            if (r->end >= nx->begin) {
                if (r->end < nx->end)
                    r->end = nx->end;
                nx = v.erase(nx);
                r = nx - 1;
            }
            else {
                ++r;
            }
        }
    }
};

/// A cursor over a range_set (realm's RangeIterator).
struct range_cursor {
    range_set* set = nullptr;
    std::size_t outer = 0;
    std::size_t inner = 0;
    position pos{};

    static range_cursor begin(range_set* s)
    {
        range_cursor c;
        c.set = s;
        if (!s->empty())
            c.pos = (*s)[0].ranges[0].begin;
        return c;
    }
    static range_cursor end(range_set* s)
    {
        range_cursor c;
        c.set = s;
        c.outer = s->size();
        return c;
    }
    bool at_end() const noexcept { return outer == set->size(); }
    friend bool operator==(const range_cursor& a, const range_cursor& b) noexcept
    {
        if (a.outer != b.outer)
            return false;
        return a.at_end() || (a.inner == b.inner && a.pos == b.pos);
    }
    friend bool operator!=(const range_cursor& a, const range_cursor& b) noexcept { return !(a == b); }

    void next(conflict_index& index)
    {
        auto& cs = index.changeset_at((*set)[outer].changeset);
        cs.advance(pos);
        if (pos == (*set)[outer].ranges[inner].end)
            next_range();
    }
    void next_range()
    {
        ++inner;
        if (inner == (*set)[outer].ranges.size()) {
            ++outer;
            if (at_end()) {
                inner = 0;
                pos = {};
                return;
            }
            inner = 0;
        }
        pos = (*set)[outer].ranges[inner].begin;
    }
    changeset::instruction* get(conflict_index& index, failure& f)
    {
        return index.changeset_at((*set)[outer].changeset).at(pos, f);
    }
    /// Erases the instruction under the cursor; the cursor moves to what follows it in the ranges.
    void erase(conflict_index& index)
    {
        auto& cs = index.changeset_at((*set)[outer].changeset);
        pos = cs.erase_stable(pos);
        if (pos >= (*set)[outer].ranges[inner].end)
            next_range();
    }
};

} // namespace realmwire::merge::detail

#endif
