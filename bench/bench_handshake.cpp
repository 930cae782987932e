// Handshake costs: building a client request, parsing + accepting it on the server, verifying the
// server's 101 on the client. Ratios are against memcpy over the request bytes, and, when Boost.Beast
// is installed (REALMWIRE_BENCH_HAVE_BEAST, set by bench/CMakeLists.txt), every case below has a Beast
// twin measured in the same run, doing the same job with Beast's own parser, fields, accept key and
// masking; the tables at the end give realmwire's speed over Beast's. paired/<case> times a case and
// its twin together, in alternating blocks, for a ratio a busy machine does not move (see paired()).
//   parse_upgrade_request  the 1161-byte upgrade request (520-character token) into a message
//   accept                 parse + validate + accept key + the 101 as bytes (realmwire also matches the
//                          prefix, decodes the realm path, negotiates the dialects, extracts the token)
//   accept_key             Sec-WebSocket-Accept for a key
//   verify_101             parse the server's 101 and check status, accept key and subprotocol
//   unmask/65536           XOR-unmask 64 KiB in place
// At start-up the binary checks that both compute the same accept key (and exits 1 if not).
#include "bench_common.hpp"

#include <realmwire/handshake.hpp>
#include <realmwire/websocket/mask.hpp>

#if REALMWIRE_BENCH_HAVE_BEAST
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket/detail/hybi13.hpp>
#include <boost/beast/websocket/detail/mask.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#endif

#include <chrono>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

namespace {

using namespace realmwire;

/// A JWT-shaped token of 520 characters (header.claims.signature), as Atlas App Services issues.
const std::string token = [] {
    std::string t = "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2NTAwMDAwMDAwMDAwMDAwMDAwMDAwMDEiLCJhdWQiOiJhcHAtaWQiLCJleHAiOjE3NjQwMDAwMDB9.";
    const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (std::size_t i = 0; t.size() < 520; ++i)
        t += alphabet[(i * 37 + 11) % 64];
    return t;
}();

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

const std::string& response_bytes()
{
    static const std::string bytes = [] {
        acceptor_options o;
        o.url_prefixes = {"/api/client/v2.0/app/myapp-abcde/realm-sync"};
        return accept_handshake(request_bytes(), o).response_bytes();
    }();
    return bytes;
}

acceptor_options accept_options()
{
    acceptor_options o;
    o.url_prefixes = {"/realm-sync", "/api/client/v2.0/app/myapp-abcde/realm-sync"};
    return o;
}

const std::string sample_key = "dGhlIHNhbXBsZSBub25jZQ==";

std::vector<std::uint8_t>& mask_buffer()
{
    static std::vector<std::uint8_t> buf = [] {
        std::vector<std::uint8_t> b(65536);
        for (std::size_t i = 0; i < b.size(); ++i)
            b[i] = static_cast<std::uint8_t>(i * 131 + 7);
        return b;
    }();
    return buf;
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
BENCHMARK(bm_memcpy_request)->Name("memcpy");

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
BENCHMARK(bm_build_request)->Name("build_request");

// One call of each case, shared by the case and its paired/ form; false when the call failed.
bool parse_once(const std::string& req)
{
    http::request_parser p;
    std::error_code ec;
    p.feed(req, ec);
    benchmark::DoNotOptimize(p.get().headers.size());
    return !ec && p.done();
}

bool accept_once(const std::string& req, const acceptor_options& o)
{
    auto v = accept_handshake(req, o);
    std::string out = v.response_bytes();
    benchmark::DoNotOptimize(out.data());
    return v.accepted();
}

bool verify_once(const std::string& resp, const client_handshake& hs)
{
    auto r = verify_handshake_response(resp, hs);
    benchmark::DoNotOptimize(r.version);
    return r.ok();
}

bool accept_key_once()
{
    websocket::accept_key_buffer a;
    bool ok = websocket::compute_accept_key(sample_key, a);
    benchmark::DoNotOptimize(a.data());
    return ok;
}

const websocket::mask_key bench_mask_key{0x37, 0xfa, 0x21, 0x3d};

bool unmask_once()
{
    auto& buf = mask_buffer();
    websocket::apply_mask(buf.data(), buf.size(), bench_mask_key);
    benchmark::DoNotOptimize(buf.data());
    benchmark::ClobberMemory();
    return true;
}

void bm_parse_upgrade_request(benchmark::State& state)
{
    const std::string& req = request_bytes();
    for (auto _ : state) {
        if (!parse_once(req))
            state.SkipWithError("parse failed");
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * req.size()));
}
BENCHMARK(bm_parse_upgrade_request)->Name("parse_upgrade_request");

void bm_accept(benchmark::State& state)
{
    const std::string& req = request_bytes();
    const acceptor_options o = accept_options();
    for (auto _ : state) {
        if (!accept_once(req, o))
            state.SkipWithError("refused");
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * req.size()));
}
BENCHMARK(bm_accept)->Name("accept");

void bm_verify_101(benchmark::State& state)
{
    auto hs = build_handshake_request(options(), token);
    const std::string& resp = response_bytes();
    for (auto _ : state) {
        if (!verify_once(resp, hs))
            state.SkipWithError("not verified");
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * resp.size()));
}
BENCHMARK(bm_verify_101)->Name("verify_101");

void bm_accept_key(benchmark::State& state)
{
    for (auto _ : state)
        accept_key_once();
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * sample_key.size()));
}
BENCHMARK(bm_accept_key)->Name("accept_key");

void bm_accept_key_string(benchmark::State& state)
{
    for (auto _ : state) {
        std::string a = websocket::compute_accept_key(sample_key);
        benchmark::DoNotOptimize(a.data());
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * sample_key.size()));
}
BENCHMARK(bm_accept_key_string)->Name("accept_key_as_string");

void bm_unmask(benchmark::State& state)
{
    for (auto _ : state)
        unmask_once();
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(mask_buffer().size()));
}
BENCHMARK(bm_unmask)->Name("unmask/65536");

#if REALMWIRE_BENCH_HAVE_BEAST
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace bws = boost::beast::websocket;

bool beast_parse(std::string_view bytes, bhttp::request_parser<bhttp::empty_body>& p)
{
    p.eager(true);
    beast::error_code ec;
    p.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    return !ec && p.is_done();
}

/// The 101 as Beast's websocket::stream::accept would answer it (its checks, its fields), as bytes.
bool beast_accept(std::string_view bytes, std::string& out)
{
    bhttp::request_parser<bhttp::empty_body> p;
    if (!beast_parse(bytes, p))
        return false;
    const auto& req = p.get();
    if (req.version() != 11 || req.method() != bhttp::verb::get || !bws::is_upgrade(req))
        return false;
    auto key = req[bhttp::field::sec_websocket_key];
    if (key.empty() || key.size() > bws::detail::sec_ws_key_type::max_size_n)
        return false;
    if (req[bhttp::field::sec_websocket_version] != "13")
        return false;
    bhttp::response<bhttp::empty_body> res;
    res.version(11);
    res.result(bhttp::status::switching_protocols);
    res.set(bhttp::field::upgrade, "websocket");
    res.set(bhttp::field::connection, "upgrade");
    bws::detail::sec_ws_accept_type acc;
    bws::detail::make_sec_ws_accept(acc, key);
    res.set(bhttp::field::sec_websocket_accept, beast::string_view(acc.data(), acc.size()));
    // The application's choice of subprotocol: the first one offered.
    auto offered = req[bhttp::field::sec_websocket_protocol];
    res.set(bhttp::field::sec_websocket_protocol, offered.substr(0, offered.find(',')));
    res.set(bhttp::field::server, "realmwire-bench");
    bhttp::response_serializer<bhttp::empty_body> sr{res};
    beast::error_code ec;
    out.clear();
    while (!ec && !sr.is_done()) {
        sr.next(ec, [&](beast::error_code&, const auto& buffers) {
            std::size_t n = 0;
            for (auto b : beast::buffers_range_ref(buffers)) {
                out.append(static_cast<const char*>(b.data()), b.size());
                n += b.size();
            }
            sr.consume(n);
        });
    }
    return !ec;
}

/// The client's check of a 101 as Beast's websocket::stream does it, plus the subprotocol echo.
bool beast_verify(std::string_view bytes, std::string_view key, std::string_view prefix)
{
    bhttp::response_parser<bhttp::empty_body> p;
    p.eager(true);
    beast::error_code ec;
    p.put(boost::asio::buffer(bytes.data(), bytes.size()), ec);
    if (ec || !p.is_header_done())
        return false;
    const auto& res = p.get();
    if (res.result() != bhttp::status::switching_protocols || res.version() != 11)
        return false;
    if (!bhttp::token_list{res[bhttp::field::connection]}.exists("upgrade") ||
        !bhttp::token_list{res[bhttp::field::upgrade]}.exists("websocket"))
        return false;
    auto accept = res[bhttp::field::sec_websocket_accept];
    bws::detail::sec_ws_accept_type expected;
    bws::detail::make_sec_ws_accept(expected, beast::string_view(key.data(), key.size()));
    if (accept != beast::string_view(expected.data(), expected.size()))
        return false;
    auto proto = res[bhttp::field::sec_websocket_protocol];
    return proto.size() > prefix.size() && proto.substr(0, prefix.size()) == beast::string_view(prefix.data(), prefix.size());
}

// One call of each twin, shared by the twin and the paired/ form, as for realmwire's cases above.
bool beast_parse_once(const std::string& req)
{
    bhttp::request_parser<bhttp::empty_body> p;
    bool ok = beast_parse(req, p);
    benchmark::DoNotOptimize(&p.get());
    return ok;
}

bool beast_accept_once(const std::string& req)
{
    std::string out;
    bool ok = beast_accept(req, out);
    benchmark::DoNotOptimize(out.data());
    return ok;
}

bool beast_verify_once(const std::string& resp, const client_handshake& hs)
{
    bool ok = beast_verify(resp, hs.key, hs.dialect->subprotocol_prefix);
    benchmark::ClobberMemory();
    return ok;
}

bool beast_accept_key_once()
{
    bws::detail::sec_ws_accept_type a;
    bws::detail::make_sec_ws_accept(a, sample_key);
    benchmark::DoNotOptimize(a.data());
    return true;
}

/// bench_mask_key in Beast's form: its bytes 37 fa 21 3d as a little-endian word. Beast's
/// mask_inplace advances the key it is given, so each use takes a fresh copy.
bws::detail::prepared_key beast_mask_key()
{
    static const bws::detail::prepared_key key = [] {
        bws::detail::prepared_key k;
        bws::detail::prepare_key(k, 0x3d21fa37u);
        return k;
    }();
    return key;
}

bool beast_unmask_once()
{
    auto& buf = mask_buffer();
    bws::detail::prepared_key k = beast_mask_key();
    bws::detail::mask_inplace(boost::asio::mutable_buffer(buf.data(), buf.size()), k);
    benchmark::DoNotOptimize(buf.data());
    benchmark::ClobberMemory();
    return true;
}

void beast_parse_upgrade_request(benchmark::State& state)
{
    const std::string& req = request_bytes();
    for (auto _ : state) {
        if (!beast_parse_once(req))
            state.SkipWithError("parse failed");
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * req.size()));
}
BENCHMARK(beast_parse_upgrade_request)->Name("beast/parse_upgrade_request");

void beast_accept_case(benchmark::State& state)
{
    const std::string& req = request_bytes();
    for (auto _ : state) {
        if (!beast_accept_once(req))
            state.SkipWithError("refused");
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * req.size()));
}
BENCHMARK(beast_accept_case)->Name("beast/accept");

void beast_verify_101(benchmark::State& state)
{
    auto hs = build_handshake_request(options(), token);
    const std::string& resp = response_bytes();
    for (auto _ : state) {
        if (!beast_verify_once(resp, hs))
            state.SkipWithError("not verified");
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * resp.size()));
}
BENCHMARK(beast_verify_101)->Name("beast/verify_101");

void beast_accept_key(benchmark::State& state)
{
    for (auto _ : state)
        beast_accept_key_once();
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * sample_key.size()));
}
BENCHMARK(beast_accept_key)->Name("beast/accept_key");

void beast_unmask(benchmark::State& state)
{
    for (auto _ : state)
        beast_unmask_once();
    state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations()) * static_cast<std::int64_t>(mask_buffer().size()));
}
BENCHMARK(beast_unmask)->Name("beast/unmask/65536");

/// One case and its Beast twin timed in alternating blocks of `block` calls inside the same benchmark.
/// Timed as separate cases, one side's repetitions run back to back, so a busy moment of a shared
/// machine can fall on one side only (on this project's VMs the twin tables' medians moved by 2x between
/// runs of the same binary); alternating blocks a few microseconds long put both sides through the same
/// moments. The block order flips every iteration, so neither side always runs with the other's data
/// in the cache. Reports the counter `speedup`: the twin's time over ours.
template <class Ours, class Theirs>
void paired(benchmark::State& state, std::size_t block, Ours ours, Theirs theirs)
{
    using clock = std::chrono::steady_clock;
    clock::duration ours_time{}, theirs_time{};
    bool ok = true;
    auto timed = [&](auto& f, clock::duration& total) {
        const auto t0 = clock::now();
        for (std::size_t i = 0; i < block; ++i)
            ok &= f();
        total += clock::now() - t0;
    };
    // One untimed call each first: lazy set-up (a thread's SHA-1 context, OpenSSL's algorithm fetch) is
    // not what is compared, and in a short run (the smoke test's) it outweighed the calls themselves.
    ok &= ours();
    ok &= theirs();
    bool ours_first = true;
    for (auto _ : state) {
        if (ours_first) {
            timed(ours, ours_time);
            timed(theirs, theirs_time);
        }
        else {
            timed(theirs, theirs_time);
            timed(ours, ours_time);
        }
        ours_first = !ours_first;
    }
    if (!ok) {
        state.SkipWithError("a call failed");
        return;
    }
    if (ours_time.count() > 0)
        state.counters["speedup"] = static_cast<double>(theirs_time.count()) / static_cast<double>(ours_time.count());
    // Each side's time per call too: when the ratio moves between runs, these say which side moved.
    const double calls = static_cast<double>(state.iterations()) * static_cast<double>(block);
    if (calls > 0) {
        state.counters["ours_ns"] = std::chrono::duration<double, std::nano>(ours_time).count() / calls;
        state.counters["theirs_ns"] = std::chrono::duration<double, std::nano>(theirs_time).count() / calls;
    }
}

void paired_parse_upgrade_request(benchmark::State& state)
{
    const std::string& req = request_bytes();
    paired(state, 32, [&] { return parse_once(req); }, [&] { return beast_parse_once(req); });
}
BENCHMARK(paired_parse_upgrade_request)->Name("paired/parse_upgrade_request");

void paired_accept(benchmark::State& state)
{
    const std::string& req = request_bytes();
    const acceptor_options o = accept_options();
    paired(state, 16, [&] { return accept_once(req, o); }, [&] { return beast_accept_once(req); });
}
BENCHMARK(paired_accept)->Name("paired/accept");

void paired_verify_101(benchmark::State& state)
{
    auto hs = build_handshake_request(options(), token);
    const std::string& resp = response_bytes();
    paired(state, 32, [&] { return verify_once(resp, hs); }, [&] { return beast_verify_once(resp, hs); });
}
BENCHMARK(paired_verify_101)->Name("paired/verify_101");

void paired_accept_key(benchmark::State& state)
{
    paired(state, 64, accept_key_once, beast_accept_key_once);
}
BENCHMARK(paired_accept_key)->Name("paired/accept_key");

void paired_unmask(benchmark::State& state)
{
    paired(state, 4, unmask_once, beast_unmask_once);
}
BENCHMARK(paired_unmask)->Name("paired/unmask/65536");
#endif

/// Both implementations must agree before their speeds mean anything.
bool same_results()
{
#if REALMWIRE_BENCH_HAVE_BEAST
    for (const std::string& key : {sample_key, build_handshake_request(options(), token).key}) {
        bws::detail::sec_ws_accept_type b;
        bws::detail::make_sec_ws_accept(b, key);
        websocket::accept_key_buffer r;
        websocket::compute_accept_key(key, r);
        if (std::string_view(b.data(), b.size()) != std::string_view(r.data(), r.size()) ||
            websocket::compute_accept_key(key) != std::string_view(b.data(), b.size())) {
            std::fprintf(stderr, "accept keys differ for %s\n", key.c_str());
            return false;
        }
    }
    std::string beast_101;
    auto hs = build_handshake_request(options(), token);
    if (!beast_accept(request_bytes(), beast_101) || !beast_verify(response_bytes(), hs.key, hs.dialect->subprotocol_prefix) ||
        !verify_handshake_response(beast_101, hs).ok()) {
        std::fprintf(stderr, "realmwire and Beast do not accept each other's handshake\n");
        return false;
    }
    // Masking: the same bytes from both.
    std::vector<std::uint8_t> a(1000), b;
    for (std::size_t i = 0; i < a.size(); ++i)
        a[i] = static_cast<std::uint8_t>(i * 7);
    b = a;
    websocket::apply_mask(a.data(), a.size(), bench_mask_key);
    bws::detail::prepared_key k = beast_mask_key();
    bws::detail::mask_inplace(boost::asio::mutable_buffer(b.data(), b.size()), k);
    if (a != b) {
        std::fprintf(stderr, "masking differs\n");
        return false;
    }
    std::fprintf(stderr, "realmwire and Beast agree (accept keys, 101 both ways, masking); request %zu bytes, 101 %zu bytes\n",
                 request_bytes().size(), response_bytes().size());
#else
    std::fprintf(stderr, "Boost.Beast not found: no twins\n");
#endif
    return true;
}

} // namespace

REALMWIRE_BENCH_MAIN_TWINS("memcpy", "beast/", same_results)
