// The merge transformer over the 40 recorded scenarios (tests/vectors/merge): every server integration
// (decode the upload, transform it against the window with the per-client reciprocal history, re-encode),
// as bytes of uploads per second, relative to only decoding the same uploads in the same run.
#include "bench_common.hpp"

#include <realmwire/merge/scenario.hpp>

#include <cstdio>
#include <string>
#include <vector>

namespace {

namespace sc = realmwire::merge::scenario;

struct corpus {
    std::vector<sc::scenario> scenarios;
    std::size_t upload_bytes = 0;
};

const corpus& load()
{
    static const corpus c = [] {
        corpus r;
        for (int i = 0; i < 40; ++i) {
            char name[64];
            std::snprintf(name, sizeof name, "/merge/scenario-%03d.json", i);
            r.scenarios.push_back(sc::parse(realmwire_bench::read_file(std::string(REALMWIRE_VECTORS_DIR) + name)));
            for (const auto& e : r.scenarios.back().events)
                if (e.kind == sc::event::server_integrate)
                    r.upload_bytes += e.input.size();
        }
        return r;
    }();
    return c;
}

void decode_uploads(benchmark::State& state)
{
    const corpus& c = load();
    for (auto _ : state) {
        for (const auto& s : c.scenarios) {
            for (const auto& e : s.events) {
                if (e.kind != sc::event::server_integrate)
                    continue;
                std::error_code ec;
                auto cs = realmwire::changeset::decode_changeset(e.input, ec);
                benchmark::DoNotOptimize(cs);
            }
        }
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * c.upload_bytes));
}
BENCHMARK(decode_uploads)->Name("decode");

void merge_replay(benchmark::State& state)
{
    const corpus& c = load();
    std::size_t ok = 0, total = 0;
    for (auto _ : state) {
        for (const auto& s : c.scenarios) {
            sc::result r = sc::replay(s, {}, false);
            ok += r.server_ok;
            total += r.server_total;
        }
    }
    if (ok != total)
        state.SkipWithError("a server integration did not match");
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * c.upload_bytes));
}
BENCHMARK(merge_replay);

} // namespace

REALMWIRE_BENCH_MAIN("decode")
