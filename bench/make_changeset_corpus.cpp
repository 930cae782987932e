// realmwire_make_changeset_corpus OUT [COUNT] [SEED]
//
// Writes a framed changeset corpus (4-byte little-endian length, then the changeset, repeated) for
// bench_changeset (REALMWIRE_CHANGESET_CORPUS=OUT). Each changeset is one of the 300 realm-core-encoded
// changesets of tests/vectors/changesets/basic.bin, chosen at random, with its values redrawn: the
// instruction mix, the schema, the string lengths and the layout stay those of realm-core's output, the
// bytes differ. Deterministic: mt19937_64 (its output is fixed by the standard) with a fixed seed, and no
// library distributions. Every changeset written is decoded again before it is kept.
#include <realmwire/changeset.hpp>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

namespace rc = realmwire::changeset;

namespace {

struct redraw {
    std::mt19937_64 rng;

    std::uint64_t next() { return rng(); }

    /// A value of about the same size (same number of varint bytes or fewer), same sign.
    std::int64_t similar(std::int64_t v)
    {
        std::uint64_t m = v < 0 ? ~static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
        std::uint64_t bound = 1;
        while (bound <= m && bound < (std::uint64_t(1) << 62))
            bound <<= 1;
        std::uint64_t r = next() % bound;
        return v < 0 ? static_cast<std::int64_t>(~r) : static_cast<std::int64_t>(r);
    }

    /// ASCII letters redrawn, everything else (spaces, UTF-8 sequences) kept: still valid UTF-8.
    void text(std::string& s)
    {
        for (char& c : s) {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
                c = static_cast<char>('a' + next() % 26);
        }
    }

    void bytes(std::uint8_t* p, std::size_t n)
    {
        for (std::size_t i = 0; i < n; ++i)
            p[i] = static_cast<std::uint8_t>(next());
    }

    void pk(rc::primary_key& k)
    {
        if (auto* i = std::get_if<std::int64_t>(&k))
            *i = similar(*i);
        else if (auto* o = std::get_if<rc::object_id>(&k))
            bytes(o->bytes.data(), o->bytes.size());
        else if (auto* u = std::get_if<rc::uuid>(&k))
            bytes(u->bytes.data(), u->bytes.size());
    }

    void value(rc::payload& p)
    {
        switch (p.type) {
            case rc::payload_type::integer: p.integer = similar(p.integer); break;
            case rc::payload_type::boolean: p.boolean = next() & 1; break;
            case rc::payload_type::string: text(p.data); break;
            case rc::payload_type::binary:
                for (char& c : p.data)
                    c = static_cast<char>(next());
                break;
            case rc::payload_type::timestamp:
                p.time.seconds = static_cast<std::int64_t>(next() % 2000000000);
                p.time.nanoseconds = static_cast<std::int32_t>(next() % 1000000000);
                break;
            case rc::payload_type::float_: p.float_value = static_cast<float>(next() % 100000) / 7.0f; break;
            case rc::payload_type::double_: p.double_value = static_cast<double>(next() % 100000000) / 13.0; break;
            case rc::payload_type::object_id: bytes(p.oid.bytes.data(), p.oid.bytes.size()); break;
            case rc::payload_type::uuid: bytes(p.uuid_value.bytes.data(), p.uuid_value.bytes.size()); break;
            case rc::payload_type::link: pk(p.link_value.target); break;
            default: break; // Decimal (kept: its coefficient has its own validity rules), Null, collections
        }
    }

    void instruction(rc::instruction& in)
    {
        std::visit(
            [&](auto& i) {
                using T = std::decay_t<decltype(i)>;
                if constexpr (std::is_base_of_v<rc::path_target, T> || std::is_same_v<T, rc::create_object> ||
                              std::is_same_v<T, rc::erase_object>)
                    pk(i.object);
                if constexpr (std::is_same_v<T, rc::update> || std::is_same_v<T, rc::array_insert> ||
                              std::is_same_v<T, rc::set_insert> || std::is_same_v<T, rc::set_erase>)
                    value(i.value);
                if constexpr (std::is_same_v<T, rc::add_integer>)
                    i.value = similar(i.value);
            },
            in);
    }
};

} // namespace

int main(int argc, char** argv)
{
    if (argc < 2 || argc > 4) {
        std::fprintf(stderr, "usage: %s OUT [COUNT=10000] [SEED=20261205]\n", argv[0]);
        return 2;
    }
    const unsigned long count = argc > 2 ? std::strtoul(argv[2], nullptr, 10) : 10000;
    const unsigned long long seed = argc > 3 ? std::strtoull(argv[3], nullptr, 10) : 20261205;
    std::ifstream in(REALMWIRE_VECTORS_DIR "/changesets/basic.bin", std::ios::binary);
    std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::vector<rc::changeset> templates;
    for (std::size_t off = 0; off + 4 <= all.size();) {
        std::uint32_t n = std::uint32_t(std::uint8_t(all[off])) | std::uint32_t(std::uint8_t(all[off + 1])) << 8 |
                          std::uint32_t(std::uint8_t(all[off + 2])) << 16 | std::uint32_t(std::uint8_t(all[off + 3])) << 24;
        templates.push_back(rc::decode_changeset(std::string_view(all).substr(off + 4, n)));
        off += 4 + n;
    }
    if (templates.empty()) {
        std::fprintf(stderr, "no changesets in basic.bin\n");
        return 1;
    }
    redraw r{std::mt19937_64(seed)};
    std::ofstream out(argv[1], std::ios::binary);
    std::string bytes;
    std::size_t total = 0, instructions = 0;
    for (unsigned long k = 0; k < count; ++k) {
        rc::changeset cs = templates[r.next() % templates.size()];
        for (auto& i : cs.instructions)
            r.instruction(i);
        std::error_code ec;
        rc::encode(cs, bytes, rc::layout::preserve, ec);
        rc::changeset back;
        realmwire::error_info where;
        if (ec || !rc::decode_changeset(bytes, back, ec, where) || back != cs) {
            std::fprintf(stderr, "changeset %lu does not round-trip: %s\n", k, ec.message().c_str());
            return 1;
        }
        const auto n = static_cast<std::uint32_t>(bytes.size());
        const char len[4] = {static_cast<char>(n), static_cast<char>(n >> 8), static_cast<char>(n >> 16),
                             static_cast<char>(n >> 24)};
        out.write(len, 4);
        out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        total += bytes.size();
        instructions += cs.instructions.size();
    }
    std::printf("%lu changesets, %zu bytes, %zu instructions -> %s\n", count, total, instructions, argv[1]);
    return out ? 0 : 1;
}
