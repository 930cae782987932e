#ifndef REALMWIRE_POLICY_TOKEN_LOOKUP_HPP
#define REALMWIRE_POLICY_TOKEN_LOOKUP_HPP

// Server-side token lookup: where the acceptor reads the client's access token.
//
// A token lookup policy L is a small value type with
//
//     found_token find(const http::request& req, std::string_view query, std::error_code& ec) const;
//         the token and where it was found; on failure ec is missing_token, malformed_token_header or
//         token_in_wrong_header. `query` is the request-target's query (after '?', may be empty).
//     bool reads_query() const noexcept;
//         true when the policy needs the query string (a dialect that refuses queries then allows one).
//
// is_token_lookup<L> checks this; any_token_lookup holds any of them for a runtime choice.
//
// header_token_lookup reads a configured header, then optional fallback names, parsing the value in
// one scheme. ROS read `authorizationHeaderName || Authorization` — its Authorization fallback was the
// main proxy incompatibility (a proxy's own `Authorization` got parsed as the Realm token), so here a
// fallback exists only when configured. When none of the names is present but another header carries a
// value in the expected scheme, the error is token_in_wrong_header, which tells an operator that client
// and server disagree on the header name rather than that the client sent nothing.

#include "realmwire/detail/ascii.hpp"
#include "realmwire/dialect/dialect.hpp"
#include "realmwire/error.hpp"
#include "realmwire/errors/handshake.hpp"
#include "realmwire/http/message.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace realmwire::policy {

struct found_token {
    std::string token;
    std::string source; ///< the header name as sent, or "?<param>" for the query
};

/// Parses a header value in `scheme`; false when it does not follow it.
///  * realm_access_token: exactly ROS's `^Realm\-Access\-Token version=(\d+) token="(.*)"$` (the
///    version digits are not checked, as ROS did not; the token may not be empty)
///  * bearer: `Bearer <non-empty>` (case-sensitive, one space, as realm-core wrote it)
///  * raw: any non-empty value
inline bool parse_token_value(token_scheme scheme, std::string_view value, std::string_view& token) noexcept
{
    switch (scheme) {
        case token_scheme::realm_access_token: {
            constexpr std::string_view head = "Realm-Access-Token version=";
            if (value.substr(0, head.size()) != head)
                return false;
            value.remove_prefix(head.size());
            std::size_t digits = 0;
            while (digits < value.size() && realmwire::detail::is_digit(value[digits]))
                ++digits;
            if (digits == 0)
                return false;
            value.remove_prefix(digits);
            constexpr std::string_view mid = " token=\"";
            if (value.substr(0, mid.size()) != mid)
                return false;
            value.remove_prefix(mid.size());
            if (value.size() < 2 || value.back() != '"')
                return false;
            token = value.substr(0, value.size() - 1);
            return true;
        }
        case token_scheme::bearer: {
            constexpr std::string_view head = "Bearer ";
            if (value.size() <= head.size() || value.substr(0, head.size()) != head)
                return false;
            token = value.substr(head.size());
            return true;
        }
        case token_scheme::raw:
            if (value.empty())
                return false;
            token = value;
            return true;
    }
    return false;
}

/// The token in a header: `name` first, then each of `fallbacks`.
struct header_token_lookup {
    std::string name = "Authorization";
    token_scheme scheme = token_scheme::realm_access_token;
    std::vector<std::string> fallbacks{};

    found_token find(const http::request& req, std::string_view /*query*/, std::error_code& ec) const
    {
        found_token out;
        auto try_name = [&](std::string_view n) {
            auto v = req.headers.get(n);
            if (!v)
                return false;
            std::string_view token;
            if (!parse_token_value(scheme, *v, token)) {
                ec = make_error_code(handshake_error::malformed_token_header);
                return true;
            }
            for (const auto& f : req.headers) {
                if (realmwire::detail::iequals(f.name, n)) {
                    out.source = f.name;
                    break;
                }
            }
            out.token.assign(token.data(), token.size());
            ec.clear();
            return true;
        };
        if (try_name(name))
            return out;
        for (const auto& fb : fallbacks) {
            if (try_name(fb))
                return out;
        }
        // Nothing where we look. A raw-scheme value cannot be told from any other header, so only the
        // self-describing schemes are searched for elsewhere.
        if (scheme != token_scheme::raw) {
            for (const auto& f : req.headers) {
                std::string_view token;
                if (parse_token_value(scheme, f.value, token)) {
                    ec = make_error_code(handshake_error::token_in_wrong_header);
                    return out;
                }
            }
        }
        ec = make_error_code(handshake_error::missing_token);
        return out;
    }
    bool reads_query() const noexcept { return false; }
};

/// The token in a query parameter (`baas_at`), taken raw as realm-core sends it.
struct query_token_lookup {
    std::string param = "baas_at";

    found_token find(const http::request&, std::string_view query, std::error_code& ec) const
    {
        found_token out;
        while (!query.empty()) {
            std::size_t amp = query.find('&');
            std::string_view kv = query.substr(0, amp);
            std::size_t eq = kv.find('=');
            if (kv.substr(0, eq) == param && eq != std::string_view::npos) {
                std::string_view token = kv.substr(eq + 1);
                if (token.empty())
                    break;
                out.token.assign(token.data(), token.size());
                out.source = "?" + param;
                ec.clear();
                return out;
            }
            if (amp == std::string_view::npos)
                break;
            query.remove_prefix(amp + 1);
        }
        ec = make_error_code(handshake_error::missing_token);
        return out;
    }
    bool reads_query() const noexcept { return true; }
};

/// Requirements of a token lookup policy (see the top of this file).
template <class T, class = void>
struct is_token_lookup : std::false_type {};
template <class T>
struct is_token_lookup<
    T, std::void_t<std::enable_if_t<std::is_same_v<
                       decltype(std::declval<const T&>().find(std::declval<const http::request&>(), std::string_view{},
                                                              std::declval<std::error_code&>())),
                       found_token>>,
                   decltype(bool(std::declval<const T&>().reads_query()))>> : std::true_type {};

template <class T>
inline constexpr bool is_token_lookup_v = is_token_lookup<T>::value;

#define REALMWIRE_ASSERT_TOKEN_LOOKUP(T)                                                                       \
    static_assert(::realmwire::policy::is_token_lookup_v<T>,                                                   \
                  "token lookup policy requirements not met: the type needs "                                  \
                  "`realmwire::policy::found_token find(const realmwire::http::request&, std::string_view "    \
                  "query, std::error_code&) const` and `bool reads_query() const`")

/// Any token lookup, chosen at run time.
class any_token_lookup {
public:
    template <class L, class = std::enable_if_t<!std::is_same_v<std::decay_t<L>, any_token_lookup>>>
    any_token_lookup(L l) : impl_(std::make_shared<model<L>>(std::move(l)))
    {
        REALMWIRE_ASSERT_TOKEN_LOOKUP(L);
    }

    found_token find(const http::request& req, std::string_view query, std::error_code& ec) const
    {
        return impl_->find(req, query, ec);
    }
    bool reads_query() const noexcept { return impl_->reads_query(); }

private:
    struct concept_t {
        virtual ~concept_t() = default;
        virtual found_token find(const http::request&, std::string_view, std::error_code&) const = 0;
        virtual bool reads_query() const noexcept = 0;
    };
    template <class L>
    struct model final : concept_t {
        explicit model(L l) : l_(std::move(l)) {}
        found_token find(const http::request& r, std::string_view q, std::error_code& ec) const override
        {
            return l_.find(r, q, ec);
        }
        bool reads_query() const noexcept override { return l_.reads_query(); }
        L l_;
    };
    std::shared_ptr<const concept_t> impl_;
};

/// The lookup matching a dialect's default placement; `header_name` overrides the header's name.
inline any_token_lookup default_token_lookup(const dialect& d, std::string_view header_name = {})
{
    if (d.token_at == token_location::query)
        return query_token_lookup{std::string(d.token_query_param)};
    return header_token_lookup{std::string(header_name.empty() ? d.token_header : header_name), d.scheme, {}};
}

} // namespace realmwire::policy

#endif
