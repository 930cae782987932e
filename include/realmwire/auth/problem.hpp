#ifndef REALMWIRE_AUTH_PROBLEM_HPP
#define REALMWIRE_AUTH_PROBLEM_HPP

// ROS's problem+json error answers (ROS's RealmProblem.js; docs/auth.md):
//   {"type":"https://realm.io/docs/object-server/problems/<slug>","title":<fixed title>,"status":N,
//    "detail"?:..., "code":N, "invalid_params"?:[{"name","reason"}]}
// ROS sent them as `application/json; charset=utf-8`; realmwire does the same so ROS-era clients
// parse them, and its client accepts application/problem+json too.

#include "realmwire/auth/claims.hpp"
#include "realmwire/detail/json.hpp"
#include "realmwire/errors/auth.hpp"
#include "realmwire/http/message.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace realmwire::auth {

/// One ROS problem code with its HTTP status, slug and exact title.
struct problem_kind {
    int code;
    int status;
    const char* slug;
    const char* title;
    auth_error error;
};

namespace problems {
constexpr problem_kind invalid_parameters{601, 400, "invalid-parameters", "Your request parameters did not validate.",
                                          auth_error::invalid_parameters};
constexpr problem_kind missing_parameters{602, 400, "missing-parameters",
                                          "Your request did not validate because of missing parameters.",
                                          auth_error::missing_parameters};
constexpr problem_kind invalid_credentials{611, 401, "invalid-credentials",
                                           "The provided credentials are invalid or the user does not exist.",
                                           auth_error::invalid_credentials};
constexpr problem_kind unknown_account{612, 404, "unknown-account", "The account does not exist.",
                                       auth_error::unknown_account};
constexpr problem_kind existing_account{613, 400, "existing-account",
                                        "The account cannot be registered as it exists already.",
                                        auth_error::existing_account};
constexpr problem_kind access_denied{614, 403, "access-denied", "The path is invalid or current user has no access.",
                                     auth_error::access_denied};
constexpr problem_kind realm_not_found{617, 404, "realm-not-found", "The Realm could not be found",
                                       auth_error::realm_not_found};
constexpr problem_kind unknown_user{618, 404, "unknown-user", "The user does not exist.", auth_error::unknown_user};
// Not ROS codes: answers of our abuse limits. They carry no "code" (a ROS client sees an unknown problem
// and its HTTP status); our client maps them by their type.
constexpr problem_kind too_many_requests{0, 429, "too-many-requests", "Too many attempts; retry later.",
                                         auth_error::rate_limited};
constexpr problem_kind user_limit{0, 403, "user-limit", "The server accepts no more users.", auth_error::user_limit};
constexpr problem_kind server_busy{0, 503, "server-busy", "The server is busy; retry later.", auth_error::server_busy};
} // namespace problems

/// The problem kind for a ROS code, or nullptr.
inline const problem_kind* find_problem(int code) noexcept
{
    static const problem_kind* all[] = {&problems::invalid_parameters, &problems::missing_parameters,
                                        &problems::invalid_credentials, &problems::unknown_account,
                                        &problems::existing_account,    &problems::access_denied,
                                        &problems::realm_not_found,     &problems::unknown_user};
    for (const problem_kind* p : all) {
        if (p->code == code)
            return p;
    }
    return nullptr;
}

/// The code-less problem kind (our abuse limits) whose type ends in `slug`, or nullptr.
inline const problem_kind* find_problem_by_slug(std::string_view slug) noexcept
{
    static const problem_kind* all[] = {&problems::too_many_requests, &problems::user_limit, &problems::server_busy};
    for (const problem_kind* p : all) {
        if (slug == p->slug)
            return p;
    }
    return nullptr;
}

struct invalid_param {
    std::string name;
    std::string reason;
};

inline constexpr std::string_view problem_type_prefix = "https://realm.io/docs/object-server/problems/";

/// A parsed (client side) or to-be-sent (server side) problem answer.
struct problem {
    int status = 0;
    int code = 0;          ///< 0 when the body had none
    std::string type;
    std::string title;
    std::string detail;
    std::vector<invalid_param> invalid_params;

    /// The realmwire error for this answer: by `code` when known, else auth_error::server_error.
    std::error_code error() const
    {
        if (const problem_kind* k = find_problem(code))
            return k->error;
        std::string_view t = type;
        if (code == 0 && t.size() > problem_type_prefix.size() && t.substr(0, problem_type_prefix.size()) == problem_type_prefix) {
            if (const problem_kind* k = find_problem_by_slug(t.substr(problem_type_prefix.size())))
                return k->error;
        }
        if (status == 429)
            return auth_error::rate_limited;
        return auth_error::server_error;
    }
};


/// The HTTP answer for a problem, in ROS's key order.
inline http::response make_problem_response(const problem_kind& kind, std::string_view detail = {},
                                            std::vector<invalid_param> params = {})
{
    auto q = [](std::string_view s) { return detail::json_quote(s); };
    std::string body = "{\"type\":" + q(std::string(problem_type_prefix) + kind.slug) + ",\"title\":" + q(kind.title) +
                       ",\"status\":" + std::to_string(kind.status);
    if (!detail.empty())
        body += ",\"detail\":" + q(detail);
    if (kind.code != 0)
        body += ",\"code\":" + std::to_string(kind.code);
    if (!params.empty()) {
        body += ",\"invalid_params\":[";
        for (std::size_t i = 0; i < params.size(); ++i) {
            if (i)
                body += ",";
            body += "{\"name\":" + q(params[i].name) + ",\"reason\":" + q(params[i].reason) + "}";
        }
        body += "]";
    }
    body += "}";
    http::response r;
    r.status = kind.status;
    r.reason = kind.status == 400 ? "Bad Request"
               : kind.status == 401 ? "Unauthorized"
               : kind.status == 403 ? "Forbidden"
               : kind.status == 429 ? "Too Many Requests"
               : kind.status == 503 ? "Service Unavailable"
               : "Not Found";
    r.headers.set("Content-Type", "application/json; charset=utf-8");
    r.body = std::move(body);
    return r;
}

/// Reads a problem answer. Works on any error answer: a body that is not JSON leaves only `status`.
inline problem parse_problem(const http::response& r)
{
    problem p;
    p.status = r.status;
    auto v = detail::parse_json_bounded(r.body, 32);
    if (!v || !v->is<picojson::object>())
        return p;
    const auto& o = v->get<picojson::object>();
    auto str = [&](const char* k, std::string& out) {
        if (auto* m = realmwire::detail::json_member(o, k); m && m->is<std::string>())
            out = m->get<std::string>();
    };
    str("type", p.type);
    str("title", p.title);
    str("detail", p.detail);
    if (auto* m = realmwire::detail::json_member(o, "code"); m && m->is<std::int64_t>()) {
        auto c = m->get<std::int64_t>();
        if (c > 0 && c < 100000)
            p.code = static_cast<int>(c);
    }
    if (auto* m = realmwire::detail::json_member(o, "invalid_params"); m && m->is<picojson::array>()) {
        for (const auto& e : m->get<picojson::array>()) {
            if (!e.is<picojson::object>())
                continue;
            invalid_param ip;
            const auto& eo = e.get<picojson::object>();
            if (auto* n = realmwire::detail::json_member(eo, "name"); n && n->is<std::string>())
                ip.name = n->get<std::string>();
            if (auto* n = realmwire::detail::json_member(eo, "reason"); n && n->is<std::string>())
                ip.reason = n->get<std::string>();
            p.invalid_params.push_back(std::move(ip));
        }
    }
    return p;
}

} // namespace realmwire::auth

#endif
