#ifndef REALMWIRE_REFERENCE_RECIPROCAL_HISTORY_HPP
#define REALMWIRE_REFERENCE_RECIPROCAL_HISTORY_HPP

// The server's reciprocal history: per client file, the other clients' history entries as already
// transformed against that client's uploads (merge/transformer.hpp reads and rewrites them).
//
// Bounded two ways:
//  * Trimming. A client's later changesets are consistent with its upload cursor: each one it has not
//    uploaded yet was made after it had integrated the server version in the cursor, so the merge
//    window of every future upload from that client starts above it. The reciprocal entries of that
//    client at or below the cursor's server version can never be read again, and are dropped as soon as
//    the cursor moves (realm-core trims its per-client reciprocal history at the same point).
//  * A byte limit per realm (the sum over all client files). An update that would leave more is refused
//    with merge_error::reciprocal_history_too_large, before anything is written.
//
// The trim is a function of the upload cursor, which the history stores in the same log record as the
// updates; replaying the log trims again at the same points, so a kill -9 needs no extra record.

#include "realmwire/errors/merge.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <system_error>

namespace realmwire::reference {

class reciprocal_store {
public:
    using updates = std::map<std::uint64_t, std::string>; ///< server version → transformed entry

    /// The reciprocal transform of entry `version` kept for client file `client`, or nullptr.
    const std::string* find(std::uint64_t client, std::uint64_t version) const
    {
        auto c = clients_.find(client);
        if (c == clients_.end())
            return nullptr;
        auto it = c->second.find(version);
        return it == c->second.end() ? nullptr : &it->second;
    }

    /// Entries kept, over all client files.
    std::size_t count() const noexcept
    {
        std::size_t n = 0;
        for (const auto& kv : clients_)
            n += kv.second.size();
        return n;
    }
    /// Bytes of the entries kept, over all client files.
    std::uint64_t bytes() const noexcept { return bytes_; }

    /// The updates of one upload that are still alive once `client`'s upload cursor is at
    /// `trim_through` (entries at or below it are dead on arrival).
    static updates live(const updates& u, std::uint64_t trim_through)
    {
        return updates(u.upper_bound(trim_through), u.end());
    }

    /// Bytes kept after apply(client, u, trim_through), without changing anything.
    std::uint64_t bytes_after(std::uint64_t client, const updates& u, std::uint64_t trim_through) const
    {
        std::uint64_t total = bytes_;
        auto c = clients_.find(client);
        if (c != clients_.end()) {
            for (auto it = c->second.begin(); it != c->second.end(); ++it) {
                const bool trimmed = it->first <= trim_through;
                const bool replaced = !trimmed && u.count(it->first) != 0;
                if (trimmed || replaced)
                    total -= it->second.size();
            }
        }
        for (auto it = u.upper_bound(trim_through); it != u.end(); ++it)
            total += it->second.size();
        return total;
    }

    /// Refuses (merge_error::reciprocal_history_too_large) when apply(client, u, trim_through) would
    /// leave more than `max_bytes` (0 = no limit).
    void check(std::uint64_t client, const updates& u, std::uint64_t trim_through, std::uint64_t max_bytes,
               std::error_code& ec) const
    {
        ec.clear();
        if (max_bytes != 0 && bytes_after(client, u, trim_through) > max_bytes)
            ec = merge_error::reciprocal_history_too_large;
    }

    /// Stores the updates for `client`, then drops its entries at or below `trim_through`.
    void apply(std::uint64_t client, const updates& u, std::uint64_t trim_through)
    {
        if (!u.empty()) {
            auto& mine = clients_[client];
            for (auto it = u.upper_bound(trim_through); it != u.end(); ++it) {
                auto [slot, fresh] = mine.try_emplace(it->first);
                if (!fresh)
                    bytes_ -= slot->second.size();
                slot->second = it->second;
                bytes_ += slot->second.size();
            }
        }
        trim(client, trim_through);
    }

    /// Drops `client`'s entries at or below `through`.
    void trim(std::uint64_t client, std::uint64_t through)
    {
        auto c = clients_.find(client);
        if (c == clients_.end())
            return;
        auto end = c->second.upper_bound(through);
        for (auto it = c->second.begin(); it != end; ++it)
            bytes_ -= it->second.size();
        c->second.erase(c->second.begin(), end);
        if (c->second.empty())
            clients_.erase(c);
    }

    void clear() noexcept
    {
        clients_.clear();
        bytes_ = 0;
    }

private:
    std::map<std::uint64_t, updates> clients_; ///< client file → version → bytes
    std::uint64_t bytes_ = 0;
};

} // namespace realmwire::reference

#endif
