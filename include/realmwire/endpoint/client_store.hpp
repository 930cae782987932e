#ifndef REALMWIRE_ENDPOINT_CLIENT_STORE_HPP
#define REALMWIRE_ENDPOINT_CLIENT_STORE_HPP

// What a client session (client_connection.hpp) asks of the local store behind it: one store per
// session, i.e. per local realm file. It owns the client file ident and salt, the persisted sync
// progress, the local history of changesets to upload, and integrates downloaded changesets.
//
// Calls are synchronous, made from inside client_connection's handlers (one thread). Views passed
// in are valid during the call only.
//
// Versions. Client versions number the store's local snapshots (each local write produces a new
// one; realm-core starts at 1 for an empty file). A local changeset is identified by the client
// version it produced. Server versions number the server's history of the realm.

#include "realmwire/endpoint/types.hpp"
#include "realmwire/protocol/entries.hpp"
#include "realmwire/protocol/messages.hpp"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace realmwire::endpoint {

/// One local changeset to upload (an UPLOAD entry with owned bytes).
struct local_changeset {
    std::uint64_t client_version = 0;                 ///< the version the changeset produced
    std::uint64_t last_integrated_server_version = 0; ///< server version integrated before it
    std::uint64_t origin_timestamp = 0;               ///< ms since 2015-01-01
    std::string changeset;
};

/// What collect_uploads returns: the changesets of one UPLOAD and the cursor after them.
struct upload_batch {
    std::vector<local_changeset> changesets;
    /// The upload cursor once the server has these: client_version = the last client version
    /// scanned (may be past the last changeset when later versions hold no local changes, e.g. the
    /// integration of downloads), last_integrated_server_version = the server version integrated at
    /// that client version.
    upload_cursor progress{};
    /// realm-core sends the download cursor's server_version here (the server may compact history
    /// before it). 0 is always acceptable.
    std::uint64_t locked_server_version = 0;
};

/// A DOWNLOAD that passed every client-side check, for integration.
struct incoming_download {
    /// The progress to persist together with the changesets, atomically: download cursor and
    /// latest server version from the message; upload cursor = what the server acknowledged.
    sync_progress progress{};
    std::uint64_t downloadable_bytes = 0;
    /// The changesets, server_version strictly increasing, each to be applied (or transformed) in
    /// order. May be empty (a progress-only DOWNLOAD: persist the progress).
    protocol::download_entries changesets{};
    protocol::batch_state batch = protocol::batch_state::steady_state; ///< FLX bootstraps
    std::int64_t query_version = 0;                                    ///< FLX
};

/// The local realm as a client session sees it.
class client_store {
public:
    virtual ~client_store() = default;

    /// The client file ident and salt, once the server allocated them; nullopt for a fresh file
    /// (the session then BINDs with need_client_file_ident=1 and waits for the server's IDENT).
    virtual std::optional<salted_file_ident> client_file_ident() = 0;

    /// The server's IDENT: store the ident durably before returning.
    virtual status set_client_file_ident(const salted_file_ident& ident) = 0;

    /// The persisted progress (all zero for a fresh file). Sent in IDENT on every (re)bind; its
    /// upload cursor is where uploading resumes after a reconnect.
    virtual sync_progress progress() = 0;

    /// The store's current client version (the newest local snapshot). Upload completion is reached
    /// when the server acknowledged an upload cursor ≥ this.
    virtual std::uint64_t current_client_version() = 0;

    /// The local changesets (origin_file_ident 0) with client_version > after.client_version, in
    /// order, up to about max_bytes of changeset data (at least one if any), plus the cursor after
    /// them (see upload_batch). Nothing to upload: empty changesets and progress = after (or the
    /// current version, if later versions hold only integrated downloads).
    virtual void collect_uploads(const upload_cursor& after, std::size_t max_bytes, upload_batch& out) = 0;

    /// Applies a DOWNLOAD and persists its progress in one transaction. An error (e.g. 212
    /// bad_changeset) stops the session: the client reports it to the server with JSON_ERROR and
    /// uploads nothing more, as realm-core does on an integration failure.
    virtual status integrate(const incoming_download& download) = 0;

    /// FLX only: the subscription query to send in IDENT (version and JSON). nullopt = no query.
    virtual std::optional<std::pair<std::int64_t, std::string>> flx_query() { return std::nullopt; }

    /// FLX only: a subscription set to send as QUERY — the oldest one with a version above `after`
    /// (the last version sent on this binding, by IDENT or QUERY); nullopt = none. Call
    /// client_connection::notify_local_changes() when a new set exists.
    virtual std::optional<std::pair<std::int64_t, std::string>> flx_next_query(std::int64_t after)
    {
        (void)after;
        return std::nullopt;
    }
};

} // namespace realmwire::endpoint

#endif
