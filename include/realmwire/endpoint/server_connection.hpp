#ifndef REALMWIRE_ENDPOINT_SERVER_CONNECTION_HPP
#define REALMWIRE_ENDPOINT_SERVER_CONNECTION_HPP

// The server side of one sync connection (one WebSocket, after the handshake), as a sans-I/O state
// machine: sync messages and time in, sync messages, close requests and events out.
//
//   receive(message, now)   one binary WebSocket message from the client
//   next_output(now)        the next message to send, or nullopt; call again after each write
//   should_close()          true once the connection must be closed (after the output is drained)
//   on_timer(now)           at or after next_deadline(): the idle timeout
//   take_events()           what happened, for logging and for the driver (realm_changed)
//
// The ordering rules and error codes are realm-core's server (docs/protocol.md, server.cpp
// receive_*_message): a connection-level error (100-199) queues ERROR with session 0, stops reading
// and asks for the close; a session-level error (200-299) answers that session with ERROR, after
// which its messages are ignored until its UNBIND (which then gets no UNBOUND).
//
// Like realm-core's server, output is produced one message at a time, when the driver can write:
// a session's DOWNLOADs are generated lazily in next_output(), so a slow client holds back its own
// downloads and nothing else. A server IDENT or UNBOUND counts as sent when next_output() returns
// it: until then an IDENT from the client is "before the server's IDENT" (109) and a message after
// UNBIND is "after UNBIND" (109); once UNBOUND is out, the session ident is free for reuse.

#include "realmwire/auth/token_checker.hpp"
#include "realmwire/changeset/decoder.hpp"
#include "realmwire/dialect/dialect.hpp"
#include "realmwire/endpoint/server_backend.hpp"
#include "realmwire/endpoint/types.hpp"
#include "realmwire/errors/endpoint.hpp"
#include "realmwire/errors/message.hpp"
#include "realmwire/path.hpp"
#include "realmwire/protocol/body_codec.hpp"
#include "realmwire/protocol/decode.hpp"
#include "realmwire/protocol/encode.hpp"
#include "realmwire/protocol/json_body_types.hpp"
#include "realmwire/protocol/protocol_error.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

namespace realmwire::endpoint {

struct server_connection_config {
    dialect_id dialect = dialect_id::mongodb_pbs; ///< decides REFRESH support and PBS/FLX grammar
    int protocol_version = 14;                    ///< negotiated in the handshake
    /// The token the handshake carried (header or query); used when a BIND carries none.
    std::string handshake_token;
    /// Checks tokens at BIND and REFRESH (auth::token_verifier, auth/verifier.hpp, is the RS256 one
    /// realm-core uses; it needs OpenSSL, this header does not). nullptr: no authentication (every
    /// session is anonymous, bind_request::user is nullptr).
    const auth::token_checker* verifier = nullptr;
    /// The only token kind a session may present (BIND, REFRESH); nullopt accepts any kind, as
    /// realm-core does. A server that also issues refresh and user tokens asks for access tokens here,
    /// so a long-lived refresh token never opens a realm by itself.
    std::optional<auth::token_kind> token_kind;
    /// Asked with a token's revocation key (auth::verification::revocation_key) at BIND and REFRESH;
    /// true refuses the token (203). Null: no revocation list.
    std::function<bool(std::string_view)> is_revoked;
    /// Close a connection from which nothing arrived for this long (realm-core's
    /// connection_reaper_timeout: 30 min). Zero disables it.
    milliseconds idle_timeout{30 * 60 * 1000};
    protocol::message_limits limits{};
    path_limits path{};
    /// Soft cap on the changeset bytes of one DOWNLOAD (download_request::max_body_bytes).
    std::size_t max_download_body = 128 * 1024;
    /// Send realm-core's LOG_MESSAGE "Client connection established with server" first (only in the
    /// MongoDB dialects when the negotiated protocol is ≥ 10, as realm-core does).
    bool log_message_on_connect = true;
    /// Map message-codec errors the way realm-core's server does (103 for every syntax error,
    /// 101 for a decompression failure) instead of the codec's finer codes (102, 110, 111, 112).
    bool realm_core_error_mapping = true;
    std::uint64_t connection_id = 0; ///< passed to the backend in bind_request
    /// Decode every uploaded changeset with these limits before the backend stores it; one that does
    /// not decode ends its session with 212 (bad_changeset, as realm-core's server answers a changeset
    /// it cannot integrate), so nothing unreadable ever reaches the history that every client downloads.
    /// Off by default because the connection otherwise treats changesets as opaque bytes (a backend
    /// may store another format, and realm-core's server parses them only when integrating); a server
    /// whose backend stores what clients upload — the reference server — turns it on.
    bool validate_changesets = false;
    changeset::limits changeset_limits{};
    /// Capacity of the per-connection inflate buffer kept after a message; a larger one (a big upload)
    /// is released, so one large message does not pin its size for the connection's lifetime.
    std::size_t keep_buffer_bytes = 256 * 1024;
    /// Body compression (protocol/compression.hpp: &protocol::zlib_compressor()). Null: DOWNLOADs are
    /// sent uncompressed and a compressed UPLOAD fails as a decompression failure. The drivers and the
    /// reference server set zlib when this is null.
    const protocol::body_compressor* compressor = nullptr;
    /// LOG_MESSAGE bodies (protocol/json_bodies.hpp: &protocol::picojson_json_codec()). Null: no
    /// LOG_MESSAGE is sent. The drivers and the reference server set picojson when null.
    const protocol::json_body_codec* json = nullptr;
};

enum class server_event_type {
    session_bound,   ///< BIND accepted (realm = the backend's key)
    client_file_allocated, ///< server IDENT queued
    session_identified,    ///< IDENT accepted
    upload_integrated,     ///< an UPLOAD was handed to the backend
    realm_changed,   ///< the backend's history of `realm` grew: wake the other connections on it
    mark_received,
    token_refreshed, ///< REFRESH accepted
    session_error,   ///< session-level ERROR sent (code)
    query_error,     ///< FLX: QUERY_ERROR sent (code, message); the session goes on
    compensating_write, ///< FLX: ERROR 231 sent (message = its JSON); the session goes on
    connection_error, ///< connection-level ERROR sent (code); the connection closes
    client_error,    ///< JSON_ERROR received from the client (code, message = JSON)
    session_unbound, ///< UNBIND received
    idle_timeout,    ///< nothing received within the idle timeout; the connection closes
};

struct server_event {
    server_event_type type;
    std::uint64_t session_ident = 0;
    std::string realm;
    int code = 0;
    std::string message;
};

class server_connection {
public:
    server_connection(server_backend& backend, server_connection_config config, time_point now)
        : backend_(backend)
        , config_(std::move(config))
        , last_activity_(now)
    {
        decode_.mode = config_.dialect == dialect_id::mongodb_flx ? protocol::sync_mode::flx : protocol::sync_mode::pbs;
        decode_.protocol_version = config_.protocol_version;
        decode_.limits = config_.limits;
        // LOG_MESSAGE exists from protocol 10 of the MongoDB numbering only: legacy_ros counts its
        // versions differently (io.realm.sync.22) and its clients do not know the message.
        const bool mongodb = config_.dialect == dialect_id::mongodb_pbs || config_.dialect == dialect_id::mongodb_flx;
        if (config_.json && config_.log_message_on_connect && mongodb && config_.protocol_version >= 10) {
            protocol::log_message_body b;
            b.level = protocol::log_level::info;
            b.message = "Client connection established with server";
            std::string json = config_.json->build_log(b);
            protocol::log_message m;
            m.json = json;
            queue_control(m, 0, item_kind::plain);
        }
    }

    server_connection(const server_connection&) = delete;
    server_connection& operator=(const server_connection&) = delete;

    ~server_connection()
    {
        for (auto& [ident, s] : sessions_)
            end_session_in_backend(s);
    }

    const server_connection_config& config() const noexcept { return config_; }

    /// One complete sync message from the client.
    void receive(std::string_view message, time_point now)
    {
        if (closing_)
            return; // realm-core stops reading once it decided to close
        last_activity_ = now;
        std::error_code ec;
        protocol::client_message msg = protocol::decode_client_message(message, decode_, ec);
        if (ec) {
            connection_error(decode_error_code(ec), ec.message());
            return;
        }
        std::visit([&](auto& m) { handle(m); }, msg);
    }

    /// The next message to write, or nullopt when there is nothing to send right now.
    std::optional<std::string> next_output(time_point now = {})
    {
        (void)now;
        if (!control_.empty()) {
            output_item item = std::move(control_.front());
            control_.pop_front();
            if (item.kind == item_kind::pong)
                pong_queued_ = false;
            on_sent(item);
            return std::move(item.bytes);
        }
        if (closing_)
            return std::nullopt;
        // One message from the first session that has something to send; it goes to the back of
        // the queue if it has more (FIFO fairness between sessions, as realm-core's enlisting).
        while (!enlisted_.empty()) {
            std::uint64_t ident = enlisted_.front();
            enlisted_.pop_front();
            auto it = sessions_.find(ident);
            if (it == sessions_.end())
                continue;
            session& s = it->second;
            s.enlisted = false;
            std::optional<std::string> out = produce(s);
            if (closing_) {
                // produce() hit a connection-level error: only the ERROR goes out
                return next_output(now);
            }
            if (!control_.empty()) {
                // produce() queued a session ERROR
                if (out)
                    control_.push_front(output_item{std::move(*out), 0, item_kind::plain});
                return next_output(now);
            }
            if (out) {
                if (wants_to_send(s))
                    enlist(s);
                return out;
            }
        }
        return std::nullopt;
    }

    bool has_output() const noexcept { return !control_.empty() || (!closing_ && !enlisted_.empty()); }

    /// True once the connection must be closed: after a connection-level ERROR (send it first:
    /// drain next_output()) or the idle timeout.
    bool should_close() const noexcept { return closing_; }
    /// The connection-level ProtocolError that closes it (0 for the idle timeout or none).
    int close_error() const noexcept { return close_error_; }

    /// When on_timer() must run next (the idle deadline), or nullopt.
    std::optional<time_point> next_deadline() const
    {
        if (closing_ || config_.idle_timeout.count() <= 0)
            return std::nullopt;
        return last_activity_ + config_.idle_timeout;
    }

    void on_timer(time_point now)
    {
        auto d = next_deadline();
        if (!d || now < *d)
            return;
        closing_ = true;
        events_.push_back({server_event_type::idle_timeout, 0, {}, 0, "no message within the idle timeout"});
        terminate_sessions();
    }

    /// The history of `realm` changed (another connection uploaded): sessions bound to it here scan
    /// for new DOWNLOADs at the next next_output().
    void notify_realm_changed(std::string_view realm)
    {
        if (closing_)
            return;
        for (auto& [ident, s] : sessions_) {
            if (s.ident_received && !s.error_sent && !s.unbind_received && s.realm == realm) {
                s.scan_needed = true;
                enlist(s);
            }
        }
    }

    /// Events since the last call.
    std::vector<server_event> take_events() { return std::exchange(events_, {}); }

    /// Sessions currently known (bound, errored but not unbound, or awaiting UNBOUND).
    std::size_t session_count() const noexcept { return sessions_.size(); }

    /// Whether `ident` names a session of this connection (in any state).
    bool has_session(std::uint64_t ident) const noexcept { return sessions_.count(ident) != 0; }

    /// The verified claims of session `ident`, or nullptr (no such session, no token checked).
    const auth::claims* session_user(std::uint64_t ident) const noexcept
    {
        auto it = sessions_.find(ident);
        return it == sessions_.end() || !it->second.user ? nullptr : &*it->second.user;
    }

    /// The realms this connection has identified sessions on.
    std::vector<std::string> realms() const
    {
        std::vector<std::string> out;
        for (const auto& [ident, s] : sessions_)
            if (s.ident_received && !s.error_sent && !s.unbind_received)
                out.push_back(s.realm);
        return out;
    }

private:
    enum class item_kind { plain, server_ident, unbound, pong };
    struct output_item {
        std::string bytes;
        std::uint64_t session_ident = 0;
        item_kind kind = item_kind::plain;
    };

    struct session {
        std::uint64_t ident = 0;
        std::string realm;
        std::optional<auth::claims> user;
        bool need_client_file_ident = false;
        bool server_ident_pending = false; ///< server IDENT queued, not yet taken
        bool ident_received = false;
        bool unbind_received = false;
        bool error_sent = false;
        bool enlisted = false;
        bool ended_in_backend = false;
        salted_file_ident file{};
        download_cursor download_progress{}; ///< what the client has been sent
        upload_cursor upload_progress{};     ///< last UPLOAD progress received
        upload_cursor upload_threshold{};
        std::uint64_t locked_server_version = 0;
        bool scan_needed = false;
        bool one_download_sent = false;
        salted_version last_latest{};
        upload_cursor last_upload_ack{};
        std::uint64_t mark_request = 0; ///< pending MARK (0 = none)
        std::int64_t query_version = 0;  ///< FLX: the query the DOWNLOADs answer
        bool bootstrap_pending = false;  ///< FLX: the next DOWNLOADs form a bootstrap for query_version
    };

    // --- helpers ------------------------------------------------------------------------------------

    int decode_error_code(std::error_code ec) const noexcept
    {
        if (ec.category() != error_category_for<message_error>())
            return static_cast<int>(protocol::protocol_error::other_error);
        auto e = static_cast<message_error>(ec.value());
        int code = to_protocol_error_code(e);
        if (!config_.realm_core_error_mapping)
            return code;
        // realm-core's server reports every parse failure as SyncProtocolInvariantFailed (103) and a
        // failed decompression as a RuntimeError (101) (server.cpp handle_protocol_error).
        return code == 110 ? 101 : 103;
    }

    template <class Message>
    void queue_control(const Message& m, std::uint64_t session, item_kind kind)
    {
        std::string bytes;
        std::error_code ec;
        protocol::encode(m, bytes, ec);
        if (ec)
            return; // only our own values are encoded here; they always encode
        control_.push_back(output_item{std::move(bytes), session, kind});
    }

    void on_sent(const output_item& item)
    {
        auto it = sessions_.find(item.session_ident);
        if (it == sessions_.end())
            return;
        if (item.kind == item_kind::server_ident)
            it->second.server_ident_pending = false;
        else if (item.kind == item_kind::unbound)
            sessions_.erase(it); // the ident may now be reused
    }

    void enlist(session& s)
    {
        if (s.enlisted)
            return;
        s.enlisted = true;
        enlisted_.push_back(s.ident);
    }

    bool wants_to_send(const session& s) const noexcept
    {
        return s.ident_received && !s.error_sent && !s.unbind_received && (s.scan_needed || s.mark_request != 0);
    }

    void end_session_in_backend(session& s)
    {
        if (s.ended_in_backend || s.realm.empty())
            return;
        s.ended_in_backend = true;
        backend_.session_ended(s.realm, s.ident_received ? s.file : salted_file_ident{});
        backend_.session_released(config_.connection_id, s.ident);
    }

    void terminate_sessions()
    {
        for (auto& [ident, s] : sessions_)
            end_session_in_backend(s);
        sessions_.clear();
        enlisted_.clear();
    }

    void connection_error(int code, std::string detail = {})
    {
        if (closing_)
            return;
        protocol::error_message m;
        m.error_code = code;
        m.session_ident = 0;
        m.try_again = code == static_cast<int>(protocol::protocol_error::connection_closed);
        const protocol::protocol_error_info* info = protocol::find_protocol_error(code);
        m.message = info ? info->message : std::string_view("Other connection level error");
        // realm-core sends nothing else once it decided to close
        control_.clear();
        pong_queued_ = false;
        queue_control(m, 0, item_kind::plain);
        closing_ = true;
        close_error_ = code;
        events_.push_back({server_event_type::connection_error, 0, {}, code, std::move(detail)});
        terminate_sessions();
    }

    void connection_error(protocol::protocol_error e, std::string detail = {})
    {
        connection_error(static_cast<int>(e), std::move(detail));
    }

    void session_error(session& s, const status& st)
    {
        if (!protocol::is_session_level_error(st.code)) {
            connection_error(st.code, st.message);
            return;
        }
        protocol::error_message m;
        m.error_code = st.code;
        m.session_ident = s.ident;
        m.try_again = st.try_again;
        const protocol::protocol_error_info* info = protocol::find_protocol_error(st.code);
        std::string text = !st.message.empty() ? st.message : std::string(info ? info->message : "Session level error");
        m.message = text;
        queue_control(m, s.ident, item_kind::plain);
        s.error_sent = true;
        s.scan_needed = false;
        s.mark_request = 0;
        events_.push_back({server_event_type::session_error, s.ident, s.realm, st.code, text});
        end_session_in_backend(s);
    }

    void session_error(session& s, protocol::protocol_error e, std::string msg = {})
    {
        // An expired token is temporary: the client refreshes it and binds again (ROS sent 202 with
        // try_again, and the reference client reconnects on it).
        session_error(s, status::error(e, std::move(msg), e == protocol::protocol_error::token_expired));
    }

    /// Finds the session of a non-BIND message, applying realm-core's common checks: unknown ident
    /// → 106, after UNBIND → 109. Returns nullptr when the message is not to be processed further
    /// (also for an errored session: its messages are ignored until UNBIND).
    session* find_live(std::uint64_t ident)
    {
        auto it = sessions_.find(ident);
        if (it == sessions_.end()) {
            connection_error(protocol::protocol_error::bad_session_ident);
            return nullptr;
        }
        session& s = it->second;
        if (s.unbind_received) {
            connection_error(protocol::protocol_error::bad_message_order, "message after UNBIND");
            return nullptr;
        }
        if (s.error_sent)
            return nullptr;
        return &s;
    }

    /// find_live for the messages that need the client's IDENT first (UPLOAD, MARK, QUERY): 109 otherwise.
    session* find_identified(std::uint64_t ident, const char* message_before_ident)
    {
        session* s = find_live(ident);
        if (s && !s->ident_received) {
            connection_error(protocol::protocol_error::bad_message_order, message_before_ident);
            return nullptr;
        }
        return s;
    }

    /// The token's verdict mapped onto ProtocolError (realm-core / ROS).
    static protocol::protocol_error token_error(std::error_code ec) noexcept
    {
        if (ec == auth_error::token_expired)
            return protocol::protocol_error::token_expired;
        if (ec == auth_error::token_path || ec == auth_error::token_privilege)
            return protocol::protocol_error::permission_denied;
        return protocol::protocol_error::bad_authentication;
    }

    /// Privilege check for IDENT (download), UPLOAD (upload) and MARK (download), plus expiry: a
    /// token that expired since BIND ends the session with 202 so the client refreshes it.
    bool check_access(session& s, std::uint32_t needed)
    {
        if (!config_.verifier || !s.user)
            return true;
        if (s.user->expired(config_.verifier->now())) {
            session_error(s, protocol::protocol_error::token_expired);
            return false;
        }
        if (!s.user->is_admin() && !s.user->grants(needed)) {
            session_error(s, protocol::protocol_error::permission_denied);
            return false;
        }
        return true;
    }

    bool flx() const noexcept { return decode_.mode == protocol::sync_mode::flx; }

    /// Verifies `token` for a (PBS) path; sets `out` or returns the error.
    std::optional<protocol::protocol_error> verify_token(std::string_view token, const std::string& path,
                                                         std::optional<auth::claims>& out) const
    {
        if (!config_.verifier)
            return std::nullopt;
        if (token.empty())
            return protocol::protocol_error::bad_authentication;
        auth::verify_request req;
        if (!flx() && !path.empty())
            req.path = path;
        req.kind = config_.token_kind;
        auth::verification v = config_.verifier->verify(token, req);
        if (v.error)
            return token_error(v.error);
        if (config_.is_revoked && config_.is_revoked(v.revocation_key))
            return protocol::protocol_error::bad_authentication;
        out = std::move(v.token_claims);
        return std::nullopt;
    }

    // --- message handlers ---------------------------------------------------------------------------

    void handle(protocol::bind_message& m)
    {
        if (m.session_ident == 0) {
            // a BIND for session 0 could never be answered (0 means "connection" in ERROR)
            connection_error(protocol::protocol_error::bad_session_ident, "BIND with session ident 0");
            return;
        }
        auto [it, inserted] = sessions_.try_emplace(m.session_ident);
        if (!inserted) {
            connection_error(protocol::protocol_error::reuse_of_session_ident);
            return;
        }
        session& s = it->second;
        s.ident = m.session_ident;
        s.need_client_file_ident = m.need_client_file_ident;

        std::string_view token = !m.signed_user_token.empty() ? m.signed_user_token : std::string_view(config_.handshake_token);
        std::string path(m.path);
        if (!flx()) {
            // ROS: `~` stands for the user's identity. Resolve it with the (unverified) identity only
            // to validate the path; the verifier checks the path against the verified claims.
            if (config_.verifier && path.find('~') != std::string::npos && !token.empty()) {
                if (auto identity = config_.verifier->unverified_identity(token))
                    path = auth::expand_home(path, *identity);
            }
            std::error_code pec;
            validate_realm_path(path, pec, config_.path);
            if (pec) {
                session_error(s, protocol::protocol_error::illegal_realm_path);
                return;
            }
        }
        if (auto err = verify_token(token, path, s.user)) {
            session_error(s, *err);
            return;
        }
        bind_request req;
        req.connection_id = config_.connection_id;
        req.session_ident = s.ident;
        req.path = flx() ? m.path : std::string_view(path);
        req.flx = flx();
        req.need_client_file_ident = m.need_client_file_ident;
        req.user = s.user ? &*s.user : nullptr;
        req.dialect = config_.dialect;
        req.protocol_version = config_.protocol_version;
        std::string realm = flx() ? std::string(m.path) : path;
        status st = backend_.authorize_bind(req, realm);
        s.realm = std::move(realm);
        if (!st.ok()) {
            session_error(s, st);
            return;
        }
        // A token names the one realm it is good for; the realm is what the backend chose, not what
        // the BIND said (an FLX bind carries a query, not a path), so the path is checked against it.
        if (s.user && s.user->path && !s.user->is_admin() && *s.user->path != s.realm) {
            session_error(s, protocol::protocol_error::permission_denied, "the token is for another realm");
            return;
        }
        events_.push_back({server_event_type::session_bound, s.ident, s.realm, 0, {}});
        if (m.need_client_file_ident) {
            salted_file_ident fid;
            st = backend_.allocate_client_file_ident(s.realm, fid);
            if (!st.ok()) {
                session_error(s, st);
                return;
            }
            protocol::server_ident_message out;
            out.session_ident = s.ident;
            out.client_file_ident = fid.ident;
            out.client_file_ident_salt = fid.salt;
            queue_control(out, s.ident, item_kind::server_ident);
            s.server_ident_pending = true;
            events_.push_back({server_event_type::client_file_allocated, s.ident, s.realm, 0, {}});
        }
    }

    void handle(protocol::client_ident_message& m)
    {
        session* sp = find_live(m.session_ident);
        if (!sp)
            return;
        session& s = *sp;
        if (s.server_ident_pending) {
            connection_error(protocol::protocol_error::bad_message_order, "IDENT before the server's IDENT");
            return;
        }
        if (s.ident_received) {
            connection_error(protocol::protocol_error::bad_message_order, "second IDENT");
            return;
        }
        if (!check_access(s, auth::privilege::read))
            return;
        // The same client file in two sessions of one connection (realm-core: 108, connection level).
        for (const auto& [ident, other] : sessions_) {
            if (ident != s.ident && other.ident_received && !other.error_sent && !other.unbind_received &&
                other.file.ident == m.client_file_ident && other.realm == s.realm) {
                connection_error(protocol::protocol_error::bound_in_other_session);
                return;
            }
        }
        ident_request req;
        req.realm = s.realm;
        req.client_file = {m.client_file_ident, m.client_file_ident_salt};
        req.download = {m.download_server_version, m.download_client_version};
        req.latest_server_version = {m.latest_server_version, m.latest_server_version_salt};
        req.user = s.user ? &*s.user : nullptr;
        req.has_query = m.has_query;
        req.query_version = m.query_version;
        req.query = m.query;
        ident_result res;
        status st = backend_.validate_ident(req, res);
        if (!st.ok()) {
            session_error(s, st);
            return;
        }
        s.ident_received = true;
        s.file = req.client_file;
        s.download_progress = req.download;
        s.upload_threshold = res.upload_threshold;
        // realm-core keeps the session's upload progress at {0, 0} until the first UPLOAD: a client that
        // re-sends changesets the server integrated but never acknowledged (the server died before its
        // DOWNLOAD went out) has them skipped as previously integrated, not refused with 210.
        s.upload_progress = {};
        s.locked_server_version = res.locked_server_version;
        s.scan_needed = true;
        if (flx() && m.has_query) {
            s.query_version = m.query_version;
            query_request q{s.realm, s.file, m.query_version, m.query, req.user, true, req.download};
            status qs = backend_.change_query(q);
            // realm-core's client takes a bootstrap for a version it got QUERY_ERROR for as a protocol
            // violation: a refused set gets steady-state DOWNLOADs (of nothing) instead
            if (qs.ok())
                s.bootstrap_pending = true;
            else
                send_query_error(s, qs, m.query_version);
        }
        events_.push_back({server_event_type::session_identified, s.ident, s.realm, 0, {}});
        enlist(s);
    }

    static bool is_consistent(const upload_cursor& c) noexcept
    {
        return c.client_version != 0 || c.last_integrated_server_version == 0;
    }
    static bool mutually_consistent(const upload_cursor& a, const upload_cursor& b) noexcept
    {
        if (a.client_version < b.client_version)
            return a.last_integrated_server_version <= b.last_integrated_server_version;
        if (a.client_version > b.client_version)
            return a.last_integrated_server_version >= b.last_integrated_server_version;
        return a.last_integrated_server_version == b.last_integrated_server_version;
    }

    void handle(protocol::upload_message& m)
    {
        session* sp = find_identified(m.session_ident, "UPLOAD before IDENT");
        if (!sp)
            return;
        session& s = *sp;
        std::error_code ec;
        protocol::decompress_body_with(config_.compressor, m, upload_buffer_, config_.limits, ec);
        if (ec) {
            release_buffer();
            connection_error(decode_error_code(ec), ec.message());
            return;
        }
        handle_upload(s, m);
        release_buffer();
    }

    void release_buffer()
    {
        if (upload_buffer_.capacity() > config_.keep_buffer_bytes)
            std::string().swap(upload_buffer_);
    }

    /// Decodes each changeset of an UPLOAD; the first that fails ends the session with 212.
    bool changesets_valid(session& s, const protocol::upload_message& m)
    {
        if (!config_.validate_changesets)
            return true;
        std::size_t i = 0;
        for (const protocol::upload_entry& e : m.entries) {
            changeset::null_visitor visitor;
            std::error_code ec;
            error_info where;
            changeset_decoder_.set_limits(config_.changeset_limits);
            if (!changeset_decoder_.decode(e.changeset, visitor, ec, where)) {
                std::string msg = "changeset " + std::to_string(i) + " (client version " +
                                  std::to_string(e.client_version) + "): " + ec.message() + " at byte " +
                                  std::to_string(where.offset);
                session_error(s, protocol::protocol_error::bad_changeset, std::move(msg));
                return false;
            }
            ++i;
        }
        return true;
    }

    void handle_upload(session& s, protocol::upload_message& m)
    {
        if (!check_access(s, auth::privilege::upload))
            return;

        // realm-core's Session::receive_upload_message, check for check.
        upload_cursor progress{m.progress_client_version, m.progress_server_version};
        using pe = protocol::protocol_error;
        if (progress.client_version < s.upload_progress.client_version)
            return session_error(s, pe::bad_client_version, "decreasing client version in upload progress");
        if (progress.last_integrated_server_version > s.download_progress.server_version)
            return session_error(s, pe::bad_server_version, "upload progress names a server version never downloaded");
        if (!is_consistent(progress) || !mutually_consistent(progress, s.upload_threshold) ||
            !mutually_consistent(progress, s.upload_progress))
            return session_error(s, pe::bad_server_version, "inconsistent upload progress");
        if (m.locked_server_version < s.locked_server_version)
            return session_error(s, pe::bad_server_version, "decreasing locked server version");
        if (m.locked_server_version > s.download_progress.server_version)
            return session_error(s, pe::bad_server_version, "locked server version never downloaded");
        upload_cursor up = s.upload_progress;
        for (const protocol::upload_entry& e : m.entries) {
            upload_cursor c{e.client_version, e.server_version};
            if (c.client_version <= up.client_version)
                return session_error(s, pe::bad_client_version, "non-increasing client version of an uploaded changeset");
            if (!is_consistent(c) || !mutually_consistent(c, up) || !mutually_consistent(c, s.upload_threshold))
                return session_error(s, pe::bad_server_version, "inconsistent upload cursor of a changeset");
            up = c;
        }
        if (!m.entries.empty()) {
            if (up.client_version > progress.client_version)
                return session_error(s, pe::bad_client_version, "upload progress below a changeset's client version");
            if (!mutually_consistent(up, progress))
                return session_error(s, pe::bad_server_version, "last changeset inconsistent with upload progress");
        }
        if (!changesets_valid(s, m))
            return;
        s.upload_progress = progress;
        bool real_progress = progress.client_version > s.upload_threshold.client_version;
        bool bump_locked = m.locked_server_version > s.locked_server_version;
        if (!real_progress && !bump_locked)
            return;

        upload_request req;
        req.realm = s.realm;
        req.client_file = s.file;
        req.progress = real_progress ? progress : s.upload_threshold;
        req.locked_server_version = m.locked_server_version;
        req.changesets = m.entries;
        req.user = s.user ? &*s.user : nullptr;
        upload_result res;
        status st = backend_.integrate_upload(req, res);
        if (!st.ok())
            return session_error(s, st);
        s.locked_server_version = m.locked_server_version;
        events_.push_back({server_event_type::upload_integrated, s.ident, s.realm, 0, {}});
        if (!res.compensating_write_json.empty()) {
            // before the DOWNLOAD that reverts the writes (realm-core's client waits for that version)
            protocol::json_error_message cw;
            cw.error_code = static_cast<int>(protocol::protocol_error::compensating_write);
            cw.session_ident = s.ident;
            cw.json = res.compensating_write_json;
            queue_control(cw, s.ident, item_kind::plain);
            events_.push_back({server_event_type::compensating_write, s.ident, s.realm, cw.error_code,
                               res.compensating_write_json});
        }
        // The uploader learns of the acknowledged progress through a DOWNLOAD.
        s.scan_needed = true;
        enlist(s);
        if (res.history_changed) {
            std::string realm = s.realm;
            events_.push_back({server_event_type::realm_changed, s.ident, realm, 0, {}});
            notify_realm_changed(realm);
        }
    }

    void handle(protocol::mark_message& m)
    {
        session* sp = find_identified(m.session_ident, "MARK before IDENT");
        if (!sp)
            return;
        session& s = *sp;
        if (!check_access(s, auth::privilege::read))
            return;
        status st = backend_.mark(s.realm, s.file, m.request_ident);
        if (!st.ok())
            return session_error(s, st);
        s.mark_request = m.request_ident;
        s.scan_needed = true; // MARK goes out after whatever is downloadable now
        events_.push_back({server_event_type::mark_received, s.ident, s.realm, 0, {}});
        enlist(s);
    }

    void handle(protocol::unbind_message& m)
    {
        auto it = sessions_.find(m.session_ident);
        if (it == sessions_.end()) {
            connection_error(protocol::protocol_error::bad_session_ident);
            return;
        }
        session& s = it->second;
        if (s.unbind_received) {
            connection_error(protocol::protocol_error::bad_message_order, "second UNBIND");
            return;
        }
        s.unbind_received = true;
        events_.push_back({server_event_type::session_unbound, s.ident, s.realm, 0, {}});
        end_session_in_backend(s);
        if (s.error_sent) {
            // the deactivation ends here: no UNBOUND after a session ERROR
            sessions_.erase(it);
            return;
        }
        protocol::unbound_message out;
        out.session_ident = s.ident;
        queue_control(out, s.ident, item_kind::unbound);
    }

    void handle(protocol::ping_message& m)
    {
        protocol::pong_message out;
        out.timestamp = m.timestamp;
        // At most one PONG waits in the queue: a newer PING re-aims it. A client has one PING
        // outstanding at a time (realm-core's does), so it loses nothing; a peer that sends PINGs and
        // never reads can no longer grow the queue by one PONG per PING.
        if (pong_queued_) {
            for (auto it = control_.rbegin(); it != control_.rend(); ++it) {
                if (it->kind == item_kind::pong) {
                    std::error_code ec;
                    it->bytes.clear();
                    protocol::encode(out, it->bytes, ec);
                    return;
                }
            }
        }
        queue_control(out, 0, item_kind::pong);
        pong_queued_ = true;
    }

    void handle(protocol::json_error_message& m)
    {
        auto it = sessions_.find(m.session_ident);
        if (m.session_ident != 0 && it == sessions_.end()) {
            connection_error(protocol::protocol_error::bad_session_ident);
            return;
        }
        if (it != sessions_.end() && it->second.unbind_received) {
            connection_error(protocol::protocol_error::bad_message_order, "message after UNBIND");
            return;
        }
        // realm-core only logs it
        events_.push_back({server_event_type::client_error, m.session_ident,
                           it != sessions_.end() ? it->second.realm : std::string(), m.error_code, std::string(m.json)});
    }

    void handle(protocol::refresh_message& m)
    {
        if (config_.dialect != dialect_id::legacy_ros && config_.dialect != dialect_id::realm_sync_2020) {
            // realm-core ≥ 2022 has no REFRESH: an unknown message type
            connection_error(protocol::protocol_error::bad_syntax, "REFRESH is not part of this dialect");
            return;
        }
        session* sp = find_live(m.session_ident);
        if (!sp)
            return;
        session& s = *sp;
        std::optional<auth::claims> fresh;
        if (auto err = verify_token(m.signed_user_token, flx() ? std::string() : s.realm, fresh)) {
            session_error(s, *err);
            return;
        }
        if (fresh && fresh->path && !fresh->is_admin() && *fresh->path != s.realm) {
            session_error(s, protocol::protocol_error::permission_denied, "the token is for another realm");
            return;
        }
        if (fresh)
            s.user = std::move(fresh);
        events_.push_back({server_event_type::token_refreshed, s.ident, s.realm, 0, {}});
    }

    void handle(protocol::query_message& m)
    {
        if (!flx()) {
            connection_error(protocol::protocol_error::bad_syntax, "QUERY on a partition-based connection");
            return;
        }
        session* sp = find_identified(m.session_ident, "QUERY before IDENT");
        if (!sp)
            return;
        session& s = *sp;
        // The backend checks the set; a refusal is a QUERY_ERROR and the previous set stays in force.
        // Otherwise the client gets the bootstrap it waits for (ending with last_in_batch for the new
        // query version), then steady-state DOWNLOADs again.
        query_request q{s.realm, s.file, m.query_version, m.query, s.user ? &*s.user : nullptr, false, s.download_progress};
        status qs = backend_.change_query(q);
        if (!qs.ok())
            return send_query_error(s, qs, m.query_version);
        s.query_version = m.query_version;
        s.bootstrap_pending = true;
        s.scan_needed = true;
        enlist(s);
    }

    void send_query_error(session& s, const status& st, std::int64_t query_version)
    {
        protocol::query_error_message out;
        out.error_code = st.code != 0 ? st.code : static_cast<int>(protocol::protocol_error::bad_query);
        out.session_ident = s.ident;
        out.query_version = query_version;
        out.message = st.message;
        queue_control(out, s.ident, item_kind::plain);
        events_.push_back({server_event_type::query_error, s.ident, s.realm, out.error_code, st.message});
    }

    void handle(protocol::test_command_message&)
    {
        // realm-core's server does not know TEST_COMMAND: unknown message type
        connection_error(protocol::protocol_error::bad_syntax, "TEST_COMMAND is not supported");
    }

    // --- output generation --------------------------------------------------------------------------

    /// The next DOWNLOAD or MARK of a session, or nullopt when it has nothing to send.
    std::optional<std::string> produce(session& s)
    {
        if (!s.ident_received || s.error_sent || s.unbind_received)
            return std::nullopt;
        if (s.scan_needed) {
            download_request req;
            req.realm = s.realm;
            req.client_file = s.file;
            req.after = s.download_progress;
            req.max_body_bytes = config_.max_download_body;
            req.user = s.user ? &*s.user : nullptr;
            req.query_version = s.query_version;
            req.bootstrap = s.bootstrap_pending;
            req.protocol_version = config_.protocol_version;
            download_batch batch;
            status st = backend_.produce_download(req, batch);
            if (!st.ok()) {
                session_error(s, st);
                return std::nullopt;
            }
            if (batch.server_bootstrap && flx() && config_.protocol_version >= 14)
                s.bootstrap_pending = true; // the backend re-sends the current query version's view
            bool advanced = batch.progress.server_version > s.download_progress.server_version;
            // a backend that does not advance cannot loop us, except through the batches of a
            // bootstrap, which all stand at one server version
            s.scan_needed = batch.more && (advanced || (s.bootstrap_pending && batch.bootstrap_continues));
            bool news = !batch.changesets.empty() || !s.one_download_sent || advanced || s.bootstrap_pending ||
                        batch.latest_server_version != s.last_latest || batch.upload_progress != s.last_upload_ack;
            if (news) {
                std::optional<std::string> bytes = encode_download(s, batch);
                if (!bytes)
                    return std::nullopt;
                s.one_download_sent = true;
                if (!s.scan_needed && s.bootstrap_pending) {
                    s.bootstrap_pending = false; // the last DOWNLOAD of the bootstrap went out
                    // The history may have grown while it went out (all of it stands at one server
                    // version, so `advanced` stayed false and wakes-ups meanwhile were spent on it):
                    // what came after it follows now, as steady-state DOWNLOADs.
                    s.scan_needed = batch.more;
                }
                s.download_progress = batch.progress;
                s.last_latest = batch.latest_server_version;
                s.last_upload_ack = batch.upload_progress;
                return bytes;
            }
        }
        if (s.mark_request != 0 && !s.scan_needed) {
            protocol::mark_message out;
            out.session_ident = s.ident;
            out.request_ident = s.mark_request;
            s.mark_request = 0;
            std::string bytes;
            std::error_code ec;
            protocol::encode(out, bytes, ec);
            return bytes;
        }
        return std::nullopt;
    }

    std::optional<std::string> encode_download(session& s, const download_batch& batch)
    {
        body_.clear();
        for (const history_changeset& c : batch.changesets) {
            protocol::download_entry e;
            e.server_version = c.server_version;
            e.client_version = c.last_integrated_client_version;
            e.origin_timestamp = c.origin_timestamp;
            e.origin_file_ident = c.origin_file_ident;
            e.original_changeset_size = c.original_changeset_size ? c.original_changeset_size : c.changeset.size();
            e.changeset = c.changeset;
            protocol::append_entry(body_, e);
        }
        protocol::download_message m;
        m.session_ident = s.ident;
        m.download_server_version = batch.progress.server_version;
        m.download_client_version = batch.progress.last_integrated_client_version;
        m.latest_server_version = batch.latest_server_version.version;
        m.latest_server_version_salt = batch.latest_server_version.salt;
        m.upload_client_version = batch.upload_progress.client_version;
        m.upload_server_version = batch.upload_progress.last_integrated_server_version;
        if (flx()) {
            m.form = config_.protocol_version >= 12 ? protocol::download_form::flx
                                                    : protocol::download_form::flx_downloadable_bytes;
            m.query_version = s.query_version;
            m.batch = !s.bootstrap_pending ? protocol::batch_state::steady_state
                      : s.scan_needed      ? protocol::batch_state::more_to_come
                                           : protocol::batch_state::last_in_batch;
            if (config_.protocol_version < 14 && m.batch == protocol::batch_state::steady_state)
                m.batch = protocol::batch_state::last_in_batch; // a bool before v14
            m.progress_estimate = batch.more ? 0.5 : 1.0;
        }
        else {
            m.form = protocol::download_form::pbs;
        }
        m.downloadable_bytes = std::min<std::uint64_t>(batch.downloadable_bytes, protocol::max_int64_field);
        if (m.form == protocol::download_form::flx_downloadable_bytes)
            m.downloadable_bytes = 0;
        std::error_code ec;
        protocol::compress_body_with(config_.compressor, m, body_, compress_scratch_, ec);
        std::string out;
        if (!ec)
            protocol::encode(m, out, ec);
        if (ec) {
            session_error(s, status::error(protocol::protocol_error::other_session_error, "cannot encode DOWNLOAD"));
            return std::nullopt;
        }
        return out;
    }

    server_backend& backend_;
    server_connection_config config_;
    protocol::decode_options decode_{};
    time_point last_activity_;
    std::map<std::uint64_t, session> sessions_;
    std::deque<std::uint64_t> enlisted_;
    std::deque<output_item> control_;
    bool pong_queued_ = false; ///< a PONG is in control_ (at most one)
    std::vector<server_event> events_;
    bool closing_ = false;
    int close_error_ = 0;
    std::string upload_buffer_;
    changeset::decoder changeset_decoder_;
    std::string body_;
    std::string compress_scratch_;
};

} // namespace realmwire::endpoint

#endif
