// Handshake costs: building a client request, parsing + accepting it on the server, verifying the
// server's 101 on the client. Ratios are against memcpy over the request bytes.
#include "bench_common.hpp"

#include <realmwire/handshake.hpp>

#include <cstring>
#include <string>

namespace {

using namespace realmwire;

const std::string token = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2NTAwMDAwMDAwMDAwMDAwMDAwMDAwMDEiLCJhdWQiOiJhcHAtaWQiLCJleHAiOjE3NjQwMDAwMDB9.c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmUtc2lnbmF0dXJl";

client_handshake_options options()
{
    client_handshake_options o;
    o.dialect = &dialects::mongodb_pbs;
    o.host_header = "ws.services.cloud.mongodb.com";
    o.url_prefix = "/api/client/v2.0/app/myapp-abcde/realm-sync";
    o.key = "dGhlIHNhbXBsZSBub25jZQ==";
    o.user_agent = "RealmSync/14.14.0 (Linux) realmwire-bench";
    return o;
}

const std::string& request_bytes()
{
    static const std::string bytes = build_handshake_request(options(), token).bytes();
    return bytes;
}

void bm_memcpy_request(benchmark::State& state)
{
    const std::string& src = request_bytes();
    std::string dst(src.size(), '\0');
    for (auto _ : state) {
        std::memcpy(dst.data(), src.data(), src.size());
        benchmark::DoNotOptimize(dst.data());
        benchmark::ClobberMemory();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * src.size()));
}
BENCHMARK(bm_memcpy_request);

void bm_build_request(benchmark::State& state)
{
    auto o = options();
    policy::custom_headers custom;
    custom.add("X-Proxy-Token", "abc");
    std::size_t bytes = 0;
    for (auto _ : state) {
        auto hs = build_handshake_request(o, token, policy::query_token{}, custom);
        std::string out = hs.bytes();
        bytes += out.size();
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(bm_build_request);

void bm_parse_and_accept(benchmark::State& state)
{
    const std::string& req = request_bytes();
    acceptor_options o;
    o.url_prefixes = {"/realm-sync", "/api/client/v2.0/app/myapp-abcde/realm-sync"};
    for (auto _ : state) {
        auto v = accept_handshake(req, o);
        if (!v.accepted())
            state.SkipWithError("refused");
        std::string out = v.response_bytes();
        benchmark::DoNotOptimize(out.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * req.size()));
}
BENCHMARK(bm_parse_and_accept);

void bm_verify_response(benchmark::State& state)
{
    auto hs = build_handshake_request(options(), token);
    acceptor_options o;
    o.url_prefixes = {"/api/client/v2.0/app/myapp-abcde/realm-sync"};
    const std::string resp = accept_handshake(hs.request, o).response_bytes();
    for (auto _ : state) {
        auto r = verify_handshake_response(resp, hs);
        if (!r.ok())
            state.SkipWithError("not verified");
        benchmark::DoNotOptimize(r.version);
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * resp.size()));
}
BENCHMARK(bm_verify_response);

void bm_accept_key(benchmark::State& state)
{
    const std::string key = "dGhlIHNhbXBsZSBub25jZQ==";
    for (auto _ : state) {
        std::string a = websocket::compute_accept_key(key);
        benchmark::DoNotOptimize(a.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * key.size()));
}
BENCHMARK(bm_accept_key);

} // namespace

REALMWIRE_BENCH_MAIN("bm_memcpy_request")
