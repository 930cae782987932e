#ifndef REALMWIRE_ENDPOINT_UPLOAD_MERGE_HPP
#define REALMWIRE_ENDPOINT_UPLOAD_MERGE_HPP

// Merging an UPLOAD into a server history, for any server_backend: the piece a backend calls from
// integrate_upload before it stores anything.
//
// For each new changeset of the upload (client version above what the server already integrated from
// that client file), the merger decodes it — a changeset that does not decode refuses the whole upload
// with 212 bad_changeset, nothing stored — then lets the transformer rewrite it against every history
// entry after the changeset's last integrated server version that came from another client file and is
// not empty. Like realm-core's server, it keeps per client file a *reciprocal history*: each such entry
// as already transformed against that client's earlier uploads. The transformer reads the reciprocal
// version (the stored entry when there is none) and writes the updated one back; the merger returns
// those updates beside the transformed changesets, and the backend must store both in one durable step,
// so that a crash keeps either all of an upload's effects or none.
//
// The transformer is a policy (template parameter); see is_changeset_transformer. The backend's history
// is reached through merge_history_source, a small interface that any storage can implement.
// Not part of realmwire/endpoint.hpp: the transformer needs C++ exceptions, the rest of endpoint/ does not.

#include "realmwire/changeset/limits.hpp"
#include "realmwire/changeset/model_decoder.hpp"
#include "realmwire/endpoint/types.hpp"
#include "realmwire/merge/transformer.hpp"
#include "realmwire/protocol/entries.hpp"
#include "realmwire/protocol/protocol_error.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>
#include <vector>

namespace realmwire::endpoint {

/// One entry of a backend's history as the merger reads it.
struct merge_history_entry {
    std::uint64_t origin_file_ident = 0; ///< the client file it was uploaded by
    std::uint64_t client_version = 0;    ///< its version in that client file
    std::uint64_t origin_timestamp = 0;
    std::string_view changeset{};        ///< as stored (already transformed)
};

/// A realm's history, read-only, as the merger needs it. Views must stay valid during merge().
class merge_history_source {
public:
    virtual ~merge_history_source() = default;
    /// The latest server version (entries are 1 … current_version()).
    virtual std::uint64_t current_version() const = 0;
    virtual merge_history_entry entry(std::uint64_t server_version) const = 0;
    /// The reciprocal transform of entry `server_version` stored for client file `client`, or nullptr.
    virtual const std::string* reciprocal(std::uint64_t client, std::uint64_t server_version) const = 0;
};

/// The result of merging one UPLOAD.
struct merged_upload {
    struct item {
        std::uint64_t client_version = 0;
        std::uint64_t last_integrated_server_version = 0;
        std::uint64_t origin_timestamp = 0;
        std::string changeset;             ///< transformed, canonically encoded: what to store and serve
        changeset::changeset decoded;      ///< the same, decoded (for a backend that applies it to a state)
    };
    std::vector<item> changesets;          ///< the new changesets, in upload order
    std::size_t duplicates = 0;            ///< re-sent changesets skipped (client version already integrated)
    /// Reciprocal history updates for the uploading client file: server version → transformed entry.
    std::map<std::uint64_t, std::string> reciprocal;
};

/// Is T a transformer the merger can use (merge::transformer's interface)?
template <class T, class History, class = void>
struct is_changeset_transformer : std::false_type {};
template <class T, class History>
struct is_changeset_transformer<
    T, History,
    std::void_t<decltype(std::declval<std::size_t&>() = std::declval<T&>().transform_remote_changesets(
                             std::declval<History&>(), std::uint64_t{}, std::uint64_t{},
                             std::declval<std::vector<merge::versioned_changeset>&>(), std::declval<std::error_code&>()))>>
    : std::true_type {};

struct upload_merge_config {
    changeset::limits decode{};        ///< limits for decoding uploaded changesets
    std::uint64_t server_file_ident = 1; ///< the server's own file ident (realm-core's root server: 1)
};

namespace detail {

/// The transformer's view of the history, for one uploading client file: skips that file's own entries
/// and empty ones, serves reciprocal versions, buffers their updates.
class reciprocal_history {
public:
    reciprocal_history(const merge_history_source& src, std::uint64_t client, std::map<std::uint64_t, std::string>& updates)
        : src_(src)
        , client_(client)
        , updates_(updates)
    {
    }
    std::uint64_t find_history_entry(std::uint64_t begin, std::uint64_t end, merge::history_entry_view& out)
    {
        end = std::min(end, src_.current_version());
        for (std::uint64_t v = begin + 1; v <= end && v > begin; ++v) {
            merge_history_entry e = src_.entry(v);
            if (e.origin_file_ident == client_ || e.changeset.empty())
                continue;
            out.origin_timestamp = e.origin_timestamp;
            out.origin_file_ident = e.origin_file_ident;
            out.remote_version = e.client_version;
            out.changeset = e.changeset;
            return v;
        }
        return 0;
    }
    std::string get_reciprocal_transform(std::uint64_t v)
    {
        auto it = updates_.find(v);
        if (it != updates_.end())
            return it->second;
        if (const std::string* r = src_.reciprocal(client_, v))
            return *r;
        return std::string(src_.entry(v).changeset);
    }
    void set_reciprocal_transform(std::uint64_t v, std::string encoded) { updates_[v] = std::move(encoded); }

private:
    const merge_history_source& src_;
    std::uint64_t client_;
    std::map<std::uint64_t, std::string>& updates_;
};

} // namespace detail

/// Transforms UPLOADs against a history. `Transformer` defaults to realmwire's own (merge/transformer.hpp).
template <class Transformer = merge::transformer>
class upload_merger {
    static_assert(is_changeset_transformer<Transformer, detail::reciprocal_history>::value,
                  "upload_merger: Transformer needs std::size_t transform_remote_changesets(History&, std::uint64_t "
                  "local_file_ident, std::uint64_t current_local_version, std::vector<merge::versioned_changeset>&, "
                  "std::error_code&)");

public:
    explicit upload_merger(Transformer t = Transformer{}, upload_merge_config cfg = {})
        : transformer_(std::move(t))
        , cfg_(cfg)
    {
    }

    /// Merges the changesets of an UPLOAD from `client` whose client versions are above
    /// `last_integrated_client_version`. On failure (212 bad_changeset, with the changeset's client
    /// version and the reason) `out` is empty and nothing may be stored.
    status merge(const merge_history_source& history, std::uint64_t client,
                 std::uint64_t last_integrated_client_version, const std::vector<protocol::upload_entry>& in,
                 merged_upload& out)
    {
        out = {};
        std::vector<merge::versioned_changeset> fresh;
        std::uint64_t current = history.current_version();
        for (const auto& e : in) {
            if (e.client_version <= last_integrated_client_version) {
                ++out.duplicates;
                continue;
            }
            if (e.server_version > current)
                return status::error(protocol::protocol_error::bad_server_version);
            std::error_code ec;
            merge::versioned_changeset v;
            v.cs = changeset::decode_changeset(e.changeset, ec, cfg_.decode);
            if (ec) {
                out = {};
                return status::error(protocol::protocol_error::bad_changeset,
                                     "changeset " + std::to_string(e.client_version) + ": " + ec.message());
            }
            v.version = e.client_version;
            v.last_integrated_remote_version = e.server_version;
            v.origin_timestamp = e.origin_timestamp;
            v.origin_file_ident = client;
            fresh.push_back(std::move(v));
        }
        if (fresh.empty())
            return status::success();
        detail::reciprocal_history h(history, client, out.reciprocal);
        std::error_code ec;
        transformer_.transform_remote_changesets(h, cfg_.server_file_ident, current, fresh, ec);
        if (ec) {
            out = {};
            return status::error(protocol::protocol_error::bad_changeset, "merge: " + ec.message());
        }
        for (auto& v : fresh) {
            merged_upload::item it;
            it.client_version = v.version;
            it.last_integrated_server_version = v.last_integrated_remote_version;
            it.origin_timestamp = v.origin_timestamp;
            it.changeset = merge::encode_transformed(v, ec);
            if (ec) {
                out = {};
                return status::error(protocol::protocol_error::bad_changeset, "merge: " + ec.message());
            }
            it.decoded = std::move(v.cs);
            out.changesets.push_back(std::move(it));
        }
        return status::success();
    }

    Transformer& transformer() noexcept { return transformer_; }

private:
    Transformer transformer_;
    upload_merge_config cfg_;
};

} // namespace realmwire::endpoint

#endif
