#ifndef REALMWIRE_QUERY_SCHEMA_HPP
#define REALMWIRE_QUERY_SCHEMA_HPP

// The schema a query is typed against, and binding: a parsed query checked against one table.
//
// query::schema holds tables of fields with realm types (changeset::payload_type; null means Mixed,
// as in AddColumn), nullability and collection kind. Which fields a subscription may name: by
// default every top-level scalar field (not a link, not a list/set/dictionary); restrict_queryable()
// narrows that to an explicit list of "Table.field" (Atlas's queryable fields).
//
// bind() checks every field name and every operand type and reports realm-core's sentences:
//   'Item' has no property 'foo'
//   Unsupported comparison between type 'string' and type 'int'
//   Unsupported comparison operator 'beginswith' against type 'int', right side must be a string or binary type
//   Infinity not supported for int
// and, for a field outside the queryable list, Atlas's
//   unsupported query for table "Item": key "secret" is not a queryable field

#include "realmwire/query/evaluate.hpp"
#include "realmwire/query/parser.hpp"

#include <map>

namespace realmwire::query {

struct field_info {
    changeset::payload_type type = changeset::payload_type::null; ///< null: Mixed
    bool nullable = false;
    changeset::collection_type collection = changeset::collection_type::single;
    bool queryable = true;

    /// A top-level scalar a query can compare: not a link, not a collection.
    bool is_scalar() const noexcept
    {
        return collection == changeset::collection_type::single && type != changeset::payload_type::link &&
               (type == changeset::payload_type::null || class_of(type) != value_class::other);
    }
};

struct table_schema {
    std::map<std::string, field_info, std::less<>> fields;

    const field_info* find(std::string_view name) const
    {
        auto it = fields.find(name);
        return it == fields.end() ? nullptr : &it->second;
    }
};

class schema {
public:
    /// Adds (or finds) a table.
    table_schema& add_table(std::string name) { return tables_[std::move(name)]; }

    /// Adds a field; queryable when it is a scalar (and no restriction is in force).
    schema& add_field(std::string table, std::string name, changeset::payload_type type, bool nullable = false,
                      changeset::collection_type collection = changeset::collection_type::single)
    {
        field_info f;
        f.type = type;
        f.nullable = nullable;
        f.collection = collection;
        f.queryable = f.is_scalar() && !restricted_;
        tables_[std::move(table)].fields[std::move(name)] = f;
        return *this;
    }

    const table_schema* find(std::string_view table) const
    {
        auto it = tables_.find(table);
        return it == tables_.end() ? nullptr : &it->second;
    }
    const std::map<std::string, table_schema, std::less<>>& tables() const noexcept { return tables_; }

    /// Only the listed fields ("Table.field") stay queryable; every other field of every table
    /// (and fields added later) is not. An entry naming no field, or a field that is not a scalar,
    /// is an error and changes nothing.
    void restrict_queryable(const std::vector<std::string>& table_dot_field, std::error_code& ec,
                            diagnostic* diag = nullptr)
    {
        ec.clear();
        std::vector<std::pair<std::string_view, std::string_view>> keep;
        for (const auto& entry : table_dot_field) {
            std::string_view s = entry;
            std::size_t dot = s.find('.');
            auto fail = [&](query_error e, std::string msg) {
                ec = e;
                if (diag) {
                    diag->offset = 0;
                    diag->message = std::move(msg);
                }
            };
            if (dot == std::string_view::npos) {
                fail(query_error::unknown_field, "'" + entry + "' is not of the form Table.field");
                return;
            }
            std::string_view table = s.substr(0, dot), field = s.substr(dot + 1);
            const table_schema* t = find(table);
            if (!t) {
                fail(query_error::unknown_table, "No table '" + std::string(table) + "' in the schema");
                return;
            }
            const field_info* f = t->find(field);
            if (!f) {
                fail(query_error::unknown_field,
                     "'" + std::string(table) + "' has no property '" + std::string(field) + "'");
                return;
            }
            if (!f->is_scalar()) {
                fail(query_error::field_not_queryable,
                     "'" + entry + "' is not a top-level scalar field and cannot be queryable");
                return;
            }
            keep.emplace_back(table, field);
        }
        restricted_ = true;
        for (auto& [tname, t] : tables_)
            for (auto& [fname, f] : t.fields)
                f.queryable = false;
        for (auto [tname, fname] : keep)
            tables_.find(tname)->second.fields.find(fname)->second.queryable = true;
    }
    void restrict_queryable(const std::vector<std::string>& table_dot_field)
    {
        diagnostic d;
        std::error_code ec;
        restrict_queryable(table_dot_field, ec, &d);
        if (ec)
            throw_error(ec, d.message);
    }

private:
    std::map<std::string, table_schema, std::less<>> tables_;
    bool restricted_ = false;
};

/// A query checked against a table: evaluate it with matches(). Constants are converted to their
/// field's type where realm-core converts them (an integral double against an Int field).
struct bound_query {
    std::string table;
    expression where;

    template <class Object>
    bool matches(const Object& object) const
    {
        return evaluate(where, object);
    }
};

namespace detail {

class binder {
public:
    binder(const table_schema& t, std::string_view table, std::error_code& ec, diagnostic* diag)
        : t_(t), table_(table), ec_(ec), diag_(diag)
    {
    }

    bool check(expression& e)
    {
        for (std::uint32_t i = 0; i < e.size(); ++i) {
            node& n = e.mutable_at(i);
            if (n.kind == node_kind::compare && !check_compare(n))
                return false;
        }
        return true;
    }

private:
    bool fail(query_error e, std::size_t offset, std::string message)
    {
        ec_ = e;
        if (diag_) {
            diag_->offset = offset;
            diag_->message = std::move(message);
        }
        return false;
    }

    bool resolve(const operand& o, const field_info*& f)
    {
        f = t_.find(o.field);
        if (!f)
            return fail(query_error::unknown_field, o.offset,
                        "'" + std::string(table_) + "' has no property '" + o.field + "'");
        if (!f->queryable)
            return fail(query_error::field_not_queryable, o.offset,
                        "unsupported query for table \"" + std::string(table_) + "\": key \"" + o.field +
                            "\" is not a queryable field");
        return true;
    }

    static std::string op_string(const node& n)
    {
        std::string s;
        switch (n.op) {
            case compare_op::equal: s = "="; break; // realm-core's string_for_op spells == as =
            case compare_op::not_equal: s = "!="; break;
            case compare_op::in: s = "in"; break;
            case compare_op::begins_with: s = "beginswith"; break;
            case compare_op::ends_with: s = "endswith"; break;
            case compare_op::contains: s = "contains"; break;
            case compare_op::like: s = "like"; break;
            default: s = spelling(n.op); break;
        }
        if (n.case_insensitive && !is_string_op(n.op))
            s += "[c]";
        return s;
    }

    // field (type F) against a constant
    bool check_constant(const node& n, const field_info& f, operand& c)
    {
        using pt = changeset::payload_type;
        const bool mixed = f.type == pt::null;
        pt ct = c.value.type;
        if (is_string_op(n.op) || n.case_insensitive) {
            if (ct != pt::null && class_of(ct) != value_class::string)
                return fail(query_error::type_mismatch, c.offset,
                            "Unsupported comparison operator '" + op_string(n) + "' against type '" + type_name(ct) +
                                "', right side must be a string or binary type");
            if (!mixed && class_of(f.type) != value_class::string)
                return fail(query_error::type_mismatch, c.offset,
                            std::string("Unsupported comparison between type '") + type_name(f.type, true) +
                                "' and type '" + type_name(ct) + "'");
            return true;
        }
        if (ct == pt::null || mixed)
            return true;
        if (ct == pt::double_ && std::isinf(c.value.double_value) &&
            (f.type == pt::integer || class_of(f.type) != value_class::numeric))
            return fail(query_error::type_mismatch, c.offset, std::string("Infinity not supported for ") + type_name(f.type, true));
        if (class_of(ct) != class_of(f.type))
            return fail(query_error::type_mismatch, c.offset,
                        std::string("Unsupported comparison between type '") + type_name(f.type, true) +
                            "' and type '" + type_name(ct) + "'");
        // realm-core turns a double constant that is exactly an integer into an Int for an Int field
        if (f.type == pt::integer && ct == pt::double_) {
            double d = c.value.double_value;
            if (d >= -9223372036854775808.0 && d < 9223372036854775808.0) {
                auto i = static_cast<std::int64_t>(d);
                if (static_cast<double>(i) == d)
                    c.value = changeset::payload::make_int(i);
            }
        }
        return true;
    }

    bool check_compare(node& n)
    {
        const field_info* lf = nullptr;
        const field_info* rf = nullptr;
        if (n.left.is_field && !resolve(n.left, lf))
            return false;
        for (auto& r : n.right) {
            if (r.is_field) {
                if (!resolve(r, rf))
                    return false;
                if (!lf) { // constant on the left, field on the right
                    if (!check_constant(n, *rf, n.left))
                        return false;
                    continue;
                }
                using pt = changeset::payload_type;
                bool string_needed = is_string_op(n.op) || n.case_insensitive;
                bool ok = lf->type == pt::null || rf->type == pt::null ||
                          (class_of(lf->type) == class_of(rf->type) &&
                           (!string_needed || class_of(lf->type) == value_class::string));
                if (!ok)
                    return fail(query_error::type_mismatch, r.offset,
                                std::string("Unsupported comparison between type '") + type_name(lf->type, true) +
                                    "' and type '" + type_name(rf->type, true) + "'");
            }
            else if (lf && !check_constant(n, *lf, r)) {
                return false;
            }
        }
        return true;
    }

    const table_schema& t_;
    std::string_view table_;
    std::error_code& ec_;
    diagnostic* diag_;
};

} // namespace detail

/// Checks `where` against `table` of `s`. Offsets in `diag` point into the query text it was parsed from.
inline bound_query bind(const expression& where, const schema& s, std::string_view table, std::error_code& ec,
                        diagnostic* diag = nullptr)
{
    ec.clear();
    const table_schema* t = s.find(table);
    if (!t) {
        ec = query_error::unknown_table;
        if (diag) {
            diag->offset = 0;
            diag->message = "No table '" + std::string(table) + "' in the schema";
        }
        return {};
    }
    bound_query out{std::string(table), where};
    detail::binder b(*t, table, ec, diag);
    if (!b.check(out.where))
        return {};
    return out;
}

inline bound_query bind(const expression& where, const schema& s, std::string_view table)
{
    std::error_code ec;
    diagnostic d;
    bound_query q = query::bind(where, s, table, ec, &d);
    if (ec)
        throw_error(ec, d.message, error_info{d.offset, {}});
    return q;
}

/// Parse and bind in one step.
inline bound_query parse_for(std::string_view text, const schema& s, std::string_view table, std::error_code& ec,
                             diagnostic* diag = nullptr, const limits& lim = {})
{
    expression e = parse(text, ec, diag, lim);
    if (ec)
        return {};
    return query::bind(e, s, table, ec, diag);
}

} // namespace realmwire::query

#endif
