// WebSocket frame layer speed, as ratios to memcpy over the same bytes in the same run.
//  * unmask/65536 vs memcpy/65536: the same 64 KiB buffer; target ≥ 0.5x.
//  * encode/<n> and decode/<n>: one binary message of n bytes, client role (masked) → server decoder.
#include "bench_common.hpp"

#include <realmwire/websocket/decoder.hpp>
#include <realmwire/websocket/encoder.hpp>

#include <cstring>
#include <string>
#include <vector>

namespace {

using namespace realmwire::websocket;

std::vector<std::uint8_t>& shared_buffer()
{
    static std::vector<std::uint8_t> buf = [] {
        std::vector<std::uint8_t> b(65536);
        for (std::size_t i = 0; i < b.size(); ++i)
            b[i] = static_cast<std::uint8_t>(i * 131 + 7);
        return b;
    }();
    return buf;
}

void bm_memcpy(benchmark::State& state)
{
    auto& src = shared_buffer();
    std::vector<std::uint8_t> dst(src.size());
    for (auto _ : state) {
        std::memcpy(dst.data(), src.data(), src.size());
        benchmark::DoNotOptimize(dst.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(src.size()));
}

void bm_unmask(benchmark::State& state)
{
    auto& buf = shared_buffer();
    const mask_key key{0x37, 0xfa, 0x21, 0x3d};
    for (auto _ : state) {
        apply_mask(buf.data(), buf.size(), key);
        benchmark::DoNotOptimize(buf.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(buf.size()));
}

void bm_unmask_reference(benchmark::State& state)
{
    auto& buf = shared_buffer();
    const mask_key key{0x37, 0xfa, 0x21, 0x3d};
    for (auto _ : state) {
        apply_mask_reference(buf.data(), buf.size(), key);
        benchmark::DoNotOptimize(buf.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(buf.size()));
}

void bm_encode(benchmark::State& state)
{
    const auto n = static_cast<std::size_t>(state.range(0));
    std::string payload(n, 'p');
    encoder enc(role::client, [] { return mask_key{1, 2, 3, 4}; });
    std::string out;
    for (auto _ : state) {
        out.clear();
        enc.message(out, payload);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}

void bm_decode(benchmark::State& state)
{
    const auto n = static_cast<std::size_t>(state.range(0));
    std::string wire;
    encoder enc(role::client, [] { return mask_key{1, 2, 3, 4}; });
    enc.message(wire, std::string(n, 'p'));
    decoder dec(role::server);
    std::error_code ec;
    for (auto _ : state) {
        std::size_t used = dec.feed(wire, ec);
        if (ec || used != wire.size() || !dec.has_event()) {
            state.SkipWithError("decode failed");
            break;
        }
        benchmark::DoNotOptimize(dec.event().payload.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(n));
}

} // namespace

BENCHMARK(bm_memcpy)->Name("memcpy/65536");
BENCHMARK(bm_unmask)->Name("unmask/65536");
BENCHMARK(bm_unmask_reference)->Name("unmask_bytewise/65536");
BENCHMARK(bm_encode)->Name("encode")->Arg(16)->Arg(128)->Arg(1024)->Arg(16384)->Arg(65536)->Arg(1 << 20);
BENCHMARK(bm_decode)->Name("decode")->Arg(16)->Arg(128)->Arg(1024)->Arg(16384)->Arg(65536)->Arg(1 << 20);

REALMWIRE_BENCH_MAIN("memcpy/65536")
