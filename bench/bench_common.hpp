#ifndef REALMWIRE_BENCH_COMMON_HPP
#define REALMWIRE_BENCH_COMMON_HPP

// Shared benchmark support.
//
// Speed is reported as a ratio to a baseline measured in the same run, never as a bare time: each
// binary names its baseline case (usually memcpy over the same bytes) and REALMWIRE_BENCH_MAIN prints,
// after Google Benchmark's own output, every case's bytes/second divided by the baseline's (on stdout
// in console format; on stderr with --benchmark_format=json or csv, so stdout stays parseable).

#include <benchmark/benchmark.h>

#include <algorithm>
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
/// run and, at the end, prints every case's rate divided by the baseline's. With --benchmark_repetitions
/// every repetition is kept: the table shows the median and the range. A case named
/// `<twin_prefix><name>` (e.g. `beast/accept`) is the twin of `<name>`: a second table gives each case's
/// speed over its twin's, from the same run. A case that times itself against its twin (a `speedup`
/// counter: the twin's time over its own, as `paired/...` in the handshake binary does) gets a third table.
/// Machine-readable formats stay pure on stdout (compare.py and
/// other JSON/CSV consumers read it), so there the ratios go to stderr; in console format they follow the
/// table on stdout.
class ratio_reporter : public benchmark::BenchmarkReporter {
public:
    ratio_reporter(std::string baseline, const std::string& format, std::string twin_prefix = {})
        : baseline_(std::move(baseline)), twin_prefix_(std::move(twin_prefix))
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
            if (r.run_type != Run::RT_Iteration)
                continue;
            auto it = r.counters.find("bytes_per_second");
            if (it != r.counters.end())
                rates_[r.benchmark_name()].push_back(it->second.value);
            auto sp = r.counters.find("speedup");
            if (sp != r.counters.end())
                speedups_[r.benchmark_name()].push_back(sp->second.value);
        }
    }
    void Finalize() override
    {
        inner_->Finalize();
        GetOutputStream().flush();
        auto base = rates_.find(baseline_);
        if (base == rates_.end() || median(base->second) <= 0) {
            std::fprintf(ratios_to_, "\n(no ratios: baseline '%s' did not run)\n", baseline_.c_str());
        }
        else {
            const double b = median(base->second);
            std::fprintf(ratios_to_, "\nthroughput relative to %s (same run; median of repetitions):\n",
                         baseline_.c_str());
            for (const auto& [name, rates] : rates_)
                std::fprintf(ratios_to_, "  %-48s %8.3fx  (%.1f MB/s, range %.1f-%.1f)\n", name.c_str(),
                             median(rates) / b, median(rates) / 1e6, lowest(rates) / 1e6, highest(rates) / 1e6);
        }
        print_speedups();
        if (twin_prefix_.empty())
            return;
        bool header = false;
        for (const auto& [name, rates] : rates_) {
            auto twin = rates_.find(twin_prefix_ + name);
            if (twin == rates_.end() || median(twin->second) <= 0)
                continue;
            if (!header) {
                std::fprintf(ratios_to_,
                             "\nspeed relative to the %s twin (same run; median, fastest = fastest over fastest, "
                             "range = slowest/fastest twin to fastest/slowest):\n",
                             twin_prefix_.c_str());
                header = true;
            }
            // The fastest repetitions side by side: on a shared machine a busy moment only ever slows a
            // repetition down, and it may fall on all of one side's repetitions and none of the other's
            // (each case's repetitions run back to back), which moves the median ratio but not this one
            // as long as each side had one quiet repetition.
            std::fprintf(ratios_to_, "  %-48s %8.2fx  (fastest %.2fx, range %.2f-%.2f)\n", name.c_str(),
                         median(rates) / median(twin->second), highest(rates) / highest(twin->second),
                         lowest(rates) / highest(twin->second), highest(rates) / lowest(twin->second));
        }
    }

private:
    /// Cases that time a case and its twin together (a `speedup` counter: the twin's time over ours).
    void print_speedups()
    {
        if (speedups_.empty())
            return;
        std::fprintf(ratios_to_, "\nspeed over the twin, timed together in alternating blocks (same run; median of "
                                 "repetitions, range):\n");
        for (const auto& [name, v] : speedups_)
            std::fprintf(ratios_to_, "  %-48s %8.2fx  (range %.2f-%.2f)\n", name.c_str(), median(v), lowest(v),
                         highest(v));
    }

    static double median(std::vector<double> v)
    {
        if (v.empty())
            return 0;
        std::sort(v.begin(), v.end());
        return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
    }
    static double lowest(const std::vector<double>& v) { return *std::min_element(v.begin(), v.end()); }
    static double highest(const std::vector<double>& v) { return *std::max_element(v.begin(), v.end()); }

    std::string baseline_;
    std::string twin_prefix_;
    std::unique_ptr<benchmark::BenchmarkReporter> inner_;
    std::FILE* ratios_to_ = stdout;
    std::map<std::string, std::vector<double>> rates_;
    std::map<std::string, std::vector<double>> speedups_;
};

} // namespace realmwire_bench

/// main() for a benchmark binary whose ratios are taken against `baseline` (a registered case name).
#define REALMWIRE_BENCH_MAIN(baseline) REALMWIRE_BENCH_MAIN_TWINS(baseline, "", [] { return true; })

/// Same, with twins named `<twin_prefix><case>` and a start-up check (a callable returning bool; false
/// ends the binary with status 1 before anything is measured).
#define REALMWIRE_BENCH_MAIN_TWINS(baseline, twin_prefix, check)                                               \
    int main(int argc, char** argv)                                                                            \
    {                                                                                                          \
        const std::string format = realmwire_bench::requested_format(argc, argv);                              \
        benchmark::Initialize(&argc, argv);                                                                    \
        if (benchmark::ReportUnrecognizedArguments(argc, argv))                                                \
            return 1;                                                                                          \
        if (!(check)())                                                                                        \
            return 1;                                                                                          \
        realmwire_bench::ratio_reporter reporter(baseline, format, twin_prefix);                               \
        benchmark::RunSpecifiedBenchmarks(&reporter);                                                          \
        benchmark::Shutdown();                                                                                 \
        return 0;                                                                                              \
    }

#endif
