#ifndef REALMWIRE_MERGE_LIMITS_HPP
#define REALMWIRE_MERGE_LIMITS_HPP

#include <cstddef>

namespace realmwire::merge {

/// Bounds on one transform_remote_changesets call. The merge examines every history instruction against
/// the incoming instructions of its conflict group: O(window x incoming) pairs at worst. A hostile
/// client can make both large (an old last_integrated_server_version, a big upload), so both are bounded
/// and refused with merge_error::work_limit_exceeded / window_too_large.
struct limits {
    /// Instruction pairs the rules may examine in one call.
    std::size_t max_pairs = 20'000'000;
    /// Instructions in the history entries of one window (before the merge adds any).
    std::size_t max_window_instructions = 1'000'000;
    /// Instructions in the incoming changesets of one call.
    std::size_t max_incoming_instructions = 1'000'000;
};

} // namespace realmwire::merge

#endif
