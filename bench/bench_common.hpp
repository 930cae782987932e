#ifndef REALMWIRE_BENCH_COMMON_HPP
#define REALMWIRE_BENCH_COMMON_HPP

// Shared benchmark support.
//
// Speed is reported as a ratio to a baseline measured in the same run, never as a bare time: each
// binary names its baseline case (usually memcpy over the same bytes) and REALMWIRE_BENCH_MAIN prints,
// after Google Benchmark's own table, every case's bytes/second divided by the baseline's.

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

namespace realmwire_bench {

inline std::string read_file(const std::string& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        std::fprintf(stderr, "cannot open %s\n", path.c_str());
        std::exit(2);
    }
    return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

/// Collects bytes/second per run and prints ratios against the baseline at the end.
class ratio_reporter : public benchmark::ConsoleReporter {
public:
    explicit ratio_reporter(std::string baseline) : baseline_(std::move(baseline)) {}

    void ReportRuns(const std::vector<Run>& runs) override
    {
        ConsoleReporter::ReportRuns(runs);
        for (const auto& r : runs) {
            auto it = r.counters.find("bytes_per_second");
            if (it != r.counters.end() && r.run_type == Run::RT_Iteration)
                rates_[r.benchmark_name()] = it->second.value;
        }
    }
    void Finalize() override
    {
        ConsoleReporter::Finalize();
        auto base = rates_.find(baseline_);
        if (base == rates_.end() || base->second <= 0) {
            std::printf("\n(no ratios: baseline '%s' did not run)\n", baseline_.c_str());
            return;
        }
        std::printf("\nthroughput relative to %s (same run):\n", baseline_.c_str());
        for (const auto& [name, rate] : rates_)
            std::printf("  %-48s %8.3fx  (%.1f MB/s)\n", name.c_str(), rate / base->second, rate / 1e6);
    }

private:
    std::string baseline_;
    std::map<std::string, double> rates_;
};

} // namespace realmwire_bench

/// main() for a benchmark binary whose ratios are taken against `baseline` (a registered case name).
#define REALMWIRE_BENCH_MAIN(baseline)                                                                         \
    int main(int argc, char** argv)                                                                            \
    {                                                                                                          \
        benchmark::Initialize(&argc, argv);                                                                    \
        if (benchmark::ReportUnrecognizedArguments(argc, argv))                                                \
            return 1;                                                                                          \
        realmwire_bench::ratio_reporter reporter(baseline);                                                    \
        benchmark::RunSpecifiedBenchmarks(&reporter);                                                          \
        benchmark::Shutdown();                                                                                 \
        return 0;                                                                                              \
    }

#endif
