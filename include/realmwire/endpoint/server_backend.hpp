#ifndef REALMWIRE_ENDPOINT_SERVER_BACKEND_HPP
#define REALMWIRE_ENDPOINT_SERVER_BACKEND_HPP

// What a server connection (server_connection.hpp) asks of the sync service behind it: the history
// store of each realm (client file idents and salts, changeset history, download generation) and an
// authorization hook.
//
// Division of labour. The connection enforces the protocol: message order (107, 106, 108, 109),
// token checks (202, 203, 206), the per-session cursor rules of UPLOAD (210, 209: progress never
// decreasing, changeset client versions increasing and ≤ the progress, locked server version ≤ the
// download progress), message limits. The backend decides everything that needs the stored history:
// whether an IDENT's file ident, salts and versions fit (208, 209, 210, 211, 222), what is stored
// for an UPLOAD, what a DOWNLOAD carries.
//
// Calls are synchronous, made from inside server_connection's input/timer handlers. A backend shared
// by several connections that run on several threads must be thread-safe (the sync_server driver
// runs every connection on one io_context; with one thread calling run() no locking is needed).
// Views passed in (string_view, protocol::upload_entries) are valid during the call only.

#include "realmwire/auth/claims_types.hpp"
#include "realmwire/dialect/dialect.hpp"
#include "realmwire/endpoint/types.hpp"
#include "realmwire/protocol/entries.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace realmwire::endpoint {

/// A BIND that passed the connection's checks (path syntax, token), before the session exists.
struct bind_request {
    std::uint64_t connection_id = 0; ///< server_connection's id (unique per server_connection object)
    std::uint64_t session_ident = 0;
    /// PBS: the realm path, ROS's `~` replaced by the token's identity, validated with realmwire/path.hpp.
    /// FLX: the BIND's JSON data (may be empty).
    std::string_view path{};
    bool flx = false;
    bool need_client_file_ident = false;
    /// The verified claims of the session's token; nullptr when the server runs without a verifier.
    const auth::claims* user = nullptr;
    dialect_id dialect = dialect_id::mongodb_pbs;
    int protocol_version = 0;
};

/// The IDENT of a bound session.
struct ident_request {
    std::string_view realm{};            ///< the realm key authorize_bind chose
    salted_file_ident client_file{};     ///< client_file_ident, client_file_ident_salt
    download_cursor download{};          ///< download_server_version, download_client_version
    salted_version latest_server_version{}; ///< latest_server_version, latest_server_version_salt
    const auth::claims* user = nullptr;
    bool has_query = false;              ///< FLX
    std::int64_t query_version = 0;
    std::string_view query{};
};

/// What validate_ident reports back about the client file, for the connection's UPLOAD checks.
struct ident_result {
    /// The upload cursor stored for this client file (what the server has integrated from it).
    /// Every changeset of a later UPLOAD with client_version ≤ threshold.client_version is one the
    /// server already holds (realm-core's m_upload_threshold).
    upload_cursor upload_threshold{};
    /// The locked server version stored for this client file (0 if never set).
    std::uint64_t locked_server_version = 0;
};

/// An UPLOAD whose cursors passed the connection's per-session checks.
struct upload_request {
    std::string_view realm{};
    salted_file_ident client_file{};
    upload_cursor progress{};               ///< progress_client_version, progress_server_version
    std::uint64_t locked_server_version = 0;
    /// Every changeset of the message, in order (client_version strictly increasing). After a
    /// reconnect a client re-sends changesets the server already holds: see integrate_upload.
    protocol::upload_entries changesets{};
    const auth::claims* user = nullptr;
};

struct upload_result {
    /// The realm's latest server version after the call (unchanged if nothing new was stored).
    std::uint64_t latest_server_version = 0;
    /// Whether the history grew: the connection then reports a realm_changed event so the driver
    /// can wake the other connections bound to the same realm.
    bool history_changed = false;
    /// FLX: the JSON body of an ERROR 231 (compensating write) to send to the uploader before the
    /// DOWNLOAD that reverts the refused writes; empty when nothing was refused. The session goes on.
    std::string compensating_write_json;
};

/// FLX: a subscription set the client asks for (IDENT's query, or a QUERY).
struct query_request {
    std::string_view realm{};
    salted_file_ident client_file{};
    std::int64_t query_version = 0;
    std::string_view query{}; ///< the JSON body: {"Table":"query", ...}
    const auth::claims* user = nullptr;
    /// IDENT's query: the client's active set, whose objects its realm holds at `download`.
    bool at_ident = false;
    download_cursor download{};
};

/// What the connection asks for when it has a DOWNLOAD to send.
struct download_request {
    std::string_view realm{};
    salted_file_ident client_file{};
    /// The client's download cursor as far as the connection has sent it (from IDENT, then the
    /// progress of each DOWNLOAD sent).
    download_cursor after{};
    /// Soft cap on the summed changeset sizes of one batch (at least one changeset is always
    /// allowed, however large). realm-core's server uses 128 KiB.
    std::size_t max_body_bytes = 128 * 1024;
    const auth::claims* user = nullptr;
    /// FLX: the query version the DOWNLOAD answers, and whether it belongs to the bootstrap of that
    /// version (after IDENT with a query, after each accepted QUERY) rather than to steady state.
    std::int64_t query_version = 0;
    bool bootstrap = false;
    /// The protocol version the connection negotiated (FLX: a server-initiated bootstrap needs 14+).
    int protocol_version = 0;
};

/// One changeset of server history, as a DOWNLOAD entry (owned bytes).
struct history_changeset {
    std::uint64_t server_version = 0;            ///< never 0
    std::uint64_t last_integrated_client_version = 0; ///< the entry's client_version field
    std::uint64_t origin_timestamp = 0;          ///< ms since 2015-01-01
    std::uint64_t origin_file_ident = 0;         ///< the client file that uploaded it
    std::uint64_t original_changeset_size = 0;   ///< 0 = changeset.size()
    std::string changeset;
};

/// One DOWNLOAD's content.
struct download_batch {
    /// Server history after `after.server_version`, excluding changesets that came from the
    /// requesting client file itself (the client already has them), in server-version order.
    std::vector<history_changeset> changesets;
    /// The download cursor once the client has integrated this batch: server_version = the last
    /// server version scanned (≥ the last changeset's), last_integrated_client_version = the client
    /// version of the requesting file integrated at that server version.
    download_cursor progress{};
    salted_version latest_server_version{};
    /// How far the server has integrated the requesting file's uploads (acknowledges UPLOADs).
    upload_cursor upload_progress{};
    /// FLX: set by a backend that serves a bootstrap in several batches all at one server version
    /// (progress does not advance between them): the connection asks again while this is set.
    bool bootstrap_continues = false;
    /// FLX, protocol 14+: the server starts a bootstrap of the session's current query version on its
    /// own (its view changed, e.g. permissions): this batch and the ones after it while
    /// bootstrap_continues is set form that bootstrap (MoreToCome … LastInBatch).
    bool server_bootstrap = false;
    /// Bytes of history still to download after this batch (progress reporting only).
    std::uint64_t downloadable_bytes = 0;
    /// True when the size cap stopped the batch before the end of history: the connection asks
    /// again right after sending this one. Also after the last batch of a bootstrap (bootstrap_continues
    /// false) when the history grew past the bootstrap's server version while it went out.
    bool more = false;
};

/// The sync service as a server connection sees it. Every call returns status::success() or the
/// error to send (a session-level code ends only that session).
class server_backend {
public:
    virtual ~server_backend() = default;

    /// Authorization hook, called for every BIND after the token passed the connection's checks.
    /// Chooses the realm key the session's later calls use (`realm`, preset to request.path) — e.g.
    /// expands ROS's `~` to the user identity, or maps an FLX bind to the app's realm — and may refuse
    /// with 204 illegal_realm_path, 205 no_such_realm, 206 permission_denied, 220 user_blacklisted...
    virtual status authorize_bind(const bind_request& request, std::string& realm)
    {
        (void)request;
        (void)realm;
        return status::success();
    }

    /// A BIND with need_client_file_ident=1: allocate a new client file ident for `realm` with a fresh
    /// random salt (non-zero, < 2^63) and store it durably before returning (the client will present
    /// it in IDENT, possibly after a server restart).
    virtual status allocate_client_file_ident(std::string_view realm, salted_file_ident& out) = 0;

    /// Checks an IDENT against the stored history, with realm-core's codes:
    ///  - 208 bad_client_file_ident: the file ident was never allocated for this realm;
    ///  - 211 diverging_histories: its salt differs, or latest_server_version_salt does not match the
    ///    salt of that server version;
    ///  - 209 bad_server_version: download.server_version or latest_server_version.version is beyond
    ///    the realm's current version, or download.server_version > latest_server_version.version;
    ///  - 210 bad_client_version: download.last_integrated_client_version is beyond what the server
    ///    has integrated from this client file;
    ///  - 222 client_file_expired: history the client needs was compacted away.
    /// On success fill `out` (see ident_result).
    virtual status validate_ident(const ident_request& request, ident_result& out) = 0;

    /// Stores an UPLOAD's changesets durably before returning. Idempotent by client version: a
    /// changeset whose client_version is ≤ the last one already integrated for this client file is
    /// skipped, so an upload re-sent after a reconnect or crash duplicates nothing. Also records
    /// `progress` (the upload cursor a later DOWNLOAD reports back in upload_progress) when it is
    /// newer than the stored one. Errors: 212 bad_changeset, 216 bad_origin_file_ident, 206...
    virtual status integrate_upload(const upload_request& request, upload_result& out) = 0;

    /// Produces the next DOWNLOAD for a session (see download_batch). Called after IDENT (the
    /// connection always sends at least one DOWNLOAD then, possibly empty), after an UPLOAD of the
    /// session was integrated, when the driver reports that the realm changed, and again while
    /// `more` is set. An empty batch whose progress equals what was already sent is not sent.
    virtual status produce_download(const download_request& request, download_batch& out) = 0;

    /// FLX: a new subscription set for a session (from IDENT after validate_ident, or QUERY). A
    /// refusal (code 226 bad_query and realm-core's sentence) is sent as QUERY_ERROR for that query
    /// version; the session goes on with the previous set. On success the connection sends the
    /// bootstrap for it: produce_download calls with request.bootstrap set until a batch ends it.
    virtual status change_query(const query_request& request)
    {
        (void)request;
        return status::success();
    }

    /// MARK from the client. The connection answers it (echoing request_ident) once every DOWNLOAD
    /// the backend had available at that moment was sent; this hook may refuse it.
    virtual status mark(std::string_view realm, const salted_file_ident& client_file, std::uint64_t request_ident)
    {
        (void)realm;
        (void)client_file;
        (void)request_ident;
        return status::success();
    }

    /// The session is gone (UNBIND, session error, connection closed). client_file.ident is 0 when
    /// the session never got as far as IDENT.
    virtual void session_ended(std::string_view realm, const salted_file_ident& client_file)
    {
        (void)realm;
        (void)client_file;
    }

    /// Right after session_ended: the (connection_id, session_ident) of bind_request that
    /// authorize_bind saw is over, for a backend that keeps per-session accounting (quotas).
    virtual void session_released(std::uint64_t connection_id, std::uint64_t session_ident)
    {
        (void)connection_id;
        (void)session_ident;
    }
};

} // namespace realmwire::endpoint

#endif
