#ifndef REALMWIRE_QUERY_PARSER_HPP
#define REALMWIRE_QUERY_PARSER_HPP

// The realm query language parser, sans-I/O: text in, query::expression or a precise error out.
//
// It takes the language realm-core's parser (v14) accepts and refuses, with its own error code, what
// flexible sync does not take: key paths and collection operators (`a.b`, `@count`, `@size`, `ANY`,
// `SUBQUERY`), argument placeholders (`$0`), arithmetic, `TEXT`, `geoWithin`, links (`O0`, `L0:0`)
// and the SORT / DISTINCT / LIMIT descriptors (Atlas Device Sync refused them in subscriptions).
// The tokens, keywords and literal forms are realm-core's, including its quirks:
//  * string literals are taken verbatim between their quotes: an escape such as `\"` stays two bytes
//    (realm-core does not decode them either), so a subscription means here what it means there;
//  * integers are read as C's strtoll with base 0: `0x1F` is hex, `017` is octal, overflow saturates;
//  * keywords are case-insensitive except `in`, `not`, `any`, `all`, `none`, `true`, `false`, which
//    are lower or upper case only (`True` is a field name).
// Syntax errors read as realm-core's: "Invalid predicate: '<text>': syntax error, unexpected <token>"
// (bison's ", expecting ..." list is not reproduced).
//
// Bounded: limits::max_length bytes, limits::max_depth nesting, limits::max_list_size elements per
// list, limits::max_nodes terms. The recursion is over nesting only and stops at max_depth.

#include "realmwire/config.hpp"
#include "realmwire/query/expression.hpp"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <new>
#include <optional>

namespace realmwire::query {

namespace detail {

enum class tok : std::uint8_t {
    end,
    lparen,
    rparen,
    lbrace,
    rbrace,
    lbracket,
    rbracket,
    comma,
    dot,
    arith, // + - * /
    eq,
    ne,
    lt,
    le,
    gt,
    ge,
    case_c,
    and_,
    or_,
    not_,
    kw_beginswith,
    kw_endswith,
    kw_contains,
    kw_like,
    kw_between,
    kw_in,
    kw_text,
    kw_geowithin,
    kw_quantifier, // any some all none
    kw_subquery,
    kw_sort,
    kw_distinct,
    kw_limit,
    kw_truepredicate,
    kw_falsepredicate,
    kw_true,
    kw_false,
    kw_null,
    kw_other, // binary, obj, asc, desc, first, last, size, geobox, ...
    at_keyword,
    identifier,
    string,
    base64,
    number,
    float_,
    infinity,
    nan,
    timestamp,
    object_id,
    uuid,
    link,
    argument,
};

struct token {
    tok kind = tok::end;
    std::size_t offset = 0;
    std::string_view text;
};

/// bison's name for a token, as realm-core's messages print it.
inline std::string token_name(const token& t)
{
    switch (t.kind) {
        case tok::end: return "end of file";
        case tok::lparen: return "'('";
        case tok::rparen: return "')'";
        case tok::lbrace: return "'{'";
        case tok::rbrace: return "'}'";
        case tok::lbracket: return "'['";
        case tok::rbracket: return "']'";
        case tok::comma: return "','";
        case tok::dot: return "'.'";
        case tok::arith: return "'" + std::string(t.text) + "'";
        case tok::eq: return "==";
        case tok::ne: return "!=";
        case tok::lt: return "<";
        case tok::le: return "<=";
        case tok::gt: return ">";
        case tok::ge: return ">=";
        case tok::case_c: return "[c]";
        case tok::and_: return "&&";
        case tok::or_: return "||";
        case tok::not_: return "!";
        case tok::kw_truepredicate: return "truepredicate";
        case tok::kw_falsepredicate: return "falsepredicate";
        case tok::kw_true: return "true";
        case tok::kw_false: return "false";
        case tok::kw_null: return "null";
        case tok::kw_subquery: return "subquery";
        case tok::identifier: return "identifier";
        case tok::string: return "string";
        case tok::base64: return "base64";
        case tok::number: return "number";
        case tok::float_: return "float";
        case tok::infinity: return "infinity";
        case tok::nan: return "NaN";
        case tok::timestamp: return "date";
        case tok::object_id: return "ObjectId";
        case tok::uuid: return "UUID";
        case tok::link: return "link";
        case tok::argument: return "argument";
        case tok::at_keyword: return std::string(t.text);
        default: break;
    }
    // keywords: bison names them by their lower-case spelling
    std::string s(t.text);
    for (char& c : s)
        c = static_cast<char>((c >= 'A' && c <= 'Z') ? c + 32 : c);
    return s;
}

inline bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
inline bool is_hex(char c) noexcept
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
inline bool is_letter(char c) noexcept
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '$';
}

inline bool iequals(std::string_view a, std::string_view b) noexcept
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = static_cast<char>(x + 32);
        if (y >= 'A' && y <= 'Z')
            y = static_cast<char>(y + 32);
        if (x != y)
            return false;
    }
    return true;
}

/// Length of a well-formed UTF-8 sequence of two to four bytes at `p` (the lexer's `utf8` class), or 0.
inline std::size_t utf8_length(std::string_view s, std::size_t p) noexcept
{
    auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[p + k]); };
    auto cont = [&](std::size_t k) { return p + k < s.size() && (b(k) & 0xC0) == 0x80; };
    unsigned char c = b(0);
    if (c >= 0xC2 && c <= 0xDF)
        return cont(1) ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF)
        return cont(1) && cont(2) ? 3 : 0;
    if (c >= 0xF0 && c <= 0xF7)
        return cont(1) && cont(2) && cont(3) ? 4 : 0;
    return 0;
}

/// The scanner. Longest match, ties to the earlier rule, as flex does with realm-core's rules.
class lexer {
public:
    explicit lexer(std::string_view text) : s_(text) {}

    /// Next token; tok::end at the end. On a character no rule takes, returns false with `bad` set.
    bool next(token& t, std::size_t& bad)
    {
        while (p_ < s_.size() && (s_[p_] == ' ' || s_[p_] == '\t' || s_[p_] == '\r' || s_[p_] == '\n'))
            ++p_;
        t = token{};
        t.offset = p_;
        if (p_ >= s_.size()) {
            t.kind = tok::end;
            return true;
        }
        std::size_t start = p_;
        auto emit = [&](tok k, std::size_t len) {
            t.kind = k;
            t.text = s_.substr(start, len);
            p_ = start + len;
            return true;
        };
        char c = s_[p_];
        char n1 = at(p_ + 1);

        // numbers and dates first: they may start with a sign or a digit
        if (is_digit(c) || ((c == '+' || c == '-' || c == '.') && (is_digit(n1) || n1 == '.')) ||
            ((c == '+' || c == '-') && (n1 == 'i' || n1 == 'I' || n1 == 'n' || n1 == 'N'))) {
            if (std::size_t len = match_number(start, t.kind))
                return emit(t.kind, len);
        }
        switch (c) {
            case '(': return emit(tok::lparen, 1);
            case ')': return emit(tok::rparen, 1);
            case '{': return emit(tok::lbrace, 1);
            case '}': return emit(tok::rbrace, 1);
            case ',': return emit(tok::comma, 1);
            case '.': return emit(tok::dot, 1);
            case ']': return emit(tok::rbracket, 1);
            case '[':
                if (s_.compare(p_, 3, "[c]") == 0)
                    return emit(tok::case_c, 3);
                return emit(tok::lbracket, 1);
            case '+':
            case '-':
            case '*':
            case '/': return emit(tok::arith, 1);
            case '=':
                if (n1 == '=')
                    return emit(tok::eq, 2);
                if (n1 == '<')
                    return emit(tok::le, 2);
                if (n1 == '>')
                    return emit(tok::ge, 2);
                return emit(tok::eq, 1);
            case '!':
                if (n1 == '=')
                    return emit(tok::ne, 2);
                return emit(tok::not_, 1);
            case '<':
                if (n1 == '=')
                    return emit(tok::le, 2);
                if (n1 == '>')
                    return emit(tok::ne, 2);
                return emit(tok::lt, 1);
            case '>':
                if (n1 == '=')
                    return emit(tok::ge, 2);
                return emit(tok::gt, 1);
            case '&':
                if (n1 == '&')
                    return emit(tok::and_, 2);
                break;
            case '|':
                if (n1 == '|')
                    return emit(tok::or_, 2);
                break;
            case '"':
            case '\'':
                if (std::size_t len = match_string(start + 1, c))
                    return emit(tok::string, len + 1);
                break;
            case '@': {
                std::size_t e = start + 1;
                while (e < s_.size() && (s_[e] >= 'a' && s_[e] <= 'z'))
                    ++e;
                std::string_view w = s_.substr(start, e - start);
                if (w == "@size" || w == "@count" || w == "@max" || w == "@min" || w == "@sum" || w == "@avg" ||
                    w == "@links" || w == "@type" || w == "@keys" || w == "@values")
                    return emit(tok::at_keyword, w.size());
                break;
            }
            default: break;
        }
        if (is_letter(c) || utf8_length(s_, p_) != 0)
            return word(start, t);
        bad = start;
        return false;
    }

private:
    char at(std::size_t i) const noexcept { return i < s_.size() ? s_[i] : '\0'; }
    std::size_t digits(std::size_t i) const noexcept
    {
        std::size_t e = i;
        while (e < s_.size() && is_digit(s_[e]))
            ++e;
        return e - i;
    }

    // Length of "…" / '…' content plus closing quote from `i`, or 0 when unterminated or a bad escape.
    std::size_t match_string(std::size_t i, char quote) const noexcept
    {
        std::size_t e = i;
        while (e < s_.size()) {
            char c = s_[e];
            if (c == quote)
                return e - i + 1;
            if (c == '\\') {
                char x = at(e + 1);
                if (x == '"' || x == '\'' || x == '/' || x == 'b' || x == 'f' || x == 'n' || x == 'r' ||
                    x == 't' || x == '0' || x == '\\') {
                    e += 2;
                    continue;
                }
                if (x == 'u' && e + 5 < s_.size() && is_hex(s_[e + 2]) && is_hex(s_[e + 3]) && is_hex(s_[e + 4]) &&
                    is_hex(s_[e + 5])) {
                    e += 6;
                    continue;
                }
                return 0;
            }
            ++e;
        }
        return 0;
    }

    // `{int}-{int}-{int}[@T]{int}:{int}:{int}(:{int})?` at i: its length, or 0.
    std::size_t match_date(std::size_t i) const noexcept
    {
        std::size_t e = i;
        auto num = [&] {
            std::size_t d = digits(e);
            e += d;
            return d != 0;
        };
        auto ch = [&](char c) {
            if (at(e) != c)
                return false;
            ++e;
            return true;
        };
        if (!(num() && ch('-') && num() && ch('-') && num()))
            return 0;
        if (!(ch('@') || ch('T')))
            return 0;
        if (!(num() && ch(':') && num() && ch(':') && num()))
            return 0;
        std::size_t before = e;
        if (!(ch(':') && num()))
            e = before;
        return e - i;
    }

    std::size_t match_number(std::size_t i, tok& kind) const noexcept
    {
        std::size_t e = i;
        bool sign = s_[e] == '+' || s_[e] == '-';
        if (!sign) {
            if (std::size_t d = match_date(i)) {
                kind = tok::timestamp;
                return d;
            }
            if (s_[e] == '0' && (at(e + 1) == 'x' || at(e + 1) == 'X') && is_hex(at(e + 2))) {
                std::size_t h = e + 2;
                while (h < s_.size() && is_hex(s_[h]))
                    ++h;
                kind = tok::number;
                return h - i;
            }
        }
        if (sign)
            ++e;
        // inf / infinity / nan with an optional sign (word boundary as flex: longest match wins, so
        // `-information` is '-' then an identifier)
        if (!is_digit(at(e)) && at(e) != '.') {
            std::size_t w = e;
            while (w < s_.size() && (is_letter(s_[w]) || is_digit(s_[w]) || s_[w] == '-'))
                ++w;
            std::string_view word = s_.substr(e, w - e);
            if (iequals(word, "inf") || iequals(word, "infinity")) {
                kind = tok::infinity;
                return w - i;
            }
            if (iequals(word, "nan")) {
                kind = tok::nan;
                return w - i;
            }
            return 0;
        }
        std::size_t int_digits = digits(e);
        e += int_digits;
        bool is_float = false;
        if (at(e) == '.') {
            std::size_t frac = digits(e + 1);
            if (int_digits != 0 || frac != 0) {
                e += 1 + frac;
                is_float = true;
            }
        }
        if (int_digits == 0 && !is_float)
            return 0;
        if (at(e) == 'e' || at(e) == 'E') {
            std::size_t x = e + 1;
            if (at(x) == '+' || at(x) == '-')
                ++x;
            if (std::size_t d = digits(x)) {
                e = x + d;
                is_float = true;
            }
        }
        if (at(e) == 'f') {
            ++e;
            is_float = true;
        }
        kind = is_float ? tok::float_ : tok::number;
        // a number glued to letters (`12abc`) is two tokens in flex; the grammar then refuses it
        return e - i;
    }

    bool word(std::size_t start, token& t)
    {
        // special forms that begin with letters and are longer than the identifier they start with
        std::string_view rest = s_.substr(start);
        auto take = [&](tok k, std::size_t len) {
            t.kind = k;
            t.text = s_.substr(start, len);
            p_ = start + len;
            return true;
        };
        if (rest.size() >= 29 && rest.compare(0, 4, "oid(") == 0 && rest[28] == ')') {
            bool ok = true;
            for (std::size_t k = 4; k < 28; ++k)
                ok = ok && is_hex(rest[k]);
            if (ok)
                return take(tok::object_id, 29);
        }
        if (rest.size() >= 42 && rest.compare(0, 5, "uuid(") == 0 && rest[41] == ')') {
            bool ok = true;
            for (std::size_t k = 5; k < 41; ++k) {
                bool dash = k == 13 || k == 18 || k == 23 || k == 28;
                ok = ok && (dash ? rest[k] == '-' : is_hex(rest[k]));
            }
            if (ok)
                return take(tok::uuid, 42);
        }
        if (rest.compare(0, 4, "B64\"") == 0) {
            std::size_t e = 4;
            while (e < rest.size() && (is_hex(rest[e]) || is_letter(rest[e]) || rest[e] == '/' || rest[e] == '+' ||
                                       rest[e] == '=') && rest[e] != '$' && rest[e] != '_')
                ++e;
            if (e < rest.size() && rest[e] == '"')
                return take(tok::base64, e + 1);
        }
        // identifier: ({letter}|{utf8})({id_char}|{utf8}|\\[ nrt])*
        std::size_t e = start;
        while (e < s_.size()) {
            char c = s_[e];
            if (is_letter(c) || is_digit(c) || c == '-') {
                ++e;
                continue;
            }
            if (c == '\\' && e > start) {
                char x = at(e + 1);
                if (x == ' ' || x == 'n' || x == 'r' || x == 't') {
                    e += 2;
                    continue;
                }
                break;
            }
            if (std::size_t u = utf8_length(s_, e)) {
                e += u;
                continue;
            }
            break;
        }
        std::size_t id_len = e - start;
        // `T<sint>:<sint>` is longer than the identifier `T<digits>` it starts with
        if (rest[0] == 'T') {
            std::size_t x = 1;
            if (x < rest.size() && (rest[x] == '+' || rest[x] == '-'))
                ++x;
            std::size_t d = digits(start + x);
            if (d) {
                x += d;
                if (x < rest.size() && rest[x] == ':') {
                    std::size_t y = x + 1;
                    if (y < rest.size() && (rest[y] == '+' || rest[y] == '-'))
                        ++y;
                    std::size_t d2 = digits(start + y);
                    if (d2 && y + d2 >= id_len)
                        return take(tok::timestamp, y + d2);
                }
            }
        }
        std::string_view w = s_.substr(start, id_len);
        auto all_digits_from = [&](std::size_t k) {
            if (w.size() <= k)
                return false;
            for (std::size_t j = k; j < w.size(); ++j)
                if (!is_digit(w[j]))
                    return false;
            return true;
        };
        if (w[0] == '$' && (all_digits_from(1) || (w.size() > 2 && w[1] == 'K' && all_digits_from(2))))
            return take(tok::argument, id_len);
        if (w[0] == 'O' && all_digits_from(1))
            return take(tok::link, id_len);
        if (w[0] == 'L' && all_digits_from(1) && at(e) == ':' && is_digit(at(e + 1))) {
            return take(tok::link, id_len + 1 + digits(e + 1));
        }
        return take(keyword(w), id_len);
    }

    static tok keyword(std::string_view w) noexcept
    {
        if (w == "in" || w == "IN")
            return tok::kw_in;
        if (w == "not" || w == "NOT")
            return tok::not_;
        if (w == "any" || w == "ANY" || w == "some" || w == "SOME" || w == "all" || w == "ALL" || w == "none" ||
            w == "NONE")
            return tok::kw_quantifier;
        if (w == "true" || w == "TRUE")
            return tok::kw_true;
        if (w == "false" || w == "FALSE")
            return tok::kw_false;
        if (w == "FIRST" || w == "first" || w == "LAST" || w == "last" || w == "SIZE" || w == "size")
            return tok::kw_other;
        struct entry {
            const char* word;
            tok kind;
        };
        static const entry table[] = {
            {"and", tok::and_},
            {"or", tok::or_},
            {"beginswith", tok::kw_beginswith},
            {"endswith", tok::kw_endswith},
            {"contains", tok::kw_contains},
            {"text", tok::kw_text},
            {"like", tok::kw_like},
            {"between", tok::kw_between},
            {"geowithin", tok::kw_geowithin},
            {"truepredicate", tok::kw_truepredicate},
            {"falsepredicate", tok::kw_falsepredicate},
            {"sort", tok::kw_sort},
            {"distinct", tok::kw_distinct},
            {"limit", tok::kw_limit},
            {"subquery", tok::kw_subquery},
            {"null", tok::kw_null},
            {"nil", tok::kw_null},
            {"inf", tok::infinity},
            {"infinity", tok::infinity},
            {"nan", tok::nan},
            {"bin", tok::kw_other},
            {"binary", tok::kw_other},
            {"obj", tok::kw_other},
            {"asc", tok::kw_other},
            {"ascending", tok::kw_other},
            {"desc", tok::kw_other},
            {"descending", tok::kw_other},
            {"geobox", tok::kw_other},
            {"geopolygon", tok::kw_other},
            {"geocircle", tok::kw_other},
        };
        for (const auto& en : table) {
            if (iequals(w, en.word))
                return en.kind;
        }
        return tok::identifier;
    }

    std::string_view s_;
    std::size_t p_ = 0;
};

// days since 1970-01-01 of a proleptic Gregorian date (month 1..12)
inline std::int64_t days_from_civil(std::int64_t y, std::int64_t m, std::int64_t d) noexcept
{
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

class parser {
public:
    parser(std::string_view text, const limits& lim) : text_(text), lim_(lim), lex_(text) {}

    bool run(expression& out, std::error_code& ec, diagnostic* diag)
    {
        ec_ = &ec;
        diag_ = diag;
        out_ = &out;
        if (text_.size() > lim_.max_length)
            return fail(query_error::too_long, lim_.max_length,
                        "Query is " + std::to_string(text_.size()) + " bytes, longer than the limit of " +
                            std::to_string(lim_.max_length));
        if (!advance())
            return false;
        std::uint32_t root = 0;
        std::size_t depth = 0;
        if (!parse_or(0, root, depth))
            return false;
        if (cur_.kind == tok::kw_sort || cur_.kind == tok::kw_distinct || cur_.kind == tok::kw_limit)
            return fail(query_error::descriptor, cur_.offset,
                        "Invalid predicate: '" + std::string(text_) + "': " + upper(cur_.text) +
                            " is not supported in flexible sync subscriptions");
        if (cur_.kind != tok::end)
            return syntax(cur_);
        out.set_root(root, depth);
        return true;
    }

private:
    static std::string upper(std::string_view s)
    {
        std::string r(s);
        for (char& c : r)
            c = static_cast<char>((c >= 'a' && c <= 'z') ? c - 32 : c);
        return r;
    }

    bool fail(query_error e, std::size_t offset, std::string message)
    {
        *ec_ = e;
        if (diag_) {
            diag_->offset = offset;
            diag_->message = std::move(message);
        }
        return false;
    }
    bool syntax(const token& t)
    {
        return fail(query_error::syntax_error, t.offset,
                    "Invalid predicate: '" + std::string(text_) + "': syntax error, unexpected " + token_name(t));
    }
    bool advance()
    {
        std::size_t bad = 0;
        if (!lex_.next(cur_, bad)) {
            std::size_t len = utf8_length(text_, bad);
            return fail(query_error::syntax_error, bad,
                        "Invalid predicate: '" + std::string(text_) +
                            "': invalid character: " + std::string(text_.substr(bad, len ? len : 1)));
        }
        return true;
    }
    bool add(node n, std::uint32_t& index)
    {
        if (out_->size() >= lim_.max_nodes)
            return fail(query_error::too_many_nodes, n.offset,
                        "Query has more than " + std::to_string(lim_.max_nodes) + " terms");
        index = out_->add(std::move(n));
        return true;
    }

    // or := and (OR and)*
    bool parse_or(std::size_t depth, std::uint32_t& index, std::size_t& max_depth)
    {
        std::size_t offset = cur_.offset;
        std::vector<std::uint32_t> items(1);
        if (!parse_and(depth, items[0], max_depth))
            return false;
        while (cur_.kind == tok::or_) {
            if (!advance())
                return false;
            items.emplace_back();
            if (!parse_and(depth, items.back(), max_depth))
                return false;
        }
        if (items.size() == 1) {
            index = items[0];
            return true;
        }
        node n;
        n.kind = node_kind::or_;
        n.offset = offset;
        n.children = std::move(items);
        return add(std::move(n), index);
    }

    bool parse_and(std::size_t depth, std::uint32_t& index, std::size_t& max_depth)
    {
        std::size_t offset = cur_.offset;
        std::vector<std::uint32_t> items(1);
        if (!parse_unary(depth, items[0], max_depth))
            return false;
        while (cur_.kind == tok::and_) {
            if (!advance())
                return false;
            items.emplace_back();
            if (!parse_unary(depth, items.back(), max_depth))
                return false;
        }
        if (items.size() == 1) {
            index = items[0];
            return true;
        }
        node n;
        n.kind = node_kind::and_;
        n.offset = offset;
        n.children = std::move(items);
        return add(std::move(n), index);
    }

    bool enter(std::size_t depth, std::size_t& max_depth)
    {
        if (depth + 1 > lim_.max_depth)
            return fail(query_error::too_deep, cur_.offset,
                        "Query nests deeper than the limit of " + std::to_string(lim_.max_depth));
        if (depth + 1 > max_depth)
            max_depth = depth + 1;
        return true;
    }

    bool parse_unary(std::size_t depth, std::uint32_t& index, std::size_t& max_depth)
    {
        token t = cur_;
        switch (t.kind) {
            case tok::not_: {
                if (!enter(depth, max_depth) || !advance())
                    return false;
                node n;
                n.kind = node_kind::not_;
                n.offset = t.offset;
                n.children.resize(1);
                if (!parse_unary(depth + 1, n.children[0], max_depth))
                    return false;
                return add(std::move(n), index);
            }
            case tok::lparen: {
                if (!enter(depth, max_depth) || !advance())
                    return false;
                if (!parse_or(depth + 1, index, max_depth))
                    return false;
                if (cur_.kind != tok::rparen)
                    return syntax(cur_);
                return advance();
            }
            case tok::kw_truepredicate:
            case tok::kw_falsepredicate: {
                node n;
                n.kind = t.kind == tok::kw_truepredicate ? node_kind::true_predicate : node_kind::false_predicate;
                n.offset = t.offset;
                if (!advance())
                    return false;
                return add(std::move(n), index);
            }
            default: return parse_compare(index);
        }
    }

    // An operand: a top-level field or a constant. Refuses what flexible sync does not take.
    bool parse_operand(operand& o)
    {
        token t = cur_;
        o.offset = t.offset;
        if (t.kind == tok::kw_other && (iequals(t.text, "bin") || iequals(t.text, "binary"))) {
            if (!advance())
                return false;
            if (cur_.kind == tok::lparen)
                return binary_constant(t, o);
            return field_after(t, o); // a field named `binary`, as realm-core's grammar allows
        }
        if (t.kind == tok::kw_other && iequals(t.text, "obj"))
            return fail(query_error::unsupported_expression, t.offset,
                        "Invalid predicate: '" + std::string(text_) +
                            "': link constant obj(...) is not supported in flexible sync subscriptions");
        if (keyword_as_name(t))
            t.kind = tok::identifier;
        switch (t.kind) {
            case tok::identifier: {
                if (!advance())
                    return false;
                return field_after(t, o);
            }
            case tok::at_keyword:
                return fail(query_error::key_path, t.offset,
                            "Invalid predicate: '" + std::string(text_) + "': '" + std::string(t.text) +
                                "' is not supported in flexible sync subscriptions (only top-level fields)");
            case tok::kw_quantifier:
            case tok::kw_subquery:
                return fail(query_error::key_path, t.offset,
                            "Invalid predicate: '" + std::string(text_) + "': " + upper(t.text) +
                                " is not supported in flexible sync subscriptions (only top-level fields)");
            case tok::argument:
                return fail(query_error::argument, t.offset,
                            "Invalid predicate: '" + std::string(text_) + "': argument '" + std::string(t.text) +
                                "' is not supported: a subscription carries no arguments");
            case tok::link:
                return fail(query_error::unsupported_expression, t.offset,
                            "Invalid predicate: '" + std::string(text_) + "': link constant '" +
                                std::string(t.text) + "' is not supported in flexible sync subscriptions");
            default: break;
        }
        o.is_field = false;
        o.text = std::string(t.text);
        if (!constant(t, o.value))
            return false;
        return advance();
    }

    // The name token `t` has been consumed; refuse what would make it a key path.
    bool field_after(const token& t, operand& o)
    {
        if (cur_.kind == tok::dot || cur_.kind == tok::at_keyword || cur_.kind == tok::lbracket)
            return fail(query_error::key_path, t.offset,
                        "Invalid predicate: '" + std::string(text_) + "': key path '" + std::string(t.text) +
                            std::string(cur_.text) +
                            "...' is not supported in flexible sync subscriptions (only top-level fields)");
        o.is_field = true;
        o.field = unescape_identifier(t.text);
        return true;
    }

    // `binary("...")` or `binary(B64"...")`: a Binary constant (how realm-core prints binary values).
    // `t`, the keyword, has been consumed and cur_ is '('.
    bool binary_constant(const token& t, operand& o)
    {
        if (!advance())
            return false;
        token v = cur_;
        if (v.kind != tok::string && v.kind != tok::base64)
            return syntax(v);
        if (!constant(v, o.value))
            return false;
        o.value.type = changeset::payload_type::binary;
        if (!advance())
            return false;
        if (cur_.kind != tok::rparen)
            return syntax(cur_);
        o.is_field = false;
        o.text = std::string(text_.substr(t.offset, cur_.offset + 1 - t.offset));
        return advance();
    }

    // realm-core's grammar takes these keywords as field names too (its `id` rule)
    static bool keyword_as_name(const token& t) noexcept
    {
        switch (t.kind) {
            case tok::kw_beginswith:
            case tok::kw_endswith:
            case tok::kw_contains:
            case tok::kw_like:
            case tok::kw_between:
            case tok::kw_sort:
            case tok::kw_distinct:
            case tok::kw_limit:
            case tok::kw_in:
            case tok::kw_text: return true;
            case tok::kw_other:
                for (const char* w : {"asc", "ascending", "desc", "descending", "bin", "binary"})
                    if (iequals(t.text, w))
                        return true;
                return t.text == "FIRST" || t.text == "first" || t.text == "LAST" || t.text == "last" ||
                       t.text == "SIZE" || t.text == "size";
            default: return false;
        }
    }

    static std::string unescape_identifier(std::string_view s)
    {
        std::string r;
        r.reserve(s.size());
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (s[i] == '\\' && i + 1 < s.size()) {
                char x = s[++i];
                r += x == 'n' ? '\n' : x == 'r' ? '\r' : x == 't' ? '\t' : x;
            }
            else {
                r += s[i];
            }
        }
        return r;
    }

    bool constant(const token& t, changeset::payload& v)
    {
        std::string text(t.text);
        switch (t.kind) {
            case tok::kw_null: v = changeset::payload::null(); return true;
            case tok::kw_true: v = changeset::payload::make_bool(true); return true;
            case tok::kw_false: v = changeset::payload::make_bool(false); return true;
            case tok::string: v = changeset::payload::make_string(text.substr(1, text.size() - 2)); return true;
            case tok::number: {
                // strtoll with base 0, as realm-core reads NUMBER: octal for a leading 0, saturating
                errno = 0;
                long long x = std::strtoll(text.c_str(), nullptr, 0);
                v = changeset::payload::make_int(static_cast<std::int64_t>(x));
                return true;
            }
            case tok::float_: {
                bool is_float = text.back() == 'f';
                double d = std::strtod(text.c_str(), nullptr);
                v = is_float ? changeset::payload::make_float(static_cast<float>(d)) : changeset::payload::make_double(d);
                return true;
            }
            case tok::infinity: {
                double d = std::numeric_limits<double>::infinity();
                v = changeset::payload::make_double(text[0] == '-' ? -d : d);
                return true;
            }
            case tok::nan: v = changeset::payload::make_double(std::numeric_limits<double>::quiet_NaN()); return true;
            case tok::object_id: {
                changeset::object_id oid;
                for (std::size_t k = 0; k < 12; ++k)
                    oid.bytes[k] = static_cast<std::uint8_t>(hex(text[4 + 2 * k]) * 16 + hex(text[5 + 2 * k]));
                v = changeset::payload::make_object_id(oid);
                return true;
            }
            case tok::uuid: {
                changeset::uuid u;
                std::size_t k = 0;
                for (std::size_t i = 5; i < 41 && k < 16; ++i) {
                    if (text[i] == '-')
                        continue;
                    u.bytes[k++] = static_cast<std::uint8_t>(hex(text[i]) * 16 + hex(text[i + 1]));
                    ++i;
                }
                v = changeset::payload::make_uuid(u);
                return true;
            }
            case tok::base64: return base64(t, v);
            case tok::timestamp: return timestamp(t, v);
            default: return syntax(t);
        }
    }

    static int hex(char c) noexcept
    {
        return is_digit(c) ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : c - 'A' + 10;
    }

    bool base64(const token& t, changeset::payload& v)
    {
        // B64"..." is how realm-core prints a string with quotes, backslashes or control characters;
        // decode it (standard alphabet, padding optional)
        std::string_view body = t.text.substr(4, t.text.size() - 5);
        std::string out;
        std::uint32_t acc = 0;
        int bits = 0;
        for (char c : body) {
            int d = (c >= 'A' && c <= 'Z')   ? c - 'A'
                    : (c >= 'a' && c <= 'z') ? c - 'a' + 26
                    : is_digit(c)            ? c - '0' + 52
                    : c == '+'               ? 62
                    : c == '/'               ? 63
                                             : -1;
            if (d < 0)
                break; // '=' padding ends the data
            acc = (acc << 6) | static_cast<std::uint32_t>(d);
            bits += 6;
            if (bits >= 8) {
                bits -= 8;
                out += static_cast<char>((acc >> bits) & 0xFF);
            }
        }
        v = changeset::payload::make_string(std::move(out)); // a String, as realm-core reads B64"..."
        return true;
    }

    bool timestamp(const token& t, changeset::payload& v)
    {
        std::string_view s = t.text;
        std::int64_t seconds = 0;
        std::int64_t nanos = 0;
        auto invalid = [&](const std::string& why) {
            return fail(query_error::invalid_literal, t.offset, "Invalid predicate: '" + std::string(text_) + "': " + why);
        };
        auto read = [&](std::string_view part, std::int64_t max, std::int64_t& outv) {
            // at most 18 digits keeps the arithmetic in range; realm-core's sscanf %d would overflow
            bool neg = !part.empty() && part[0] == '-';
            if (!part.empty() && (part[0] == '-' || part[0] == '+'))
                part.remove_prefix(1);
            std::int64_t x = 0;
            for (char c : part) {
                x = x * 10 + (c - '0');
                if (x > max)
                    return false;
            }
            outv = neg ? -x : x;
            return true;
        };
        if (s[0] == 'T') {
            std::size_t colon = s.find(':');
            if (!read(s.substr(1, colon - 1), std::numeric_limits<std::int64_t>::max() / 10, seconds) ||
                !read(s.substr(colon + 1), 999999999, nanos))
                return invalid("Invalid timestamp format");
        }
        else {
            std::int64_t f[7] = {0, 0, 0, 0, 0, 0, 0};
            std::size_t k = 0, i = 0;
            while (i < s.size() && k < 7) {
                std::size_t j = i;
                while (j < s.size() && is_digit(s[j]))
                    ++j;
                if (!read(s.substr(i, j - i), std::numeric_limits<std::int32_t>::max(), f[k]))
                    return invalid("Invalid timestamp format");
                ++k;
                i = j + 1;
            }
            if (f[0] < 1900)
                return invalid("Conversion of dates before 1900 is not supported.");
            if (k == 7 && f[6] > 999999999)
                return invalid("Invalid timestamp format");
            // timegm semantics: out-of-range fields carry into the next (month 13 is January next year)
            std::int64_t month0 = f[1] - 1;
            std::int64_t year = f[0] + (month0 >= 0 ? month0 / 12 : (month0 - 11) / 12);
            month0 -= (year - f[0]) * 12;
            std::int64_t days = days_from_civil(year, month0 + 1, 1) + f[2] - 1;
            seconds = days * 86400 + f[3] * 3600 + f[4] * 60 + f[5];
            nanos = k == 7 ? f[6] : 0;
            if (seconds < 0)
                nanos = -nanos; // the sign of seconds is the sign of the nanoseconds
        }
        if (!((seconds >= 0 && nanos >= 0) || (seconds <= 0 && nanos <= 0)))
            return invalid("Invalid timestamp format");
        v = changeset::payload::make_timestamp({seconds, static_cast<std::int32_t>(nanos)});
        return true;
    }

    static bool compare_token(tok k, compare_op& op) noexcept
    {
        switch (k) {
            case tok::eq: op = compare_op::equal; return true;
            case tok::ne: op = compare_op::not_equal; return true;
            case tok::lt: op = compare_op::less; return true;
            case tok::le: op = compare_op::less_equal; return true;
            case tok::gt: op = compare_op::greater; return true;
            case tok::ge: op = compare_op::greater_equal; return true;
            case tok::kw_beginswith: op = compare_op::begins_with; return true;
            case tok::kw_endswith: op = compare_op::ends_with; return true;
            case tok::kw_contains: op = compare_op::contains; return true;
            case tok::kw_like: op = compare_op::like; return true;
            case tok::kw_in: op = compare_op::in; return true;
            case tok::kw_between: op = compare_op::between; return true;
            default: return false;
        }
    }

    bool parse_list(std::vector<operand>& items)
    {
        // cur_ is '{'
        if (!advance())
            return false;
        if (cur_.kind == tok::rbrace)
            return advance();
        for (;;) {
            if (items.size() >= lim_.max_list_size)
                return fail(query_error::list_too_large, cur_.offset,
                            "List has more than " + std::to_string(lim_.max_list_size) + " elements");
            operand o;
            bool binary_keyword = cur_.kind == tok::kw_other && (iequals(cur_.text, "bin") || iequals(cur_.text, "binary"));
            if (cur_.kind == tok::identifier || (keyword_as_name(cur_) && !binary_keyword) || cur_.kind == tok::lbrace || cur_.kind == tok::rbrace ||
                cur_.kind == tok::comma)
                return syntax(cur_);
            if (!parse_operand(o))
                return false;
            items.push_back(std::move(o));
            if (cur_.kind == tok::rbrace)
                return advance();
            if (cur_.kind != tok::comma)
                return syntax(cur_);
            if (!advance())
                return false;
        }
    }

    bool parse_compare(std::uint32_t& index)
    {
        node n;
        n.kind = node_kind::compare;
        n.offset = cur_.offset;
        if (cur_.kind == tok::lbrace)
            return fail(query_error::unsupported_expression, cur_.offset,
                        "Invalid predicate: '" + std::string(text_) +
                            "': a list on the left of a comparison is not supported in flexible sync subscriptions");
        if (!parse_operand(n.left))
            return false;
        if (cur_.kind == tok::arith)
            return fail(query_error::unsupported_expression, cur_.offset,
                        "Invalid predicate: '" + std::string(text_) +
                            "': arithmetic is not supported in flexible sync subscriptions");
        if (cur_.kind == tok::kw_text || cur_.kind == tok::kw_geowithin)
            return fail(query_error::unsupported_expression, cur_.offset,
                        "Invalid predicate: '" + std::string(text_) + "': " + upper(cur_.text) +
                            " is not supported in flexible sync subscriptions");
        if (!compare_token(cur_.kind, n.op))
            return syntax(cur_);
        token op_token = cur_;
        if (!advance())
            return false;
        if (cur_.kind == tok::case_c) {
            // realm-core's grammar takes [c] after an equality or string operator only
            if (is_ordering_op(n.op) || n.op == compare_op::between)
                return syntax(cur_);
            n.case_insensitive = true;
            if (!advance())
                return false;
        }
        if (n.op == compare_op::between || n.op == compare_op::in) {
            if (cur_.kind == tok::kw_quantifier)
                return fail(query_error::key_path, cur_.offset,
                            "Invalid predicate: '" + std::string(text_) + "': " + upper(cur_.text) +
                                " is not supported in flexible sync subscriptions (only top-level fields)");
            if (cur_.kind != tok::lbrace) {
                if (n.op == compare_op::in && (cur_.kind == tok::identifier || cur_.kind == tok::argument))
                    return fail(cur_.kind == tok::argument ? query_error::argument : query_error::unsupported_expression,
                                cur_.offset,
                                "Invalid predicate: '" + std::string(text_) +
                                    "': IN needs a constant list {...} in flexible sync subscriptions");
                return syntax(cur_);
            }
            if (!parse_list(n.right))
                return false;
            if (n.op == compare_op::between && n.right.size() != 2)
                return fail(query_error::syntax_error, op_token.offset, "Operator 'BETWEEN' requires list with 2 elements.");
            if (!n.left.is_field)
                return fail(query_error::constant_comparison, n.offset,
                            "Comparison between two constants is not supported ('" + n.left.text + "' and '{...}')");
        }
        else {
            if (cur_.kind == tok::lbrace)
                return fail(query_error::unsupported_expression, cur_.offset,
                            "Invalid predicate: '" + std::string(text_) + "': a list on the right of '" +
                                spelling(n.op) + "' is not supported in flexible sync subscriptions (use IN)");
            n.right.resize(1);
            if (!parse_operand(n.right[0]))
                return false;
            if (cur_.kind == tok::arith)
                return fail(query_error::unsupported_expression, cur_.offset,
                            "Invalid predicate: '" + std::string(text_) +
                                "': arithmetic is not supported in flexible sync subscriptions");
            if (!n.left.is_field && !n.right[0].is_field)
                return fail(query_error::constant_comparison, n.offset,
                            "Comparison between two constants is not supported ('" + n.left.text + "' and '" +
                                n.right[0].text + "')");
        }
        return add(std::move(n), index);
    }

    std::string_view text_;
    const limits& lim_;
    lexer lex_;
    token cur_;
    std::error_code* ec_ = nullptr;
    diagnostic* diag_ = nullptr;
    expression* out_ = nullptr;
};

} // namespace detail

/// Parses a query. On failure returns FALSEPREDICATE (expression::match_nothing()) with `ec` set and,
/// if given, `diag` filled.
inline expression parse(std::string_view text, std::error_code& ec, diagnostic* diag = nullptr,
                        const limits& lim = {})
{
    ec.clear();
    expression out;
    detail::parser p(text, lim);
    REALMWIRE_TRY {
        if (!p.run(out, ec, diag))
            return expression::match_nothing();
    }
    REALMWIRE_CATCH(const std::bad_alloc&) { // the limits keep memory small; this is the last line of defence
        ec = query_error::too_many_nodes;
        return expression::match_nothing();
    }
    return out;
}

/// Throwing form: realmwire::system_error whose what() holds the diagnostic and error_info the offset.
inline expression parse(std::string_view text, const limits& lim = {})
{
    std::error_code ec;
    diagnostic d;
    expression e = parse(text, ec, &d, lim);
    if (ec)
        throw_error(ec, d.message, error_info{d.offset, {}});
    return e;
}

} // namespace realmwire::query

#endif
