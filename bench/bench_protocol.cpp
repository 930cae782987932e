// Sync message codec throughput: decode (head + entry iteration, no allocation) and encode (entries ->
// body -> message, into reused buffers) of the frequent messages. UPLOAD and DOWNLOAD carry 1, 10 and
// 100 real changesets from tests/vectors/changesets/basic.bin. Baseline: memcpy of the 100-entry UPLOAD
// (memcpy cases of every message are listed too, for a like-for-like reading).
#include "bench_common.hpp"

#include <realmwire/protocol/compression.hpp>
#include <realmwire/protocol/decode.hpp>
#include <realmwire/protocol/encode.hpp>

#include <cstring>
#include <string>
#include <vector>

using namespace realmwire::protocol;

namespace {

const std::vector<std::string>& changesets()
{
    static const std::vector<std::string> all = [] {
        std::string data = realmwire_bench::read_file(std::string(REALMWIRE_VECTORS_DIR) + "/changesets/basic.bin");
        std::vector<std::string> out;
        std::size_t p = 0;
        while (p + 4 <= data.size()) {
            std::uint32_t n = 0;
            for (int i = 3; i >= 0; --i)
                n = (n << 8) | static_cast<unsigned char>(data[p + static_cast<std::size_t>(i)]);
            out.push_back(data.substr(p + 4, n));
            p += 4 + n;
        }
        return out;
    }();
    return all;
}

std::vector<upload_entry> upload_entries_of(int n)
{
    std::vector<upload_entry> v;
    for (int i = 0; i < n; ++i)
        v.push_back(upload_entry{std::uint64_t(i + 2), 1, 375595300000 + std::uint64_t(i), 0, changesets()[std::size_t(1 + i)]});
    return v;
}
std::vector<download_entry> download_entries_of(int n)
{
    std::vector<download_entry> v;
    for (int i = 0; i < n; ++i) {
        const auto& c = changesets()[std::size_t(1 + i)];
        v.push_back(download_entry{std::uint64_t(i + 2), 0, 375595300000 + std::uint64_t(i), 2, c.size(), c});
    }
    return v;
}

std::string upload_bytes(int n, bool compress)
{
    std::string body;
    for (const auto& e : upload_entries_of(n))
        append_entry(body, e);
    upload_message m;
    m.session_ident = 1;
    m.progress_client_version = std::uint64_t(n + 1);
    std::string scratch;
    std::error_code ec;
    if (compress)
        compress_body(m, body, scratch, ec);
    else
        set_uncompressed_body(m, body);
    return encode(m);
}
std::string download_bytes(int n)
{
    std::string body;
    for (const auto& e : download_entries_of(n))
        append_entry(body, e);
    download_message m;
    m.session_ident = 1;
    m.download_server_version = m.latest_server_version = std::uint64_t(n + 1);
    m.latest_server_version_salt = 7629139959419378855;
    set_uncompressed_body(m, body);
    return encode(m);
}

void decode_upload(benchmark::State& state)
{
    std::string bytes = upload_bytes(int(state.range(0)), false);
    std::uint64_t sum = 0;
    for (auto _ : state) {
        std::error_code ec;
        auto m = decode_client_message(bytes, decode_options{}, ec);
        for (const auto& e : std::get<upload_message>(m).entries)
            sum += e.changeset.size() + e.client_version;
        benchmark::DoNotOptimize(sum);
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(bytes.size()));
}

void decode_upload_compressed(benchmark::State& state)
{
    std::string bytes = upload_bytes(int(state.range(0)), true);
    std::string buffer;
    std::uint64_t sum = 0;
    for (auto _ : state) {
        std::error_code ec;
        auto m = decode_client_message(bytes, decode_options{}, ec);
        auto& up = std::get<upload_message>(m);
        decompress_body(up, buffer, message_limits{}, ec);
        for (const auto& e : up.entries)
            sum += e.changeset.size();
        benchmark::DoNotOptimize(sum);
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(bytes.size()));
}

void encode_upload(benchmark::State& state)
{
    auto entries = upload_entries_of(int(state.range(0)));
    std::string body, out;
    std::size_t size = 0;
    for (auto _ : state) {
        body.clear();
        out.clear();
        for (const auto& e : entries)
            append_entry(body, e);
        upload_message m;
        m.session_ident = 1;
        m.progress_client_version = entries.size() + 1;
        set_uncompressed_body(m, body);
        std::error_code ec;
        encode(m, out, ec);
        size = out.size();
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(size));
}

void decode_download(benchmark::State& state)
{
    std::string bytes = download_bytes(int(state.range(0)));
    std::uint64_t sum = 0;
    for (auto _ : state) {
        std::error_code ec;
        auto m = decode_server_message(bytes, decode_options{}, ec);
        for (const auto& e : std::get<download_message>(m).entries)
            sum += e.changeset.size() + e.server_version;
        benchmark::DoNotOptimize(sum);
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(bytes.size()));
}

void encode_download(benchmark::State& state)
{
    auto entries = download_entries_of(int(state.range(0)));
    std::string body, out;
    std::size_t size = 0;
    for (auto _ : state) {
        body.clear();
        out.clear();
        for (const auto& e : entries)
            append_entry(body, e);
        download_message m;
        m.session_ident = 1;
        m.download_server_version = m.latest_server_version = entries.size() + 1;
        m.latest_server_version_salt = 7629139959419378855;
        set_uncompressed_body(m, body);
        std::error_code ec;
        encode(m, out, ec);
        size = out.size();
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(size));
}

template <class Message, bool FromClient>
void decode_small(benchmark::State& state, Message msg)
{
    std::string bytes = encode(msg);
    for (auto _ : state) {
        std::error_code ec;
        if constexpr (FromClient) {
            auto m = decode_client_message(bytes, decode_options{}, ec);
            benchmark::DoNotOptimize(m);
        }
        else {
            auto m = decode_server_message(bytes, decode_options{}, ec);
            benchmark::DoNotOptimize(m);
        }
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(bytes.size()));
}

template <class Message>
void encode_small(benchmark::State& state, Message msg)
{
    std::string out;
    for (auto _ : state) {
        out.clear();
        std::error_code ec;
        encode(msg, out, ec);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(out.size()));
}

void memcpy_of(benchmark::State& state, std::string bytes)
{
    std::string dst(bytes.size(), '\0');
    for (auto _ : state) {
        std::memcpy(&dst[0], bytes.data(), bytes.size());
        benchmark::DoNotOptimize(dst.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(std::int64_t(state.iterations()) * std::int64_t(bytes.size()));
}

const ping_message ping{375595300123, 17};
const mark_message mark{1, 2};

void decode_ping(benchmark::State& state) { decode_small<ping_message, true>(state, ping); }
void encode_ping(benchmark::State& state) { encode_small(state, ping); }
void decode_mark_client(benchmark::State& state) { decode_small<mark_message, true>(state, mark); }
void decode_mark_server(benchmark::State& state) { decode_small<mark_message, false>(state, mark); }
void encode_mark(benchmark::State& state) { encode_small(state, mark); }

} // namespace

BENCHMARK_CAPTURE(memcpy_of, upload_100, upload_bytes(100, false));
BENCHMARK_CAPTURE(memcpy_of, upload_1, upload_bytes(1, false));
BENCHMARK_CAPTURE(memcpy_of, upload_10, upload_bytes(10, false));
BENCHMARK_CAPTURE(memcpy_of, ping, encode(ping));
BENCHMARK_CAPTURE(memcpy_of, mark, encode(mark));
BENCHMARK(decode_upload)->Arg(1)->Arg(10)->Arg(100);
BENCHMARK(encode_upload)->Arg(1)->Arg(10)->Arg(100);
BENCHMARK(decode_upload_compressed)->Arg(100);
BENCHMARK(decode_download)->Arg(1)->Arg(10)->Arg(100);
BENCHMARK(encode_download)->Arg(1)->Arg(10)->Arg(100);
BENCHMARK(decode_ping);
BENCHMARK(encode_ping);
BENCHMARK(decode_mark_client);
BENCHMARK(decode_mark_server);
BENCHMARK(encode_mark);

REALMWIRE_BENCH_MAIN("memcpy_of/upload_100")
