#ifndef REALMWIRE_AUTH_CLIENT_HPP
#define REALMWIRE_AUTH_CLIENT_HPP

// The client side of ROS's `/auth` API, sans-I/O: request builders and answer parsers.
//
// Headers are applied as Cocoa and Java did (as ROS-era SDKs sent them; see docs/auth.md): `Content-Type:
// application/json;charset=utf-8`, `Accept: application/json`, then the policy's custom headers (which
// may replace those two), then — only on endpoints that carry a token — the policy's auth header name
// set to the raw token. The Realm token is set last, so it wins over a custom header of the same name
// (Cocoa's behaviour; Java sent both lines).

#include "realmwire/auth/claims.hpp"
#include "realmwire/auth/problem.hpp"
#include "realmwire/detail/json.hpp"
#include "realmwire/errors/auth.hpp"
#include "realmwire/http/message.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace realmwire::auth {

/// How this client talks to an auth server.
struct auth_client_policy {
    std::string host;                                  ///< Host header value ("example.com:9080")
    std::string auth_path = "/auth";                   ///< path of the /auth endpoint (a prefix works)
    std::string authorization_header_name = "Authorization";
    http::fields custom_headers;                       ///< sent on every request
    std::string app_id;                                ///< empty: the server's default
};

/// Login credentials for POST /auth.
struct credentials {
    std::string provider;
    picojson::value data;
    picojson::object user_info;

    static credentials password(std::string username, std::string password, std::optional<bool> register_user = {})
    {
        credentials c{"password", picojson::value(std::move(username)), {}};
        c.user_info["password"] = picojson::value(std::move(password));
        if (register_user)
            c.user_info["register"] = picojson::value(*register_user);
        return c;
    }
    static credentials nickname(std::string name, bool is_admin = false)
    {
        credentials c{"nickname", picojson::value(std::move(name)), {}};
        c.user_info["is_admin"] = picojson::value(is_admin);
        return c;
    }
    static credentials anonymous() { return {"anonymous", picojson::value(std::string()), {}}; }
    static credentials jwt(std::string token, std::string provider = "jwt")
    {
        return {std::move(provider), picojson::value(std::move(token)), {}};
    }
    static credentials custom(std::string provider, picojson::value data, picojson::object user_info = {})
    {
        return {std::move(provider), std::move(data), std::move(user_info)};
    }
};

namespace detail {

inline http::request auth_request_base(const auth_client_policy& p, const char* method, std::string target)
{
    http::request r;
    r.method = method;
    r.target = std::move(target);
    if (!p.host.empty())
        r.headers.set("Host", p.host);
    r.headers.set("Content-Type", "application/json;charset=utf-8");
    r.headers.set("Accept", "application/json");
    for (const auto& f : p.custom_headers)
        r.headers.set(f.name, f.value);
    return r;
}

inline void set_token(http::request& r, const auth_client_policy& p, std::string_view token)
{
    r.headers.set(p.authorization_header_name.empty() ? std::string_view("Authorization") : p.authorization_header_name,
                  token);
}

/// A compact JSON object writer for request bodies (members in the order written, no '/' escaping).
class body_writer {
public:
    body_writer& str(const char* k, std::string_view v)
    {
        key(k);
        out_ += json_quote(v);
        return *this;
    }
    body_writer& raw(const char* k, std::string_view json)
    {
        key(k);
        out_ += json;
        return *this;
    }
    std::string done() { return out_ + "}"; }

private:
    void key(const char* k)
    {
        out_ += out_.size() > 1 ? "," : "";
        out_ += json_quote(k);
        out_ += ":";
    }
    std::string out_ = "{";
};

inline void finish(http::request& r, std::string body)
{
    r.body = std::move(body);
    r.headers.set("Content-Length", std::to_string(r.body.size()));
}

} // namespace detail

/// POST /auth with a provider's credentials → refresh token.
inline http::request make_login_request(const auth_client_policy& p, const credentials& c)
{
    http::request r = detail::auth_request_base(p, "POST", p.auth_path);
    detail::body_writer w;
    w.str("provider", c.provider).raw("data", c.data.serialize()).raw("user_info", picojson::value(c.user_info).serialize());
    w.str("app_id", p.app_id);
    detail::finish(r, w.done());
    return r;
}

/// POST /auth {"provider":"realm","data":refresh,"path":path} → access token for that realm.
/// Without a path → user token.
inline http::request make_refresh_request(const auth_client_policy& p, std::string_view refresh_token,
                                          std::optional<std::string_view> path)
{
    http::request r = detail::auth_request_base(p, "POST", p.auth_path);
    detail::body_writer w;
    w.str("provider", "realm").str("data", refresh_token);
    if (path)
        w.str("path", *path);
    w.str("app_id", p.app_id);
    detail::finish(r, w.done());
    return r;
}

/// POST /auth/revoke {"token"} with `auth_token` (the user's refresh token, or an admin token).
inline http::request make_revoke_request(const auth_client_policy& p, std::string_view auth_token,
                                         std::string_view token_to_revoke)
{
    http::request r = detail::auth_request_base(p, "POST", p.auth_path + "/revoke");
    detail::set_token(r, p, auth_token);
    detail::finish(r, detail::body_writer().str("token", token_to_revoke).done());
    return r;
}

/// PUT /auth/password {"user_id"?, "data":{"new_password"}}.
inline http::request make_password_change_request(const auth_client_policy& p, std::string_view auth_token,
                                                  std::string_view new_password,
                                                  std::optional<std::string_view> user_id = {})
{
    http::request r = detail::auth_request_base(p, "PUT", p.auth_path + "/password");
    detail::set_token(r, p, auth_token);
    detail::body_writer w;
    if (user_id)
        w.str("user_id", *user_id);
    w.raw("data", detail::body_writer().str("new_password", new_password).done());
    detail::finish(r, w.done());
    return r;
}

/// GET /auth/users/:user_id.
inline http::request make_user_info_request(const auth_client_policy& p, std::string_view auth_token,
                                            std::string_view user_id)
{
    std::string target = p.auth_path + "/users/";
    for (char c : user_id) {
        if (realmwire::detail::is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '~')
            target.push_back(c);
        else {
            static const char hex[] = "0123456789ABCDEF";
            target.push_back('%');
            target.push_back(hex[static_cast<unsigned char>(c) >> 4]);
            target.push_back(hex[static_cast<unsigned char>(c) & 0xf]);
        }
    }
    http::request r = detail::auth_request_base(p, "GET", std::move(target));
    detail::set_token(r, p, auth_token);
    detail::finish(r, "");
    return r;
}

/// A token from an /auth answer, with the server's description of it.
struct issued_token {
    std::string token;
    claims data;           ///< token_data as the server described it
    std::string data_json; ///< token_data as sent
};

struct auth_answer_limits {
    std::size_t max_body_bytes = 1024 * 1024;
};

namespace detail {

/// For a non-200 answer: the error from its problem body (by code, else server_error), and the
/// problem itself for whoever wants the detail.
inline void answer_error(const http::response& r, std::error_code& ec, problem* out)
{
    problem p = parse_problem(r);
    ec = p.error();
    if (out)
        *out = std::move(p);
}

} // namespace detail

/// Reads `{"<key>":{"token":..., "token_data":{...}}}` from a 200 answer (key: "refresh_token",
/// "access_token" or "user_token"). A non-200 answer gives the problem's error; `why` receives it.
inline issued_token parse_token_answer(const http::response& r, std::string_view key, std::error_code& ec,
                                       problem* why = nullptr, const auth_answer_limits& limits = {})
{
    ec.clear();
    issued_token t;
    if (r.body.size() > limits.max_body_bytes) {
        ec = auth_error::body_too_large;
        return t;
    }
    if (r.status != 200) {
        detail::answer_error(r, ec, why);
        return t;
    }
    auto v = detail::parse_json_bounded(r.body, 32);
    const picojson::value* entry =
        (v && v->is<picojson::object>()) ? realmwire::detail::json_member(v->get<picojson::object>(), std::string(key)) : nullptr;
    if (!entry || !entry->is<picojson::object>()) {
        ec = auth_error::malformed_response;
        return t;
    }
    const auto& eo = entry->get<picojson::object>();
    const picojson::value* token = realmwire::detail::json_member(eo, "token");
    const picojson::value* data = realmwire::detail::json_member(eo, "token_data");
    if (!token || !token->is<std::string>() || token->get<std::string>().empty() || !data ||
        !data->is<picojson::object>()) {
        ec = auth_error::malformed_response;
        return t;
    }
    t.token = token->get<std::string>();
    t.data_json = data->serialize();
    std::error_code cec;
    t.data = parse_claims(t.data_json, cec);
    // What every SDK required: an identity, and (Cocoa, Java) a numeric expires.
    if (cec || t.data.identity.empty()) {
        ec = auth_error::malformed_response;
        return issued_token{};
    }
    return t;
}

inline issued_token parse_login_response(const http::response& r, std::error_code& ec, problem* why = nullptr)
{
    return parse_token_answer(r, "refresh_token", ec, why);
}
inline issued_token parse_refresh_response(const http::response& r, std::error_code& ec, problem* why = nullptr)
{
    return parse_token_answer(r, "access_token", ec, why);
}
inline issued_token parse_user_token_response(const http::response& r, std::error_code& ec, problem* why = nullptr)
{
    return parse_token_answer(r, "user_token", ec, why);
}

/// For revoke and password change: 200 with a JSON object, else the problem's error.
inline void parse_empty_response(const http::response& r, std::error_code& ec, problem* why = nullptr)
{
    ec.clear();
    if (r.status != 200) {
        detail::answer_error(r, ec, why);
        return;
    }
    auto v = detail::parse_json_bounded(r.body, 32);
    if (!v || !v->is<picojson::object>())
        ec = auth_error::malformed_response;
}

/// Throwing forms.
inline issued_token parse_login_response(const http::response& r)
{
    return throw_on_error("login", [&](std::error_code& ec) { return parse_login_response(r, ec); });
}
inline issued_token parse_refresh_response(const http::response& r)
{
    return throw_on_error("refresh", [&](std::error_code& ec) { return parse_refresh_response(r, ec); });
}
inline issued_token parse_user_token_response(const http::response& r)
{
    return throw_on_error("user token", [&](std::error_code& ec) { return parse_user_token_response(r, ec); });
}
inline void parse_empty_response(const http::response& r)
{
    throw_on_error("auth answer", [&](std::error_code& ec) { parse_empty_response(r, ec); });
}

} // namespace realmwire::auth

#endif
