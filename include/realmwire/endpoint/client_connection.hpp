#ifndef REALMWIRE_ENDPOINT_CLIENT_CONNECTION_HPP
#define REALMWIRE_ENDPOINT_CLIENT_CONNECTION_HPP

// The client side of a sync connection as a sans-I/O state machine: several sessions multiplexed on
// one WebSocket, across reconnects. Sync messages, transport outcomes and time in; sync messages,
// connect/close requests and events out.
//
//   wants_connect(now)          the driver should open a connection now (backoff elapsed)
//   on_connected(now, version)  the WebSocket handshake succeeded (negotiated protocol version)
//   on_connect_failed / on_closed   the attempt failed / the transport closed
//   receive(message, now)       one binary WebSocket message from the server
//   next_output(now)            the next message to write, or nullopt
//   close_requested()           the client decided to close (protocol violation, token refresh by
//                               reconnect, pong timeout): close the transport, no on_closed() needed
//   on_timer(now)               at or after next_deadline(): pings, pong timeout, resumptions
//   take_events()               errors (each with its action), completions, token requests
//
// Behaviour follows realm-core's client (client_impl_base.cpp; docs/protocol.md):
// per-session send order BIND → IDENT → (JSON_ERROR) → MARK → UPLOAD, UNBIND on deactivation or a
// session ERROR; every check the realm-core client makes on server IDENT, DOWNLOAD, MARK, UNBOUND,
// ERROR, JSON_ERROR, QUERY_ERROR, LOG_MESSAGE and PONG (a failure closes the connection with action
// ProtocolViolation); PING every 60 s (first one after a random part of the period, later ones minus
// up to 10 %), PONG within 120 s; reconnect backoff 1 s doubling to 5 min with up to 25 % jitter,
// overridden by a JSON_ERROR's backoff fields; session resumption after a non-fatal session error.
//
// Token refresh: a 202 ERROR, a 4001 close or an HTTP 401 asks the application for a new token
// (event token_refresh_needed). refresh_token() then sends REFRESH on the open connection in the
// legacy_ros and realm_sync_2020 dialects (re-binding a session the server already ended), and
// reconnects at once in the modern dialects, whose token travels in the handshake.

#include "realmwire/dialect/dialect.hpp"
#include "realmwire/endpoint/backoff.hpp"
#include "realmwire/endpoint/client_store.hpp"
#include "realmwire/endpoint/types.hpp"
#include "realmwire/errors/endpoint.hpp"
#include "realmwire/protocol/body_codec.hpp"
#include "realmwire/protocol/decode.hpp"
#include "realmwire/protocol/encode.hpp"
#include "realmwire/protocol/json_body_types.hpp"
#include "realmwire/protocol/protocol_error.hpp"
#include "realmwire/websocket/close_code.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>
#include <vector>

namespace realmwire::endpoint {

/// Why a connection ended (realm-core's ConnectionTerminationReason); keys the reconnect backoff.
enum class termination_reason {
    closed_voluntarily,          ///< the client closed it (token refresh, no sessions)
    connect_operation_failed,    ///< resolve / TCP / TLS / proxy failure
    read_or_write_error,         ///< the transport broke
    websocket_protocol_violation,
    http_response_says_fatal_error,
    http_response_says_nonfatal_error,
    sync_protocol_violation,     ///< the server broke the sync protocol (a client-side check failed)
    server_said_try_again_later, ///< connection-level ERROR with try_again
    server_said_do_not_reconnect, ///< connection-level ERROR without try_again: no reconnect
    pong_timeout,
    unauthorized,                ///< 4001 / HTTP 401: reconnect once a token is refreshed
};

struct client_connection_config {
    dialect_id dialect = dialect_id::mongodb_pbs;
    /// The token sessions BIND with (legacy dialects: in BIND) and the driver puts in the handshake.
    std::string token;
    milliseconds ping_period{60 * 1000};     ///< realm-core's ping_keepalive_period
    milliseconds pong_timeout{120 * 1000};   ///< realm-core's pong_keepalive_timeout
    backoff_policy reconnect_backoff{};
    backoff_policy resumption_backoff{};
    std::size_t max_upload_bytes = 128 * 1024; ///< soft cap on the changeset bytes of one UPLOAD
    std::uint64_t random_seed = 0x5eed;       ///< jitter of backoff and ping scheduling
    protocol::message_limits limits{};
    /// Body compression (protocol/compression.hpp: &protocol::zlib_compressor()). Null: UPLOADs are
    /// sent uncompressed and a compressed DOWNLOAD is a protocol violation (decompression_failed).
    /// The drivers set zlib when this is null.
    const protocol::body_compressor* compressor = nullptr;
    /// JSON_ERROR / LOG_MESSAGE bodies (protocol/json_bodies.hpp: &protocol::picojson_json_codec()).
    /// Null: a JSON_ERROR is handled by its code alone (no message, action or backoff), LOG_MESSAGE is
    /// ignored, and the client's own JSON_ERROR carries "{}". The drivers set picojson when null.
    const protocol::json_body_codec* json = nullptr;
};

struct client_session_config {
    std::string path;                  ///< PBS realm path (FLX: BIND JSON data, usually empty)
    client_store* store = nullptr;     ///< must outlive the session
    std::optional<std::string> token;  ///< per-session token (legacy per-realm tokens); default: the connection's
};

enum class client_event_type {
    connected,
    disconnected,             ///< delay = time until the next attempt (max() = none until told)
    client_file_ident,        ///< the server allocated this session's file ident
    download_integrated,      ///< a DOWNLOAD was integrated (progress in the store)
    upload_complete,          ///< the server acknowledged everything up to the requested version
    download_complete,        ///< the MARK answer arrived
    session_removed,          ///< remove_session() finished (UNBOUND, error or connection loss)
    error,                    ///< an error; see code / protocol_code / action / fatal
    token_refresh_needed,     ///< call refresh_token() with a fresh token
    log_message,              ///< LOG_MESSAGE from the server (message = text)
    query_error,              ///< FLX QUERY_ERROR (protocol_code, message)
    compensating_write,       ///< JSON_ERROR 231: the server undid a write; the session goes on
};

struct client_event {
    client_event_type type = client_event_type::error;
    std::uint64_t session_ident = 0; ///< 0 = the connection
    std::error_code code;            ///< endpoint_error (client-side check) or none
    int protocol_code = 0;           ///< the server's ProtocolError code, when it sent one
    protocol::error_action action = protocol::error_action::transient;
    bool fatal = false;              ///< no automatic retry
    bool try_again = false;
    std::string message;
    milliseconds delay{0};
    std::int64_t query_version = 0;  ///< query_error: the query version the server refused
};

class client_connection {
public:
    enum class state { disconnected, connecting, connected };

    explicit client_connection(client_connection_config config, time_point now = {})
        : config_(std::move(config))
        , reconnect_(config_.reconnect_backoff, seeded_jitter(config_.random_seed))
        , jitter_(seeded_jitter(config_.random_seed ^ 0x9e3779b97f4a7c15ull))
        , reconnect_at_(now)
    {
        decode_.mode = flx() ? protocol::sync_mode::flx : protocol::sync_mode::pbs;
        decode_.limits = config_.limits;
    }

    client_connection(const client_connection&) = delete;
    client_connection& operator=(const client_connection&) = delete;

    const client_connection_config& config() const noexcept { return config_; }
    state current_state() const noexcept { return state_; }
    /// The token for the next handshake.
    const std::string& token() const noexcept { return config_.token; }
    int protocol_version() const noexcept { return protocol_version_; }

    // --- sessions ------------------------------------------------------------------------------------

    /// Adds a session; returns its ident (1, 2, 3 …, never reused by this object).
    std::uint64_t add_session(client_session_config cfg)
    {
        std::uint64_t ident = ++prev_session_ident_;
        session& s = sessions_[ident];
        s.ident = ident;
        s.cfg = std::move(cfg);
        s.resumption = backoff_state<int>(config_.resumption_backoff, seeded_jitter(config_.random_seed + ident));
        if (state_ == state::connected)
            enlist(s);
        return ident;
    }

    /// Deactivates a session: UNBIND if BIND was sent, then wait for UNBOUND (or an ERROR); at once
    /// otherwise. Ends with a session_removed event.
    void remove_session(std::uint64_t ident)
    {
        auto it = sessions_.find(ident);
        if (it == sessions_.end())
            return;
        session& s = it->second;
        s.deactivating = true;
        if (state_ != state::connected || !s.bind_sent || s.unbound_received || (s.error_received && s.unbind_sent)) {
            finish_removal(ident);
            return;
        }
        enlist(s);
    }

    bool has_session(std::uint64_t ident) const noexcept { return sessions_.count(ident) != 0; }

    /// The store has new local changesets: upload them.
    void notify_local_changes(std::uint64_t ident)
    {
        if (session* s = find(ident))
            enlist(*s);
    }

    /// Asks for an upload_complete event once the server has acknowledged every local version that
    /// exists now.
    void request_upload_completion(std::uint64_t ident)
    {
        if (session* s = find(ident)) {
            s->upload_target = s->cfg.store->current_client_version();
            s->upload_wait = true;
            enlist(*s);
            check_upload_completion(*s);
        }
    }

    /// Sends a MARK; download_complete follows its answer (everything the server had is integrated).
    void request_download_completion(std::uint64_t ident)
    {
        if (session* s = find(ident)) {
            ++s->target_mark;
            enlist(*s);
        }
    }

    /// A fresh access token (for every session; legacy per-session tokens: pass the ident).
    void refresh_token(std::string token, time_point now, std::uint64_t only_session = 0)
    {
        const bool legacy = dialect_has_refresh();
        if (only_session == 0)
            config_.token = token;
        for (auto& [ident, s] : sessions_) {
            if (only_session != 0 && ident != only_session)
                continue;
            if (only_session != 0 || s.cfg.token)
                s.cfg.token = token;
            if (!legacy)
                continue;
            if (state_ == state::connected && s.bind_sent && !s.error_received && !s.unbind_sent)
                s.refresh_pending = true;
            else if (s.waiting_for_token)
                s.resume_at = now; // re-BIND with the new token at once
            s.waiting_for_token = false;
            enlist(s);
        }
        if (legacy && state_ == state::connected) {
            on_timer(now); // re-BIND sessions the server ended with 202
            return;
        }
        // Modern dialects (and any dialect while disconnected): the token rides in the handshake.
        waiting_for_token_ = false;
        if (state_ == state::connected) {
            begin_close(now, termination_reason::closed_voluntarily, websocket::close_code::normal, false);
        }
        reconnect_at_ = now;
        for (auto& [ident, s] : sessions_)
            s.waiting_for_token = false;
    }

    /// realm-core's cancel_reconnect_delay(): try again now, even after a fatal error.
    void cancel_reconnect_delay(time_point now)
    {
        reconnect_at_ = now;
        reconnect_forever_ = false;
        waiting_for_token_ = false;
        reconnect_.reset();
    }

    // --- connection lifecycle ------------------------------------------------------------------------

    /// True when the driver should open a connection now.
    bool wants_connect(time_point now) const noexcept
    {
        return state_ == state::disconnected && !reconnect_forever_ && !waiting_for_token_ && !sessions_.empty() &&
               now >= reconnect_at_;
    }

    /// The driver started connecting (DNS, TCP, TLS, handshake).
    void on_connecting(time_point now)
    {
        (void)now;
        state_ = state::connecting;
    }

    /// The WebSocket handshake succeeded with `negotiated_version`.
    void on_connected(time_point now, int negotiated_version)
    {
        state_ = state::connected;
        protocol_version_ = negotiated_version;
        decode_.protocol_version = negotiated_version;
        connected_at_ = now;
        close_requested_ = false;
        control_.clear();
        enlisted_.clear();
        retired_.clear();
        // First PING after a random part of the period (realm-core: up to 100 % deduction).
        auto period = static_cast<std::uint64_t>(config_.ping_period.count());
        next_ping_at_ = now + milliseconds(static_cast<milliseconds::rep>(period - jitter_(period)));
        waiting_for_pong_ = false;
        for (auto& [ident, s] : sessions_) {
            s.reset_protocol_state();
            if (!s.waiting_for_token && !s.suspended)
                enlist(s);
        }
        events_.push_back(event(client_event_type::connected));
    }

    /// The connection attempt failed. `http_status` is the handshake's status when the server
    /// refused the upgrade (0 for network/TLS failures). `fatal`: the driver knows that retrying
    /// cannot help (e.g. a server certificate the client does not trust): no reconnect until
    /// cancel_reconnect_delay(). realm-core retries those with backoff.
    void on_connect_failed(time_point now, std::error_code ec, int http_status = 0, bool fatal = false)
    {
        if (state_ == state::disconnected)
            return;
        client_event e = event(client_event_type::error);
        e.code = ec;
        e.message = ec ? ec.message() : std::string("connection failed");
        termination_reason reason = termination_reason::connect_operation_failed;
        if (http_status == 401) {
            reason = termination_reason::unauthorized;
            e.action = protocol::error_action::refresh_user;
        }
        else if (http_status == 403) {
            reason = termination_reason::http_response_says_fatal_error;
            e.action = protocol::error_action::log_out_user;
            e.fatal = true;
        }
        else if (http_status == 301 || http_status == 308) {
            reason = termination_reason::http_response_says_nonfatal_error;
            e.action = protocol::error_action::refresh_location;
        }
        else if ((http_status >= 300 && http_status < 400) || http_status >= 500) {
            reason = termination_reason::http_response_says_nonfatal_error;
        }
        else if (http_status != 0) {
            // realm-core: any other status is fatal for the connection
            reason = termination_reason::http_response_says_fatal_error;
            e.action = protocol::error_action::application_bug;
            e.fatal = true;
        }
        if (fatal) {
            reason = termination_reason::http_response_says_fatal_error; // no reconnect
            e.fatal = true;
        }
        e.protocol_code = http_status;
        events_.push_back(std::move(e));
        disconnect(now, reason);
    }

    /// The transport closed (close frame code, or 1006 for a drop without one).
    void on_closed(time_point now, std::uint16_t close_code = 1006, std::error_code ec = {})
    {
        if (state_ == state::disconnected)
            return;
        websocket::close_code code = websocket::realm_close_code_from_wire(close_code);
        if (close_code == 1005 || close_code == 1006)
            code = static_cast<websocket::close_code>(close_code);
        websocket::close_reaction r = websocket::reaction_for(code);
        client_event e = event(client_event_type::error);
        e.code = ec ? ec : make_error_code(endpoint_error::connection_closed);
        e.protocol_code = close_code;
        e.message = r.explanation;
        e.fatal = r.fatal;
        e.action = to_action(r.action);
        termination_reason reason = termination_reason::read_or_write_error;
        if (code == websocket::close_code::unauthorized)
            reason = termination_reason::unauthorized;
        else if (code == websocket::close_code::forbidden)
            reason = termination_reason::http_response_says_fatal_error;
        else if (r.action == websocket::client_action::protocol_violation)
            reason = termination_reason::websocket_protocol_violation;
        if (code != websocket::close_code::normal)
            events_.push_back(std::move(e));
        disconnect(now, reason);
    }

    /// One binary message from the server.
    void receive(std::string_view message, time_point now)
    {
        if (state_ != state::connected)
            return;
        std::error_code ec;
        protocol::server_message msg = protocol::decode_server_message(message, decode_, ec);
        if (ec)
            return protocol_violation(now, endpoint_error::bad_message, 0, ec.message());
        std::visit([&](auto& m) { handle(m, now); }, msg);
    }

    /// The next message to write (PING first, then the sessions in FIFO order).
    std::optional<std::string> next_output(time_point now)
    {
        if (state_ != state::connected)
            return std::nullopt;
        if (!control_.empty()) {
            std::string out = std::move(control_.front());
            control_.pop_front();
            return out;
        }
        if (!waiting_for_pong_ && now >= next_ping_at_) {
            protocol::ping_message p;
            p.timestamp = static_cast<std::uint64_t>(std::chrono::duration_cast<milliseconds>(now - connected_at_).count());
            p.rtt = static_cast<std::uint64_t>(last_rtt_.count());
            ping_sent_at_ = now;
            last_ping_timestamp_ = p.timestamp;
            waiting_for_pong_ = true;
            return encode(p);
        }
        while (!enlisted_.empty()) {
            std::uint64_t ident = enlisted_.front();
            enlisted_.pop_front();
            session* s = find(ident);
            if (!s)
                continue;
            s->enlisted = false;
            std::optional<std::string> out = produce(*s, now);
            if (state_ != state::connected)
                return std::nullopt;
            if (out) {
                if (session* again = find(ident)) // produce() may have removed it
                    enlist(*again);               // it may have more; produce() decides next time
                return out;
            }
        }
        return std::nullopt;
    }

    /// Set when the client decided to close the connection; the driver closes the transport (with
    /// close_code()) and does not report on_closed for it.
    bool close_requested() const noexcept { return close_requested_; }
    std::uint16_t requested_close_code() const noexcept { return requested_close_code_; }
    /// Clears the request once the driver acted on it.
    void close_done() noexcept { close_requested_ = false; }

    /// The earliest time on_timer() has something to do (ping, pong timeout, reconnect, resumption).
    std::optional<time_point> next_deadline() const
    {
        std::optional<time_point> d;
        auto take = [&](time_point t) {
            if (!d || t < *d)
                d = t;
        };
        if (state_ == state::connected) {
            take(waiting_for_pong_ ? ping_sent_at_ + config_.pong_timeout : next_ping_at_);
            for (const auto& [ident, s] : sessions_)
                if (s.resume_at)
                    take(*s.resume_at);
        }
        else if (state_ == state::disconnected && !reconnect_forever_ && !waiting_for_token_ && !sessions_.empty()) {
            take(reconnect_at_);
        }
        return d;
    }

    void on_timer(time_point now)
    {
        if (state_ != state::connected)
            return;
        if (waiting_for_pong_ && now >= ping_sent_at_ + config_.pong_timeout) {
            client_event e = event(client_event_type::error);
            e.code = make_error_code(endpoint_error::pong_timeout);
            e.message = "no PONG within the pong timeout";
            events_.push_back(std::move(e));
            begin_close(now, termination_reason::pong_timeout, websocket::close_code::going_away, true);
            return;
        }
        for (auto& [ident, s] : sessions_) {
            if (s.resume_at && now >= *s.resume_at) {
                s.resume_at.reset();
                s.reset_protocol_state(); // re-BIND with the same ident
                enlist(s);
            }
        }
    }

    std::vector<client_event> take_events() { return std::exchange(events_, {}); }

    /// When the next reconnect attempt is due (disconnected only).
    std::optional<time_point> reconnect_at() const
    {
        if (reconnect_forever_ || waiting_for_token_)
            return std::nullopt;
        return reconnect_at_;
    }
    bool waiting_for_token() const noexcept { return waiting_for_token_; }

private:
    struct session {
        std::uint64_t ident = 0;
        client_session_config cfg;
        backoff_state<int> resumption{};
        bool deactivating = false;
        bool suspended = false;        ///< fatal session error: no resumption
        bool waiting_for_token = false;
        std::optional<time_point> resume_at;
        bool enlisted = false;
        // protocol state, reset on every (re)bind
        bool bind_sent = false;
        bool need_server_ident = false;
        bool ident_sent = false;
        bool unbind_sent = false;
        bool error_received = false;
        bool unbound_received = false;
        bool refresh_pending = false;
        bool client_error = false;
        std::optional<std::pair<int, std::string>> json_error_pending;
        upload_cursor upload_sent{};
        std::uint64_t locked_sent = 0;
        bool first_upload_sent = false;
        std::uint64_t last_mark_sent = 0;
        std::uint64_t last_mark_received = 0;
        std::uint64_t target_mark = 0; // persists across rebinds (realm-core keeps the request)
        sync_progress progress{};
        std::uint64_t upload_target = 0;
        bool upload_wait = false;
        std::int64_t last_query_sent = 0; ///< FLX: the newest query version sent (IDENT or QUERY)

        void reset_protocol_state()
        {
            bind_sent = need_server_ident = ident_sent = unbind_sent = false;
            error_received = unbound_received = refresh_pending = client_error = false;
            json_error_pending.reset();
            upload_sent = {};
            locked_sent = 0;
            first_upload_sent = false;
            // marks: a MARK sent on the old binding is lost; send it again
            last_mark_sent = last_mark_received = std::min(last_mark_received, target_mark);
        }
        bool live() const noexcept { return bind_sent && !error_received && !unbound_received && !unbind_sent; }
    };

    bool flx() const noexcept { return config_.dialect == dialect_id::mongodb_flx; }
    bool dialect_has_refresh() const noexcept
    {
        return config_.dialect == dialect_id::legacy_ros || config_.dialect == dialect_id::realm_sync_2020;
    }

    session* find(std::uint64_t ident)
    {
        auto it = sessions_.find(ident);
        return it == sessions_.end() ? nullptr : &it->second;
    }

    client_event event(client_event_type t, std::uint64_t session = 0) const
    {
        client_event e;
        e.type = t;
        e.session_ident = session;
        return e;
    }

    static protocol::error_action to_action(websocket::client_action a) noexcept
    {
        switch (a) {
            case websocket::client_action::none:
            case websocket::client_action::reconnect: return protocol::error_action::transient;
            case websocket::client_action::refresh_user: return protocol::error_action::refresh_user;
            case websocket::client_action::refresh_location: return protocol::error_action::refresh_location;
            case websocket::client_action::log_out_user: return protocol::error_action::log_out_user;
            case websocket::client_action::client_reset: return protocol::error_action::client_reset;
            case websocket::client_action::protocol_violation: return protocol::error_action::protocol_violation;
        }
        return protocol::error_action::transient;
    }

    /// The action a plain ERROR implies (a JSON_ERROR names its own).
    static protocol::error_action action_for_code(int code, bool try_again) noexcept
    {
        using pe = protocol::protocol_error;
        switch (static_cast<pe>(code)) {
            case pe::token_expired: return protocol::error_action::refresh_user;
            case pe::bad_authentication: return protocol::error_action::log_out_user;
            case pe::bad_client_file_ident:
            case pe::bad_server_version:
            case pe::bad_client_version:
            case pe::diverging_histories:
            case pe::bad_client_file:
            case pe::client_file_expired:
            case pe::bad_server_file_ident: return protocol::error_action::client_reset;
            case pe::switch_to_flx_sync:
            case pe::migrate_to_flx: return protocol::error_action::migrate_to_flx;
            case pe::switch_to_pbs:
            case pe::revert_to_pbs: return protocol::error_action::revert_to_pbs;
            case pe::schema_version_changed: return protocol::error_action::migrate_schema;
            case pe::compensating_write: return protocol::error_action::warning;
            default: break;
        }
        if (try_again)
            return protocol::error_action::transient;
        if (code >= 100 && code < 200)
            return protocol::error_action::protocol_violation;
        return protocol::error_action::application_bug;
    }

    template <class M>
    static std::string encode(const M& m)
    {
        std::string out;
        std::error_code ec;
        protocol::encode(m, out, ec);
        return out;
    }

    void enlist(session& s)
    {
        if (s.enlisted || state_ != state::connected)
            return;
        s.enlisted = true;
        enlisted_.push_back(s.ident);
    }

    void finish_removal(std::uint64_t ident)
    {
        sessions_.erase(ident);
        retired_.insert(ident);
        events_.push_back(event(client_event_type::session_removed, ident));
    }

    // --- closing -------------------------------------------------------------------------------------

    void disconnect(time_point now, termination_reason reason, std::optional<backoff_policy> override_policy = std::nullopt)
    {
        state_ = state::disconnected;
        control_.clear();
        enlisted_.clear();
        waiting_for_pong_ = false;
        // Deactivating sessions are done when the connection is gone.
        std::vector<std::uint64_t> done;
        for (auto& [ident, s] : sessions_) {
            s.enlisted = false;
            if (s.deactivating)
                done.push_back(ident);
            if (s.resume_at)
                s.resume_at.reset(); // every session re-binds on the next connection anyway
        }
        for (auto ident : done)
            finish_removal(ident);
        milliseconds delay{0};
        if (reason == termination_reason::closed_voluntarily && !override_policy) {
            delay = milliseconds(0);
        }
        else if (reason == termination_reason::server_said_do_not_reconnect) {
            reconnect_forever_ = true;
        }
        else if (reason == termination_reason::unauthorized) {
            waiting_for_token_ = true;
            client_event t = event(client_event_type::token_refresh_needed);
            t.action = protocol::error_action::refresh_user;
            events_.push_back(std::move(t));
        }
        else if (reason == termination_reason::http_response_says_fatal_error) {
            reconnect_forever_ = true;
        }
        else {
            reconnect_.update(reason, override_policy);
            delay = reconnect_.next_delay();
        }
        reconnect_at_ = now + delay;
        client_event e = event(client_event_type::disconnected);
        e.delay = (reconnect_forever_ || waiting_for_token_) ? milliseconds::max() : delay;
        events_.push_back(std::move(e));
    }

    void begin_close(time_point now, termination_reason reason, websocket::close_code code, bool with_backoff,
                     std::optional<backoff_policy> override_policy = std::nullopt)
    {
        close_requested_ = true;
        requested_close_code_ = static_cast<std::uint16_t>(code);
        (void)with_backoff;
        disconnect(now, reason, override_policy);
    }

    void protocol_violation(time_point now, endpoint_error err, std::uint64_t session, std::string detail = {})
    {
        client_event e = event(client_event_type::error, session);
        e.code = make_error_code(err);
        e.action = protocol::error_action::protocol_violation;
        e.fatal = true;
        e.message = detail.empty() ? e.code.message() : e.code.message() + ": " + detail;
        events_.push_back(std::move(e));
        begin_close(now, termination_reason::sync_protocol_violation, websocket::close_code::protocol_error, true);
    }

    /// realm-core: a message for a session ident never used on this connection is a violation; one
    /// for an ident used before (now gone) is ignored.
    session* session_for(std::uint64_t ident, time_point now, bool& ignore)
    {
        ignore = false;
        if (session* s = find(ident))
            return s;
        if (retired_.count(ident) || (ident != 0 && ident <= prev_session_ident_)) {
            ignore = true;
            return nullptr;
        }
        protocol_violation(now, endpoint_error::bad_session_ident, ident);
        return nullptr;
    }

    // --- message handlers ----------------------------------------------------------------------------

    void handle(protocol::server_ident_message& m, time_point now)
    {
        bool ignore = false;
        session* sp = session_for(m.session_ident, now, ignore);
        if (!sp)
            return;
        session& s = *sp;
        if (!s.bind_sent || !s.need_server_ident || s.error_received || s.unbound_received)
            return protocol_violation(now, endpoint_error::bad_message_order, s.ident, "unexpected IDENT");
        if (m.client_file_ident == 0 || m.client_file_ident_salt == 0)
            return protocol_violation(now, endpoint_error::bad_client_file_ident, s.ident);
        status st = s.cfg.store->set_client_file_ident({m.client_file_ident, m.client_file_ident_salt});
        if (!st.ok())
            return local_error(s, st);
        s.need_server_ident = false;
        events_.push_back(event(client_event_type::client_file_ident, s.ident));
        enlist(s);
    }

    void handle(protocol::download_message& m, time_point now)
    {
        bool ignore = false;
        session* sp = session_for(m.session_ident, now, ignore);
        if (!sp)
            return;
        session& s = *sp;
        // realm-core ignores DOWNLOADs for a deactivating session, and after an integration error
        // (so the same bad changeset is not transformed again and again)
        if (s.deactivating || s.client_error)
            return;
        if (!s.ident_sent || s.error_received || s.unbound_received)
            return protocol_violation(now, endpoint_error::bad_message_order, s.ident, "DOWNLOAD before IDENT");
        std::error_code ec;
        protocol::decompress_body_with(config_.compressor, m, download_buffer_, config_.limits, ec);
        if (ec)
            return protocol_violation(now, endpoint_error::bad_message, s.ident, ec.message());

        sync_progress p;
        p.latest_server_version = {m.latest_server_version, m.latest_server_version_salt};
        p.download = {m.download_server_version, m.download_client_version};
        p.upload = {m.upload_client_version, m.upload_server_version};
        const sync_progress& prev = s.progress;
        bool good = p.latest_server_version.version >= prev.latest_server_version.version &&
                    p.upload.client_version >= prev.upload.client_version &&
                    p.upload.client_version <= s.cfg.store->current_client_version() &&
                    p.download.server_version >= prev.download.server_version &&
                    p.download.server_version <= p.latest_server_version.version &&
                    p.download.last_integrated_client_version >= prev.download.last_integrated_client_version &&
                    p.download.last_integrated_client_version <= p.upload.client_version &&
                    p.download.server_version >= p.upload.last_integrated_server_version;
        if (!good)
            return protocol_violation(now, endpoint_error::bad_progress, s.ident);
        std::uint64_t last_sv = prev.download.server_version;
        std::uint64_t last_cv = prev.download.last_integrated_client_version;
        const salted_file_ident own = s.cfg.store->client_file_ident().value_or(salted_file_ident{});
        for (const protocol::download_entry& e : m.entries) {
            bool sv_ok = flx() ? e.server_version >= last_sv : e.server_version > last_sv;
            if (!sv_ok || e.server_version > p.download.server_version)
                return protocol_violation(now, endpoint_error::bad_server_version, s.ident);
            if (e.client_version < last_cv || e.client_version > p.download.last_integrated_client_version)
                return protocol_violation(now, endpoint_error::bad_client_version, s.ident);
            if (e.origin_file_ident == 0 || e.origin_file_ident == own.ident)
                return protocol_violation(now, endpoint_error::bad_origin_file_ident, s.ident);
            last_sv = e.server_version;
            last_cv = e.client_version;
        }
        incoming_download d;
        d.progress = p;
        d.downloadable_bytes = m.downloadable_bytes;
        d.changesets = m.entries;
        d.batch = m.form == protocol::download_form::pbs ? protocol::batch_state::steady_state : m.batch;
        d.query_version = m.query_version;
        status st = s.cfg.store->integrate(d);
        if (!st.ok()) {
            // realm-core: report to the server with JSON_ERROR, upload nothing more
            s.json_error_pending = std::make_pair(st.code ? st.code : static_cast<int>(protocol::protocol_error::bad_changeset),
                                                  st.message);
            s.client_error = true;
            client_event e = event(client_event_type::error, s.ident);
            e.code = make_error_code(endpoint_error::integration_failed);
            e.protocol_code = s.json_error_pending->first;
            e.action = protocol::error_action::client_reset;
            e.fatal = true;
            e.message = st.message;
            events_.push_back(std::move(e));
            enlist(s);
            return;
        }
        s.progress = p;
        s.resumption.reset();
        reconnect_.reset(); // a working connection: the next failure starts the backoff afresh
        events_.push_back(event(client_event_type::download_integrated, s.ident));
        check_upload_completion(s);
        enlist(s); // the integration may have produced versions to acknowledge
    }

    /// realm-core: upload completion = every local changeset up to the target is acknowledged. Versions
    /// after the last of them that hold only integrated downloads need no acknowledgement (else a
    /// client that keeps integrating would wait for a DOWNLOAD echoing its upload progress forever).
    void check_upload_completion(session& s)
    {
        if (!s.upload_wait || !s.ident_sent)
            return;
        bool done = s.progress.upload.client_version >= s.upload_target;
        if (!done) {
            upload_batch pending;
            s.cfg.store->collect_uploads(s.progress.upload, 1, pending);
            done = pending.changesets.empty() || pending.changesets.front().client_version > s.upload_target;
        }
        if (done) {
            s.upload_wait = false;
            events_.push_back(event(client_event_type::upload_complete, s.ident));
        }
    }

    void handle(protocol::mark_message& m, time_point now)
    {
        bool ignore = false;
        session* sp = session_for(m.session_ident, now, ignore);
        if (!sp)
            return;
        session& s = *sp;
        if (s.deactivating)
            return; // realm-core: ignored once deactivation began
        if (!s.ident_sent || s.error_received || s.unbound_received)
            return protocol_violation(now, endpoint_error::bad_message_order, s.ident, "MARK before IDENT");
        if (m.request_ident <= s.last_mark_received || m.request_ident > s.last_mark_sent)
            return protocol_violation(now, endpoint_error::bad_request_ident, s.ident);
        s.last_mark_received = m.request_ident;
        if (s.last_mark_received == s.target_mark)
            events_.push_back(event(client_event_type::download_complete, s.ident));
    }

    void handle(protocol::unbound_message& m, time_point now)
    {
        bool ignore = false;
        session* sp = session_for(m.session_ident, now, ignore);
        if (!sp)
            return;
        session& s = *sp;
        if (!s.unbind_sent || s.error_received || s.unbound_received)
            return protocol_violation(now, endpoint_error::bad_message_order, s.ident, "UNBOUND without UNBIND");
        s.unbound_received = true;
        if (s.deactivating)
            finish_removal(s.ident);
    }

    void handle(protocol::error_message& m, time_point now)
    {
        server_error(now, m.session_ident, m.error_code, m.try_again, std::string(m.message), std::nullopt);
    }

    void handle(protocol::json_error_message& m, time_point now)
    {
        if (!config_.json)
            return server_error(now, m.session_ident, m.error_code, false, std::string(), std::nullopt);
        std::error_code ec;
        protocol::json_error_body body = config_.json->parse_error(m.json, m.error_code, ec);
        if (ec)
            return protocol_violation(now, endpoint_error::bad_message, m.session_ident, "Failed to parse 'json_error'");
        server_error(now, m.session_ident, m.error_code, body.try_again, body.message, body);
    }

    void server_error(time_point now, std::uint64_t ident, int code, bool try_again, std::string message,
                      const std::optional<protocol::json_error_body>& json)
    {
        const bool known = protocol::is_known_protocol_error(code);
        const bool session_level = protocol::is_session_level_error(code);
        protocol::error_action action = json ? json->parsed_action() : action_for_code(code, try_again);
        std::optional<backoff_policy> override_policy;
        if (json && json->backoff)
            override_policy = backoff_policy::from_json_error(*json->backoff, config_.reconnect_backoff.jitter_divisor);
        if (ident == 0) {
            if (!known || session_level)
                return protocol_violation(now, endpoint_error::bad_error_code, 0, "session-level code for the connection");
            client_event e = event(client_event_type::error);
            e.code = make_error_code(endpoint_error::server_error);
            e.protocol_code = code;
            e.try_again = try_again;
            e.fatal = !try_again;
            e.action = action;
            e.message = std::move(message);
            events_.push_back(std::move(e));
            begin_close(now, try_again ? termination_reason::server_said_try_again_later : termination_reason::server_said_do_not_reconnect,
                        websocket::close_code::normal, true, override_policy);
            return;
        }
        bool ignore = false;
        session* sp = session_for(ident, now, ignore);
        if (!sp)
            return;
        session& s = *sp;
        if (!s.bind_sent || s.error_received || s.unbound_received)
            return protocol_violation(now, endpoint_error::bad_message_order, ident, "ERROR for a session that cannot have one");
        if (known && !session_level)
            return protocol_violation(now, endpoint_error::bad_error_code, ident, "connection-level code for a session");
        client_event e = event(client_event_type::error, ident);
        e.code = make_error_code(endpoint_error::session_error);
        e.protocol_code = code;
        e.try_again = try_again;
        e.fatal = !try_again;
        e.action = action;
        e.message = message;
        using pe = protocol::protocol_error;
        if (code == static_cast<int>(pe::compensating_write)) {
            e.type = client_event_type::compensating_write;
            events_.push_back(std::move(e));
            return; // the session keeps running
        }
        if (code == static_cast<int>(pe::schema_version_changed)) {
            events_.push_back(std::move(e));
            return;
        }
        s.error_received = true;
        if (s.deactivating) {
            events_.push_back(std::move(e));
            enlist(s); // UNBIND if not sent yet, then removal
            if (s.unbind_sent)
                finish_removal(s.ident);
            return;
        }
        if (code == static_cast<int>(pe::token_expired)) {
            // Not surfaced as a failure: ask for a token; the session re-binds once it arrives.
            e.fatal = false;
            events_.push_back(std::move(e));
            s.waiting_for_token = true;
            client_event t = event(client_event_type::token_refresh_needed, ident);
            t.action = protocol::error_action::refresh_user;
            events_.push_back(std::move(t));
            enlist(s);
            return;
        }
        events_.push_back(std::move(e));
        if (try_again) {
            s.resumption.update(code, override_policy);
            milliseconds delay = code == static_cast<int>(pe::session_closed) ? milliseconds(1000) : s.resumption.next_delay();
            s.resume_at = now + delay;
        }
        else {
            s.suspended = true;
        }
        enlist(s); // UNBIND
    }

    void handle(protocol::pong_message& m, time_point now)
    {
        if (!waiting_for_pong_ || m.timestamp != last_ping_timestamp_)
            return protocol_violation(now, endpoint_error::bad_pong, 0);
        waiting_for_pong_ = false;
        last_rtt_ = std::chrono::duration_cast<milliseconds>(now - ping_sent_at_);
        // next PING one period after the previous one, minus up to 10 %
        auto period = static_cast<std::uint64_t>(config_.ping_period.count());
        auto deduction = jitter_(period / 10);
        next_ping_at_ = ping_sent_at_ + milliseconds(static_cast<milliseconds::rep>(period - deduction));
        if (next_ping_at_ < now)
            next_ping_at_ = now;
    }

    void handle(protocol::query_error_message& m, time_point now)
    {
        if (m.session_ident == 0 || !flx())
            return protocol_violation(now, endpoint_error::bad_message, m.session_ident, "QUERY_ERROR outside FLX");
        bool ignore = false;
        session* sp = session_for(m.session_ident, now, ignore);
        if (!sp)
            return;
        client_event e = event(client_event_type::query_error, m.session_ident);
        e.protocol_code = m.error_code;
        e.message = std::string(m.message);
        e.action = protocol::error_action::warning;
        e.query_version = m.query_version;
        events_.push_back(std::move(e));
    }

    void handle(protocol::log_message& m, time_point now)
    {
        if (!config_.json)
            return;
        std::error_code ec;
        protocol::log_message_body b = config_.json->parse_log(m.json, ec);
        if (ec)
            return protocol_violation(now, endpoint_error::bad_message, m.session_ident, "bad LOG_MESSAGE");
        if (b.message.empty())
            return;
        client_event e = event(client_event_type::log_message, m.session_ident);
        e.message = std::move(b.message);
        e.action = protocol::error_action::warning;
        events_.push_back(std::move(e));
    }

    void handle(protocol::test_command_message& m, time_point now)
    {
        // this client never sends TEST_COMMAND, so no response can match
        protocol_violation(now, endpoint_error::bad_message_order, m.session_ident, "unexpected TEST_COMMAND");
    }

    void local_error(session& s, const status& st)
    {
        client_event e = event(client_event_type::error, s.ident);
        e.code = make_error_code(endpoint_error::integration_failed);
        e.protocol_code = st.code;
        e.message = st.message;
        e.fatal = true;
        e.action = protocol::error_action::application_bug;
        events_.push_back(std::move(e));
        s.client_error = true;
        s.suspended = true;
        s.error_received = true; // stop the session: UNBIND
        enlist(s);
    }

    // --- output --------------------------------------------------------------------------------------

    std::string_view token_for(const session& s) const
    {
        return s.cfg.token ? std::string_view(*s.cfg.token) : std::string_view(config_.token);
    }

    /// realm-core's Session::send_message, one message at a time.
    std::optional<std::string> produce(session& s, time_point now)
    {
        (void)now;
        // 1. deactivating, ERROR received or suspended: UNBIND (if BIND was sent)
        if (s.deactivating || s.error_received || s.suspended) {
            if (s.bind_sent && !s.unbind_sent) {
                s.unbind_sent = true;
                if (s.deactivating && s.error_received) {
                    std::string out = encode(protocol::unbind_message{s.ident});
                    finish_removal(s.ident);
                    return out;
                }
                return encode(protocol::unbind_message{s.ident});
            }
            if (s.deactivating && !s.bind_sent) {
                finish_removal(s.ident);
            }
            return std::nullopt;
        }
        if (s.waiting_for_token || s.resume_at)
            return std::nullopt;
        // 2. BIND
        if (!s.bind_sent) {
            std::optional<salted_file_ident> fid = s.cfg.store->client_file_ident();
            protocol::bind_message b;
            b.session_ident = s.ident;
            b.path = s.cfg.path;
            const dialect& d = get_dialect(config_.dialect);
            if (d.token_in_bind)
                b.signed_user_token = token_for(s);
            b.need_client_file_ident = !fid;
            s.bind_sent = true;
            s.need_server_ident = !fid;
            s.progress = s.cfg.store->progress();
            return encode(b);
        }
        // 3. REFRESH (legacy dialects), any time after BIND
        if (s.refresh_pending) {
            s.refresh_pending = false;
            protocol::refresh_message r;
            r.session_ident = s.ident;
            r.signed_user_token = token_for(s);
            return encode(r);
        }
        // 4. IDENT once the file ident is known
        if (!s.ident_sent) {
            if (s.need_server_ident)
                return std::nullopt;
            std::optional<salted_file_ident> fid = s.cfg.store->client_file_ident();
            if (!fid)
                return std::nullopt;
            protocol::client_ident_message m;
            m.session_ident = s.ident;
            m.client_file_ident = fid->ident;
            m.client_file_ident_salt = fid->salt;
            m.download_server_version = s.progress.download.server_version;
            m.download_client_version = s.progress.download.last_integrated_client_version;
            m.latest_server_version = s.progress.latest_server_version.version;
            m.latest_server_version_salt = s.progress.latest_server_version.salt;
            std::string query;
            if (flx()) {
                m.has_query = true;
                if (auto q = s.cfg.store->flx_query()) {
                    m.query_version = q->first;
                    query = std::move(q->second);
                    m.query = query;
                }
                s.last_query_sent = m.query_version;
            }
            s.ident_sent = true;
            s.upload_sent = s.progress.upload;
            s.locked_sent = 0;
            return encode(m);
        }
        // 5. JSON_ERROR for an integration failure
        if (s.json_error_pending) {
            protocol::json_error_message j;
            j.session_ident = s.ident;
            j.error_code = s.json_error_pending->first;
            std::string body =
                config_.json ? config_.json->build_client_error(s.json_error_pending->second) : std::string("{}");
            j.json = body;
            s.json_error_pending.reset();
            return encode(j);
        }
        // 6. nothing more after a client error
        if (s.client_error)
            return std::nullopt;
        // 7. MARK
        if (s.target_mark > s.last_mark_sent) {
            s.last_mark_sent = s.target_mark;
            return encode(protocol::mark_message{s.ident, s.target_mark});
        }
        // 8. QUERY: a subscription set newer than the last one sent (realm-core: after MARK, before
        //    UPLOAD; the store says which — see client_store::flx_next_query)
        if (flx()) {
            if (auto q = s.cfg.store->flx_next_query(s.last_query_sent)) {
                protocol::query_message qm;
                qm.session_ident = s.ident;
                qm.query_version = q->first;
                qm.query = q->second;
                s.last_query_sent = q->first;
                return encode(qm);
            }
        }
        // 9. UPLOAD when there is something to upload or acknowledge
        upload_batch batch;
        s.cfg.store->collect_uploads(s.upload_sent, config_.max_upload_bytes, batch);
        bool progress_moved = batch.progress.client_version > s.upload_sent.client_version;
        bool lock_moved = batch.locked_server_version > s.locked_sent;
        if (batch.changesets.empty() && !progress_moved && !lock_moved)
            return std::nullopt;
        if (batch.progress.client_version < s.upload_sent.client_version)
            return std::nullopt; // a store that went backwards: nothing sensible to send
        body_.clear();
        for (const local_changeset& c : batch.changesets) {
            protocol::upload_entry e;
            e.client_version = c.client_version;
            e.server_version = c.last_integrated_server_version;
            e.origin_timestamp = c.origin_timestamp;
            e.origin_file_ident = 0;
            e.changeset = c.changeset;
            protocol::append_entry(body_, e);
        }
        protocol::upload_message u;
        u.session_ident = s.ident;
        u.progress_client_version = batch.progress.client_version;
        u.progress_server_version = batch.progress.last_integrated_server_version;
        u.locked_server_version = std::max(batch.locked_server_version, s.locked_sent);
        std::error_code ec;
        protocol::compress_body_with(config_.compressor, u, body_, compress_scratch_, ec);
        if (ec)
            return std::nullopt;
        s.upload_sent = batch.progress;
        s.locked_sent = u.locked_server_version;
        s.first_upload_sent = true;
        return encode(u);
    }

    client_connection_config config_;
    protocol::decode_options decode_{};
    backoff_state<termination_reason> reconnect_;
    jitter_source jitter_;
    state state_ = state::disconnected;
    int protocol_version_ = 0;
    time_point reconnect_at_;
    bool reconnect_forever_ = false;
    bool waiting_for_token_ = false;
    bool close_requested_ = false;
    std::uint16_t requested_close_code_ = 1000;
    time_point connected_at_{};
    time_point next_ping_at_{};
    time_point ping_sent_at_{};
    std::uint64_t last_ping_timestamp_ = 0;
    milliseconds last_rtt_{0};
    bool waiting_for_pong_ = false;
    std::uint64_t prev_session_ident_ = 0;
    std::map<std::uint64_t, session> sessions_;
    std::set<std::uint64_t> retired_;
    std::deque<std::uint64_t> enlisted_;
    std::deque<std::string> control_;
    std::vector<client_event> events_;
    std::string download_buffer_;
    std::string body_;
    std::string compress_scratch_;
};

} // namespace realmwire::endpoint

#endif
