#ifndef REALMWIRE_AUTH_SERVER_HPP
#define REALMWIRE_AUTH_SERVER_HPP

// The ROS 3.x `/auth` API as a sans-I/O handler: `http::response auth_service::handle(const
// http::request&)`. No sockets here; driver/http_server.hpp runs it over TCP.
//
// Routes (docs/auth.md):
//   POST /auth                 providers password, jwt, user-registered ones, "realm" (refresh token +
//                              path → access token; without path → user token), and — only when the
//                              configuration enables them — the development providers nickname, anonymous
//   POST /auth/revoke          {"token"}: admin-or-self
//   PUT  /auth/password        {"user_id"?, "data":{"new_password"}}: admin-or-self
//   GET  /auth/users/:user_id  admin-or-self
//
// Token middleware (routes other than POST /auth): reads the configured header name; falls back to
// `Authorization` only when that holds a token this server signed. ROS parsed *any* Authorization value
// as a token and answered 401, so a proxy's own `Authorization` broke every route (docs/compatibility.md).
// POST /auth does not look at the header at all (ROS ran the middleware there too; see docs/auth.md).
//
// Hostile callers (docs/security.md): identity and admin rights come only from verified credentials or the
// configuration, never from request members (no `user_id`, no `is_admin`); a new user is only ever added
// (never replacing a record), and only on an explicit registration; credential attempts are rate limited
// per source address and per user name (login_limiter.hpp, 429 + Retry-After); an unknown user costs the
// same hashing as a wrong password and gets the same 401/611; users in total and anonymous users are
// capped. handle() does the hashing on the calling thread: the servers call it from worker threads.

#include "realmwire/auth/claims.hpp"
#include "realmwire/auth/keys.hpp"
#include "realmwire/auth/login_limiter.hpp"
#include "realmwire/auth/password.hpp"
#include "realmwire/auth/problem.hpp"
#include "realmwire/auth/request.hpp"
#include "realmwire/auth/store.hpp"
#include "realmwire/auth/token.hpp"
#include "realmwire/auth/verifier.hpp"
#include "realmwire/detail/ascii.hpp"
#include "realmwire/http/message.hpp"
#include "realmwire/version.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
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

    /// The cap on users in total a provider must respect when it adds one (0: none); set by the service.
    void set_max_users(std::size_t n) noexcept { max_users_ = n; }
    std::size_t max_users() const noexcept { return max_users_; }

private:
    std::size_t max_users_ = 0;
};

namespace detail {

/// The failure for a store error of add_user / put_user.
inline void store_failure(std::error_code ec, provider_failure& failure)
{
    if (ec == auth_error::user_limit)
        failure = {&problems::user_limit, "", {}};
    else if (ec == auth_error::user_exists)
        failure = {&problems::access_denied, "the user id is taken by another account", {}};
    else
        failure = {&problems::invalid_parameters, "user store failed", {}};
}

/// Finds the user of (provider, provider_id) or adds one — with `user_id` when given (only ever an id a
/// verified credential vouches for, such as a JWT's claim), else a fresh random one. Never replaces a
/// record: an id that is taken by another account is refused.
inline std::optional<user_record> find_or_create(user_store& store, const std::string& provider,
                                                 const std::string& provider_id, bool is_admin,
                                                 provider_failure& failure,
                                                 std::optional<std::string> user_id = std::nullopt,
                                                 std::size_t max_users = 0)
{
    if (auto u = store.find_account(provider, provider_id))
        return u;
    user_record u;
    u.user_id = user_id ? *user_id : random_hex(16);
    u.is_admin = is_admin;
    u.accounts.push_back({provider, provider_id});
    std::error_code ec;
    store.add_user(u, max_users, ec);
    if (ec == auth_error::user_exists) {
        if (auto again = store.find_account(provider, provider_id)) // added meanwhile by another thread
            return again;
    }
    if (ec) {
        store_failure(ec, failure);
        return std::nullopt;
    }
    return u;
}

inline const picojson::value* member(const picojson::object& o, const char* k)
{
    return realmwire::detail::json_member(o, k);
}

} // namespace detail

struct password_provider_options {
    password_policy policy{};
    /// Answer a registration for a taken name with 613 instead of ROS's 611.
    bool existing_account_is_613 = false;
    /// `register: true` adds a user; false refuses every registration (users come from the operator).
    bool allow_registration = true;
};

/// "password": data = username, user_info = {password, register?}. PBKDF2-HMAC-SHA512.
///
/// Registration is explicit: only `register: true` adds a user (ROS also registered an unknown name on a
/// plain login, which told a guesser which names exist and let anyone create accounts by mistyping).
/// An unknown name is checked against a dummy record with the same policy, so it costs the same time as
/// a wrong password and gets the same 401/611; a registration for a taken name hashes too.
class password_provider : public auth_provider {
public:
    explicit password_provider(password_policy policy = {}, bool existing_account_is_613 = false)
        : password_provider(password_provider_options{policy, existing_account_is_613, true})
    {
    }
    explicit password_provider(password_provider_options options)
        : policy_(options.policy)
        , existing_613_(options.existing_account_is_613)
        , allow_registration_(options.allow_registration)
        , dummy_(hash_password(random_hex(16), options.policy))
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
        if (reg.value_or(false)) {
            if (!allow_registration_) {
                failure = {&problems::invalid_parameters, "registration is disabled", {{"register", "disabled"}}};
                return std::nullopt;
            }
            user_record u;
            u.user_id = random_hex(16);
            u.accounts.push_back({"password", username});
            u.password = hash_password(password, policy_); // also for a taken name: the same time either way
            std::error_code ec;
            if (!existing)
                store.add_user(u, max_users(), ec);
            if (existing || ec == auth_error::user_exists) {
                // ROS answered 611 here (PasswordAuthProvider.js:271-310); 613 on request.
                failure = {existing_613_ ? &problems::existing_account : &problems::invalid_credentials,
                           "the account exists already", {}};
                return std::nullopt;
            }
            if (ec) {
                detail::store_failure(ec, failure);
                return std::nullopt;
            }
            return u;
        }
        // The same answer, and the same work, for an unknown user and a wrong password.
        const password_hash& against = existing && existing->password ? *existing->password : dummy_;
        bool ok = check_password(password, against);
        if (!existing || !existing->password || !ok) {
            failure = {&problems::invalid_credentials, "", {}};
            return std::nullopt;
        }
        return existing;
    }

private:
    password_policy policy_;
    bool existing_613_;
    bool allow_registration_;
    password_hash dummy_; ///< what an unknown name is checked against
};

/// "nickname" (development only, off unless the configuration enables it): data = nickname; the first
/// login with a nickname adds a user with a random id, later ones log in as that user — no secret at all.
/// ROS 3.12 also took `user_info.is_admin`, the nickname "admin" and a top-level `user_id` from the
/// request; here nothing in the request grants admin rights or picks a user id (anyone could have made
/// themselves admin, or replaced another user's record).
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
        return detail::find_or_create(store, "nickname", nick, false, failure, std::nullopt, max_users());
    }
};

/// "anonymous" (development only, off unless enabled): a new user with a random 16-byte id every time,
/// at most `max_accounts` of them (0: no cap of its own; the service's max_users still applies).
class anonymous_provider : public auth_provider {
public:
    explicit anonymous_provider(std::size_t max_accounts = 1000) : max_accounts_(max_accounts) {}
    std::string name() const override { return "anonymous"; }
    std::optional<user_record> authenticate(const auth_request&, user_store& store, provider_failure& failure) override
    {
        // Count and add under one lock, so concurrent requests cannot overshoot the cap.
        std::lock_guard<std::mutex> lock(mutex_);
        if (max_accounts_ != 0 && store.account_count("anonymous") >= max_accounts_) {
            failure = {&problems::user_limit, "no more anonymous accounts", {}};
            return std::nullopt;
        }
        std::string id = random_hex(16);
        return detail::find_or_create(store, "anonymous", id, false, failure, id, max_users());
    }

private:
    std::size_t max_accounts_;
    std::mutex mutex_;
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
        auto u = detail::find_or_create(store, config_.provider_name, id, admin, failure, id, max_users());
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

    // ---- hostile callers (docs/security.md) ----
    /// Development providers: anyone can log in without a secret. Off unless asked for.
    bool enable_nickname = false;
    bool enable_anonymous = false;
    /// `register: true` with the password provider adds users; false: only the operator adds users.
    bool allow_registration = true;
    password_policy password{};
    std::size_t max_users = 100000;          ///< users in total a login or registration may add to (0: no cap)
    std::size_t max_anonymous_users = 1000;  ///< anonymous accounts (0: no cap of their own)
    login_limits login{};                    ///< brute-force brakes on credential attempts
};

/// The sans-I/O /auth service. Thread-safe as long as the store is (add providers before serving).
class auth_service {
public:
    auth_service(key_pair keys, std::shared_ptr<user_store> store, auth_service_config config = {})
        : keys_(std::move(keys))
        , store_(std::move(store))
        , config_(std::move(config))
        , verifier_(keys_.public_key, config_.clock)
        , limiter_(std::make_unique<login_limiter>(config_.login))
    {
        password_provider_options po;
        po.policy = config_.password;
        po.allow_registration = config_.allow_registration;
        add_provider(std::make_shared<password_provider>(po));
        if (config_.enable_nickname)
            add_provider(std::make_shared<nickname_provider>());
        if (config_.enable_anonymous)
            add_provider(std::make_shared<anonymous_provider>(config_.max_anonymous_users));
    }

    /// Registers (or replaces) a provider under its name. "realm" is reserved. The provider is given the
    /// service's max_users.
    void add_provider(std::shared_ptr<auth_provider> p)
    {
        if (p && p->name() != "realm") {
            p->set_max_users(config_.max_users);
            providers_[p->name()] = std::move(p);
        }
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

    /// Answers one request. `client_address` is the peer the request came from (the key of the
    /// per-address limits; "" puts every caller in one bucket). Password hashing runs on the calling
    /// thread, so a server calls this off its I/O thread.
    http::response handle(const http::request& req, std::string_view client_address = {})
    {
        http::response r = route(req, client_address);
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

    http::response route(const http::request& req, std::string_view client_address)
    {
        std::string_view path = path_of(req.target);
        const std::string& base = config_.base_path;
        if (!matches(req))
            return not_found();
        std::string_view rest = path.substr(base.size());
        if (rest == "/")
            rest = "";
        if (rest.empty() && req.method == "POST")
            return post_auth(req, client_address);
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

    /// The name a credential attempt is about, for the per-user brake: "<provider> <name>".
    static std::string attempted_user(const auth_request& ar)
    {
        std::string name = ar.data_string();
        if (name.empty()) {
            if (auto* u = detail::member(ar.extra, "username"); u && u->is<std::string>())
                name = u->get<std::string>();
        }
        if (name.empty() || name.size() > 1024 || ar.provider == "anonymous")
            return {};
        return ar.provider + " " + name;
    }

    static http::response too_many(std::chrono::milliseconds wait)
    {
        auto secs = (wait.count() + 999) / 1000;
        http::response r = make_problem_response(problems::too_many_requests,
                                                 "retry in " + std::to_string(secs) + " s");
        r.headers.set("Retry-After", std::to_string(secs));
        return r;
    }

    http::response post_auth(const http::request& req, std::string_view client_address)
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
        // Refused before any hashing: a guesser's attempts cost the server (almost) nothing.
        const std::string user_key = attempted_user(ar);
        if (auto wait = limiter_->admit(client_address, user_key, login_limiter::clock::now()); wait.count() > 0)
            return too_many(wait);
        provider_failure failure;
        std::optional<user_record> user = it->second->authenticate(ar, *store_, failure);
        if (!user && failure.kind == &problems::invalid_credentials)
            limiter_->failed(client_address, user_key, login_limiter::clock::now());
        if (user)
            limiter_->succeeded(user_key, login_limiter::clock::now());
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
        user->password = hash_password(np->get<std::string>(), config_.password);
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
    std::unique_ptr<login_limiter> limiter_; ///< behind a pointer: the service stays movable
    std::map<std::string, std::shared_ptr<auth_provider>> providers_;
};

} // namespace realmwire::auth

#endif
