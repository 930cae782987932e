#ifndef REALMWIRE_HANDSHAKE_ACCEPTOR_HPP
#define REALMWIRE_HANDSHAKE_ACCEPTOR_HPP

// The server's side of the upgrade. Sans-I/O: a parsed http::request (or its bytes) in, a verdict out —
// the dialect, realm path, negotiated version and token with the 101 response in that client's
// dialect, or a refusal (400/401/403/404, short text body) with the fine error code. Needs
// realmwire::crypto (accept key).
//
// Checks, in order (the first failure decides, so the order is part of the contract):
//   1. method GET, HTTP/1.1                                         400 bad_method / bad_http_version
//   2. the path matches one of the configured URL prefixes          404 unknown_path_prefix
//      (longest first; several may be configured — ROS had none, realm-core one hard-coded)
//   3. Upgrade: websocket; Connection lists Upgrade; Sec-WebSocket-Version: 13; Sec-WebSocket-Key
//                                                                   400 (realm-core just closes)
//   4. Sec-WebSocket-Protocol negotiated across the accepted dialects, in the order they are
//      configured: the first dialect with a common version wins    400 missing/malformed/no_common_version
//   5. the dialect's path form: a realm path after the prefix (ROS) or the prefix alone; the realm
//      path is decoded strictly and validated                      404 (ROS: no route) / 400 path_error
//   6. a query only where the dialect allows one or the token lookup reads it   400 query_in_path
//   7. the token, by the dialect's lookup policy                    400 (ROS) or 401 with the lookup's code
//   8. the application's authorizer, if any                        401 / 403
//
// Connection is checked as a token list (`keep-alive, Upgrade` passes), which is more lenient than
// realm-core's server (whole value must be `Upgrade`) and what RFC 6455 §4.2.1 asks for; set
// `strict_connection` to behave like realm-core.

#include "realmwire/detail/ascii.hpp"
#include "realmwire/detail/scan.hpp"
#include "realmwire/dialect/dialect.hpp"
#include "realmwire/error.hpp"
#include "realmwire/errors/handshake.hpp"
#include "realmwire/handshake/subprotocol.hpp"
#include "realmwire/http/fields.hpp"
#include "realmwire/http/message.hpp"
#include "realmwire/http/parser.hpp"
#include "realmwire/http/serializer.hpp"
#include "realmwire/path.hpp"
#include "realmwire/policy/token_lookup.hpp"
#include "realmwire/policy/url_prefix.hpp"
#include "realmwire/version.hpp"
#include "realmwire/websocket/accept_key.hpp"

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace realmwire {

/// One dialect the server accepts: its version range and where it reads the token.
struct accepted_dialect {
    const realmwire::dialect* dialect = &dialects::mongodb_pbs;
    version_range versions;
    policy::any_token_lookup lookup;
};

/// The dialect with its defaults; `header_name` renames the token header of header-based dialects.
inline accepted_dialect accept_dialect(const dialect& d, std::string_view header_name = {})
{
    return {&d, d.server_versions, policy::default_token_lookup(d, header_name)};
}

/// All four dialects, newest first (the order decides when a client offers more than one family).
inline std::vector<accepted_dialect> all_dialects(std::string_view header_name = {})
{
    return {accept_dialect(dialects::mongodb_flx, header_name), accept_dialect(dialects::mongodb_pbs, header_name),
            accept_dialect(dialects::realm_sync_2020, header_name),
            accept_dialect(dialects::legacy_ros, header_name)};
}

struct handshake_verdict;

struct acceptor_options {
    std::vector<accepted_dialect> dialects = all_dialects();
    std::vector<std::string> url_prefixes;    ///< empty = the accepted dialects' default prefixes
    http::parser_limits limits{};             ///< for the bytes overload
    path_limits path{};
    offer_limits offers{};
    std::string server = std::string("realmwire/") + REALMWIRE_VERSION_STRING; ///< "" = no Server header
    bool strict_connection = false;           ///< realm-core: Connection must be exactly `Upgrade`
    /// Optional: judge the token once everything else passed. Return an error whose condition is
    /// `unauthorized` (→ 401) or `forbidden` (→ 403, also for anything else); {} to accept.
    std::function<std::error_code(const handshake_verdict&)> authorize;
};

struct handshake_verdict {
    std::error_code ec;              ///< empty when accepted; else the fine reason
    error_info where;                ///< where in the input, when known
    int status = 0;                  ///< 101, or the refusal's status
    const realmwire::dialect* dialect = nullptr; ///< known from step 4 on
    std::string url_prefix;          ///< the prefix that matched
    std::string realm_path;          ///< decoded; "" when the dialect keeps it out of the URL
    int version = 0;
    std::string subprotocol;         ///< `<prefix><version>` as answered
    std::string token;               ///< the access token (never log it)
    std::string token_source;        ///< header name, or "?baas_at"
    std::string user_agent;
    http::response response;         ///< the 101 or the refusal, ready to serialize

    bool accepted() const noexcept { return !ec && status == 101; }
    std::string response_bytes() const { return http::serialize(response); }
};

namespace detail {

inline const char* reason_phrase(int status) noexcept
{
    switch (status) {
        case 101: return "Switching Protocols";
        case 400: return "Bad Request";
        case 401: return "Unauthorized";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        default: return "Error";
    }
}

inline void refuse(handshake_verdict& v, const acceptor_options& o, int status, std::error_code ec,
                   std::string body = {})
{
    v.ec = ec;
    v.status = status;
    if (body.empty()) {
        // realm-core's 404 text, and a one-line reason otherwise: short, and never the token.
        body = status == 404 ? std::string("Realm sync server\n\nPage not found\n") : ec.message() + "\n";
    }
    http::response& r = v.response;
    r = http::response{};
    r.status = status;
    r.reason = reason_phrase(status);
    r.version_minor = 1;
    // Sorted like realm-core's header map.
    r.headers.add("Connection", "close");
    r.headers.add("Content-Length", std::to_string(body.size()));
    r.headers.add("Content-Type", "text/plain");
    if (!o.server.empty())
        r.headers.add("Server", o.server);
    r.body = std::move(body);
}

inline bool header_is(const http::fields& h, std::string_view name, std::string_view value) noexcept
{
    auto v = h.get(name);
    return v && iequals(trim_ows(*v), value);
}

} // namespace detail

namespace detail {

/// The judgement, written into a fresh `v`: the callers return their own verdict object, so it is
/// built in place (a verdict is a dozen strings and the 101; moving or copying it out of a helper
/// cost as much as some of the checks).
inline void judge_handshake(const http::request& req, const acceptor_options& o, handshake_verdict& v)
{
    auto fail = [&](int status, auto code, std::string body = {}) {
        detail::refuse(v, o, status, make_error_code(code), std::move(body));
    };

    // 1. method and version
    if (req.method != "GET")
        return fail(400, handshake_error::bad_method);
    if (req.version_minor != 1)
        return fail(400, handshake_error::bad_http_version);

    // 2. prefix
    std::string_view target = req.target;
    std::size_t qmark = target.find('?');
    std::string_view path = target.substr(0, qmark);
    std::string_view query = qmark == std::string_view::npos ? std::string_view{} : target.substr(qmark + 1);
    policy::prefix_match match = policy::prefix_match::none;
    std::string_view remainder;
    std::string_view matched;
    auto consider = [&](std::string_view p) {
        std::string_view rest;
        auto m = policy::match_url_prefix(path, p, rest);
        if (m != policy::prefix_match::none && (match == policy::prefix_match::none || p.size() > matched.size())) {
            match = m;
            remainder = rest;
            matched = p;
        }
    };
    if (o.url_prefixes.empty()) {
        for (const auto& a : o.dialects)
            consider(a.dialect->default_url_prefix);
    }
    else {
        for (const auto& p : o.url_prefixes)
            consider(p);
    }
    if (match == policy::prefix_match::none)
        return fail(404, handshake_error::unknown_path_prefix);
    v.url_prefix.assign(matched.data(), matched.size());

    // 3. WebSocket headers. One pass finds the first field of each name the checks read (what
    // fields::get would return), instead of a scan of the whole list per name.
    const http::fields& h = req.headers;
    const http::field* upgrade = nullptr;
    const http::field* connection = nullptr;
    const http::field* ws_version = nullptr;
    const http::field* ws_key = nullptr;
    const http::field* ws_protocol = nullptr;
    const http::field* user_agent = nullptr;
    for (const auto& f : h) {
        auto first = [&](const http::field*& slot, std::string_view name) {
            if (!slot && detail::iequals_fast(f.name, name))
                slot = &f;
        };
        switch (f.name.size()) {
            case 7: first(upgrade, "Upgrade"); break;
            case 10:
                first(connection, "Connection");
                first(user_agent, "User-Agent");
                break;
            case 17: first(ws_key, "Sec-WebSocket-Key"); break;
            case 21: first(ws_version, "Sec-WebSocket-Version"); break;
            case 22: first(ws_protocol, "Sec-WebSocket-Protocol"); break;
            default: break;
        }
    }
    auto value_is = [](const http::field* f, std::string_view value) {
        return f && detail::iequals(detail::trim_ows(f->value), value);
    };
    if (!value_is(upgrade, "websocket"))
        return fail(400, handshake_error::missing_upgrade);
    {
        bool ok = connection && (o.strict_connection ? detail::iequals(detail::trim_ows(connection->value), "Upgrade")
                                                     : http::list_contains_token(connection->value, "Upgrade"));
        if (!ok)
            return fail(400, handshake_error::missing_connection_upgrade);
    }
    if (!value_is(ws_version, "13"))
        return fail(400, handshake_error::bad_websocket_version);
    if (!ws_key || detail::trim_ows(ws_key->value).empty())
        return fail(400, handshake_error::missing_websocket_key);
    std::string_view key = detail::trim_ows(ws_key->value);

    // 4. subprotocol
    if (!ws_protocol)
        return fail(400, handshake_error::missing_subprotocol);
    // The dialects' prefixes and, per dialect, the best version offered so far (-1: none): on the
    // stack for up to eight dialects, so the usual handshake allocates nothing here.
    const std::size_t dialect_count = o.dialects.size();
    constexpr std::size_t inline_dialects = 8;
    std::string_view known_inline[inline_dialects];
    int best_inline[inline_dialects];
    std::vector<std::string_view> known_heap;
    std::vector<int> best_heap;
    std::string_view* known = known_inline;
    int* best = best_inline;
    if (dialect_count > inline_dialects) {
        known_heap.resize(dialect_count);
        best_heap.resize(dialect_count);
        known = known_heap.data();
        best = best_heap.data();
    }
    for (std::size_t i = 0; i < dialect_count; ++i) {
        known[i] = o.dialects[i].dialect->subprotocol_prefix;
        best[i] = -1;
    }
    // choose_version's rule, folded in as the offers are parsed: for each dialect, the highest
    // min(client max, server max) over the offers of its prefix that overlap its range.
    std::size_t offer_count = 0;
    auto on_offer = [&](const offered_range& r) {
        ++offer_count;
        const version_range server = o.dialects[r.prefix_index].versions;
        if (r.versions.max < server.min || r.versions.min > server.max)
            return;
        int ver = r.versions.max < server.max ? r.versions.max : server.max;
        if (ver > best[r.prefix_index])
            best[r.prefix_index] = ver;
    };
    // Every Sec-WebSocket-Protocol line, in order, from the first one.
    for (auto it = h.begin() + (ws_protocol - &*h.begin()); it != h.end(); ++it) {
        if (it->name.size() != 22 || !detail::iequals_fast(it->name, "Sec-WebSocket-Protocol"))
            continue;
        std::error_code ec;
        detail::for_each_offer(it->value, known, dialect_count, ec, o.offers, on_offer);
        if (ec) {
            detail::refuse(v, o, 400, ec);
            v.where.field = "Sec-WebSocket-Protocol";
            return;
        }
        if (offer_count > o.offers.max_elements)
            return fail(400, handshake_error::too_many_subprotocols);
    }
    const accepted_dialect* chosen = nullptr;
    for (std::size_t i = 0; i < dialect_count; ++i) {
        if (best[i] >= 0) {
            chosen = &o.dialects[i];
            v.version = best[i];
            break;
        }
    }
    if (!chosen) {
        std::string body = "Protocol version negotiation failed: No version supported by both client and server.\n";
        return fail(400, handshake_error::no_common_version, std::move(body));
    }
    const dialect& d = *chosen->dialect;
    v.dialect = &d;
    v.subprotocol = make_subprotocol(d.subprotocol_prefix, v.version);

    // 5. path form
    if (d.realm_path_in_url && match != policy::prefix_match::with_segment)
        return fail(404, handshake_error::unknown_path_prefix);
    if (match == policy::prefix_match::with_segment) {
        std::error_code ec;
        error_info where;
        v.realm_path = decode_realm_path(remainder, ec, &where);
        if (!ec)
            validate_realm_path(v.realm_path, ec, o.path);
        if (ec) {
            v.where = where;
            if (where.has_offset())
                v.where.offset += static_cast<std::size_t>(remainder.data() - target.data());
            detail::refuse(v, o, 400, ec);
            return;
        }
    }

    // 6. query
    if (qmark != std::string_view::npos && !d.query_allowed && !chosen->lookup.reads_query())
        return fail(400, handshake_error::query_in_path);

    // 7. token
    {
        std::error_code ec;
        auto found = chosen->lookup.find(req, query, ec);
        if (ec) {
            detail::refuse(v, o, d.missing_token_status, ec);
            return;
        }
        v.token = std::move(found.token);
        v.token_source = std::move(found.source);
    }
    if (user_agent)
        v.user_agent = user_agent->value;

    // 8. the application's judgement
    if (o.authorize) {
        std::error_code ec = o.authorize(v);
        if (ec) {
            int status = ec == condition::unauthorized ? 401 : 403;
            detail::refuse(v, o, status, ec);
            return;
        }
    }

    // 101 in the client's dialect, headers sorted as realm-core's server sends them.
    v.ec.clear();
    v.status = 101;
    http::response& r = v.response;
    r.status = 101;
    r.reason = detail::reason_phrase(101);
    r.version_minor = 1;
    r.headers.reserve(5);
    r.headers.add("Connection", "Upgrade");
    websocket::accept_key_buffer accept_key;
    // Empty only if OpenSSL fails (as the string form); a value that never matches.
    const bool have_key = websocket::compute_accept_key(key, accept_key);
    r.headers.add("Sec-WebSocket-Accept",
                  have_key ? std::string_view(accept_key.data(), accept_key.size()) : std::string_view{});
    r.headers.add("Sec-WebSocket-Protocol", v.subprotocol);
    if (!o.server.empty())
        r.headers.add("Server", o.server);
    r.headers.add("Upgrade", "websocket");
}

} // namespace detail

/// Judges a parsed request.
inline handshake_verdict accept_handshake(const http::request& req, const acceptor_options& o)
{
    handshake_verdict v;
    detail::judge_handshake(req, o, v);
    return v;
}

/// Judges request bytes (one request head; anything after it is not read). A parse error is a 400
/// carrying the parser's code (an oversized head: its limit code); bytes that end early are a 400
/// incomplete_request. `consumed`, if given, receives the length of the request head.
inline handshake_verdict accept_handshake(std::string_view bytes, const acceptor_options& o,
                                          std::size_t* consumed = nullptr)
{
    http::request_parser parser(o.limits);
    std::error_code ec;
    std::size_t n = parser.feed(bytes, ec);
    if (consumed)
        *consumed = n;
    handshake_verdict v;
    if (ec) {
        detail::refuse(v, o, 400, ec);
        v.where = parser.where();
        return v;
    }
    if (!parser.done()) {
        detail::refuse(v, o, 400, make_error_code(handshake_error::incomplete_request));
        return v;
    }
    detail::judge_handshake(parser.get(), o, v);
    return v;
}

/// The acceptor fed as bytes arrive (a server reading its socket): feed() consumes at most the
/// request head; once done(), verdict() holds the answer, and any bytes after the head (a pipelined
/// first frame) were left to the caller. Same result however the bytes are cut.
class handshake_acceptor {
public:
    explicit handshake_acceptor(acceptor_options options = {})
        : options_(std::move(options)), parser_(options_.limits)
    {
    }

    /// Returns how many bytes of `bytes` were used.
    std::size_t feed(std::string_view bytes)
    {
        if (done_)
            return 0;
        std::error_code ec;
        std::size_t n = parser_.feed(bytes, ec);
        if (ec) {
            detail::refuse(verdict_, options_, 400, ec);
            verdict_.where = parser_.where();
            done_ = true;
        }
        else if (parser_.done()) {
            // verdict_ is untouched until done_ is set, so it is still the fresh verdict judging expects.
            detail::judge_handshake(parser_.get(), options_, verdict_);
            done_ = true;
        }
        return n;
    }

    /// The peer closed before the head was complete: a 400 incomplete_request (to log; nobody reads it).
    void finish_eof()
    {
        if (done_)
            return;
        detail::refuse(verdict_, options_, 400, make_error_code(handshake_error::incomplete_request));
        done_ = true;
    }

    bool done() const noexcept { return done_; }
    const handshake_verdict& verdict() const noexcept { return verdict_; }
    const acceptor_options& options() const noexcept { return options_; }

private:
    acceptor_options options_;
    http::request_parser parser_;
    handshake_verdict verdict_;
    bool done_ = false;
};

} // namespace realmwire

#endif
