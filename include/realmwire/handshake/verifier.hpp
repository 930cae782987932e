#ifndef REALMWIRE_HANDSHAKE_VERIFIER_HPP
#define REALMWIRE_HANDSHAKE_VERIFIER_HPP

// The client's check of the server's answer. Sans-I/O: a parsed http::response (or its bytes) and the
// client_handshake that was sent in; the negotiated version out, or the reason it failed.
//
// A 101 must be `HTTP/1.1 101`, carry Sec-WebSocket-Accept = base64(SHA-1(key + GUID)) and echo one
// subprotocol `<our prefix><n>` with n inside the offer (realm-core websocket.cpp:865-888,
// client_impl_base.cpp:457-497). Like realm-core, Upgrade/Connection of the answer are not checked
// unless asked (`check_upgrade_headers`).
//
// Any other status is a refusal: status, reason, headers and a bounded body are kept, and mapped to
// realm-core's semantics (default_socket.cpp:93-126; docs/protocol.md):
//   301, 308 → 4003 moved_permanently   (client: refresh location)
//   other 3xx → 4404 redirect           (client: retry with backoff)
//   401 → 4001 refused_unauthorized     (client: refresh the user's token)
//   403 → 4002 refused_forbidden        (client: log the user out)
//   5xx → 1011 server_error             (client: retry)
//   anything else → 4405 refused        (client: fatal, or refresh location if never connected)

#include "realmwire/detail/ascii.hpp"
#include "realmwire/error.hpp"
#include "realmwire/errors/handshake.hpp"
#include "realmwire/handshake/request_builder.hpp"
#include "realmwire/handshake/subprotocol.hpp"
#include "realmwire/http/message.hpp"
#include "realmwire/http/parser.hpp"
#include "realmwire/websocket/accept_key.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace realmwire {

/// A server's refusal of the upgrade, as the client saw it.
struct handshake_refusal {
    int status = 0;
    std::string reason;
    http::fields headers;
    std::string body;             ///< at most verify_options::max_body bytes
    bool body_truncated = false;
    int close_code = 0;           ///< realm-core's WebSocket error code for this status
    std::error_code ec;           ///< moved_permanently, redirect, refused_unauthorized, ...
};

/// realm-core's close code for a non-101 status.
constexpr int refusal_close_code(int status) noexcept
{
    if (status == 301 || status == 308)
        return 4003;
    if (status >= 300 && status < 400)
        return 4404;
    if (status == 401)
        return 4001;
    if (status == 403)
        return 4002;
    if (status >= 500 && status < 600)
        return 1011;
    return 4405;
}

/// The fine error for a non-101 status.
constexpr handshake_error refusal_error(int status) noexcept
{
    if (status == 301 || status == 308)
        return handshake_error::moved_permanently;
    if (status >= 300 && status < 400)
        return handshake_error::redirect;
    if (status == 401)
        return handshake_error::refused_unauthorized;
    if (status == 403)
        return handshake_error::refused_forbidden;
    if (status >= 500 && status < 600)
        return handshake_error::server_error;
    return handshake_error::refused;
}

struct verify_options {
    std::size_t max_body = 8192;         ///< refusal body kept (realm-core reads at most 8192)
    bool check_upgrade_headers = false;  ///< also demand Upgrade: websocket, Connection: Upgrade
    http::parser_limits limits{};        ///< for the bytes overload
};

struct handshake_result {
    std::error_code ec;                  ///< empty on success
    int version = 0;                     ///< negotiated protocol version
    std::string subprotocol;             ///< as echoed
    std::optional<handshake_refusal> refusal; ///< set for a non-101 status

    bool ok() const noexcept { return !ec; }
};

/// Checks `resp` against what was sent: the key, the dialect's prefix and the offered range.
inline handshake_result verify_handshake_response(const http::response& resp, std::string_view key,
                                                  std::string_view prefix, version_range offered,
                                                  const verify_options& o = {})
{
    handshake_result r;
    if (resp.version_minor != 1) {
        r.ec = make_error_code(handshake_error::bad_status_line);
        return r;
    }
    if (resp.status != 101) {
        handshake_refusal ref;
        ref.status = resp.status;
        ref.reason = resp.reason;
        ref.headers = resp.headers;
        ref.body = resp.body.substr(0, o.max_body);
        ref.body_truncated = resp.body.size() > o.max_body;
        ref.close_code = refusal_close_code(resp.status);
        ref.ec = make_error_code(refusal_error(resp.status));
        r.ec = ref.ec;
        r.refusal = std::move(ref);
        return r;
    }
    auto accept = resp.headers.get("Sec-WebSocket-Accept");
    if (!accept) {
        r.ec = make_error_code(handshake_error::missing_accept);
        return r;
    }
    if (!websocket::check_accept_key(key, detail::trim_ows(*accept))) {
        r.ec = make_error_code(handshake_error::bad_accept);
        return r;
    }
    if (o.check_upgrade_headers) {
        auto up = resp.headers.get("Upgrade");
        auto conn = resp.headers.get("Connection");
        if (!up || !detail::iequals(detail::trim_ows(*up), "websocket")) {
            r.ec = make_error_code(handshake_error::missing_upgrade);
            return r;
        }
        if (!conn || !http::list_contains_token(*conn, "Upgrade")) {
            r.ec = make_error_code(handshake_error::missing_connection_upgrade);
            return r;
        }
    }
    auto proto = resp.headers.get("Sec-WebSocket-Protocol");
    std::string_view value = proto ? detail::trim_ows(*proto) : std::string_view{};
    r.version = check_echo(value, prefix, offered, r.ec);
    if (!r.ec)
        r.subprotocol.assign(value.data(), value.size());
    return r;
}

inline handshake_result verify_handshake_response(const http::response& resp, const client_handshake& hs,
                                                  const verify_options& o = {})
{
    return verify_handshake_response(resp, hs.key, hs.dialect->subprotocol_prefix, hs.offered, o);
}

/// Checks response bytes. A parse error is returned as is (the http area's code); bytes that end
/// before the head (or a refusal's Content-Length body) does give incomplete_response; a refusal
/// without a length is read to the end of `bytes`. `consumed`, if given, gets the
/// length of the response, so frames after a 101 can be handed on.
inline handshake_result verify_handshake_response(std::string_view bytes, const client_handshake& hs,
                                                  const verify_options& o = {}, std::size_t* consumed = nullptr)
{
    http::response_parser parser(o.limits);
    std::error_code ec;
    std::size_t n = parser.feed(bytes, ec);
    if (consumed)
        *consumed = n;
    handshake_result r;
    if (ec) {
        r.ec = ec;
        return r;
    }
    if (!parser.done() && parser.body_until_eof()) {
        // A refusal without Content-Length ends with the connection (ROS wrote its errors that way):
        // the bytes given are taken as everything the server sent.
        parser.finish_eof(ec);
    }
    if (ec || !parser.done()) {
        r.ec = make_error_code(handshake_error::incomplete_response);
        return r;
    }
    return verify_handshake_response(parser.get(), hs, o);
}

/// The verifier fed as bytes arrive (a client reading its socket): feed() consumes at most the
/// response (head, plus a refusal's Content-Length body); once done(), result() holds the outcome and
/// any bytes after a 101 (the server's first frames) were left to the caller.
class handshake_verifier {
public:
    explicit handshake_verifier(client_handshake hs, verify_options options = {})
        : hs_(std::move(hs)), options_(options), parser_(options_.limits)
    {
    }

    std::size_t feed(std::string_view bytes)
    {
        if (done_)
            return 0;
        std::error_code ec;
        std::size_t n = parser_.feed(bytes, ec);
        if (ec) {
            result_.ec = ec;
            done_ = true;
        }
        else if (parser_.done()) {
            result_ = verify_handshake_response(parser_.get(), hs_, options_);
            done_ = true;
        }
        return n;
    }

    /// The server closed the connection: completes a refusal whose body ran until then.
    void finish_eof()
    {
        if (done_)
            return;
        std::error_code ec;
        parser_.finish_eof(ec);
        if (!ec && parser_.done())
            result_ = verify_handshake_response(parser_.get(), hs_, options_);
        else
            result_.ec = make_error_code(handshake_error::incomplete_response);
        done_ = true;
    }

    bool done() const noexcept { return done_; }
    const handshake_result& result() const noexcept { return result_; }
    const client_handshake& handshake() const noexcept { return hs_; }

private:
    client_handshake hs_;
    verify_options options_;
    http::response_parser parser_;
    handshake_result result_;
    bool done_ = false;
};

} // namespace realmwire

#endif
