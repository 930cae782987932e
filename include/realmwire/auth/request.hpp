#ifndef REALMWIRE_AUTH_REQUEST_HPP
#define REALMWIRE_AUTH_REQUEST_HPP

// The body of ROS's `POST /auth` (docs/auth.md):
//   {"provider": <name>, "data": <credential>, "user_info"?: {...}, "app_id"?: <string>,
//    "path"?: <realm path, provider "realm">, "user_id"?: <nickname provider>}
// The password provider also accepts top-level `username`/`password`/`register` when `user_info` is
// absent; those are kept in `extra`.

#include "realmwire/auth/problem.hpp"
#include "realmwire/detail/json.hpp"
#include "realmwire/errors/auth.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <system_error>

namespace realmwire::auth {

struct auth_request_limits {
    std::size_t max_body_bytes = 100 * 1024; ///< ROS's express json limit ("100kb")
    std::size_t max_depth = 16;              ///< nesting of the JSON value
};

struct auth_request {
    std::string provider;
    picojson::value data;          ///< null when absent
    picojson::object user_info;    ///< empty when absent
    bool has_user_info = false;
    std::string app_id;            ///< empty when absent or empty (the server applies its default)
    std::optional<std::string> path;
    std::optional<std::string> user_id;
    picojson::object extra;        ///< every other top-level member

    bool data_is_string() const { return data.is<std::string>(); }
    std::string data_string() const { return data.is<std::string>() ? data.get<std::string>() : std::string(); }
};

/// Why a request was refused: the ROS problem to answer and the offending parameter.
struct request_problem {
    const problem_kind* kind = nullptr;
    std::string detail;
    std::string param;
};

/// Parses a POST /auth body. Errors: body_too_large, malformed_request (not a JSON object, too deep),
/// missing_parameters (no provider), invalid_parameters (a member of the wrong type). `why` says which.
inline auth_request parse_auth_request(std::string_view body, std::error_code& ec, request_problem* why = nullptr,
                                       const auth_request_limits& limits = {})
{
    ec.clear();
    auth_request r;
    auto fail = [&](auth_error e, const problem_kind* k, std::string detail, std::string param) {
        ec = e;
        if (why)
            *why = {k, std::move(detail), std::move(param)};
        return auth_request{};
    };
    if (body.size() > limits.max_body_bytes)
        return fail(auth_error::body_too_large, &problems::invalid_parameters, "request body too large", "");
    // Depth is checked on the text first: picojson itself recurses without a bound.
    if (!realmwire::detail::json_text_depth_ok(body, limits.max_depth))
        return fail(auth_error::malformed_request, &problems::invalid_parameters, "JSON nested too deeply", "");
    auto v = detail::parse_json_bounded(body, limits.max_depth);
    if (!v || !v->is<picojson::object>())
        return fail(auth_error::malformed_request, &problems::invalid_parameters, "body is not a JSON object", "");
    const auto& o = v->get<picojson::object>();
    for (const auto& kv : o) {
        const std::string& k = kv.first;
        const picojson::value& val = kv.second;
        if (k == "provider") {
            if (!val.is<std::string>())
                return fail(auth_error::invalid_parameters, &problems::invalid_parameters, "provider must be a string",
                            "provider");
            r.provider = val.get<std::string>();
        }
        else if (k == "data") {
            r.data = val;
        }
        else if (k == "user_info") {
            if (val.is<picojson::null>())
                continue;
            if (!val.is<picojson::object>())
                return fail(auth_error::invalid_parameters, &problems::invalid_parameters,
                            "user_info must be an object", "user_info");
            r.user_info = val.get<picojson::object>();
            r.has_user_info = true;
        }
        else if (k == "app_id") {
            if (val.is<std::string>())
                r.app_id = val.get<std::string>();
            else if (!val.is<picojson::null>())
                return fail(auth_error::invalid_parameters, &problems::invalid_parameters, "app_id must be a string",
                            "app_id");
        }
        else if (k == "path" || k == "user_id") {
            if (val.is<picojson::null>())
                continue;
            if (!val.is<std::string>())
                return fail(auth_error::invalid_parameters, &problems::invalid_parameters, k + " must be a string", k);
            (k == "path" ? r.path : r.user_id) = val.get<std::string>();
        }
        else {
            r.extra[k] = val;
        }
    }
    if (r.provider.empty())
        return fail(auth_error::missing_parameters, &problems::missing_parameters, "provider is required", "provider");
    return r;
}

inline auth_request parse_auth_request(std::string_view body, const auth_request_limits& limits = {})
{
    return throw_on_error("parse /auth request",
                          [&](std::error_code& ec) { return parse_auth_request(body, ec, nullptr, limits); });
}

/// The request as JSON (members in a fixed order); parse_auth_request(to_json(r)) gives back `r`.
inline std::string to_json(const auth_request& r)
{
    picojson::object o = r.extra;
    o["provider"] = picojson::value(r.provider);
    if (!r.data.is<picojson::null>())
        o["data"] = r.data;
    if (r.has_user_info)
        o["user_info"] = picojson::value(r.user_info);
    if (!r.app_id.empty())
        o["app_id"] = picojson::value(r.app_id);
    if (r.path)
        o["path"] = picojson::value(*r.path);
    if (r.user_id)
        o["user_id"] = picojson::value(*r.user_id);
    return picojson::value(o).serialize();
}

} // namespace realmwire::auth

#endif
