// The merge transformer on generated changesets and windows.
//
// The input drives a generator over a small vocabulary (two tables, a few fields, primary keys 0..2,
// short paths of small indices and keys), so that instructions really meet: same objects, same lists,
// nested paths, links joining conflict groups, schema changes. A history of 1..4 entries from other
// files and 1..3 incoming changesets are merged, and some entries are replaced by raw input bytes to
// reach the decoding paths. Oracles:
//  * no crash, no sanitizer finding, no endless loop (the pair limit is small);
//  * on success every transformed changeset and every flushed reciprocal form re-encodes and decodes
//    back to the same changeset;
//  * the merge is deterministic: the same input gives the same result twice (checked on a quarter).
#include "fuzz_common.hpp"

#include <realmwire/merge.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

namespace rc = realmwire::changeset;
namespace mg = realmwire::merge;

namespace {

struct gen {
    realmwire_fuzz::fuzz_input& in;

    std::uint8_t pick(std::uint8_t n) { return n ? static_cast<std::uint8_t>(in.byte() % n) : 0; }

    rc::string_id name(rc::changeset& cs, const char* const* names, std::uint8_t n)
    {
        return cs.intern(names[pick(n)]);
    }
    rc::string_id table(rc::changeset& cs)
    {
        static const char* const t[] = {"class_A", "class_B", "class_E"};
        return name(cs, t, 3);
    }
    rc::string_id field(rc::changeset& cs)
    {
        static const char* const f[] = {"i", "l", "m", "e", "s"};
        return name(cs, f, 5);
    }
    rc::primary_key pk() { return std::int64_t(pick(3)); }
    /// A value the decoder accepts where it stands: no collections in sets, Erased only for a key.
    rc::payload value(rc::changeset& cs, bool in_set = false, bool for_key = false)
    {
        switch (pick(9)) {
            case 0: return rc::payload::null();
            case 1: return rc::payload::make_int(pick(4));
            case 2: return rc::payload::make_string(pick(2) ? "x" : "y");
            case 3: return in_set ? rc::payload::null() : rc::payload::make(rc::payload_type::list);
            case 4: return in_set ? rc::payload::make_int(1) : rc::payload::make(rc::payload_type::dictionary);
            case 5: return in_set ? rc::payload::make_int(2) : rc::payload::make(rc::payload_type::object_value);
            case 6: return rc::payload::make_link(table(cs), pk());
            case 7: return rc::payload::make_double(pick(2) ? 0.0 : -0.0);
            default: return for_key ? rc::payload::make(rc::payload_type::erased) : rc::payload::make_int(3);
        }
    }
    rc::path path(rc::changeset& cs, bool end_in_index)
    {
        rc::path p;
        std::uint8_t n = pick(3);
        for (std::uint8_t k = 0; k < n; ++k) {
            if (pick(2))
                p.push_back(std::uint32_t(pick(4)));
            else
                p.push_back(cs.intern(pick(2) ? "k" : "x"));
        }
        if (end_in_index)
            p.push_back(std::uint32_t(pick(4)));
        return p;
    }
    template <class T>
    T target(rc::changeset& cs, bool index)
    {
        T t;
        t.table = table(cs);
        t.object = pk();
        t.field = field(cs);
        t.path = path(cs, index);
        return t;
    }
    rc::instruction instruction(rc::changeset& cs)
    {
        switch (pick(16)) {
            case 0: {
                rc::add_table a;
                a.table = table(cs);
                a.type = pick(4) == 0 ? rc::table_type::embedded : rc::table_type::top_level;
                a.pk_field = cs.intern("_id");
                a.pk_type = pick(4) == 0 ? rc::payload_type::string : rc::payload_type::integer;
                return a;
            }
            case 1: return rc::erase_table{table(cs)};
            case 2: return rc::create_object{table(cs), pk()};
            case 3: return rc::erase_object{table(cs), pk()};
            case 4:
            case 5: {
                auto u = target<rc::update>(cs, pick(2));
                u.value = value(cs, false, !u.path.empty() && !rc::is_index(u.path.back()));
                u.prior_size = pick(5);
                u.is_default = pick(4) == 0;
                return u;
            }
            case 6: {
                auto a = target<rc::add_integer>(cs, false);
                a.value = pick(8);
                return a;
            }
            case 7: {
                rc::add_column c;
                c.table = table(cs);
                c.field = field(cs);
                c.type = pick(2) ? rc::payload_type::integer : rc::payload_type::link;
                if (c.type == rc::payload_type::link)
                    c.link_target_table = table(cs);
                c.collection = static_cast<rc::collection_type>(pick(4));
                if (c.collection == rc::collection_type::dictionary)
                    c.key_type = rc::payload_type::string;
                return c;
            }
            case 8: return rc::erase_column{table(cs), field(cs)};
            case 9: {
                auto a = target<rc::array_insert>(cs, true);
                a.value = value(cs);
                a.prior_size = pick(5);
                return a;
            }
            case 10: {
                auto a = target<rc::array_move>(cs, true);
                a.ndx_2 = pick(4);
                a.prior_size = pick(5);
                return a;
            }
            case 11: {
                auto a = target<rc::array_erase>(cs, true);
                a.prior_size = pick(5);
                return a;
            }
            case 12: {
                auto a = target<rc::clear>(cs, false);
                a.collection = static_cast<rc::collection_type>(pick(4));
                return a;
            }
            case 13: {
                auto a = target<rc::set_insert>(cs, false);
                a.value = value(cs, true);
                return a;
            }
            default: {
                auto a = target<rc::set_erase>(cs, false);
                a.value = value(cs, true);
                return a;
            }
        }
    }
    /// A changeset, and its encoding in `bytes` when asked (a history entry is stored encoded: the bytes
    /// the decodability check produced are the ones stored, not a second encoding).
    rc::changeset changeset(std::string* encoded = nullptr)
    {
        rc::changeset cs;
        std::uint8_t n = pick(8);
        cs.instructions.reserve(n);
        for (std::uint8_t k = 0; k < n; ++k)
            cs.instructions.push_back(instruction(cs));
        // Only what the strict decoder accepts reaches a merge (a peer's changeset is decoded first).
        std::error_code ec;
        std::string bytes = rc::encode(cs, rc::layout::strings_first, ec);
        if (!ec)
            rc::decode_changeset(bytes, ec);
        if (ec) {
            cs.instructions.clear();
            if (encoded)
                bytes = rc::encode(cs);
        }
        if (encoded)
            *encoded = std::move(bytes);
        return cs;
    }
};

struct history {
    struct entry {
        std::uint64_t file = 0;
        std::uint64_t ts = 0;
        std::string bytes;
    };
    std::map<std::uint64_t, entry> entries;
    std::map<std::uint64_t, std::string> reciprocal;

    std::uint64_t find_history_entry(std::uint64_t begin, std::uint64_t end, mg::history_entry_view& out)
    {
        for (auto it = entries.upper_bound(begin); it != entries.end() && it->first <= end; ++it) {
            if (it->second.bytes.empty())
                continue;
            out.origin_file_ident = it->second.file;
            out.origin_timestamp = it->second.ts;
            out.changeset = it->second.bytes;
            return it->first;
        }
        return 0;
    }
    std::string get_reciprocal_transform(std::uint64_t v)
    {
        auto r = reciprocal.find(v);
        return r != reciprocal.end() ? r->second : entries[v].bytes;
    }
    void set_reciprocal_transform(std::uint64_t v, std::string b) { reciprocal[v] = std::move(b); }
};

struct outcome {
    std::error_code ec;
    std::size_t done = 0;
    std::vector<rc::changeset> incoming;
    std::map<std::uint64_t, std::string> reciprocal;
};

outcome run_once(const std::uint8_t* data, std::size_t size)
{
    realmwire_fuzz::fuzz_input in(data, size);
    gen g{in};
    history h;
    const std::uint8_t entries = 1 + g.pick(4);
    for (std::uint8_t k = 0; k < entries; ++k) {
        history::entry e;
        e.file = 2 + g.pick(3); // never the incoming file (5)
        e.ts = 10 + g.pick(4);
        g.changeset(&e.bytes);
        h.entries[2 + k] = std::move(e);
    }
    std::vector<mg::versioned_changeset> incoming(1 + g.pick(3));
    for (auto& c : incoming) {
        c.cs = g.changeset();
        c.origin_file_ident = 5;
        c.origin_timestamp = 10 + g.pick(4);
        c.last_integrated_remote_version = 1 + g.pick(2);
    }
    std::sort(incoming.begin(), incoming.end(), [](const auto& a, const auto& b) {
        return a.last_integrated_remote_version < b.last_integrated_remote_version;
    });
    for (std::size_t k = 0; k < incoming.size(); ++k)
        incoming[k].version = 10 + k;
    // Sometimes a history entry is raw input: the decoder's errors must come out as bad_changeset.
    if (g.pick(8) == 0 && !h.entries.empty())
        h.entries.begin()->second.bytes = std::string(in.rest());

    // Limits sized for fuzzing: the generator makes at most 4 x 7 history and 3 x 7 incoming
    // instructions, so these only cut short a raw history entry that decodes to hundreds of instructions
    // (its merge would be refused by the pair limit anyway, after far more work).
    mg::limits lim;
    lim.max_pairs = 20000;
    lim.max_window_instructions = 256;
    lim.max_incoming_instructions = 64;
    mg::transformer t(lim);
    outcome o;
    o.done = t.transform_remote_changesets(h, 1, 1 + entries, incoming, o.ec);
    for (auto& c : incoming)
        o.incoming.push_back(c.cs);
    o.reciprocal = h.reciprocal;
    if (!o.ec) {
        REALMWIRE_FUZZ_CHECK(o.done == incoming.size());
        for (const auto& c : incoming) {
            std::error_code ec;
            std::string bytes = mg::encode_transformed(c, ec);
            REALMWIRE_FUZZ_CHECK(!ec);
            rc::changeset back = rc::decode_changeset(bytes, ec);
            REALMWIRE_FUZZ_CHECK(!ec);
            if (!c.cs.instructions.empty())
                REALMWIRE_FUZZ_CHECK(back == c.cs);
            else
                REALMWIRE_FUZZ_CHECK(bytes.empty());
        }
        for (const auto& [v, bytes] : h.reciprocal) {
            std::error_code ec;
            rc::changeset back = rc::decode_changeset(bytes, ec);
            REALMWIRE_FUZZ_CHECK(!ec);
            REALMWIRE_FUZZ_CHECK(rc::encode(back) == bytes);
        }
    }
    else {
        REALMWIRE_FUZZ_CHECK(o.done == 0);
        REALMWIRE_FUZZ_CHECK(h.reciprocal.empty());
        REALMWIRE_FUZZ_CHECK(std::string(o.ec.category().name()) == "realmwire.merge");
    }
    return o;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    outcome a = run_once(data, size);
    if (size == 0 || data[0] % 4 != 0) // determinism on a quarter of the inputs: the merge is the cost
        return 0;
    outcome b = run_once(data, size);
    REALMWIRE_FUZZ_CHECK(a.ec == b.ec);
    REALMWIRE_FUZZ_CHECK(a.incoming == b.incoming);
    REALMWIRE_FUZZ_CHECK(a.reciprocal == b.reciprocal);
    return 0;
}
