#ifndef REALMWIRE_BENCH_COMMON_HPP
#define REALMWIRE_BENCH_COMMON_HPP

// Shared benchmark support.
//
// Speed is reported as a ratio to a baseline measured in the same run, never as a bare time: each
// binary names its baseline case (usually memcpy over the same bytes) and REALMWIRE_BENCH_MAIN prints,
// after Google Benchmark's own output, every case's bytes/second divided by the baseline's (on stdout
// in console format; on stderr with --benchmark_format=json or csv, so stdout stays parseable).

#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
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

/// The output format asked for on the command line (`--benchmark_format=console|json|csv`). Read
/// before benchmark::Initialize(), which consumes the flag.
inline std::string requested_format(int argc, char** argv)
{
    const std::string flag = "--benchmark_format=";
    std::string format = "console";
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg.compare(0, flag.size(), flag) == 0)
            format = arg.substr(flag.size());
    }
    return format;
}

/// Google Benchmark's reporter for the requested format, plus the ratios: it collects bytes/second per
/// run and, at the end, prints every case's rate divided by the baseline's. Machine-readable formats
/// stay pure on stdout (compare.py and other JSON/CSV consumers read it), so there the ratios go to
/// stderr; in console format they follow the table on stdout.
class ratio_reporter : public benchmark::BenchmarkReporter {
public:
    ratio_reporter(std::string baseline, const std::string& format) : baseline_(std::move(baseline))
    {
        if (format == "json")
            inner_ = std::make_unique<benchmark::JSONReporter>();
        else if (format == "csv") {
            // Deprecated upstream but still what --benchmark_format=csv selects; keep honouring it.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
            inner_ = std::make_unique<benchmark::CSVReporter>();
#pragma GCC diagnostic pop
        }
        else
            inner_ = std::make_unique<benchmark::ConsoleReporter>();
        ratios_to_ = format == "json" || format == "csv" ? stderr : stdout;
    }

    bool ReportContext(const Context& context) override
    {
        inner_->SetOutputStream(&GetOutputStream());
        inner_->SetErrorStream(&GetErrorStream());
        return inner_->ReportContext(context);
    }
    void ReportRuns(const std::vector<Run>& runs) override
    {
        inner_->ReportRuns(runs);
        for (const auto& r : runs) {
            auto it = r.counters.find("bytes_per_second");
            if (it != r.counters.end() && r.run_type == Run::RT_Iteration)
                rates_[r.benchmark_name()] = it->second.value;
        }
    }
    void Finalize() override
    {
        inner_->Finalize();
        GetOutputStream().flush();
        auto base = rates_.find(baseline_);
        if (base == rates_.end() || base->second <= 0) {
            std::fprintf(ratios_to_, "\n(no ratios: baseline '%s' did not run)\n", baseline_.c_str());
            return;
        }
        std::fprintf(ratios_to_, "\nthroughput relative to %s (same run):\n", baseline_.c_str());
        for (const auto& [name, rate] : rates_)
            std::fprintf(ratios_to_, "  %-48s %8.3fx  (%.1f MB/s)\n", name.c_str(), rate / base->second, rate / 1e6);
    }

private:
    std::string baseline_;
    std::unique_ptr<benchmark::BenchmarkReporter> inner_;
    std::FILE* ratios_to_ = stdout;
    std::map<std::string, double> rates_;
};

} // namespace realmwire_bench

/// main() for a benchmark binary whose ratios are taken against `baseline` (a registered case name).
#define REALMWIRE_BENCH_MAIN(baseline)                                                                         \
    int main(int argc, char** argv)                                                                            \
    {                                                                                                          \
        const std::string format = realmwire_bench::requested_format(argc, argv);                              \
        benchmark::Initialize(&argc, argv);                                                                    \
        if (benchmark::ReportUnrecognizedArguments(argc, argv))                                                \
            return 1;                                                                                          \
        realmwire_bench::ratio_reporter reporter(baseline, format);                                            \
        benchmark::RunSpecifiedBenchmarks(&reporter);                                                          \
        benchmark::Shutdown();                                                                                 \
        return 0;                                                                                              \
    }

#endif
