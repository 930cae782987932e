#ifndef REALMWIRE_TESTS_ENDPOINT_MEMORY_BACKEND_HPP
#define REALMWIRE_TESTS_ENDPOINT_MEMORY_BACKEND_HPP

// A tiny in-memory server_backend and client_store for the endpoint tests and the fuzz target.
// Changesets are opaque bytes: the server keeps them in arrival order, the client store appends
// the downloaded ones to a list. Enough to check the protocol flow, not a database.

#include "realmwire/endpoint/client_store.hpp"
#include "realmwire/endpoint/server_backend.hpp"

#include <algorithm>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace realmwire_test {

using namespace realmwire::endpoint;
namespace rp = realmwire::protocol;

class memory_backend : public server_backend {
public:
    struct entry {
        std::uint64_t origin = 0;
        std::uint64_t origin_client_version = 0;
        std::uint64_t timestamp = 0;
        std::string changeset;
    };
    struct file {
        std::int64_t salt = 0;
        upload_cursor progress{};
        std::uint64_t locked = 0;
        /// (server version produced, client version integrated) for each upload of this file
        std::vector<std::pair<std::uint64_t, std::uint64_t>> integrated;
    };
    struct realm {
        std::vector<entry> history; ///< server version i+1 = history[i]
        std::map<std::uint64_t, file> files;
    };

    std::map<std::string, realm> realms;
    std::uint64_t next_file_ident = 1;
    std::vector<std::string> refused_paths; ///< authorize_bind answers 206 for these
    int ends = 0;

    static std::int64_t salt_of_version(std::uint64_t v) { return v == 0 ? 0 : static_cast<std::int64_t>(v * 7919 + 13); }

    status authorize_bind(const bind_request& r, std::string& realm_key) override
    {
        if (std::find(refused_paths.begin(), refused_paths.end(), std::string(r.path)) != refused_paths.end())
            return status::error(rp::protocol_error::permission_denied);
        realms[realm_key];
        return status::success();
    }

    status allocate_client_file_ident(std::string_view realm_key, salted_file_ident& out) override
    {
        out.ident = next_file_ident++;
        out.salt = static_cast<std::int64_t>(out.ident * 1000003 + 17);
        realms[std::string(realm_key)].files[out.ident].salt = out.salt;
        return status::success();
    }

    status validate_ident(const ident_request& r, ident_result& out) override
    {
        realm& rl = realms[std::string(r.realm)];
        auto it = rl.files.find(r.client_file.ident);
        if (it == rl.files.end())
            return status::error(rp::protocol_error::bad_client_file_ident);
        if (it->second.salt != r.client_file.salt)
            return status::error(rp::protocol_error::diverging_histories);
        std::uint64_t current = rl.history.size();
        if (r.latest_server_version.version > current || r.download.server_version > r.latest_server_version.version)
            return status::error(rp::protocol_error::bad_server_version);
        if (r.latest_server_version.salt != salt_of_version(r.latest_server_version.version))
            return status::error(rp::protocol_error::diverging_histories);
        if (r.download.last_integrated_client_version > it->second.progress.client_version)
            return status::error(rp::protocol_error::bad_client_version);
        out.upload_threshold = it->second.progress;
        out.locked_server_version = it->second.locked;
        return status::success();
    }

    status integrate_upload(const upload_request& r, upload_result& out) override
    {
        realm& rl = realms[std::string(r.realm)];
        file& f = rl.files[r.client_file.ident];
        bool changed = false;
        for (const rp::upload_entry& e : r.changesets) {
            if (e.client_version <= f.progress.client_version)
                continue; // already integrated: idempotent
            rl.history.push_back({r.client_file.ident, e.client_version, e.origin_timestamp, std::string(e.changeset)});
            f.integrated.emplace_back(rl.history.size(), e.client_version);
            changed = true;
        }
        if (r.progress.client_version > f.progress.client_version)
            f.progress = r.progress;
        f.locked = std::max(f.locked, r.locked_server_version);
        out.latest_server_version = rl.history.size();
        out.history_changed = changed;
        return status::success();
    }

    /// The client version of `f` integrated at server version `v`.
    static std::uint64_t integrated_at(const file& f, std::uint64_t v)
    {
        std::uint64_t cv = 0;
        for (const auto& [sv, c] : f.integrated)
            if (sv <= v)
                cv = std::max(cv, c);
        return cv;
    }

    status produce_download(const download_request& r, download_batch& out) override
    {
        realm& rl = realms[std::string(r.realm)];
        const file& f = rl.files[r.client_file.ident];
        std::uint64_t v = r.after.server_version;
        std::size_t bytes = 0;
        while (v < rl.history.size()) {
            const entry& e = rl.history[v];
            ++v;
            if (e.origin == r.client_file.ident)
                continue;
            if (!out.changesets.empty() && bytes + e.changeset.size() > r.max_body_bytes) {
                --v;
                out.more = true;
                break;
            }
            history_changeset c;
            c.server_version = v;
            c.last_integrated_client_version = integrated_at(f, v);
            c.origin_timestamp = e.timestamp;
            c.origin_file_ident = e.origin;
            c.changeset = e.changeset;
            bytes += c.changeset.size();
            out.changesets.push_back(std::move(c));
        }
        out.progress = {v, integrated_at(f, v)};
        out.latest_server_version = {rl.history.size(), salt_of_version(rl.history.size())};
        out.upload_progress = f.progress;
        for (std::uint64_t i = v; i < rl.history.size(); ++i)
            out.downloadable_bytes += rl.history[i].changeset.size();
        return status::success();
    }

    void session_ended(std::string_view, const salted_file_ident&) override { ++ends; }
};

/// A client store holding opaque changesets: local ones (to upload) and downloaded ones.
class memory_store : public client_store {
public:
    std::optional<salted_file_ident> ident;
    sync_progress prog{};
    /// local history: client version i+1 = versions[i]; origin 0 = local write
    struct version {
        std::uint64_t origin = 0;
        std::uint64_t server_version = 0; ///< server version integrated when it was made
        std::string changeset;
    };
    std::vector<version> versions;
    std::vector<std::string> downloaded;
    int integrations = 0;
    std::optional<status> fail_integration;

    std::uint64_t last_server_version() const { return prog.download.server_version; }

    void write(std::string changeset)
    {
        versions.push_back({0, last_server_version(), std::move(changeset)});
    }

    std::optional<salted_file_ident> client_file_ident() override { return ident; }
    status set_client_file_ident(const salted_file_ident& i) override
    {
        ident = i;
        return status::success();
    }
    sync_progress progress() override { return prog; }
    std::uint64_t current_client_version() override { return versions.size(); }

    void collect_uploads(const upload_cursor& after, std::size_t max_bytes, upload_batch& out) override
    {
        std::size_t bytes = 0;
        std::uint64_t v = after.client_version;
        out.progress = after;
        while (v < versions.size()) {
            const version& ver = versions[v];
            if (ver.origin == 0) {
                if (!out.changesets.empty() && bytes + ver.changeset.size() > max_bytes)
                    break;
                bytes += ver.changeset.size();
                out.changesets.push_back({v + 1, ver.server_version, 1000 + v, ver.changeset});
            }
            ++v;
            out.progress = {v, ver.server_version};
        }
        out.locked_server_version = prog.download.server_version;
    }

    status integrate(const incoming_download& d) override
    {
        if (fail_integration)
            return *fail_integration;
        ++integrations;
        for (const rp::download_entry& e : d.changesets) {
            downloaded.emplace_back(e.changeset);
            versions.push_back({e.origin_file_ident, e.server_version, std::string(e.changeset)});
        }
        prog = d.progress;
        return status::success();
    }
};

} // namespace realmwire_test

#endif
