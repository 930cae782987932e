// Changeset codec throughput over a framed corpus (REALMWIRE_CHANGESET_CORPUS, default the vectors'
// changesets/basic.bin: 300 changesets, 330,028 bytes), as a ratio to memcpy of the same bytes.
//   changeset_decode        zero-copy visitor decoder (all checks on), one reused decoder
//   changeset_decode_model  decoding into the value model (allocates strings, paths, instructions)
//   changeset_encode        value model -> bytes (realm-core's layout), one reused output buffer
#include "bench_common.hpp"

#include <realmwire/changeset.hpp>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace rc = realmwire::changeset;

namespace {

struct corpus {
    std::vector<std::string> frames;
    std::size_t bytes = 0;
};

const corpus& get_corpus()
{
    static const corpus c = [] {
        const char* env = std::getenv("REALMWIRE_CHANGESET_CORPUS");
        std::string path = env && *env ? env : REALMWIRE_VECTORS_DIR "/changesets/basic.bin";
        std::string all = realmwire_bench::read_file(path);
        corpus out;
        std::size_t off = 0;
        while (off + 4 <= all.size()) {
            std::uint32_t n;
            std::memcpy(&n, all.data() + off, 4);
            off += 4;
            if (all.size() - off < n) {
                std::fprintf(stderr, "%s: frame runs past the end of the file\n", path.c_str());
                std::exit(2);
            }
            out.frames.push_back(all.substr(off, n));
            out.bytes += n;
            off += n;
        }
        return out;
    }();
    return c;
}

/// Touches what a proxy or inspector would: every instruction's type and every string's size.
struct summing_visitor {
    std::uint64_t sum = 0;
    void intern_string(std::uint32_t, std::string_view s) noexcept { sum += s.size(); }
    void instruction(const rc::instruction_view& in) noexcept { sum += static_cast<std::uint64_t>(in.type) + in.value.data.size(); }
};

void memcpy_baseline(benchmark::State& state)
{
    const corpus& c = get_corpus();
    std::string buf(c.bytes, '\0');
    for (auto _ : state) {
        char* p = &buf[0];
        for (const auto& f : c.frames) {
            std::memcpy(p, f.data(), f.size());
            p += f.size();
        }
        benchmark::DoNotOptimize(buf.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * c.bytes));
}
BENCHMARK(memcpy_baseline)->Name("memcpy");

void changeset_decode(benchmark::State& state)
{
    const corpus& c = get_corpus();
    rc::decoder d;
    summing_visitor v;
    std::error_code ec;
    realmwire::error_info where;
    for (auto _ : state) {
        for (const auto& f : c.frames) {
            if (!d.decode(f, v, ec, where)) {
                state.SkipWithError("corpus does not decode");
                return;
            }
        }
        benchmark::DoNotOptimize(v.sum);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * c.bytes));
}
BENCHMARK(changeset_decode);

void changeset_decode_model(benchmark::State& state)
{
    const corpus& c = get_corpus();
    std::error_code ec;
    realmwire::error_info where;
    rc::changeset m;
    for (auto _ : state) {
        for (const auto& f : c.frames) {
            if (!rc::decode_changeset(f, m, ec, where)) {
                state.SkipWithError("corpus does not decode");
                return;
            }
            benchmark::DoNotOptimize(m.instructions.data());
        }
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * c.bytes));
}
BENCHMARK(changeset_decode_model);

void changeset_encode(benchmark::State& state)
{
    const corpus& c = get_corpus();
    std::vector<rc::changeset> models;
    for (const auto& f : c.frames)
        models.push_back(rc::decode_changeset(f));
    std::string out;
    std::error_code ec;
    for (auto _ : state) {
        for (const auto& m : models) {
            rc::encode(m, out, rc::layout::preserve, ec);
            benchmark::DoNotOptimize(out.data());
        }
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * c.bytes));
}
BENCHMARK(changeset_encode);

} // namespace

REALMWIRE_BENCH_MAIN("memcpy")
