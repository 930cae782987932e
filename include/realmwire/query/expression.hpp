#ifndef REALMWIRE_QUERY_EXPRESSION_HPP
#define REALMWIRE_QUERY_EXPRESSION_HPP

// A parsed query of the realm query language (RQL) as flexible sync takes it: a tree of AND / OR / NOT
// over comparisons between top-level fields and constants. A regular value type: copy, compare,
// print back to RQL.
//
// The tree is stored flat (nodes index their children), AND and OR are n-ary, so a long chain
// `a == 1 || a == 2 || ...` is one node with many children and never a deep tree: the only depth
// comes from parentheses and NOT, which the parser bounds (limits::max_depth). Everything that walks
// the tree therefore recurses at most that deep.

#include "realmwire/changeset/model_decoder.hpp"
#include "realmwire/changeset/instruction.hpp"
#include "realmwire/error.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace realmwire::query {

/// Every bound of the parser. The defaults are generous for hand-written subscriptions and small
/// enough that a hostile text costs little.
struct limits {
    std::size_t max_length = 256 * 1024; ///< bytes of query text
    std::size_t max_depth = 64;          ///< nesting of parentheses and NOT
    std::size_t max_list_size = 10000;   ///< elements of one `IN {...}` / `BETWEEN {...}` list
    std::size_t max_nodes = 100000;      ///< comparisons and connectives in one query
};

/// Where and why a parse or a bind failed: realm-core's sentence where it has one.
struct diagnostic {
    std::size_t offset = 0; ///< byte offset into the query text
    std::string message;    ///< e.g. "Invalid predicate: 'a ==': syntax error, unexpected end of file"
};

enum class compare_op : std::uint8_t {
    equal,
    not_equal,
    less,
    less_equal,
    greater,
    greater_equal,
    begins_with,
    ends_with,
    contains,
    like,
    in,      ///< field IN {c1, c2, ...}
    between, ///< field BETWEEN {low, high}
};

/// The operator as RQL spells it.
inline const char* spelling(compare_op op) noexcept
{
    switch (op) {
        case compare_op::equal: return "==";
        case compare_op::not_equal: return "!=";
        case compare_op::less: return "<";
        case compare_op::less_equal: return "<=";
        case compare_op::greater: return ">";
        case compare_op::greater_equal: return ">=";
        case compare_op::begins_with: return "BEGINSWITH";
        case compare_op::ends_with: return "ENDSWITH";
        case compare_op::contains: return "CONTAINS";
        case compare_op::like: return "LIKE";
        case compare_op::in: return "IN";
        case compare_op::between: return "BETWEEN";
    }
    return "?";
}

inline bool is_string_op(compare_op op) noexcept
{
    return op == compare_op::begins_with || op == compare_op::ends_with || op == compare_op::contains ||
           op == compare_op::like;
}
inline bool is_ordering_op(compare_op op) noexcept
{
    return op == compare_op::less || op == compare_op::less_equal || op == compare_op::greater ||
           op == compare_op::greater_equal;
}

/// One side of a comparison: a top-level field or a constant.
struct operand {
    bool is_field = false;
    std::string field;        ///< the field name, when is_field
    changeset::payload value; ///< the constant, when !is_field (null for `NULL`)
    std::size_t offset = 0;   ///< where it starts in the text
    std::string text;         ///< the constant's text as written (for messages and printing)

    friend bool operator==(const operand& a, const operand& b)
    {
        return a.is_field == b.is_field && a.field == b.field && a.value == b.value;
    }
    friend bool operator!=(const operand& a, const operand& b) { return !(a == b); }
};

enum class node_kind : std::uint8_t { true_predicate, false_predicate, and_, or_, not_, compare };

struct node {
    node_kind kind = node_kind::true_predicate;
    // compare
    compare_op op = compare_op::equal;
    bool case_insensitive = false; ///< `[c]`
    operand left;
    std::vector<operand> right;    ///< one operand; the list of IN; the two bounds of BETWEEN
    // and_ / or_ (two or more) and not_ (one)
    std::vector<std::uint32_t> children;
    std::size_t offset = 0;

    friend bool operator==(const node& a, const node& b)
    {
        return a.kind == b.kind && a.op == b.op && a.case_insensitive == b.case_insensitive && a.left == b.left &&
               a.right == b.right && a.children == b.children;
    }
    friend bool operator!=(const node& a, const node& b) { return !(a == b); }
};

/// A parsed query. Build one with query::parse().
class expression {
public:
    expression() { nodes_.push_back(node{}); } // TRUEPREDICATE

    const node& root() const noexcept { return nodes_[root_]; }
    std::uint32_t root_index() const noexcept { return root_; }
    const node& at(std::uint32_t i) const { return nodes_.at(i); }
    std::size_t size() const noexcept { return nodes_.size(); }
    /// Deepest nesting of NOT and parentheses-made subtrees (what the evaluator recurses).
    std::size_t depth() const noexcept { return depth_; }

    // --- building (the parser, and tests that build a tree by hand) ---
    std::uint32_t add(node n)
    {
        nodes_.push_back(std::move(n));
        return static_cast<std::uint32_t>(nodes_.size() - 1);
    }
    void set_root(std::uint32_t i, std::size_t depth) noexcept
    {
        root_ = i;
        depth_ = depth;
    }
    node& mutable_at(std::uint32_t i) { return nodes_.at(i); }

    /// The query printed back as RQL, canonical: keywords upper-case, every AND/OR/NOT operand that is
    /// itself an AND/OR in parentheses, constants as they were written. Parsing it gives an equal tree.
    std::string to_string() const
    {
        std::string out;
        print(root_, out);
        return out;
    }

    /// Equal when the trees are equal (offsets and spelling of constants aside).
    friend bool operator==(const expression& a, const expression& b) { return a.same(a.root_, b, b.root_); }
    friend bool operator!=(const expression& a, const expression& b) { return !(a == b); }

private:
    bool same(std::uint32_t i, const expression& other, std::uint32_t j) const
    {
        const node& x = nodes_[i];
        const node& y = other.nodes_[j];
        if (x.kind != y.kind || x.children.size() != y.children.size())
            return false;
        if (x.kind == node_kind::compare)
            return x.op == y.op && x.case_insensitive == y.case_insensitive && x.left == y.left && x.right == y.right;
        for (std::size_t k = 0; k < x.children.size(); ++k) {
            if (!same(x.children[k], other, y.children[k]))
                return false;
        }
        return true;
    }

    static void print_operand(const operand& o, std::string& out)
    {
        if (o.is_field) {
            // the lexer's escapes inside a field name: `first\ name`
            for (char c : o.field) {
                if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                    out += '\\';
                    out += c == ' ' ? ' ' : c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
                }
                else {
                    out += c;
                }
            }
        }
        else
            out += o.text;
    }

    void print(std::uint32_t i, std::string& out) const
    {
        const node& n = nodes_[i];
        switch (n.kind) {
            case node_kind::true_predicate: out += "TRUEPREDICATE"; return;
            case node_kind::false_predicate: out += "FALSEPREDICATE"; return;
            case node_kind::not_: {
                out += "NOT ";
                print_grouped(n.children.front(), out, true);
                return;
            }
            case node_kind::and_:
            case node_kind::or_: {
                const char* sep = n.kind == node_kind::and_ ? " AND " : " OR ";
                for (std::size_t k = 0; k < n.children.size(); ++k) {
                    if (k)
                        out += sep;
                    print_grouped(n.children[k], out, false);
                }
                return;
            }
            case node_kind::compare: break;
        }
        print_operand(n.left, out);
        out += ' ';
        out += spelling(n.op);
        if (n.case_insensitive)
            out += "[c]";
        out += ' ';
        if (n.op == compare_op::in || n.op == compare_op::between) {
            out += '{';
            for (std::size_t k = 0; k < n.right.size(); ++k) {
                if (k)
                    out += ", ";
                print_operand(n.right[k], out);
            }
            out += '}';
        }
        else {
            print_operand(n.right.front(), out);
        }
    }
    void print_grouped(std::uint32_t i, std::string& out, bool under_not) const
    {
        const node& c = nodes_[i];
        bool group = c.kind == node_kind::and_ || c.kind == node_kind::or_ || (under_not && c.kind == node_kind::compare);
        if (group)
            out += '(';
        print(i, out);
        if (group)
            out += ')';
    }

    std::vector<node> nodes_;
    std::uint32_t root_ = 0;
    std::size_t depth_ = 0;
};

} // namespace realmwire::query

#endif
