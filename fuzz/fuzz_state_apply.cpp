// The reference state applier (reference/state.hpp) on arbitrary changesets.
// Input: a sequence of frames, each a 2-byte little-endian length and that many changeset bytes; they
// are decoded and applied in order to one state (the first frames usually build a schema).
// Oracles:
//  * a changeset that fails to apply leaves the state exactly as it was (the dump is unchanged);
//  * one that applies can be applied to a copy of the previous state with the same result
//    (application is deterministic);
//  * dumping never fails, and every line of the dump is non-empty;
//  * the changesets that recreate the final state (reference/changeset_builder.hpp, what snapshots and
//    FLX bootstraps are made of), applied to an empty state, give an equal state.
#include "fuzz_common.hpp"

#include <realmwire/reference/changeset_builder.hpp>
#include <realmwire/reference/state.hpp>

#include <string>
#include <vector>

namespace rr = realmwire::reference;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view in(reinterpret_cast<const char*>(data), size);
    realmwire::changeset::limits lim;
    lim.max_changeset_size = 1 << 16;
    lim.max_instructions = 4096;
    rr::state st;
    for (int frames = 0; in.size() >= 2 && frames < 64; ++frames) {
        std::size_t n = static_cast<std::uint8_t>(in[0]) | (static_cast<std::size_t>(static_cast<std::uint8_t>(in[1])) << 8);
        in.remove_prefix(2);
        n = n < in.size() ? n : in.size();
        std::string_view bytes = in.substr(0, n);
        in.remove_prefix(n);
        std::error_code ec;
        auto cs = realmwire::changeset::decode_changeset(bytes, ec, lim);
        if (ec)
            continue;
        const std::vector<std::string> before = st.dump();
        rr::state copy = st;
        rr::apply_info where;
        st.apply(cs, ec, &where);
        if (ec) {
            REALMWIRE_FUZZ_CHECK(st.dump() == before);
            REALMWIRE_FUZZ_CHECK(where.instruction < cs.instructions.size());
            continue;
        }
        std::error_code ec2;
        copy.apply(cs, ec2);
        REALMWIRE_FUZZ_CHECK(!ec2);
        REALMWIRE_FUZZ_CHECK(copy.dump() == st.dump());
    }
    for (const auto& line : st.dump())
        REALMWIRE_FUZZ_CHECK(!line.empty());
    // Few objects per changeset, so that the split into several is exercised too.
    rr::state rebuilt;
    for (const std::string& cs : rr::state_changesets(st, 3)) {
        std::error_code ec;
        rebuilt.apply(cs, ec);
        REALMWIRE_FUZZ_CHECK(!ec);
    }
    REALMWIRE_FUZZ_CHECK(rebuilt == st);
    REALMWIRE_FUZZ_CHECK(rebuilt.dump() == st.dump());
    return 0;
}
