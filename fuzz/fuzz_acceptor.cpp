// The server acceptor on arbitrary request bytes: never crashes; every verdict is 101 or a refusal
// with 400/401/403/404 and an error code; every response serializes with a correct Content-Length;
// every 101 passes the client verifier for the key and dialect of that request; and the incremental
// acceptor fed in arbitrary chunks reaches the same verdict and response.
#include "fuzz_common.hpp"

#include <realmwire/handshake/acceptor.hpp>
#include <realmwire/handshake/verifier.hpp>
#include <realmwire/http/parser.hpp>

#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace realmwire;
    realmwire_fuzz::fuzz_input in(data, size);
    std::uint8_t config = in.byte();

    acceptor_options o;
    o.strict_connection = (config & 1) != 0;
    if (config & 2)
        o.url_prefixes = {"/realm-sync", "/my/url/prefix", "/"};
    if (config & 4)
        o.dialects = all_dialects("X-Realm-Auth");
    if (config & 8)
        o.dialects.push_back(accepted_dialect{&dialects::legacy_ros, {1, 30},
                                              policy::header_token_lookup{"X-Token", token_scheme::raw, {"Authorization"}}});
    if (config & 16)
        o.authorize = [](const handshake_verdict& v) -> std::error_code {
            if (v.token.size() < 3)
                return make_error_code(handshake_error::unauthorized);
            if (!v.realm_path.empty() && v.realm_path[1] == 'x')
                return make_error_code(handshake_error::forbidden);
            return {};
        };
    o.limits.max_head_size = 4096;

    std::string_view bytes = in.rest();
    std::size_t consumed = 0;
    handshake_verdict v = accept_handshake(bytes, o, &consumed);
    REALMWIRE_FUZZ_CHECK(consumed <= bytes.size());
    REALMWIRE_FUZZ_CHECK(v.status == 101 || v.status == 400 || v.status == 401 || v.status == 403 || v.status == 404);
    REALMWIRE_FUZZ_CHECK((v.status == 101) == !v.ec);
    REALMWIRE_FUZZ_CHECK(v.response.status == v.status);
    std::string response = v.response_bytes();

    http::response_parser parser;
    std::error_code ec;
    std::size_t n = parser.feed(response, ec);
    REALMWIRE_FUZZ_CHECK(!ec && parser.done() && n == response.size());
    REALMWIRE_FUZZ_CHECK(parser.get().body == v.response.body);

    // The incremental acceptor, fed in fuzzer-chosen chunks, reaches the same verdict.
    handshake_acceptor acc(o);
    std::size_t used = 0;
    realmwire_fuzz::feed_in_chunks(bytes, in, [&](std::string_view piece) {
        std::size_t k = acc.feed(piece);
        used += k;
        return !acc.done();
    });
    if (!acc.done())
        acc.finish_eof();
    REALMWIRE_FUZZ_CHECK(acc.verdict().status == v.status);
    REALMWIRE_FUZZ_CHECK(acc.verdict().ec == v.ec);
    REALMWIRE_FUZZ_CHECK(acc.verdict().response_bytes() == response);
    if (v.accepted())
        REALMWIRE_FUZZ_CHECK(used == consumed);

    if (v.accepted()) {
        REALMWIRE_FUZZ_CHECK(v.dialect != nullptr && !v.token.empty());
        REALMWIRE_FUZZ_CHECK(v.realm_path.empty() || v.realm_path[0] == '/');
        http::request_parser rp;
        rp.feed(bytes, ec);
        REALMWIRE_FUZZ_CHECK(!ec && rp.done());
        client_handshake hs;
        hs.key = std::string(detail::trim_ows(*rp.get().headers.get("Sec-WebSocket-Key")));
        hs.dialect = v.dialect;
        hs.offered = {v.version, v.version};
        auto r = verify_handshake_response(response, hs);
        REALMWIRE_FUZZ_CHECK(r.ok() && r.version == v.version);
    }
    return 0;
}
