#ifndef REALMWIRE_MERGE_TRANSFORMER_HPP
#define REALMWIRE_MERGE_TRANSFORMER_HPP

// STAND-IN for the operational transformer (the merge-core work replaces this file): the same API,
// but transform_remote_changesets leaves every changeset as it is. It lets the server and client
// integration (endpoint/upload_merge.hpp, reference/) be written and tested before the real rules
// land; with it, concurrent writes apply in server-version order.

#include "realmwire/changeset/encoder.hpp"
#include "realmwire/changeset/instruction.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace realmwire::merge {

struct limits {};

struct versioned_changeset {
    changeset::changeset cs;
    std::uint64_t version = 0;
    std::uint64_t last_integrated_remote_version = 0;
    std::uint64_t origin_timestamp = 0;
    std::uint64_t origin_file_ident = 0;
};

struct history_entry_view {
    std::uint64_t origin_timestamp = 0;
    std::uint64_t origin_file_ident = 0;
    std::uint64_t remote_version = 0;
    std::string_view changeset;
};

class transformer {
public:
    explicit transformer(limits = {}) {}

    template <class History>
    std::size_t transform_remote_changesets(History& history, std::uint64_t local_file_ident,
                                            std::uint64_t current_local_version,
                                            std::vector<versioned_changeset>& incoming, std::error_code& ec)
    {
        (void)local_file_ident;
        ec.clear();
        // Walk the window like the real transformer does (so the History is exercised), change nothing.
        for (auto& c : incoming) {
            history_entry_view e;
            std::uint64_t v = c.last_integrated_remote_version;
            while ((v = history.find_history_entry(v, current_local_version, e)) != 0)
                history.set_reciprocal_transform(v, history.get_reciprocal_transform(v));
        }
        return incoming.size();
    }
};

inline std::string encode_transformed(const versioned_changeset& c)
{
    return changeset::encode(c.cs, changeset::layout::strings_first);
}

} // namespace realmwire::merge

#endif
