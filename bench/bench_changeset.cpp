// Changeset codec throughput over a framed corpus (REALMWIRE_CHANGESET_CORPUS, default the vectors'
// changesets/basic.bin: 300 changesets, 330,028 bytes), as a ratio to memcpy of the same bytes.
//   changeset_decode        zero-copy visitor decoder (all checks on), one reused decoder
//   changeset_decode_model  decoding into the value model (allocates strings, paths, instructions)
//   changeset_decode_packed decoding into a packed_changeset (the input copied, one flat record per
//                           instruction), one reused object
//   changeset_encode        value model -> bytes (realm-core's layout), one reused output buffer
//   utf8_validate           the UTF-8 check the decoder runs, over every name and String value of the
//                           corpus; its twin bytewise/utf8_validate is the byte loop alone (the ratio
//                           table shows what the 16-byte vector check gives)
#include "bench_common.hpp"

#include <realmwire/changeset.hpp>
#include <realmwire/detail/utf8.hpp>

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

void changeset_decode_packed(benchmark::State& state)
{
    const corpus& c = get_corpus();
    std::error_code ec;
    realmwire::error_info where;
    rc::packed_changeset pc;
    for (auto _ : state) {
        for (const auto& f : c.frames) {
            if (!rc::decode_changeset(f, pc, ec, where)) {
                state.SkipWithError("corpus does not decode");
                return;
            }
            benchmark::DoNotOptimize(pc.size());
        }
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * c.bytes));
}
BENCHMARK(changeset_decode_packed);

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

/// Every interned name and String value of the corpus, as the decoder meets them.
struct corpus_strings {
    std::vector<std::string> strings;
    std::size_t bytes = 0;
    void intern_string(std::uint32_t, std::string_view s) { add(s); }
    void instruction(const rc::instruction_view& in)
    {
        if (in.value.type == rc::payload_type::string)
            add(in.value.data);
    }
    void add(std::string_view s)
    {
        strings.emplace_back(s);
        bytes += s.size();
    }
};

const corpus_strings& get_strings()
{
    static const corpus_strings all = [] {
        corpus_strings out;
        rc::decoder d;
        for (const auto& f : get_corpus().frames)
            d.decode(f, out);
        return out;
    }();
    return all;
}

template <std::size_t (*Validate)(const std::uint8_t*, std::size_t) noexcept>
void validate_strings(benchmark::State& state)
{
    const corpus_strings& c = get_strings();
    for (auto _ : state) {
        std::size_t valid = 0;
        for (const auto& s : c.strings)
            valid += Validate(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()) == s.size();
        if (valid != c.strings.size()) {
            state.SkipWithError("corpus strings not valid UTF-8");
            return;
        }
        benchmark::DoNotOptimize(valid);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * c.bytes));
}

std::size_t bytewise(const std::uint8_t* s, std::size_t n) noexcept
{
    return realmwire::detail::utf8_invalid_at_bytewise(s, n);
}
BENCHMARK(validate_strings<realmwire::detail::utf8_invalid_at>)->Name("utf8_validate");
BENCHMARK(validate_strings<bytewise>)->Name("bytewise/utf8_validate");

} // namespace

REALMWIRE_BENCH_MAIN_TWINS("memcpy", "bytewise/", [] { return true; })
