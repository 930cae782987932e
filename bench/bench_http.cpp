// HTTP for handshakes: parsing realm-core's recorded upgrade request and 101 response (whole, and in
// 64-byte pieces as a network delivers them), and serializing the request in each header order.
// Baseline: memcpy of the same request bytes.
#include "bench_common.hpp"

#include <realmwire/http/parser.hpp>
#include <realmwire/http/serializer.hpp>

#include <cstring>
#include <string>

namespace {

const std::string& request_bytes()
{
    static const std::string s =
        realmwire_bench::read_file(std::string(REALMWIRE_VECTORS_DIR) + "/sessions/a-write5.c2s.http");
    return s;
}

const std::string& response_bytes()
{
    static const std::string s =
        realmwire_bench::read_file(std::string(REALMWIRE_VECTORS_DIR) + "/sessions/a-write5.s2c.http");
    return s;
}

void memcpy_request(benchmark::State& state)
{
    const std::string& in = request_bytes();
    std::string out(in.size(), '\0');
    for (auto _ : state) {
        std::memcpy(out.data(), in.data(), in.size());
        benchmark::DoNotOptimize(out.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}
BENCHMARK(memcpy_request);

template <class Parser>
void parse(benchmark::State& state, const std::string& in, std::size_t piece)
{
    for (auto _ : state) {
        Parser p;
        std::error_code ec;
        for (std::size_t pos = 0; pos < in.size() && !p.done();)
            pos += p.feed(std::string_view(in).substr(pos, piece), ec);
        if (ec || !p.done())
            state.SkipWithError("parse failed");
        benchmark::DoNotOptimize(p.get().headers.size());
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * in.size()));
}

void parse_request(benchmark::State& state)
{
    parse<realmwire::http::request_parser>(state, request_bytes(), request_bytes().size());
}
BENCHMARK(parse_request);

void parse_request_64_byte_pieces(benchmark::State& state)
{
    parse<realmwire::http::request_parser>(state, request_bytes(), 64);
}
BENCHMARK(parse_request_64_byte_pieces);

void parse_response(benchmark::State& state)
{
    parse<realmwire::http::response_parser>(state, response_bytes(), response_bytes().size());
}
BENCHMARK(parse_response);

void parse_response_64_byte_pieces(benchmark::State& state)
{
    parse<realmwire::http::response_parser>(state, response_bytes(), 64);
}
BENCHMARK(parse_response_64_byte_pieces);

void serialize_request(benchmark::State& state, realmwire::http::header_order order)
{
    realmwire::http::request_parser p;
    p.feed(request_bytes());
    const realmwire::http::request& req = p.get();
    std::string out;
    for (auto _ : state) {
        out.clear();
        realmwire::http::serialize_to(out, req, order);
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<int64_t>(state.iterations() * request_bytes().size()));
}
BENCHMARK_CAPTURE(serialize_request, as_set, realmwire::http::header_order::as_set);
BENCHMARK_CAPTURE(serialize_request, realm_core, realmwire::http::header_order::realm_core);
BENCHMARK_CAPTURE(serialize_request, sorted, realmwire::http::header_order::sorted);

} // namespace

REALMWIRE_BENCH_MAIN("memcpy_request")
