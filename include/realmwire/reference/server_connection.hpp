#ifndef REALMWIRE_REFERENCE_SERVER_CONNECTION_HPP
#define REALMWIRE_REFERENCE_SERVER_CONNECTION_HPP

// The reference server's protocol logic for one WebSocket connection, sans-I/O: a message in, the
// messages to send out (and whether to close). It calls an endpoint::server_backend for everything
// that needs stored history and enforces the ordering rules of wire-protocol.md §5.3:
//
//   BIND with a live session ident                107 (connection)   BIND path invalid   204 (session)
//   message for an unknown session                106 (connection)   after UNBIND        109 (connection)
//   IDENT twice / before the server's IDENT        109                UPLOAD/MARK before IDENT  109
//   UPLOAD progress decreasing / entry versions    210 (session)      locked > download   209 (session)
//   unknown message, bad syntax                   103 (connection)   bad decompression   101 (connection)
//   token: invalid 203, expired 202 (try_again), wrong path or privileges 206 (session)
//
// The token is checked at BIND (BIND's token in the legacy dialects, else the handshake's), again on
// every IDENT, UPLOAD and MARK for expiry, and replaced by REFRESH (legacy dialects). After IDENT the
// session always gets at least one DOWNLOAD; MARK is answered once every DOWNLOAD available at that
// moment was sent (DOWNLOADs are produced synchronously, so: at once).

#include "realmwire/auth/verifier.hpp"
#include "realmwire/dialect/dialect.hpp"
#include "realmwire/endpoint/server_backend.hpp"
#include "realmwire/path.hpp"
#include "realmwire/protocol/compression.hpp"
#include "realmwire/protocol/decode.hpp"
#include "realmwire/protocol/encode.hpp"
#include "realmwire/protocol/protocol_error.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace realmwire::reference {

struct server_connection_config {
    const realmwire::dialect* dialect = &dialects::mongodb_pbs;
    int protocol_version = 14;
    std::string handshake_token;                      ///< the token from the HTTP request ("" = none)
    const auth::token_verifier* verifier = nullptr;   ///< nullptr: no authentication
    std::size_t max_download_size = 128 * 1024;       ///< per DOWNLOAD (≥ 1 changeset)
    protocol::message_limits limits{};
    std::uint64_t connection_id = 0;
};

class server_connection {
public:
    server_connection(endpoint::server_backend& backend, server_connection_config config)
        : backend_(backend)
        , cfg_(std::move(config))
    {
        opts_.mode = cfg_.dialect->id == dialect_id::mongodb_flx ? protocol::sync_mode::flx : protocol::sync_mode::pbs;
        opts_.protocol_version = cfg_.dialect->id == dialect_id::legacy_ros ? 14 : cfg_.protocol_version;
        opts_.limits = cfg_.limits;
    }

    /// Handles one WebSocket message. Output goes to `out` (whole sync messages, one per frame).
    void receive(std::string_view bytes)
    {
        if (closing_)
            return;
        std::error_code ec;
        protocol::client_message m = protocol::decode_client_message(bytes, opts_, ec);
        if (ec) {
            connection_error(protocol::protocol_error::bad_syntax, ec.message());
            return;
        }
        std::visit([&](auto& msg) { handle(msg); }, m);
    }

    /// Some other connection changed `realm`: send the sessions bound to it what is new.
    void realm_changed(std::string_view realm)
    {
        for (auto& kv : sessions_)
            if (kv.second.identified && !kv.second.errored && kv.second.realm == realm)
                send_downloads(kv.first, kv.second);
    }

    /// Messages to send, in order (drained by the caller).
    std::vector<std::string>& output() noexcept { return out_; }
    /// A connection-level error was sent: close after the output.
    bool close_requested() const noexcept { return closing_; }
    /// Realms whose history grew through this connection (drained by the caller to wake others).
    std::vector<std::string>& changed_realms() noexcept { return changed_; }
    std::size_t session_count() const noexcept { return sessions_.size(); }

    /// The connection is gone: tell the backend about every session.
    void closed()
    {
        for (auto& kv : sessions_)
            backend_.session_ended(kv.second.realm, kv.second.file);
        sessions_.clear();
    }

private:
    struct session {
        std::string realm;
        bool need_ident = false;
        bool ident_sent = false;     ///< server IDENT sent
        bool identified = false;     ///< client IDENT received
        bool unbound = false;        ///< UNBIND received
        bool errored = false;
        endpoint::salted_file_ident file{};
        endpoint::download_cursor sent{};
        endpoint::upload_cursor progress{};
        endpoint::upload_cursor acked{};    ///< upload cursor last reported in a DOWNLOAD
        std::uint64_t locked = 0;
        std::optional<auth::claims> user;
        std::int64_t query_version = 0;
        bool bootstrap_pending = false;
    };

    template <class M>
    void write(const M& m)
    {
        std::string s;
        std::error_code ec;
        protocol::encode(m, s, ec);
        if (!ec)
            out_.push_back(std::move(s));
    }

    void connection_error(protocol::protocol_error e, std::string text = {}, bool try_again = false)
    {
        protocol::error_message m;
        m.error_code = static_cast<int>(e);
        m.try_again = try_again;
        if (text.empty())
            if (auto* info = protocol::find_protocol_error(m.error_code))
                text = std::string(info->message);
        m.message = text;
        write(m);
        closing_ = true;
    }

    void session_error(std::uint64_t ident, session& s, const endpoint::status& st)
    {
        if (st.code < 200) {
            connection_error(static_cast<protocol::protocol_error>(st.code), st.message, st.try_again);
            return;
        }
        protocol::error_message m;
        m.error_code = st.code;
        m.try_again = st.try_again;
        m.session_ident = ident;
        std::string text = st.message;
        if (text.empty())
            if (auto* info = protocol::find_protocol_error(st.code))
                text = std::string(info->message);
        m.message = text;
        write(m);
        s.errored = true;
        backend_.session_ended(s.realm, s.file);
    }
    void session_error(std::uint64_t ident, session& s, protocol::protocol_error e, bool try_again = false)
    {
        session_error(ident, s, endpoint::status::error(e, {}, try_again));
    }

    /// The session for a non-BIND message, or nullptr after sending the connection error.
    session* find(std::uint64_t ident)
    {
        auto it = sessions_.find(ident);
        if (it == sessions_.end()) {
            connection_error(protocol::protocol_error::bad_session_ident);
            return nullptr;
        }
        if (it->second.unbound) {
            connection_error(protocol::protocol_error::bad_message_order);
            return nullptr;
        }
        return &it->second;
    }

    /// Token verification for `path`; nullopt status = ok.
    endpoint::status check_token(std::string_view token, std::string_view path, std::optional<auth::claims>& out)
    {
        if (!cfg_.verifier)
            return endpoint::status::success();
        auth::verify_request req;
        if (!path.empty())
            req.path = std::string(path);
        req.privileges = auth::privilege::download;
        auth::verification v = cfg_.verifier->verify(token, req);
        if (v.valid()) {
            out = v.token_claims;
            return endpoint::status::success();
        }
        switch (*v.failed_check) {
            case auth::token_check::expiry:
                return endpoint::status::error(protocol::protocol_error::token_expired, {}, true);
            case auth::token_check::path:
            case auth::token_check::privilege:
                return endpoint::status::error(protocol::protocol_error::permission_denied);
            default: return endpoint::status::error(protocol::protocol_error::bad_authentication);
        }
    }

    /// Expired since BIND? (202, try_again)
    bool still_valid(std::uint64_t ident, session& s)
    {
        if (cfg_.verifier && s.user && s.user->expired(cfg_.verifier->now())) {
            session_error(ident, s, protocol::protocol_error::token_expired, true);
            return false;
        }
        return true;
    }

    void handle(const protocol::bind_message& m)
    {
        if (sessions_.count(m.session_ident)) {
            connection_error(protocol::protocol_error::reuse_of_session_ident);
            return;
        }
        session& s = sessions_[m.session_ident];
        bool flx = opts_.mode == protocol::sync_mode::flx;
        if (!flx) {
            std::error_code pec;
            validate_realm_path(m.path, pec);
            if (pec) {
                session_error(m.session_ident, s, protocol::protocol_error::illegal_realm_path);
                return;
            }
        }
        std::string_view token = !m.signed_user_token.empty() ? m.signed_user_token : std::string_view(cfg_.handshake_token);
        std::optional<auth::claims> user;
        endpoint::status st = check_token(token, flx ? std::string_view{} : m.path, user);
        if (!st) {
            session_error(m.session_ident, s, st);
            return;
        }
        s.user = std::move(user);
        endpoint::bind_request br;
        br.connection_id = cfg_.connection_id;
        br.session_ident = m.session_ident;
        br.path = m.path;
        br.flx = flx;
        br.need_client_file_ident = m.need_client_file_ident;
        br.user = s.user ? &*s.user : nullptr;
        br.dialect = cfg_.dialect->id;
        br.protocol_version = cfg_.protocol_version;
        s.realm = std::string(m.path);
        st = backend_.authorize_bind(br, s.realm);
        if (!st) {
            session_error(m.session_ident, s, st);
            return;
        }
        s.need_ident = m.need_client_file_ident;
        if (s.need_ident) {
            endpoint::salted_file_ident f;
            st = backend_.allocate_client_file_ident(s.realm, f);
            if (!st) {
                session_error(m.session_ident, s, st);
                return;
            }
            protocol::server_ident_message im;
            im.session_ident = m.session_ident;
            im.client_file_ident = f.ident;
            im.client_file_ident_salt = f.salt;
            write(im);
            s.ident_sent = true;
        }
    }

    void handle(const protocol::client_ident_message& m)
    {
        session* s = find(m.session_ident);
        if (!s || s->errored)
            return;
        if (s->identified || (s->need_ident && !s->ident_sent)) {
            connection_error(protocol::protocol_error::bad_message_order);
            return;
        }
        if (!still_valid(m.session_ident, *s))
            return;
        endpoint::ident_request r;
        r.realm = s->realm;
        r.client_file = {m.client_file_ident, m.client_file_ident_salt};
        r.download = {m.download_server_version, m.download_client_version};
        r.latest_server_version = {m.latest_server_version, m.latest_server_version_salt};
        r.user = s->user ? &*s->user : nullptr;
        r.has_query = m.has_query;
        r.query_version = m.query_version;
        r.query = m.query;
        endpoint::ident_result res;
        endpoint::status st = backend_.validate_ident(r, res);
        if (!st) {
            session_error(m.session_ident, *s, st);
            return;
        }
        s->identified = true;
        s->file = r.client_file;
        s->sent = r.download;
        s->progress = {0, 0};
        s->query_version = m.query_version;
        s->bootstrap_pending = m.has_query;
        send_downloads(m.session_ident, *s, true);
    }

    void handle(const protocol::upload_message& m0)
    {
        session* s = find(m0.session_ident);
        if (!s || s->errored)
            return;
        if (!s->identified) {
            connection_error(protocol::protocol_error::bad_message_order);
            return;
        }
        if (!still_valid(m0.session_ident, *s))
            return;
        protocol::upload_message m = m0;
        std::error_code ec;
        protocol::decompress_body(m, upload_buffer_, cfg_.limits, ec);
        if (ec) {
            connection_error(protocol::protocol_error::other_error, "bad upload body: " + ec.message());
            return;
        }
        // Cursor rules (realm-core server.cpp receive_upload_message).
        if (m.progress_client_version < s->progress.client_version) {
            session_error(m.session_ident, *s, protocol::protocol_error::bad_client_version);
            return;
        }
        if (m.progress_server_version < s->progress.last_integrated_server_version ||
            m.progress_server_version > s->sent.server_version || m.locked_server_version < s->locked ||
            m.locked_server_version > s->sent.server_version) {
            session_error(m.session_ident, *s, protocol::protocol_error::bad_server_version);
            return;
        }
        std::uint64_t prev = 0;
        for (const auto& e : m.entries) {
            if (e.client_version <= prev || e.client_version > m.progress_client_version) {
                session_error(m.session_ident, *s, protocol::protocol_error::bad_client_version);
                return;
            }
            prev = e.client_version;
        }
        s->progress = {m.progress_client_version, m.progress_server_version};
        s->locked = m.locked_server_version;
        endpoint::upload_request r;
        r.realm = s->realm;
        r.client_file = s->file;
        r.progress = s->progress;
        r.locked_server_version = m.locked_server_version;
        r.changesets = m.entries;
        r.user = s->user ? &*s->user : nullptr;
        endpoint::upload_result res;
        endpoint::status st = backend_.integrate_upload(r, res);
        if (!st) {
            session_error(m.session_ident, *s, st);
            return;
        }
        if (res.history_changed)
            changed_.push_back(s->realm);
        // The DOWNLOAD that follows acknowledges the upload (its upload cursor), even when empty.
        send_downloads(m.session_ident, *s, true);
        if (res.history_changed)
            realm_changed_except(s->realm, m.session_ident);
    }

    void realm_changed_except(const std::string& realm, std::uint64_t except)
    {
        for (auto& kv : sessions_)
            if (kv.first != except && kv.second.identified && !kv.second.errored && kv.second.realm == realm)
                send_downloads(kv.first, kv.second);
    }

    void handle(const protocol::mark_message& m)
    {
        session* s = find(m.session_ident);
        if (!s || s->errored)
            return;
        if (!s->identified) {
            connection_error(protocol::protocol_error::bad_message_order);
            return;
        }
        if (!still_valid(m.session_ident, *s))
            return;
        endpoint::status st = backend_.mark(s->realm, s->file, m.request_ident);
        if (!st) {
            session_error(m.session_ident, *s, st);
            return;
        }
        send_downloads(m.session_ident, *s);
        protocol::mark_message r;
        r.session_ident = m.session_ident;
        r.request_ident = m.request_ident;
        write(r);
    }

    void handle(const protocol::unbind_message& m)
    {
        session* s = find(m.session_ident);
        if (!s)
            return;
        if (!s->errored) {
            backend_.session_ended(s->realm, s->file);
            protocol::unbound_message r;
            r.session_ident = m.session_ident;
            write(r);
        }
        sessions_.erase(m.session_ident);
    }

    void handle(const protocol::ping_message& m)
    {
        protocol::pong_message r;
        r.timestamp = m.timestamp;
        write(r);
    }

    void handle(const protocol::refresh_message& m)
    {
        session* s = find(m.session_ident);
        if (!s || s->errored)
            return;
        std::optional<auth::claims> user;
        bool flx = opts_.mode == protocol::sync_mode::flx;
        endpoint::status st = check_token(m.signed_user_token, flx ? std::string_view{} : std::string_view(s->realm), user);
        if (!st) {
            session_error(m.session_ident, *s, st);
            return;
        }
        s->user = std::move(user);
        ++refreshes_;
    }

    void handle(const protocol::query_message& m)
    {
        session* s = find(m.session_ident);
        if (!s || s->errored)
            return;
        if (!s->identified || opts_.mode != protocol::sync_mode::flx) {
            connection_error(protocol::protocol_error::bad_syntax, "unexpected QUERY");
            return;
        }
        s->query_version = m.query_version;
        s->bootstrap_pending = true;
        send_downloads(m.session_ident, *s, true);
    }

    void handle(const protocol::json_error_message&) {} // realm-core only logs it
    void handle(const protocol::test_command_message&)
    {
        connection_error(protocol::protocol_error::bad_syntax, "TEST_COMMAND is not supported");
    }

    void send_downloads(std::uint64_t ident, session& s, bool at_least_one = false)
    {
        for (int guard = 0; guard < 100000; ++guard) {
            endpoint::download_request r;
            r.realm = s.realm;
            r.client_file = s.file;
            r.after = s.sent;
            r.max_body_bytes = cfg_.max_download_size;
            r.user = s.user ? &*s.user : nullptr;
            endpoint::download_batch b;
            endpoint::status st = backend_.produce_download(r, b);
            if (!st) {
                session_error(ident, s, st);
                return;
            }
            bool progressed = b.progress != s.sent || !b.changesets.empty();
            if (!progressed && !at_least_one && !s.bootstrap_pending && b.upload_progress == s.acked)
                return;
            at_least_one = false;
            std::string body;
            for (const auto& c : b.changesets) {
                protocol::download_entry e;
                e.server_version = c.server_version;
                e.client_version = c.last_integrated_client_version;
                e.origin_timestamp = c.origin_timestamp;
                e.origin_file_ident = c.origin_file_ident;
                e.original_changeset_size = c.original_changeset_size ? c.original_changeset_size : c.changeset.size();
                e.changeset = c.changeset;
                protocol::detail::write_entry(body, e);
            }
            protocol::download_message d;
            d.session_ident = ident;
            d.download_server_version = b.progress.server_version;
            d.download_client_version = b.progress.last_integrated_client_version;
            d.latest_server_version = b.latest_server_version.version;
            d.latest_server_version_salt = b.latest_server_version.salt;
            d.upload_client_version = b.upload_progress.client_version;
            d.upload_server_version = b.upload_progress.last_integrated_server_version;
            if (opts_.mode == protocol::sync_mode::flx) {
                d.form = protocol::download_form::flx;
                d.query_version = s.query_version;
                d.batch = s.bootstrap_pending && !b.more ? protocol::batch_state::last_in_batch
                          : s.bootstrap_pending          ? protocol::batch_state::more_to_come
                                                         : protocol::batch_state::steady_state;
                d.progress_estimate = b.more ? 0.5 : 1.0;
                if (!b.more)
                    s.bootstrap_pending = false;
            }
            else {
                d.downloadable_bytes = b.downloadable_bytes;
            }
            std::string scratch;
            std::error_code ec;
            protocol::compress_body(d, body, scratch, ec);
            if (ec)
                protocol::set_uncompressed_body(d, body);
            write(d);
            s.sent = b.progress;
            s.acked = b.upload_progress;
            if (!b.more)
                return;
        }
    }

    endpoint::server_backend& backend_;
    server_connection_config cfg_;
    protocol::decode_options opts_;
    std::map<std::uint64_t, session> sessions_;
    std::vector<std::string> out_;
    std::vector<std::string> changed_;
    std::string upload_buffer_;
    std::size_t refreshes_ = 0;
    bool closing_ = false;

public:
    /// REFRESH messages accepted so far.
    std::size_t refreshes() const noexcept { return refreshes_; }
};

} // namespace realmwire::reference

#endif
