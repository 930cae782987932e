// `realmwire changesets FILE [--verify-roundtrip] [--layout L] [--dump] [--index I]`
//
// Reads a framed changeset file (4-byte little-endian length, then the changeset, repeated; "-" is
// stdin) and decodes every changeset with the strict decoder. --verify-roundtrip re-encodes each one
// and requires identical bytes (--layout preserve, the default, keeps each InternString record where it
// was; strings_first is realm-core's encode_changeset, as its `rc-changeset parse --verify-roundtrip`;
// client is the replication encoder of UPLOAD changesets). --dump prints the instructions in
// print_changeset style, --index I restricts everything to changeset I.
// Exit: 0 all good, 1 a changeset failed (its index and the error are printed), 2 usage.
#include "command.hpp"

#include <realmwire/changeset.hpp>

#include <cstdint>
#include <cstdio>
#include <string>

namespace {

namespace rc = realmwire::changeset;

int run(realmwire_tool::args& a)
{
    const bool verify = a.flag("verify-roundtrip");
    const bool dump = a.flag("dump");
    auto layout_name = a.value("layout").value_or("preserve");
    auto index_text = a.value("index");
    auto files = a.positional();
    a.finish();
    if (files.size() != 1)
        throw realmwire_tool::usage_error("changesets needs exactly one FILE");
    rc::layout layout;
    if (layout_name == "preserve")
        layout = rc::layout::preserve;
    else if (layout_name == "strings_first" || layout_name == "server")
        layout = rc::layout::strings_first;
    else if (layout_name == "client")
        layout = rc::layout::client;
    else
        throw realmwire_tool::usage_error("--layout must be preserve, strings_first (server) or client");
    bool only_one = false;
    std::uint64_t only = 0;
    if (index_text) {
        if (index_text->empty() || index_text->find_first_not_of("0123456789") != std::string::npos || index_text->size() > 18)
            throw realmwire_tool::usage_error("--index needs a non-negative integer");
        only = std::stoull(*index_text);
        only_one = true;
    }

    const std::string all = realmwire_tool::read_input(files[0]);
    std::size_t off = 0;
    std::uint64_t index = 0, decoded = 0, instructions = 0, bytes = 0;
    std::string again;
    for (; off < all.size(); ++index) {
        if (all.size() - off < 4) {
            std::printf("FAILED index=%llu: truncated frame header at file offset %zu\n",
                        static_cast<unsigned long long>(index), off);
            return 1;
        }
        const auto* p = reinterpret_cast<const unsigned char*>(all.data() + off);
        std::uint32_t n = std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
        off += 4;
        if (all.size() - off < n) {
            std::printf("FAILED index=%llu: frame of %u bytes runs past the end of the file\n",
                        static_cast<unsigned long long>(index), n);
            return 1;
        }
        std::string_view frame(all.data() + off, n);
        off += n;
        if (only_one && index != only)
            continue;
        std::error_code ec;
        realmwire::error_info where;
        rc::changeset cs = rc::decode_changeset(frame, ec, where);
        if (ec) {
            std::printf("FAILED index=%llu: %s\n", static_cast<unsigned long long>(index),
                        realmwire::describe_error("decode", ec, where).c_str());
            return 1;
        }
        if (dump) {
            std::printf("# changeset %llu: %u bytes, %zu instructions\n", static_cast<unsigned long long>(index), n,
                        cs.instructions.size());
            std::fputs(rc::to_string(cs).c_str(), stdout);
        }
        if (verify) {
            rc::encode(cs, again, layout, ec);
            if (ec) {
                std::printf("FAILED index=%llu: %s\n", static_cast<unsigned long long>(index),
                            realmwire::describe_error("encode", ec).c_str());
                return 1;
            }
            if (again != frame) {
                std::size_t diff = 0;
                while (diff < again.size() && diff < frame.size() && again[diff] == frame[diff])
                    ++diff;
                std::printf("FAILED index=%llu: re-encoding differs (original %u bytes, re-encoded %zu bytes, first "
                            "difference at byte %zu)\n",
                            static_cast<unsigned long long>(index), n, again.size(), diff);
                return 1;
            }
        }
        ++decoded;
        instructions += cs.instructions.size();
        bytes += n;
    }
    if (only_one && decoded == 0) {
        std::printf("FAILED: no changeset with index %llu (the file has %llu)\n", static_cast<unsigned long long>(only),
                    static_cast<unsigned long long>(index));
        return 1;
    }
    std::printf("OK: decoded %llu changesets, %llu bytes, %llu instructions%s\n", static_cast<unsigned long long>(decoded),
                static_cast<unsigned long long>(bytes), static_cast<unsigned long long>(instructions),
                verify ? ", re-encoding byte-identical" : "");
    return 0;
}

realmwire_tool::registration reg{"changesets", "decode a framed changeset file (--verify-roundtrip, --dump, --index I)",
                                 run};

} // namespace
