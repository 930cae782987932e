#ifndef REALMWIRE_QUERY_SUBSCRIPTIONS_HPP
#define REALMWIRE_QUERY_SUBSCRIPTIONS_HPP

// The subscription set as flexible sync carries it in the QUERY and IDENT message bodies: a JSON
// object mapping each table name to one query string, e.g.
//     {"Item":"(TRUEPREDICATE) OR (name BEGINSWITH \"a\")"}
//
// write_subscriptions() produces it as realm-core's SubscriptionSet::to_ext_json does: tables in name
// order, per table its distinct query strings sorted and joined as "(q1) OR (q2)" (a single query is
// still parenthesised), "{}" for an empty set; strings escaped as nlohmann::json's dump() escapes them
// (\" \\ \b \f \n \r \t, other control bytes as \u00xx, everything else verbatim).
//
// parse_subscriptions() reads it back into one parsed query per table. The JSON reader is this
// header's own (a flat object of strings is all it takes), bounded by subscription_limits.

#include "realmwire/query/parser.hpp"

#include <algorithm>
#include <map>

namespace realmwire::query {

struct subscription_limits {
    std::size_t max_size = 16 * 1024 * 1024; ///< bytes of JSON
    std::size_t max_tables = 10000;          ///< members of the object
    limits query;                            ///< for each table's query
};

/// One subscription: a table and a query string (the client's Subscription::query_string).
struct subscription {
    std::string table;
    std::string query;
};

/// Per table, its parsed query (the OR of the table's subscriptions).
using subscription_queries = std::map<std::string, expression, std::less<>>;

namespace detail {

inline void append_json_string(std::string& out, std::string_view s)
{
    static const char hexdigits[] = "0123456789abcdef";
    out += '"';
    for (char ch : s) {
        auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\b': out += "\\b"; break;
            case '\f': out += "\\f"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            case '\t': out += "\\t"; break;
            default:
                if (c < 0x20) {
                    out += "\\u00";
                    out += hexdigits[c >> 4];
                    out += hexdigits[c & 0xF];
                }
                else {
                    out += ch;
                }
        }
    }
    out += '"';
}

// A reader for one flat JSON object of string members.
class subscription_reader {
public:
    subscription_reader(std::string_view s, const subscription_limits& lim, std::error_code& ec, diagnostic* d)
        : s_(s), lim_(lim), ec_(ec), diag_(d)
    {
    }

    bool read(std::vector<std::pair<std::string, std::string>>& members)
    {
        if (s_.size() > lim_.max_size)
            return fail(0, "subscription set is " + std::to_string(s_.size()) + " bytes, above the limit of " +
                               std::to_string(lim_.max_size), query_error::too_long);
        ws();
        if (!expect('{'))
            return false;
        ws();
        if (peek() == '}') {
            ++p_;
        }
        else {
            for (;;) {
                if (members.size() >= lim_.max_tables)
                    return fail(p_, "subscription set has more than " + std::to_string(lim_.max_tables) + " tables",
                                query_error::list_too_large);
                std::pair<std::string, std::string> m;
                ws();
                std::size_t key_at = p_;
                if (!string(m.first))
                    return false;
                for (const auto& other : members)
                    if (other.first == m.first)
                        return fail(key_at, "table '" + m.first + "' appears twice in the subscription set");
                ws();
                if (!expect(':'))
                    return false;
                ws();
                if (!string(m.second))
                    return false;
                members.push_back(std::move(m));
                ws();
                if (peek() == ',') {
                    ++p_;
                    continue;
                }
                if (!expect('}'))
                    return false;
                break;
            }
        }
        ws();
        if (p_ != s_.size())
            return fail(p_, "trailing characters after the subscription set");
        return true;
    }

private:
    bool fail(std::size_t at, std::string msg, query_error e = query_error::malformed_subscriptions)
    {
        ec_ = e;
        if (diag_) {
            diag_->offset = at;
            diag_->message = std::move(msg);
        }
        return false;
    }
    char peek() const noexcept { return p_ < s_.size() ? s_[p_] : '\0'; }
    void ws() noexcept
    {
        while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\t' || s_[p_] == '\r' || s_[p_] == '\n'))
            ++p_;
    }
    bool expect(char c)
    {
        if (peek() != c || p_ >= s_.size())
            return fail(p_, std::string("expected '") + c + "' in the subscription set");
        ++p_;
        return true;
    }
    bool hex4(std::uint32_t& v)
    {
        if (p_ + 4 > s_.size())
            return fail(p_, "truncated \\u escape");
        v = 0;
        for (int k = 0; k < 4; ++k) {
            char c = s_[p_++];
            int d = is_digit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
            if (d < 0)
                return fail(p_ - 1, "bad \\u escape");
            v = v * 16 + static_cast<std::uint32_t>(d);
        }
        return true;
    }
    static void utf8(std::string& out, std::uint32_t cp)
    {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        }
        else if (cp < 0x800) {
            out += static_cast<char>(0xC0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
        else if (cp < 0x10000) {
            out += static_cast<char>(0xE0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
        else {
            out += static_cast<char>(0xF0 | (cp >> 18));
            out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
            out += static_cast<char>(0x80 | (cp & 0x3F));
        }
    }
    bool string(std::string& out)
    {
        if (peek() != '"' || p_ >= s_.size())
            return fail(p_, "expected a JSON string in the subscription set");
        ++p_;
        for (;;) {
            if (p_ >= s_.size())
                return fail(p_, "unterminated string in the subscription set");
            char c = s_[p_];
            if (c == '"') {
                ++p_;
                return true;
            }
            if (static_cast<unsigned char>(c) < 0x20)
                return fail(p_, "control character in a string of the subscription set");
            if (c != '\\') {
                out += c;
                ++p_;
                continue;
            }
            ++p_;
            char e = peek();
            ++p_;
            switch (e) {
                case '"': out += '"'; break;
                case '\\': out += '\\'; break;
                case '/': out += '/'; break;
                case 'b': out += '\b'; break;
                case 'f': out += '\f'; break;
                case 'n': out += '\n'; break;
                case 'r': out += '\r'; break;
                case 't': out += '\t'; break;
                case 'u': {
                    std::uint32_t cp = 0;
                    if (!hex4(cp))
                        return false;
                    if (cp >= 0xD800 && cp <= 0xDBFF) {
                        std::uint32_t lo = 0;
                        if (peek() != '\\' || p_ + 1 >= s_.size() || s_[p_ + 1] != 'u')
                            return fail(p_, "unpaired surrogate in the subscription set");
                        p_ += 2;
                        if (!hex4(lo))
                            return false;
                        if (lo < 0xDC00 || lo > 0xDFFF)
                            return fail(p_ - 4, "unpaired surrogate in the subscription set");
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    }
                    else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                        return fail(p_ - 4, "unpaired surrogate in the subscription set");
                    }
                    utf8(out, cp);
                    break;
                }
                default: return fail(p_ - 1, "bad escape in the subscription set");
            }
        }
    }

    std::string_view s_;
    const subscription_limits& lim_;
    std::error_code& ec_;
    diagnostic* diag_;
    std::size_t p_ = 0;
};

} // namespace detail

/// The subscription set's JSON, byte for byte as realm-core's to_ext_json writes it.
inline std::string write_subscriptions(const std::vector<subscription>& subs)
{
    std::map<std::string, std::vector<std::string>> per_table;
    for (const auto& s : subs) {
        auto& qs = per_table[s.table];
        if (std::find(qs.begin(), qs.end(), s.query) == qs.end())
            qs.push_back(s.query);
    }
    if (per_table.empty())
        return "{}";
    std::string out = "{";
    bool first_table = true;
    for (auto& [table, qs] : per_table) {
        std::stable_sort(qs.begin(), qs.end());
        std::string joined;
        for (std::size_t i = 0; i < qs.size(); ++i) {
            if (i)
                joined += " OR ";
            joined += '(';
            joined += qs[i];
            joined += ')';
        }
        if (!first_table)
            out += ',';
        first_table = false;
        detail::append_json_string(out, table);
        out += ':';
        detail::append_json_string(out, joined);
    }
    out += '}';
    return out;
}

/// The raw members (table, query string) of a subscription set, in document order.
inline std::vector<subscription> read_subscriptions(std::string_view json, std::error_code& ec,
                                                    diagnostic* diag = nullptr, const subscription_limits& lim = {})
{
    ec.clear();
    std::vector<std::pair<std::string, std::string>> members;
    detail::subscription_reader r(json, lim, ec, diag);
    if (!r.read(members))
        return {};
    std::vector<subscription> out;
    out.reserve(members.size());
    for (auto& m : members)
        out.push_back({std::move(m.first), std::move(m.second)});
    return out;
}

/// Each table's query, parsed. A query error names the table; its offset is into that query string.
inline subscription_queries parse_subscriptions(std::string_view json, std::error_code& ec,
                                                diagnostic* diag = nullptr, const subscription_limits& lim = {})
{
    subscription_queries out;
    auto subs = read_subscriptions(json, ec, diag, lim);
    if (ec)
        return out;
    for (auto& s : subs) {
        expression e = parse(s.query, ec, diag, lim.query);
        if (ec) {
            if (diag)
                diag->message = "subscription on '" + s.table + "': " + diag->message;
            return {};
        }
        out.emplace(std::move(s.table), std::move(e));
    }
    return out;
}

inline subscription_queries parse_subscriptions(std::string_view json, const subscription_limits& lim = {})
{
    std::error_code ec;
    diagnostic d;
    auto out = parse_subscriptions(json, ec, &d, lim);
    if (ec)
        throw_error(ec, d.message, error_info{d.offset, {}});
    return out;
}

} // namespace realmwire::query

#endif
