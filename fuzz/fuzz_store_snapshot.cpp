// Snapshots of the reference client's store (object_store::restore, what a compacted local store log
// starts with) from arbitrary bytes.
// Oracles:
//  * a snapshot that does not read leaves the store exactly as it was, and says where (offset within
//    the input, a field name);
//  * one that reads gives a store whose own snapshot reads back into an equal store (and the same
//    bytes again: the format has one encoding per content).
#include "fuzz_common.hpp"

#include <realmwire/reference/object_store.hpp>

#include <string>

namespace rr = realmwire::reference;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view in(reinterpret_cast<const char*>(data), size);
    rr::object_store st;
    // Something to keep when the input does not read.
    st.put_items({{1, std::string("kept")}});
    const rr::object_store before = st;
    std::error_code ec;
    realmwire::error_info where;
    st.restore(in, ec, where);
    if (ec) {
        REALMWIRE_FUZZ_CHECK(st == before);
        REALMWIRE_FUZZ_CHECK(where.has_offset() && where.offset <= size);
        REALMWIRE_FUZZ_CHECK(!where.field.empty());
        return 0;
    }
    std::error_code snap_ec;
    const std::string again = st.snapshot(snap_ec);
    REALMWIRE_FUZZ_CHECK(!snap_ec);
    rr::object_store copy;
    copy.restore(again, ec, where);
    REALMWIRE_FUZZ_CHECK(!ec);
    REALMWIRE_FUZZ_CHECK(copy == st);
    // Equality leaves out which tables other tables' Mixed fields have linked to: the snapshot keeps it.
    for (const auto& [name, t] : st.tables())
        REALMWIRE_FUZZ_CHECK(copy.find_table(name) && copy.find_table(name)->mixed_link_target == t.mixed_link_target);
    std::error_code snap_ec2;
    REALMWIRE_FUZZ_CHECK(copy.snapshot(snap_ec2) == again);
    return 0;
}
