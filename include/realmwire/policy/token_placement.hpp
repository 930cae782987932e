#ifndef REALMWIRE_POLICY_TOKEN_PLACEMENT_HPP
#define REALMWIRE_POLICY_TOKEN_PLACEMENT_HPP

// Client-side token placement: where the access token goes in the upgrade request.
//
// A token placement policy P is a small value type with
//
//     void place(std::string_view token, http::request& req, std::error_code& ec) const;
//         adds the token to `req` (a header, or the query of req.target); sets ec on failure and
//         never replaces a header that is already there (that is a token_header_clash).
//     bool uses_header(std::string_view name) const noexcept;
//         true when `name` (case-insensitive) is a header this policy writes, so the request builder
//         can refuse a custom header that would clash with it.
//
// is_token_placement<P> checks this; any_token_placement holds any of them for a runtime choice.
// Shipped: header_token (any header name, value scheme realm/bearer/raw), query_token (`?baas_at=`,
// appended raw like realm-core does), and both(a, b) (a-write5's query + `X-Realm-Auth: Bearer`).

#include "realmwire/detail/ascii.hpp"
#include "realmwire/dialect/dialect.hpp"
#include "realmwire/error.hpp"
#include "realmwire/errors/handshake.hpp"
#include "realmwire/http/fields.hpp"
#include "realmwire/http/message.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace realmwire::policy {

namespace detail {

/// Header values may hold any byte but CR, LF and NUL (which would split or end the head); leading and
/// trailing whitespace would be trimmed away by every parser, so it is refused too.
inline bool is_header_value(std::string_view value) noexcept
{
    for (char c : value) {
        if (c == '\r' || c == '\n' || c == '\0')
            return false;
    }
    return value.empty() || (!realmwire::detail::is_ows(value.front()) && !realmwire::detail::is_ows(value.back()));
}

/// A token appended raw to the request-target must not end the target or start a fragment.
inline bool is_query_safe(std::string_view token) noexcept
{
    for (char c : token) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f || c == '#' || c == '&')
            return false;
    }
    return true;
}

} // namespace detail

/// The header value for `token` in `scheme`.
inline std::string format_token_value(token_scheme scheme, std::string_view token)
{
    switch (scheme) {
        case token_scheme::realm_access_token:
            return "Realm-Access-Token version=1 token=\"" + std::string(token) + "\"";
        case token_scheme::bearer: return "Bearer " + std::string(token);
        case token_scheme::raw: return std::string(token);
    }
    return std::string(token);
}

/// The token in a header of any name, written in one of the value schemes.
struct header_token {
    std::string name = "Authorization";
    token_scheme scheme = token_scheme::realm_access_token;

    void place(std::string_view token, http::request& req, std::error_code& ec) const
    {
        if (token.empty()) {
            ec = make_error_code(handshake_error::empty_token);
            return;
        }
        if (!http::is_token(name)) {
            ec = make_error_code(handshake_error::invalid_header_name);
            return;
        }
        std::string value = format_token_value(scheme, token);
        if (!detail::is_header_value(value)) {
            ec = make_error_code(handshake_error::invalid_header_value);
            return;
        }
        if (req.headers.contains(name)) {
            ec = make_error_code(handshake_error::token_header_clash);
            return;
        }
        req.headers.add(name, value);
        ec.clear();
    }
    bool uses_header(std::string_view n) const noexcept { return realmwire::detail::iequals(n, name); }
};

/// The token as a query parameter (`baas_at` by default), appended raw — realm-core does not
/// percent-encode it (client.cpp:1789-1801), so `+ / : =` travel verbatim.
struct query_token {
    std::string param = "baas_at";

    void place(std::string_view token, http::request& req, std::error_code& ec) const
    {
        if (token.empty()) {
            ec = make_error_code(handshake_error::empty_token);
            return;
        }
        if (!detail::is_query_safe(token)) {
            ec = make_error_code(handshake_error::invalid_header_value);
            return;
        }
        req.target += req.target.find('?') == std::string::npos ? '?' : '&';
        req.target += param;
        req.target += '=';
        req.target += token;
        ec.clear();
    }
    bool uses_header(std::string_view) const noexcept { return false; }
};

/// Requirements of a token placement policy (see the top of this file).
template <class T, class = void>
struct is_token_placement : std::false_type {};
template <class T>
struct is_token_placement<
    T, std::void_t<decltype(std::declval<const T&>().place(std::string_view{}, std::declval<http::request&>(),
                                                           std::declval<std::error_code&>())),
                   decltype(bool(std::declval<const T&>().uses_header(std::string_view{})))>> : std::true_type {};

template <class T>
inline constexpr bool is_token_placement_v = is_token_placement<T>::value;

#define REALMWIRE_ASSERT_TOKEN_PLACEMENT(T)                                                                    \
    static_assert(::realmwire::policy::is_token_placement_v<T>,                                                \
                  "token placement policy requirements not met: the type needs "                               \
                  "`void place(std::string_view token, realmwire::http::request&, std::error_code&) const` "  \
                  "and `bool uses_header(std::string_view name) const`")

/// Two placements at once (e.g. the query and a header, as realm-core's test client does with
/// --send-auth-header). The first runs first.
template <class A, class B>
struct both_token {
    A first;
    B second;

    void place(std::string_view token, http::request& req, std::error_code& ec) const
    {
        first.place(token, req, ec);
        if (!ec)
            second.place(token, req, ec);
    }
    bool uses_header(std::string_view n) const noexcept { return first.uses_header(n) || second.uses_header(n); }
};

template <class A, class B>
both_token<A, B> both(A a, B b)
{
    REALMWIRE_ASSERT_TOKEN_PLACEMENT(A);
    REALMWIRE_ASSERT_TOKEN_PLACEMENT(B);
    return {std::move(a), std::move(b)};
}

/// Any token placement, chosen at run time (e.g. from a command line).
class any_token_placement {
public:
    template <class P, class = std::enable_if_t<!std::is_same_v<std::decay_t<P>, any_token_placement>>>
    any_token_placement(P p) : impl_(std::make_shared<model<P>>(std::move(p)))
    {
        REALMWIRE_ASSERT_TOKEN_PLACEMENT(P);
    }

    void place(std::string_view token, http::request& req, std::error_code& ec) const { impl_->place(token, req, ec); }
    bool uses_header(std::string_view n) const noexcept { return impl_->uses_header(n); }

private:
    struct concept_t {
        virtual ~concept_t() = default;
        virtual void place(std::string_view, http::request&, std::error_code&) const = 0;
        virtual bool uses_header(std::string_view) const noexcept = 0;
    };
    template <class P>
    struct model final : concept_t {
        explicit model(P p) : p_(std::move(p)) {}
        void place(std::string_view t, http::request& r, std::error_code& ec) const override { p_.place(t, r, ec); }
        bool uses_header(std::string_view n) const noexcept override { return p_.uses_header(n); }
        P p_;
    };
    std::shared_ptr<const concept_t> impl_;
};

/// The placement a dialect uses when nothing else is configured: a header named `header_name` (empty =
/// the dialect's default) in the dialect's scheme, or the query.
inline any_token_placement default_token_placement(const dialect& d, std::string_view header_name = {})
{
    if (d.token_at == token_location::query)
        return query_token{std::string(d.token_query_param)};
    return header_token{std::string(header_name.empty() ? d.token_header : header_name), d.scheme};
}

} // namespace realmwire::policy

#endif
