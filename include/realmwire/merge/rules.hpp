#ifndef REALMWIRE_MERGE_RULES_HPP
#define REALMWIRE_MERGE_RULES_HPP

// realm's merge rules, one per unordered pair of instruction types, plus the "nested" rules that apply
// when one instruction's path is a strict prefix level of the other's.
//
// A rule sees (left, right) with left's type >= right's type in the instruction enumeration (the pair
// is swapped otherwise) and, for equal types, left is the history instruction. "Earlier" means a lower
// (origin_timestamp, origin_file_ident). Strings, keys and payloads compare by content across the two
// changesets; everything a rule adds to a changeset (an EraseColumn for a link column into an erased
// table) interns its names there.

#include "realmwire/changeset/instruction.hpp"
#include "realmwire/errors/merge.hpp"
#include "realmwire/merge/working_changeset.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <variant>

namespace realmwire::merge::detail {

namespace cs = realmwire::changeset;

inline std::size_t path_length(const cs::instruction& in) noexcept; // below

/// One side of a merge: the changeset under a cursor, with realm's per-instruction flags.
class side {
public:
    working_changeset* changeset = nullptr;
    std::uint64_t timestamp = 0;
    std::uint64_t file_ident = 0;
    bool was_discarded = false;
    bool was_replaced = false;
    std::size_t path_len = 0;
    failure* error = nullptr; ///< the merge's failure record, shared by both sides

    virtual ~side() = default;
    virtual cs::instruction& get() = 0;
    virtual void discard() = 0;
    virtual void prepend(const cs::instruction* b, const cs::instruction* e) = 0;
    void prepend(cs::instruction in) { prepend(&in, &in + 1); }

    /// realm's conflict order: (origin_timestamp, origin_file_ident).
    bool before(const side& o) const noexcept
    {
        return timestamp == o.timestamp ? file_ident < o.file_ident : timestamp < o.timestamp;
    }
    const std::string& str(cs::string_id id) const { return changeset->str(id); }
    cs::string_id adopt(const side& from, cs::string_id id) { return changeset->intern(from.str(id)); }

    bool failed() const noexcept { return static_cast<bool>(*error); }
    void fail(merge_error e, const char* what) { error->set(e, what); }
    void fail(merge_error e, std::string what) { error->set(e, std::move(what)); }

protected:
    side() = default;
    side(const side&) = default;
    side& operator=(const side&) = default;

    /// What get() answers after a broken invariant (the merge has failed by then; nothing reads it).
    cs::instruction placeholder_{};

    /// Once start() has put the cursor on a live instruction: the conflict order is that changeset's,
    /// and the per-instruction flags start clear.
    void begin_at_cursor()
    {
        timestamp = changeset->origin_timestamp;
        file_ident = changeset->origin_file_ident;
        was_discarded = false;
        was_replaced = false;
        path_len = path_length(get());
    }

    /// What get() answers for the instruction `in` at a cursor: a tombstone (nullptr) there is a broken
    /// invariant, so the merge fails and gets the placeholder to work on.
    cs::instruction& live_or_fail(cs::instruction* in, const char* where)
    {
        if (in)
            return *in;
        fail(merge_error::invalid_instruction, where);
        return placeholder_;
    }
};

/// realm's path length: tables 1, columns and objects 2, path instructions 3 + path size.
inline std::size_t path_length(const cs::instruction& in) noexcept
{
    return std::visit(
        [](const auto& i) -> std::size_t {
            using T = std::decay_t<decltype(i)>;
            if constexpr (std::is_base_of_v<cs::path_target, T>)
                return 3 + i.path.size();
            else if constexpr (std::is_same_v<T, cs::add_table> || std::is_same_v<T, cs::erase_table>)
                return 1;
            else
                return 2;
        },
        in);
}

template <class T>
inline constexpr bool is_path_v = std::is_base_of_v<cs::path_target, T>;
template <class T>
inline constexpr bool is_object_v =
    is_path_v<T> || std::is_same_v<T, cs::create_object> || std::is_same_v<T, cs::erase_object>;

template <class T>
constexpr std::size_t kind_of()
{
    using namespace cs;
    if constexpr (std::is_same_v<T, add_table>) return 0;
    else if constexpr (std::is_same_v<T, erase_table>) return 1;
    else if constexpr (std::is_same_v<T, create_object>) return 2;
    else if constexpr (std::is_same_v<T, erase_object>) return 3;
    else if constexpr (std::is_same_v<T, update>) return 4;
    else if constexpr (std::is_same_v<T, add_integer>) return 5;
    else if constexpr (std::is_same_v<T, add_column>) return 6;
    else if constexpr (std::is_same_v<T, erase_column>) return 7;
    else if constexpr (std::is_same_v<T, array_insert>) return 8;
    else if constexpr (std::is_same_v<T, array_move>) return 9;
    else if constexpr (std::is_same_v<T, array_erase>) return 10;
    else if constexpr (std::is_same_v<T, clear>) return 11;
    else if constexpr (std::is_same_v<T, set_insert>) return 12;
    else return 13;
}

/// Comparisons between the two sides (`l` belongs to `ls`, `r` to `rs`).
struct compare {
    side& ls;
    side& rs;
    /// What index_of and corresponding_index answer for a path that has no index where one must be:
    /// the failure is recorded, the rule finishes on this placeholder, the engine then stops.
    std::uint32_t placeholder_index = 0;

    void fail(merge_error e, const char* what) const { ls.fail(e, what); }
    void fail(merge_error e, std::string what) const { ls.fail(e, std::move(what)); }

    /// The list index a path ends in (ArrayInsert/Move/Erase, list-element Update).
    std::uint32_t& index_of(cs::path_target& t)
    {
        if (t.path.empty() || !cs::is_index(t.path.back())) {
            fail(merge_error::invalid_instruction, "list instruction without an index");
            return placeholder_index;
        }
        return *std::get_if<std::uint32_t>(&t.path.back());
    }

    bool same_string(cs::string_id l, cs::string_id r) const { return ls.str(l) == rs.str(r); }

    bool same_key(const cs::primary_key& l, const cs::primary_key& r) const
    {
        if (l.index() != r.index())
            return false;
        if (auto a = std::get_if<cs::string_id>(&l))
            return same_string(*a, std::get<cs::string_id>(r));
        return l == r;
    }

    bool same_payload(const cs::payload& l, const cs::payload& r) const
    {
        using cs::payload_type;
        if (l.type != r.type)
            return false;
        switch (l.type) {
            case payload_type::null:
            case payload_type::erased:
            case payload_type::set:
            case payload_type::list:
            case payload_type::dictionary:
            case payload_type::object_value: return true;
            case payload_type::global_key: return true; // never a payload on the wire
            case payload_type::integer: return l.integer == r.integer;
            case payload_type::boolean: return l.boolean == r.boolean;
            case payload_type::string:
            case payload_type::binary: return l.data == r.data;
            case payload_type::timestamp: return l.time == r.time;
            case payload_type::float_: return l.float_value == r.float_value;
            case payload_type::double_: return l.double_value == r.double_value;
            case payload_type::decimal: return l.decimal == r.decimal;
            case payload_type::link:
                return same_key(l.link_value.target, r.link_value.target) &&
                       same_string(l.link_value.target_table, r.link_value.target_table);
            case payload_type::object_id: return l.oid == r.oid;
            case payload_type::uuid: return l.uuid_value == r.uuid_value;
        }
        fail(merge_error::invalid_payload_type, "invalid payload type in instruction");
        return false;
    }

    /// realm compares SetErase values without looking the strings up: numbers by value, links by their
    /// interned ids. Strings and binaries we compare by content (realm compares buffer positions).
    bool raw_payload_equal(const cs::payload& l, const cs::payload& r) const
    {
        using cs::payload_type;
        if (l.type != r.type)
            return false;
        if (l.type == payload_type::link)
            return l.link_value.target_table == r.link_value.target_table && l.link_value.target == r.link_value.target;
        if (l.type == payload_type::float_)
            return l.float_value == r.float_value;
        if (l.type == payload_type::double_)
            return l.double_value == r.double_value;
        return l == r;
    }

    bool same_element(const cs::path_element& l, const cs::path_element& r) const
    {
        if (l.index() != r.index())
            return false;
        if (auto a = std::get_if<std::uint32_t>(&l))
            return *a == std::get<std::uint32_t>(r);
        return same_string(std::get<cs::string_id>(l), std::get<cs::string_id>(r));
    }
    bool same_path(const cs::path& l, const cs::path& r) const
    {
        if (l.size() != r.size())
            return false;
        for (std::size_t i = 0; i < l.size(); ++i)
            if (!same_element(l[i], r[i]))
                return false;
        return true;
    }
    template <class L, class R>
    bool same_table(const L& l, const R& r) const
    {
        return same_string(l.table, r.table);
    }
    template <class L, class R>
    bool same_object(const L& l, const R& r) const
    {
        return same_table(l, r) && same_key(l.object, r.object);
    }
    template <class L, class R>
    bool same_column(const L& l, const R& r) const
    {
        if constexpr (is_path_v<R>)
            return same_table(l, r) && same_string(l.field, r.field);
        else if constexpr (is_object_v<R>)
            return false;
        else
            return same_table(l, r) && same_string(l.field, r.field);
    }
    bool same_field(const cs::path_target& l, const cs::path_target& r) const
    {
        return same_object(l, r) && same_string(l.field, r.field);
    }
    bool same_full_path(const cs::path_target& l, const cs::path_target& r) const
    {
        return same_field(l, r) && same_path(l.path, r.path);
    }
    bool same_container(const cs::path_target& l, const cs::path_target& r) const
    {
        if (!same_field(l, r) || l.path.size() != r.path.size())
            return false;
        for (std::size_t i = 0; i + 1 < l.path.size(); ++i)
            if (!same_element(l.path[i], r.path[i]))
                return false;
        return true;
    }
    /// The element of r's path right after l's whole path, when l's path is a strict prefix of it.
    std::optional<cs::path_element> prefix_of(const cs::path_target& l, const cs::path_target& r) const
    {
        if (l.path.size() < r.path.size() && same_field(l, r)) {
            for (std::size_t i = 0; i < l.path.size(); ++i)
                if (!same_element(l.path[i], r.path[i]))
                    return std::nullopt;
            return r.path[l.path.size()];
        }
        return std::nullopt;
    }
    /// l touches a container on r's path: l's path without its last element is a prefix of r's.
    bool container_prefix_of(const cs::path_target& l, const cs::path_target& r) const
    {
        if (!l.path.empty() && l.path.size() < r.path.size() && same_field(l, r)) {
            for (std::size_t i = 0; i + 1 < l.path.size(); ++i)
                if (!same_element(l.path[i], r.path[i]))
                    return false;
            return true;
        }
        return false;
    }
    std::uint32_t& corresponding_index(const cs::path_target& l, cs::path_target& r)
    {
        std::size_t i = l.path.size() - 1;
        if (!cs::is_index(r.path[i])) {
            fail(merge_error::inconsistent_paths, "inconsistent paths");
            return placeholder_index;
        }
        return *std::get_if<std::uint32_t>(&r.path[i]);
    }
    static void get_vs_move(std::uint32_t& get, std::uint32_t from, std::uint32_t to) noexcept
    {
        if (get == from) {
            get = to;
        }
        else {
            if (get > from)
                get -= 1;
            if (get >= to)
                get += 1;
        }
    }
    void bad_list(merge_error e, const char* what) const { fail(e, std::string("merge error: ") + what); }
    void require(bool ok, merge_error e, const char* what) const
    {
        if (!ok)
            bad_list(e, what);
    }
};

inline bool is_list_update(const cs::update& u) noexcept
{
    return cs::ends_in_index(u.path);
}
inline const char* collection_name(cs::collection_type t) noexcept
{
    switch (t) {
        case cs::collection_type::single: return "single value";
        case cs::collection_type::list: return "list";
        case cs::collection_type::dictionary: return "dictionary";
        case cs::collection_type::set: return "set";
    }
    return "?";
}

/// The pair rules. Unlisted pairs do nothing.
struct pair_rules : compare {
    pair_rules(side& l, side& r) : compare{l, r} {}

    template <class L, class R>
    void operator()(L&, R&)
    {
    }

    // AddTable
    void operator()(cs::add_table& l, cs::add_table& r)
    {
        if (!same_table(l, r))
            return;
        const std::string& name = ls.str(l.table);
        const bool l_embedded = l.type == cs::table_type::embedded;
        const bool r_embedded = r.type == cs::table_type::embedded;
        if (!l_embedded) {
            if (r_embedded)
                fail(merge_error::schema_mismatch, "'" + name + "' has a primary key on one side only");
            if (ls.str(l.pk_field) != rs.str(r.pk_field))
                fail(merge_error::schema_mismatch, "'" + name + "' has different primary key names");
            if (l.pk_type != r.pk_type)
                fail(merge_error::schema_mismatch, "'" + name + "' has different primary key types");
            if (l.pk_nullable != r.pk_nullable)
                fail(merge_error::schema_mismatch, "'" + name + "' primary key nullable on one side only");
            if ((l.type == cs::table_type::top_level_asymmetric) != (r.type == cs::table_type::top_level_asymmetric))
                fail(merge_error::schema_mismatch, "'" + name + "' is asymmetric on one side only");
        }
        else if (!r_embedded) {
            fail(merge_error::schema_mismatch, "'" + name + "' is embedded on one side only");
        }
        ls.discard();
        rs.discard();
    }
    void operator()(cs::erase_table& l, cs::add_table& r)
    {
        if (same_table(l, r))
            rs.discard();
    }

    // EraseTable
    void operator()(cs::erase_table& l, cs::erase_table& r)
    {
        if (same_table(l, r)) {
            ls.discard();
            rs.discard();
        }
    }
    void operator()(cs::add_column& l, cs::erase_table& r)
    {
        if (l.type == cs::payload_type::link && same_string(l.link_target_table, r.table)) {
            cs::erase_column ec;
            ec.table = rs.adopt(ls, l.table);
            ec.field = rs.adopt(ls, l.field);
            rs.prepend(ec);
            ls.discard();
        }
    }

    // CreateObject / EraseObject
    void operator()(cs::erase_object& l, cs::create_object& r)
    {
        if (same_object(l, r))
            rs.discard(); // erase wins
    }
    void operator()(cs::erase_object& l, cs::erase_object& r)
    {
        if (same_object(l, r)) {
            // Keep the later erase, so that old erases do not beat a later erase-create pair.
            if (rs.before(ls))
                rs.discard();
            else
                ls.discard();
        }
    }

    // Update
    void operator()(cs::update& l, cs::update& r)
    {
        using cs::payload_type;
        if (!same_full_path(l, r))
            return;
        bool l_default = false, r_default = false;
        if (is_list_update(l) != is_list_update(r))
            bad_list(merge_error::invalid_instruction, "list and field update of the same path");
        if (!is_list_update(l)) {
            l_default = l.is_default;
            r_default = r.is_default;
        }
        else if (l.prior_size != r.prior_size) {
            bad_list(merge_error::prior_size_mismatch, "left.prior_size == right.prior_size");
        }
        if (l.value.type != r.value.type) {
            // An embedded object loses against a value: the value replaces the whole subtree.
            if (l.value.type == payload_type::object_value) {
                ls.discard();
                return;
            }
            if (r.value.type == payload_type::object_value) {
                rs.discard();
                return;
            }
        }
        // Creating the same collection twice is idempotent.
        if (l.value.type == r.value.type &&
            (l.value.type == payload_type::list || l.value.type == payload_type::dictionary))
            return;
        if (l_default == r_default) {
            if (ls.before(rs))
                ls.discard();
            else
                rs.discard();
        }
        else if (l_default) {
            ls.discard();
        }
        else {
            rs.discard();
        }
    }
    void operator()(cs::add_integer& l, cs::update& r)
    {
        if (!same_full_path(l, r))
            return;
        const bool r_default = !is_list_update(r) && r.is_default;
        // An addition survives a set-default whatever the order; after a set it adds to it.
        if (rs.before(ls) || r_default) {
            if (r.value.type == cs::payload_type::null)
                return;
            if (r.value.type != cs::payload_type::integer) {
                ls.discard(); // a Mixed field set to a non-integer
                return;
            }
            r.value.integer = static_cast<std::int64_t>(static_cast<std::uint64_t>(r.value.integer) +
                                                        static_cast<std::uint64_t>(l.value));
        }
        else {
            ls.discard();
        }
    }
    void operator()(cs::erase_column& l, cs::update& r)
    {
        if (same_column(l, r))
            rs.discard();
    }
    void operator()(cs::array_insert& l, cs::update& r)
    {
        if (!same_container(l, r))
            return;
        if (!is_list_update(r))
            bad_list(merge_error::invalid_instruction, "field update in a list");
        require(l.prior_size == r.prior_size, merge_error::prior_size_mismatch, "left.prior_size == right.prior_size");
        require(index_of(l) <= l.prior_size, merge_error::index_out_of_range, "left.index() <= left.prior_size");
        require(index_of(r) < r.prior_size, merge_error::index_out_of_range, "right.index() < right.prior_size");
        r.prior_size += 1;
        if (index_of(r) >= index_of(l))
            index_of(r) += 1;
    }
    void operator()(cs::array_move& l, cs::update& r)
    {
        if (!same_container(l, r))
            return;
        if (!is_list_update(r))
            bad_list(merge_error::invalid_instruction, "field update in a list");
        require(index_of(l) < l.prior_size, merge_error::index_out_of_range, "left.index() < left.prior_size");
        require(index_of(r) < r.prior_size, merge_error::index_out_of_range, "right.index() < right.prior_size");
        get_vs_move(index_of(r), index_of(l), l.ndx_2);
    }
    void operator()(cs::array_erase& l, cs::update& r)
    {
        if (!same_container(l, r))
            return;
        if (!is_list_update(r))
            bad_list(merge_error::invalid_instruction, "field update in a list");
        require(l.prior_size == r.prior_size, merge_error::prior_size_mismatch, "left.prior_size == right.prior_size");
        require(index_of(l) < l.prior_size, merge_error::index_out_of_range, "left.index() < left.prior_size");
        require(index_of(r) < r.prior_size, merge_error::index_out_of_range, "right.index() < right.prior_size");
        r.prior_size -= 1;
        if (index_of(l) == index_of(r))
            rs.discard(); // update of an erased element
        else if (index_of(r) > index_of(l))
            index_of(r) -= 1;
    }
    void operator()(cs::clear& l, cs::update& r)
    {
        using cs::payload_type;
        if (!same_full_path(l, r))
            return;
        if (r.value.type == payload_type::set)
            bad_list(merge_error::invalid_instruction, "update to a set meets a clear");
        if (l.collection == cs::collection_type::list && r.value.type == payload_type::list)
            return;
        if (l.collection == cs::collection_type::dictionary && r.value.type == payload_type::dictionary)
            return;
        if (ls.before(rs))
            ls.discard();
        else
            rs.discard();
    }

    // AddInteger
    void operator()(cs::clear& l, cs::add_integer& r)
    {
        if (same_full_path(l, r))
            rs.discard();
    }

    // AddColumn
    void operator()(cs::add_column& l, cs::add_column& r)
    {
        if (!same_column(l, r))
            return;
        const std::string where = "property '" + ls.str(l.field) + "' in class '" + ls.str(l.table) + "'";
        if (l.type != r.type)
            fail(merge_error::schema_mismatch, "schema mismatch: " + where + " has different types");
        if (l.nullable != r.nullable)
            fail(merge_error::schema_mismatch, "schema mismatch: " + where + " is nullable on one side only");
        if (l.collection != r.collection)
            fail(merge_error::schema_mismatch, "schema mismatch: " + where + " is a " + collection_name(l.collection) +
                                                   " on one side and a " + collection_name(r.collection) +
                                                   " on the other");
        if (l.type == cs::payload_type::link && ls.str(l.link_target_table) != rs.str(r.link_target_table))
            fail(merge_error::schema_mismatch, "schema mismatch: " + where + " links to different classes");
        ls.discard();
        rs.discard();
    }
    void operator()(cs::erase_column& l, cs::add_column& r)
    {
        if (same_column(l, r))
            rs.discard();
    }

    // EraseColumn
    void operator()(cs::erase_column& l, cs::erase_column& r)
    {
        if (same_column(l, r)) {
            ls.discard();
            rs.discard();
        }
    }

    // ArrayInsert
    void operator()(cs::array_insert& l, cs::array_insert& r)
    {
        if (!same_container(l, r))
            return;
        require(l.prior_size == r.prior_size, merge_error::prior_size_mismatch, "left.prior_size == right.prior_size");
        l.prior_size++;
        r.prior_size++;
        if (index_of(l) > index_of(r))
            index_of(l) += 1;
        else if (index_of(l) < index_of(r))
            index_of(r) += 1;
        else if (ls.before(rs)) // same position: the earlier insert goes first
            index_of(r) += 1;
        else
            index_of(l) += 1;
    }
    void operator()(cs::array_move& l, cs::array_insert& r)
    {
        if (!same_container(l, r))
            return;
        l.prior_size += 1;
        if (index_of(r) > index_of(l))
            index_of(r) -= 1;
        else
            index_of(l) += 1;
        if (index_of(r) < l.ndx_2)
            l.ndx_2 += 1;
        else if (index_of(r) > l.ndx_2)
            index_of(r) += 1;
        else if (ls.before(rs))
            l.ndx_2 += 1;
        else
            index_of(r) += 1;
    }
    void operator()(cs::array_erase& l, cs::array_insert& r)
    {
        if (!same_container(l, r))
            return;
        require(l.prior_size == r.prior_size, merge_error::prior_size_mismatch, "left.prior_size == right.prior_size");
        require(index_of(l) < l.prior_size, merge_error::index_out_of_range, "left.index() < left.prior_size");
        require(index_of(r) <= r.prior_size, merge_error::index_out_of_range, "right.index() <= right.prior_size");
        l.prior_size++;
        r.prior_size--;
        if (index_of(r) <= index_of(l))
            index_of(l) += 1;
        else
            index_of(r) -= 1;
    }

    // ArrayMove
    void operator()(cs::array_move& l, cs::array_move& r)
    {
        if (!same_container(l, r))
            return;
        require(l.prior_size == r.prior_size, merge_error::prior_size_mismatch, "left.prior_size == right.prior_size");
        require(index_of(l) < l.prior_size, merge_error::index_out_of_range, "left.index() < left.prior_size");
        require(index_of(r) < r.prior_size, merge_error::index_out_of_range, "right.index() < right.prior_size");
        require(l.ndx_2 < l.prior_size, merge_error::index_out_of_range, "left.ndx_2 < left.prior_size");
        require(r.ndx_2 < r.prior_size, merge_error::index_out_of_range, "right.ndx_2 < right.prior_size");
        if (index_of(l) < index_of(r)) {
            index_of(r) -= 1;
        }
        else if (index_of(l) > index_of(r)) {
            index_of(l) -= 1;
        }
        else {
            // Both moved the same element: the later move wins.
            if (ls.before(rs)) {
                index_of(r) = l.ndx_2;
                ls.discard();
                if (index_of(r) == r.ndx_2)
                    rs.discard();
            }
            else {
                index_of(l) = r.ndx_2;
                if (index_of(l) == l.ndx_2)
                    ls.discard();
                rs.discard();
            }
            return;
        }
        if (l.ndx_2 > index_of(r))
            l.ndx_2 -= 1;
        else
            index_of(r) += 1;
        if (index_of(l) < r.ndx_2)
            r.ndx_2 -= 1;
        else
            index_of(l) += 1;
        if (l.ndx_2 < r.ndx_2)
            r.ndx_2 += 1;
        else if (l.ndx_2 > r.ndx_2)
            l.ndx_2 += 1;
        else if (ls.before(rs))
            r.ndx_2 += 1;
        else
            l.ndx_2 += 1;
        if (index_of(l) == l.ndx_2)
            ls.discard();
        if (index_of(r) == r.ndx_2)
            rs.discard();
    }
    void operator()(cs::array_erase& l, cs::array_move& r)
    {
        if (!same_container(l, r))
            return;
        require(l.prior_size == r.prior_size, merge_error::prior_size_mismatch, "left.prior_size == right.prior_size");
        require(index_of(l) < l.prior_size, merge_error::index_out_of_range, "left.index() < left.prior_size");
        require(index_of(r) < r.prior_size, merge_error::index_out_of_range, "right.index() < right.prior_size");
        r.prior_size -= 1;
        if (index_of(l) == index_of(r)) {
            // The moved element is erased: erase it where it went.
            index_of(l) = r.ndx_2;
            rs.discard();
        }
        else {
            if (index_of(l) > index_of(r))
                index_of(l) -= 1;
            else
                index_of(r) -= 1;
            if (index_of(l) >= r.ndx_2)
                index_of(l) += 1;
            else
                r.ndx_2 -= 1;
            if (index_of(r) == r.ndx_2)
                rs.discard();
        }
    }

    // ArrayErase
    void operator()(cs::array_erase& l, cs::array_erase& r)
    {
        if (!same_container(l, r))
            return;
        require(l.prior_size == r.prior_size, merge_error::prior_size_mismatch, "left.prior_size == right.prior_size");
        require(index_of(l) < l.prior_size, merge_error::index_out_of_range, "left.index() < left.prior_size");
        require(index_of(r) < r.prior_size, merge_error::index_out_of_range, "right.index() < right.prior_size");
        l.prior_size -= 1;
        r.prior_size -= 1;
        if (index_of(l) > index_of(r)) {
            index_of(l) -= 1;
        }
        else if (index_of(l) < index_of(r)) {
            index_of(r) -= 1;
        }
        else {
            ls.discard();
            rs.discard();
        }
    }

    // Clear
    void operator()(cs::clear& l, cs::clear& r)
    {
        if (same_full_path(l, r)) {
            if (ls.before(rs))
                ls.discard();
            else
                rs.discard();
        }
    }
    void operator()(cs::set_insert& l, cs::clear& r)
    {
        if (same_full_path(l, r))
            ls.discard();
    }
    void operator()(cs::set_erase& l, cs::clear& r)
    {
        if (same_full_path(l, r))
            ls.discard();
    }

    // SetInsert / SetErase
    void operator()(cs::set_insert& l, cs::set_insert& r) { set_pair(l, r, same_payload(l.value, r.value)); }
    void operator()(cs::set_erase& l, cs::set_insert& r) { set_pair(l, r, same_payload(l.value, r.value)); }
    void operator()(cs::set_erase& l, cs::set_erase& r) { set_pair(l, r, raw_payload_equal(l.value, r.value)); }

    template <class L, class R>
    void set_pair(L& l, R& r, bool same_value)
    {
        // Set operations are idempotent; of two on the same value the later one is kept.
        if (same_full_path(l, r) && same_value) {
            if (ls.before(rs))
                ls.discard();
            else
                rs.discard();
        }
    }
};

/// The nested rules: `outer` has the shorter path. Unlisted outer types do nothing.
struct nested_rules : compare {
    nested_rules(side& outer, side& inner) : compare{outer, inner} {}

    template <class O, class I>
    void operator()(O& outer, I& inner)
    {
        using namespace cs;
        auto& os = ls;
        auto& is = rs;
        (void)os;
        if constexpr (std::is_same_v<O, erase_table>) {
            if (same_table(outer, inner))
                is.discard();
        }
        else if constexpr (std::is_same_v<O, erase_object>) {
            if constexpr (is_path_v<I>) {
                if (same_object(outer, inner))
                    is.discard();
            }
        }
        else if constexpr (std::is_same_v<O, update>) {
            if constexpr (is_path_v<I>) {
                if (outer.value.type == payload_type::object_value)
                    return; // creating an embedded object keeps what is done inside it
                if (auto next = prefix_of(outer, inner)) {
                    // A collection in Mixed keeps the operations that address it by the right kind.
                    if (outer.value.type == payload_type::list && is_index(*next))
                        return;
                    if (outer.value.type == payload_type::dictionary && !is_index(*next))
                        return;
                    is.discard();
                }
            }
        }
        else if constexpr (std::is_same_v<O, add_integer> || std::is_same_v<O, clear>) {
            if constexpr (is_path_v<I>) {
                if (prefix_of(outer, inner))
                    is.discard();
            }
        }
        else if constexpr (std::is_same_v<O, array_insert>) {
            if constexpr (is_path_v<I>) {
                if (container_prefix_of(outer, inner)) {
                    auto& index = corresponding_index(outer, inner);
                    if (index >= index_of(outer))
                        index += 1;
                }
            }
        }
        else if constexpr (std::is_same_v<O, array_move>) {
            if constexpr (is_path_v<I>) {
                if (container_prefix_of(outer, inner)) {
                    // realm-core passes the move's own index as the one to adjust here (not the inner
                    // path's); we do the same, so that both ends agree on the result.
                    auto& index = corresponding_index(outer, inner);
                    get_vs_move(index_of(outer), index, outer.ndx_2);
                }
            }
        }
        else if constexpr (std::is_same_v<O, array_erase>) {
            if constexpr (is_path_v<I>) {
                if (prefix_of(outer, inner)) {
                    is.discard(); // the subtree is gone
                }
                else if (container_prefix_of(outer, inner)) {
                    auto& index = corresponding_index(outer, inner);
                    if (index_of(outer) < index)
                        index -= 1;
                    else if (index == index_of(outer))
                        fail(merge_error::inconsistent_paths, "erased element still addressed");
                }
            }
        }
    }
};

} // namespace realmwire::merge::detail

#endif
