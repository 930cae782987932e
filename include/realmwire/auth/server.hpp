#ifndef REALMWIRE_AUTH_SERVER_HPP
#define REALMWIRE_AUTH_SERVER_HPP

// The ROS 3.x `/auth` API as a sans-I/O handler: `http::response auth_service::handle(const
// http::request&)`. No sockets here; driver/http_server.hpp runs it over TCP.
//
// Routes (docs/auth.md):
//   POST /auth                 providers password, nickname, anonymous, jwt, user-registered ones, and
//                              "realm" (refresh token + path → access token; without path → user token)
//   POST /auth/revoke          {"token"}: admin-or-self
//   PUT  /auth/password        {"user_id"?, "data":{"new_password"}}: admin-or-self
//   GET  /auth/users/:user_id  admin-or-self
//
// Token middleware (routes other than POST /auth): reads the configured header name; falls back to
// `Authorization` only when that holds a token this server signed. ROS parsed *any* Authorization value
// as a token and answered 401, so a proxy's own `Authorization` broke every route (docs/compatibility.md).
// POST /auth does not look at the header at all (ROS ran the middleware there too; see docs/auth.md).

#include "realmwire/auth/claims.hpp"
#include "realmwire/auth/keys.hpp"
#include "realmwire/auth/password.hpp"
#include "realmwire/auth/problem.hpp"
#include "realmwire/auth/request.hpp"
#include "realmwire/auth/store.hpp"
#include "realmwire/auth/token.hpp"
#include "realmwire/auth/verifier.hpp"
#include "realmwire/detail/ascii.hpp"
#include "realmwire/http/message.hpp"
#include "realmwire/version.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace realmwire::auth {

/// Token lifetimes in seconds (ROS defaults: AuthService.js:45-47).
struct token_lifetimes {
    std::int64_t access = 360;
    std::int64_t refresh = 10LL * 365 * 24 * 3600;
    std::int64_t user = 3600;
};

/// Why a provider refused.
struct provider_failure {
    const problem_kind* kind = &problems::invalid_credentials;
    std::string detail;
    std::vector<invalid_param> params;
};

class auth_service;

/// A login provider: reads the request, finds or creates the user in the store.
/// Return the user, or std::nullopt with `failure` filled in.
class auth_provider {
public:
    virtual ~auth_provider() = default;
    virtual std::string name() const = 0;
    virtual std::optional<user_record> authenticate(const auth_request& req, user_store& store,
                                                    provider_failure& failure) = 0;
};

namespace detail {

/// Finds the user of (provider, provider_id) or creates one with a fresh random id.
inline std::optional<user_record> find_or_create(user_store& store, const std::string& provider,
                                                 const std::string& provider_id, bool is_admin,
                                                 provider_failure& failure,
                                                 std::optional<std::string> user_id = std::nullopt)
{
    if (auto u = store.find_account(provider, provider_id))
        return u;
    user_record u;
    u.user_id = user_id ? *user_id : random_hex(16);
    u.is_admin = is_admin;
    u.accounts.push_back({provider, provider_id});
    std::error_code ec;
    store.put_user(u, ec);
    if (ec) {
        failure.kind = &problems::invalid_parameters;
        failure.detail = "user store failed";
        return std::nullopt;
    }
    return u;
}

inline const picojson::value* member(const picojson::object& o, const char* k)
{
    return realmwire::detail::json_member(o, k);
}

} // namespace detail

/// "password": data = username, user_info = {password, register?}. PBKDF2-HMAC-SHA512.
class password_provider : public auth_provider {
public:
    explicit password_provider(password_policy policy = {}, bool existing_account_is_613 = false)
        : policy_(policy)
        , existing_613_(existing_account_is_613)
    {
    }
    std::string name() const override { return "password"; }
    std::optional<user_record> authenticate(const auth_request& req, user_store& store,
                                            provider_failure& failure) override
    {
        // user_info, or ROS's fallback to top-level username/password/register
        const picojson::object& info = req.has_user_info ? req.user_info : req.extra;
        std::string username = req.data_string();
        if (username.empty() && !req.has_user_info) {
            if (auto* u = detail::member(req.extra, "username"); u && u->is<std::string>())
                username = u->get<std::string>();
        }
        if (username.empty()) {
            failure = {&problems::missing_parameters, "a username is required (data)", {{"data", "missing"}}};
            return std::nullopt;
        }
        auto* pw = detail::member(info, "password");
        if (!pw || !pw->is<std::string>() || pw->get<std::string>().empty()) {
            failure = {&problems::missing_parameters, "a password is required", {{"password", "missing"}}};
            return std::nullopt;
        }
        const std::string& password = pw->get<std::string>();
        std::optional<bool> reg;
        if (auto* r = detail::member(info, "register"); r && r->is<bool>())
            reg = r->get<bool>();
        auto existing = store.find_account("password", username);
        if (reg.value_or(!existing)) {
            if (existing) {
                // ROS answered 611 here (PasswordAuthProvider.js:271-310); 613 on request.
                failure = {existing_613_ ? &problems::existing_account : &problems::invalid_credentials,
                           "the account exists already", {}};
                return std::nullopt;
            }
            user_record u;
            u.user_id = random_hex(16);
            u.accounts.push_back({"password", username});
            u.password = hash_password(password, policy_);
            std::error_code ec;
            store.put_user(u, ec);
            if (ec) {
                failure = {&problems::invalid_parameters, "user store failed", {}};
                return std::nullopt;
            }
            return u;
        }
        // The same answer for an unknown user and a wrong password, so neither can be probed.
        if (!existing || !existing->password || !check_password(password, *existing->password)) {
            failure = {&problems::invalid_credentials, "", {}};
            return std::nullopt;
        }
        return existing;
    }

private:
    password_policy policy_;
    bool existing_613_;
};

/// "nickname": data = nickname; user_info.is_admin or the nickname "admin" makes an admin (ROS 3.12).
class nickname_provider : public auth_provider {
public:
    std::string name() const override { return "nickname"; }
    std::optional<user_record> authenticate(const auth_request& req, user_store& store,
                                            provider_failure& failure) override
    {
        std::string nick = req.data_string();
        if (nick.empty()) {
            failure = {&problems::missing_parameters, "a nickname is required (data)", {{"data", "missing"}}};
            return std::nullopt;
        }
        bool admin = nick == "admin";
        if (auto* a = detail::member(req.user_info, "is_admin"); a && a->is<bool>())
            admin = admin || a->get<bool>();
        return detail::find_or_create(store, "nickname", nick, admin, failure, req.user_id);
    }
};

/// "anonymous": a new user with a random 16-byte id every time.
class anonymous_provider : public auth_provider {
public:
    std::string name() const override { return "anonymous"; }
    std::optional<user_record> authenticate(const auth_request&, user_store& store, provider_failure& failure) override
    {
        std::string id = random_hex(16);
        return detail::find_or_create(store, "anonymous", id, false, failure, id);
    }
};

struct jwt_provider_config {
    std::string provider_name = "jwt";
    rsa_key public_key;                      ///< the issuer's key
    std::string user_id_claim = "userId";    ///< ROS userIdFieldName
    std::string admin_claim = "isAdmin";     ///< ROS isAdminFieldName
    unix_clock clock = system_unix_now;
};

/// "jwt": data = a third-party RS256 JWT. The header must say RS256 (the issuer's own token, not
/// realm-core's lenient parser); `exp`, when present, must lie in the future.
class jwt_provider : public auth_provider {
public:
    explicit jwt_provider(jwt_provider_config config) : config_(std::move(config)) {}
    std::string name() const override { return config_.provider_name; }
    std::optional<user_record> authenticate(const auth_request& req, user_store& store,
                                            provider_failure& failure) override
    {
        std::string jwt = req.data_string();
        if (jwt.empty()) {
            failure = {&problems::missing_parameters, "a JWT is required (data)", {{"data", "missing"}}};
            return std::nullopt;
        }
        std::error_code ec;
        decoded_token d = decode_token_parts(jwt, ec);
        if (ec || d.format != token_format::jwt) {
            failure = {&problems::invalid_credentials, "the JWT is malformed", {}};
            return std::nullopt;
        }
        auto header = realmwire::detail::base64_decode(jwt.substr(0, jwt.find('.')));
        auto hv = header ? detail::parse_json_bounded(*header, 8) : std::nullopt;
        const picojson::value* alg = (hv && hv->is<picojson::object>()) ? detail::member(hv->get<picojson::object>(), "alg") : nullptr;
        if (!alg || !alg->is<std::string>() || alg->get<std::string>() != "RS256") {
            failure = {&problems::invalid_credentials, "the JWT must be signed with RS256", {}};
            return std::nullopt;
        }
        if (!rs256_verify(config_.public_key, signed_bytes(d), d.signature)) {
            failure = {&problems::invalid_credentials, "the JWT signature does not verify", {}};
            return std::nullopt;
        }
        auto pv = detail::parse_json_bounded(d.claims_json, 32);
        if (!pv || !pv->is<picojson::object>()) {
            failure = {&problems::invalid_credentials, "the JWT payload is not a JSON object", {}};
            return std::nullopt;
        }
        const auto& o = pv->get<picojson::object>();
        if (auto* exp = detail::member(o, "exp"); exp && exp->is<double>() && exp->get<double>() < double(config_.clock())) {
            failure = {&problems::invalid_credentials, "the JWT has expired", {}};
            return std::nullopt;
        }
        auto* uid = detail::member(o, config_.user_id_claim.c_str());
        if (!uid || !uid->is<std::string>() || uid->get<std::string>().empty()) {
            failure = {&problems::invalid_credentials, "the JWT has no " + config_.user_id_claim + " claim", {}};
            return std::nullopt;
        }
        std::string id = uid->get<std::string>();
        for (char& c : id) {
            if (c == '|')
                c = '_'; // ROS JwtAuthProvider: '|' is not allowed in user ids
        }
        bool admin = false;
        if (auto* a = detail::member(o, config_.admin_claim.c_str()); a && a->is<bool>())
            admin = a->get<bool>();
        auto u = detail::find_or_create(store, config_.provider_name, id, admin, failure, id);
        if (u && u->is_admin != admin) {
            u->is_admin = admin; // the issuer decides, every login
            store.put_user(*u, ec);
        }
        return u;
    }

private:
    jwt_provider_config config_;
};

struct auth_service_config {
    std::string base_path = "/auth";
    std::string authorization_header_name = "Authorization";
    /// Also read `Authorization` when the configured header is absent, but only when it carries a token
    /// this server signed (a proxy's own credentials there are ignored, not answered with 401).
    bool fallback_to_authorization = true;
    token_lifetimes lifetimes{};
    std::string default_app_id = "io.realm.Auth";
    std::string sync_label = "default";
    std::string server_header = std::string("realmwire/") + REALMWIRE_VERSION_STRING;
    auth_request_limits request_limits{};
    token_format issued_format = token_format::legacy;
    unix_clock clock = system_unix_now;
    /// Optional: does this realm exist? When set and it answers false for a path outside the user's
    /// own `/<user_id>/` tree, the answer is 404/617 instead of 614.
    std::function<bool(std::string_view path)> realm_exists;
};

/// The sans-I/O /auth service. Thread-safe as long as the store is.
class auth_service {
public:
    auth_service(key_pair keys, std::shared_ptr<user_store> store, auth_service_config config = {})
        : keys_(std::move(keys))
        , store_(std::move(store))
        , config_(std::move(config))
        , verifier_(keys_.public_key, config_.clock)
    {
        add_provider(std::make_shared<password_provider>());
        add_provider(std::make_shared<nickname_provider>());
        add_provider(std::make_shared<anonymous_provider>());
    }

    /// Registers (or replaces) a provider under its name. "realm" is reserved.
    void add_provider(std::shared_ptr<auth_provider> p)
    {
        if (p && p->name() != "realm")
            providers_[p->name()] = std::move(p);
    }
    void remove_provider(const std::string& name) { providers_.erase(name); }

    const auth_service_config& config() const noexcept { return config_; }
    user_store& store() noexcept { return *store_; }
    const token_verifier& verifier() const noexcept { return verifier_; }

    /// Signs claims with the service's key (for admin tokens and tests).
    std::string issue(const claims& c) const { return sign_claims(c, keys_.private_key, config_.issued_format); }

    /// A ROS-style admin token: identity "__admin", all access, no path, no expiry.
    std::string admin_token() const
    {
        claims c;
        c.app_id = config_.default_app_id;
        c.identity = "__admin";
        c.has_access = true;
        c.access = privilege::download | privilege::upload | privilege::manage;
        c.salt = random_hex(4);
        return issue(c);
    }

    /// Does this request belong to the service (its target is under base_path)?
    bool matches(const http::request& req) const
    {
        std::string_view p = path_of(req.target);
        return p == config_.base_path || (p.size() > config_.base_path.size() &&
                                           p.compare(0, config_.base_path.size(), config_.base_path) == 0 &&
                                           p[config_.base_path.size()] == '/');
    }

    http::response handle(const http::request& req)
    {
        http::response r = route(req);
        r.headers.set("Server", config_.server_header);
        r.headers.set("Content-Length", std::to_string(r.body.size()));
        return r;
    }

    /// The token middleware: the caller's claims, or the problem to answer (401/611, revoked 403/614).
    std::optional<claims> authenticate_caller(const http::request& req, http::response& problem_out) const
    {
        std::optional<std::string_view> value = req.headers.get(config_.authorization_header_name);
        bool from_fallback = false;
        if (!value && config_.fallback_to_authorization &&
            !realmwire::detail::iequals(config_.authorization_header_name, "Authorization")) {
            value = req.headers.get("Authorization");
            from_fallback = true;
        }
        if (!value) {
            problem_out = make_problem_response(problems::invalid_credentials, "no token in the request");
            return std::nullopt;
        }
        verification v = verifier_.verify(realmwire::detail::trim_ows(*value));
        if (!v.valid() && from_fallback) {
            // Not ours: a proxy's credentials. Treat as absent.
            problem_out = make_problem_response(problems::invalid_credentials, "no token in the request");
            return std::nullopt;
        }
        if (!v.valid()) {
            problem_out = make_problem_response(problems::invalid_credentials, v.error.message());
            return std::nullopt;
        }
        if (store_->is_revoked(v.revocation_key)) {
            problem_out = make_problem_response(problems::access_denied, "The token has been revoked");
            return std::nullopt;
        }
        return std::move(v.token_claims);
    }

private:
    static std::string_view path_of(std::string_view target)
    {
        return target.substr(0, target.find('?'));
    }

    static http::response json_ok(std::string body)
    {
        http::response r;
        r.status = 200;
        r.reason = "OK";
        r.headers.set("Content-Type", "application/json; charset=utf-8");
        r.body = std::move(body);
        return r;
    }

    static http::response not_found()
    {
        http::response r;
        r.status = 404;
        r.reason = "Not Found";
        r.headers.set("Content-Type", "application/json; charset=utf-8");
        r.body = R"({"title":"Not Found","status":404})";
        return r;
    }

    static std::string percent_decode(std::string_view s, bool& ok)
    {
        std::string out;
        ok = true;
        for (std::size_t i = 0; i < s.size(); ++i) {
            if (s[i] == '%') {
                if (i + 2 >= s.size() || !realmwire::detail::is_hex_digit(s[i + 1]) ||
                    !realmwire::detail::is_hex_digit(s[i + 2])) {
                    ok = false;
                    return {};
                }
                out.push_back(static_cast<char>(realmwire::detail::hex_value(s[i + 1]) * 16 +
                                                realmwire::detail::hex_value(s[i + 2])));
                i += 2;
            }
            else {
                out.push_back(s[i]);
            }
        }
        return out;
    }

    /// ROS validateRealmPath: decode, first `~` → identity, leading '/', each segment
    /// [0-9A-Za-z._-]+, not starting with '.', not ending in .realm/.realm.lock/.realm.management.
    static std::optional<std::string> normalize_realm_path(std::string_view raw, std::string_view identity)
    {
        bool ok = true;
        std::string p = expand_home(percent_decode(raw, ok), identity);
        if (!ok || p.empty())
            return std::nullopt;
        if (p[0] != '/')
            p.insert(p.begin(), '/');
        std::size_t start = 1;
        while (start <= p.size()) {
            std::size_t end = p.find('/', start);
            if (end == std::string::npos)
                end = p.size();
            std::string_view seg(p.data() + start, end - start);
            if (seg.empty() || seg[0] == '.')
                return std::nullopt;
            for (char c : seg) {
                if (!realmwire::detail::is_alnum(c) && c != '-' && c != '_' && c != '.')
                    return std::nullopt;
            }
            auto ends = [&](std::string_view suf) {
                return seg.size() >= suf.size() && seg.substr(seg.size() - suf.size()) == suf;
            };
            if (ends(".realm") || ends(".realm.lock") || ends(".realm.management"))
                return std::nullopt;
            start = end + 1;
        }
        return p;
    }

    http::response route(const http::request& req)
    {
        std::string_view path = path_of(req.target);
        const std::string& base = config_.base_path;
        if (!matches(req))
            return not_found();
        std::string_view rest = path.substr(base.size());
        if (rest == "/")
            rest = "";
        if (rest.empty() && req.method == "POST")
            return post_auth(req);
        if (rest == "/revoke" && req.method == "POST")
            return with_caller(req, [&](const claims& c) { return revoke(req, c); });
        if (rest == "/password" && req.method == "PUT")
            return with_caller(req, [&](const claims& c) { return change_password(req, c); });
        if (rest.size() > 7 && rest.compare(0, 7, "/users/") == 0 && req.method == "GET" &&
            rest.find('/', 7) == std::string_view::npos)
            return with_caller(req, [&](const claims& c) { return get_user(rest.substr(7), c); });
        return not_found();
    }

    template <class F>
    http::response with_caller(const http::request& req, F&& f)
    {
        http::response problem;
        auto caller = authenticate_caller(req, problem);
        if (!caller)
            return problem;
        return f(*caller);
    }

    static http::response problem_of(const request_problem& p)
    {
        std::vector<invalid_param> params;
        if (!p.param.empty())
            params.push_back({p.param, p.detail});
        return make_problem_response(*p.kind, p.detail, params);
    }

    std::optional<picojson::object> json_body(const http::request& req, http::response& out) const
    {
        if (req.body.size() > config_.request_limits.max_body_bytes) {
            out = make_problem_response(problems::invalid_parameters, "request body too large");
            return std::nullopt;
        }
        auto v = detail::parse_json_bounded(req.body, config_.request_limits.max_depth);
        if (!v || !v->is<picojson::object>()) {
            out = make_problem_response(problems::invalid_parameters, "body is not a JSON object");
            return std::nullopt;
        }
        return v->get<picojson::object>();
    }

    std::string token_answer(const char* key, const claims& c) const
    {
        std::string data = claims_to_json(c);
        std::string token = sign_token(data, keys_.private_key, config_.issued_format);
        return std::string("{\"") + key + "\":{\"token\":" + detail::json_quote(token) +
               ",\"token_data\":" + data + "}}";
    }

    claims base_claims(const std::string& app_id, const std::string& identity, std::int64_t lifetime) const
    {
        claims c;
        c.app_id = app_id.empty() ? config_.default_app_id : app_id;
        c.identity = identity;
        c.salt = random_hex(4);
        c.expires = config_.clock() + lifetime;
        return c;
    }

    http::response post_auth(const http::request& req)
    {
        std::error_code ec;
        request_problem why;
        auth_request ar = parse_auth_request(req.body, ec, &why, config_.request_limits);
        if (ec)
            return problem_of(why);
        if (ar.provider == "realm")
            return realm_provider(ar);
        auto it = providers_.find(ar.provider);
        if (it == providers_.end())
            return make_problem_response(problems::invalid_parameters, "unknown provider",
                                         {{"provider", "no provider named " + ar.provider}});
        provider_failure failure;
        std::optional<user_record> user = it->second->authenticate(ar, *store_, failure);
        if (!user)
            return make_problem_response(*failure.kind, failure.detail, failure.params);
        claims c = base_claims(ar.app_id, user->user_id, config_.lifetimes.refresh);
        c.has_access = true;
        c.refresh = true;
        c.admin = user->is_admin;
        return json_ok(token_answer("refresh_token", c));
    }

    http::response realm_provider(const auth_request& ar)
    {
        std::string refresh_token = ar.data_string();
        if (refresh_token.empty())
            return make_problem_response(problems::missing_parameters, "a refresh token is required (data)",
                                         {{"data", "missing"}});
        verify_request vr;
        vr.kind = token_kind::refresh;
        verification v = verifier_.verify(refresh_token, vr);
        // Every refresh-token failure is 614, as in ROS (AuthService.js:280-286).
        if (!v.valid())
            return make_problem_response(problems::access_denied, v.error.message());
        if (store_->is_revoked(v.revocation_key))
            return make_problem_response(problems::access_denied, "The token has been revoked");
        std::optional<user_record> user = store_->find_user(v.token_claims.identity);
        if (!user)
            return make_problem_response(problems::access_denied, "the user does not exist any more");
        if (!ar.path) {
            claims c = base_claims(ar.app_id, user->user_id, config_.lifetimes.user);
            c.admin = user->is_admin;
            return json_ok(token_answer("user_token", c));
        }
        std::optional<std::string> path = normalize_realm_path(*ar.path, user->user_id);
        if (!path)
            return make_problem_response(
                problems::invalid_parameters, "path is invalid",
                {{"path", "path is invalid. It should start with a slash, and consist of segments of letters, "
                          "digits, '-', '_' and '.'"}});
        std::uint32_t access = 0;
        const std::string home = "/" + user->user_id + "/";
        bool own = path->compare(0, home.size(), home) == 0;
        if (user->is_admin || own)
            access = privilege::download | privilege::upload | privilege::manage;
        else {
            if (config_.realm_exists && !config_.realm_exists(*path))
                return make_problem_response(problems::realm_not_found, "");
            access = store_->permissions(user->user_id, *path);
        }
        if (access == 0)
            return make_problem_response(problems::access_denied, "");
        claims c = base_claims(ar.app_id, user->user_id, config_.lifetimes.access);
        c.has_access = true;
        c.access = access;
        c.path = *path;
        c.sync_label = config_.sync_label;
        return json_ok(token_answer("access_token", c));
    }

    static bool admin_or_self(const claims& caller, std::string_view user_id)
    {
        return caller.is_admin() || caller.identity == user_id;
    }

    http::response revoke(const http::request& req, const claims& caller)
    {
        http::response bad;
        auto body = json_body(req, bad);
        if (!body)
            return bad;
        auto* t = detail::member(*body, "token");
        if (!t || !t->is<std::string>() || t->get<std::string>().empty())
            return make_problem_response(problems::missing_parameters, "token is required", {{"token", "missing"}});
        verify_request vr;
        vr.check_expiry = false;
        verification v = verifier_.verify(t->get<std::string>(), vr);
        if (!v.valid())
            return make_problem_response(problems::invalid_parameters, v.error.message(), {{"token", "not a valid token"}});
        if (!admin_or_self(caller, v.token_claims.identity))
            return make_problem_response(problems::access_denied, "");
        std::error_code ec;
        store_->revoke(v.revocation_key, v.token_claims.expires_at(), ec);
        if (ec)
            return make_problem_response(problems::invalid_parameters, "user store failed");
        return json_ok("{}");
    }

    http::response change_password(const http::request& req, const claims& caller)
    {
        http::response bad;
        auto body = json_body(req, bad);
        if (!body)
            return bad;
        std::string user_id = caller.identity;
        if (auto* u = detail::member(*body, "user_id"); u && u->is<std::string>())
            user_id = u->get<std::string>();
        auto* data = detail::member(*body, "data");
        const picojson::value* np = (data && data->is<picojson::object>())
                                        ? detail::member(data->get<picojson::object>(), "new_password")
                                        : nullptr;
        if (!np || !np->is<std::string>() || np->get<std::string>().empty())
            return make_problem_response(problems::missing_parameters, "data.new_password is required",
                                         {{"new_password", "missing"}});
        if (!admin_or_self(caller, user_id))
            return make_problem_response(problems::access_denied, "");
        auto user = store_->find_user(user_id);
        if (!user)
            return make_problem_response(problems::unknown_user, "");
        if (!user->password)
            return make_problem_response(problems::unknown_account, "the user has no password account");
        user->password = hash_password(np->get<std::string>());
        std::error_code ec;
        store_->put_user(*user, ec);
        if (ec)
            return make_problem_response(problems::invalid_parameters, "user store failed");
        return json_ok("{}");
    }

    http::response get_user(std::string_view raw_id, const claims& caller)
    {
        bool ok = true;
        std::string id = percent_decode(raw_id, ok);
        if (!ok)
            return make_problem_response(problems::invalid_parameters, "bad user id", {{"user_id", "bad encoding"}});
        if (!admin_or_self(caller, id))
            return make_problem_response(problems::access_denied, "");
        auto user = store_->find_user(id);
        if (!user)
            return make_problem_response(problems::unknown_account, "");
        std::string out = "{\"user_id\":" + detail::json_quote(user->user_id) +
                          ",\"is_admin\":" + (user->is_admin ? "true" : "false") + ",\"accounts\":[";
        for (std::size_t i = 0; i < user->accounts.size(); ++i) {
            if (i)
                out += ",";
            out += "{\"provider\":" + detail::json_quote(user->accounts[i].provider) +
                   ",\"provider_id\":" + detail::json_quote(user->accounts[i].provider_id) + "}";
        }
        out += "],\"metadata\":[]}";
        return json_ok(out);
    }

    key_pair keys_;
    std::shared_ptr<user_store> store_;
    auth_service_config config_;
    token_verifier verifier_;
    std::map<std::string, std::shared_ptr<auth_provider>> providers_;
};

} // namespace realmwire::auth

#endif
