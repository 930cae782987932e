// Changeset decoding (the zero-copy visitor, the model decoder and the packed form) on arbitrary bytes.
// Oracles:
//  * the three decoders agree on success, error code and offset;
//  * the packed form, decoded into an object reused from the previous input, holds the same changeset
//    (to_model equal, placement included) and is empty after an error;
//  * a decodable input re-encodes (layout::preserve) to exactly its own bytes: the strict decoder
//    accepts only canonical encodings, so decode is injective;
//  * re-encoding in realm-core's other two layouts gives bytes that decode to the same changeset;
//  * decoding into a changeset reused from the previous input gives the same as a fresh decode;
//  * printing never fails.
#include "fuzz_common.hpp"

#include <realmwire/changeset.hpp>

namespace rc = realmwire::changeset;

namespace {

struct counting_visitor {
    std::size_t strings = 0;
    std::size_t instructions = 0;
    std::size_t path_elements = 0;
    void intern_string(std::uint32_t, std::string_view) { ++strings; }
    void instruction(const rc::instruction_view& in)
    {
        ++instructions;
        for (const auto& e : in.path) // walks the lazily decoded path
            path_elements += e.is_index ? 1 : (e.key.str.data() != nullptr || e.key.str.empty() ? 1 : 0);
    }
};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view in(reinterpret_cast<const char*>(data), size);
    rc::limits lim;
    lim.max_changeset_size = 1 << 20;

    static rc::decoder visitor_decoder(lim);
    counting_visitor v;
    std::error_code vec;
    realmwire::error_info vwhere;
    bool vok = visitor_decoder.decode(in, v, vec, vwhere);

    std::error_code ec;
    realmwire::error_info where;
    rc::changeset cs;
    bool ok = rc::decode_changeset(in, cs, ec, where, lim);
    REALMWIRE_FUZZ_CHECK(ok == vok);
    REALMWIRE_FUZZ_CHECK(ec == vec);
    static rc::packed_changeset packed;
    std::error_code pec;
    realmwire::error_info pwhere;
    REALMWIRE_FUZZ_CHECK(rc::decode_changeset(in, packed, pec, pwhere, lim) == ok);
    REALMWIRE_FUZZ_CHECK(pec == ec);
    if (!ok) {
        REALMWIRE_FUZZ_CHECK(where.offset == vwhere.offset);
        REALMWIRE_FUZZ_CHECK(where.offset <= size);
        REALMWIRE_FUZZ_CHECK(pwhere.offset == where.offset);
        REALMWIRE_FUZZ_CHECK(packed.empty() && packed.string_count() == 0 && packed.bytes().empty());
        return 0;
    }
    {
        rc::changeset from_packed = rc::to_model(packed);
        REALMWIRE_FUZZ_CHECK(from_packed == cs);
        REALMWIRE_FUZZ_CHECK(from_packed.placement == cs.placement);
        REALMWIRE_FUZZ_CHECK(packed.bytes() == in);
        REALMWIRE_FUZZ_CHECK(packed.size() == cs.instructions.size());
        for (std::size_t i = 0; i < packed.size(); ++i) // each view, as the visitor decoder's
            REALMWIRE_FUZZ_CHECK(rc::to_model(packed[i]) == cs.instructions[i]);
    }
    REALMWIRE_FUZZ_CHECK(v.instructions == cs.instructions.size());
    REALMWIRE_FUZZ_CHECK(v.strings == cs.strings.size());
    // Decoding into a changeset that still holds the previous input's instructions (slots of other
    // kinds, strings and paths with capacity) gives the same as a fresh decode.
    static rc::changeset reused;
    REALMWIRE_FUZZ_CHECK(rc::decode_changeset(in, reused, ec, where, lim));
    REALMWIRE_FUZZ_CHECK(reused == cs);
    REALMWIRE_FUZZ_CHECK(reused.placement == cs.placement);

    std::string again = rc::encode(cs, rc::layout::preserve, ec);
    REALMWIRE_FUZZ_CHECK(!ec);
    REALMWIRE_FUZZ_CHECK(again == in);

    for (auto l : {rc::layout::strings_first, rc::layout::client}) {
        std::string bytes = rc::encode(cs, l, ec);
        REALMWIRE_FUZZ_CHECK(!ec);
        if (bytes.empty() && cs.instructions.empty())
            continue; // realm-core's layout writes nothing for a changeset without instructions
        rc::changeset back = rc::decode_changeset(bytes, ec, where, lim);
        REALMWIRE_FUZZ_CHECK(!ec);
        REALMWIRE_FUZZ_CHECK(back == cs);
        // Same records, other order: the size never changes.
        REALMWIRE_FUZZ_CHECK(bytes.size() == size);
    }
    std::string text = rc::to_string(cs);
    REALMWIRE_FUZZ_CHECK(!text.empty());
    return 0;
}
