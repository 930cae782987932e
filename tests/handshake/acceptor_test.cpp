#include "realmwire/handshake/acceptor.hpp"

#include "realmwire/handshake/request_builder.hpp"
#include "realmwire/handshake/verifier.hpp"

#include "handshake/support.hpp"

#include <catch2/catch.hpp>

using namespace realmwire;

namespace {

const std::string rfc_key = "dGhlIHNhbXBsZSBub25jZQ==";

acceptor_options realm_core_like()
{
    acceptor_options o;
    o.server = "RealmSync/14.14.0";
    return o;
}

} // namespace

TEST_CASE("acceptor: every session vector is judged as realm-core's server judged it")
{
    const std::string token = handshake_test::admin_token();
    for (const auto& name : handshake_test::session_names()) {
        INFO(name);
        std::string request = handshake_test::session(name, "c2s.http");
        std::string recorded = handshake_test::session(name, "s2c.http");
        auto o = realm_core_like();
        if (name == "d-max-protocol-10")
            o.dialects = {accepted_dialect{&dialects::mongodb_pbs, {2, 10}, policy::query_token_lookup{}}};
        std::size_t consumed = 0;
        auto v = accept_handshake(request, o, &consumed);
        CHECK(consumed == request.size());
        if (name == "e-wrong-prefix-404") {
            CHECK(v.status == 404);
            CHECK(v.ec == handshake_error::unknown_path_prefix);
            CHECK(v.response.body == "Realm sync server\n\nPage not found\n");
            continue;
        }
        REQUIRE(v.accepted());
        CHECK(v.dialect == &dialects::mongodb_pbs);
        CHECK(v.version == (name == "d-max-protocol-10" ? 10 : 14));
        CHECK(v.token == token);
        CHECK(v.token_source == "?baas_at");
        CHECK(v.url_prefix == "/realm-sync");
        CHECK(v.realm_path.empty());
        CHECK(v.user_agent == "rc-sync-client/14.14.0");
        // The 101 is realm-core's own, byte for byte.
        CHECK(v.response_bytes() == recorded);
    }
}

TEST_CASE("acceptor: the proxy guide's request is accepted as legacy_ros")
{
    const std::string& guide = handshake_test::guide_request;
    acceptor_options o;
    o.server = "realmwire-test";
    auto v = accept_handshake(guide, o);
    REQUIRE(v.accepted());
    CHECK(v.dialect == &dialects::legacy_ros);
    CHECK(v.realm_path == "/b920bd7068ef2b470ff4226e0e85716a/foo");
    CHECK(v.version == 22);
    CHECK(v.token == "...");
    CHECK(v.token_source == "Authorization");
    CHECK(v.response_bytes() == "HTTP/1.1 101 Switching Protocols\r\n"
                                "Connection: Upgrade\r\n"
                                "Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"
                                "Sec-WebSocket-Protocol: io.realm.sync.22\r\n"
                                "Server: realmwire-test\r\n"
                                "Upgrade: websocket\r\n"
                                "\r\n");
}

TEST_CASE("acceptor: round trips builder -> acceptor -> verifier, every dialect x placement x prefix")
{
    struct placement_case {
        const char* name;
        policy::any_token_placement client;
        policy::any_token_lookup server;
    };
    std::vector<placement_case> placements{
        {"realm header Authorization", policy::header_token{"Authorization", token_scheme::realm_access_token},
         policy::header_token_lookup{"Authorization", token_scheme::realm_access_token, {}}},
        {"realm header X-Realm-Auth", policy::header_token{"X-Realm-Auth", token_scheme::realm_access_token},
         policy::header_token_lookup{"x-realm-auth", token_scheme::realm_access_token, {}}},
        {"bearer header", policy::header_token{"Authorization", token_scheme::bearer},
         policy::header_token_lookup{"Authorization", token_scheme::bearer, {}}},
        {"raw header", policy::header_token{"X-Token", token_scheme::raw},
         policy::header_token_lookup{"X-Token", token_scheme::raw, {}}},
        {"query", policy::query_token{}, policy::query_token_lookup{}},
    };
    const std::vector<std::string> prefixes{"", "/my/url/prefix", "/api/client/v2.0/app/app-id/realm-sync", "/"};
    const std::string token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1MSJ9.c2lnbmF0dXJl";
    int trips = 0;
    for (const dialect* d : dialects::all) {
        for (const auto& p : placements) {
            for (const auto& prefix : prefixes) {
                INFO(d->name << " / " << p.name << " / prefix '" << prefix << "'");
                client_handshake_options co;
                co.dialect = d;
                co.host_header = "sync.example.com";
                co.url_prefix = prefix;
                co.realm_path = "/u1/tasks";
                co.user_agent = "round-trip/1";
                policy::custom_headers custom;
                custom.add("X-Proxy-Token", "abc");
                auto hs = build_handshake_request(co, token, p.client, custom);
                std::string bytes = hs.bytes();

                acceptor_options so;
                so.dialects = {accepted_dialect{d, d->server_versions, p.server}};
                if (!prefix.empty())
                    so.url_prefixes = {"/other", prefix};
                auto v = accept_handshake(bytes, so);
                REQUIRE(v.accepted());
                CHECK(v.dialect == d);
                CHECK(v.version == d->client_versions.max);
                CHECK(v.token == token);
                CHECK(v.url_prefix == (prefix.empty() ? std::string(d->default_url_prefix) : prefix));
                CHECK(v.realm_path == (d->realm_path_in_url ? "/u1/tasks" : ""));
                CHECK(v.user_agent == "round-trip/1");

                auto r = verify_handshake_response(v.response_bytes(), hs);
                CHECK(r.ok());
                CHECK(r.version == v.version);
                CHECK(r.subprotocol == v.subprotocol);
                ++trips;
            }
        }
    }
    CHECK(trips == 4 * 5 * 4);
}

TEST_CASE("acceptor: one endpoint, all four dialects, each answered in its own")
{
    acceptor_options o; // all dialects, default prefixes and lookups
    for (const dialect* d : dialects::all) {
        INFO(d->name);
        client_handshake_options co;
        co.dialect = d;
        co.host_header = "h";
        co.realm_path = "/a/b";
        auto hs = build_handshake_request(co, "tok");
        auto v = accept_handshake(hs.bytes(), o);
        REQUIRE(v.accepted());
        CHECK(v.dialect == d);
        CHECK(v.subprotocol == make_subprotocol(d->subprotocol_prefix, d->client_versions.max));
        CHECK(verify_handshake_response(v.response_bytes(), hs).ok());
    }
}

TEST_CASE("acceptor: Connection is a token list unless strict")
{
    client_handshake_options co;
    co.host_header = "h";
    auto hs = build_handshake_request(co, "tok");
    hs.request.headers.set("Connection", "keep-alive, Upgrade");
    acceptor_options o;
    CHECK(accept_handshake(hs.request, o).accepted());
    o.strict_connection = true;
    auto v = accept_handshake(hs.request, o);
    CHECK(v.status == 400);
    CHECK(v.ec == handshake_error::missing_connection_upgrade);
}

TEST_CASE("acceptor: the application's authorizer decides 401 and 403")
{
    client_handshake_options co;
    co.dialect = &dialects::legacy_ros;
    co.host_header = "h";
    co.realm_path = "/u1/private";
    auto hs = build_handshake_request(co, "user-token");
    acceptor_options o;
    o.authorize = [](const handshake_verdict& v) -> std::error_code {
        if (v.token != "user-token")
            return make_error_code(handshake_error::unauthorized);
        if (v.realm_path == "/u1/private")
            return make_error_code(handshake_error::forbidden);
        return {};
    };
    auto v = accept_handshake(hs.request, o);
    CHECK(v.status == 403);
    CHECK(v.ec == handshake_error::forbidden);
    auto r = verify_handshake_response(v.response_bytes(), hs);
    REQUIRE(r.refusal);
    CHECK(r.refusal->close_code == 4002);

    auto bad = build_handshake_request(co, "other");
    v = accept_handshake(bad.request, o);
    CHECK(v.status == 401);
    CHECK(v.ec == handshake_error::unauthorized);
    CHECK(v.response.body.find("other") == std::string::npos); // a refusal never echoes the token
}

TEST_CASE("acceptor: refusals, each with its status and specific error code")
{
    // A good legacy request, then one thing broken per row.
    auto good = [] {
        client_handshake_options co;
        co.dialect = &dialects::legacy_ros;
        co.host_header = "h";
        co.realm_path = "/abc/foo";
        co.key = rfc_key;
        co.order = http::header_order::as_set;
        return build_handshake_request(co, "tok").request;
    };
    acceptor_options legacy;
    legacy.dialects = {accept_dialect(dialects::legacy_ros)};
    acceptor_options custom_header = legacy;
    custom_header.dialects = {accept_dialect(dialects::legacy_ros, "X-Realm-Auth")};
    acceptor_options pbs;
    pbs.dialects = {accept_dialect(dialects::mongodb_pbs)};

    struct row {
        const char* what;
        std::function<void(http::request&)> edit;
        const acceptor_options* options;
        int status;
        std::error_code ec;
    };
    auto hs = [](handshake_error e) { return make_error_code(e); };
    auto pe = [](path_error e) { return make_error_code(e); };
    std::vector<row> rows{
        {"missing token header", [](http::request& r) { r.headers.erase("Authorization"); }, &legacy, 400,
         hs(handshake_error::missing_token)},
        {"malformed token header",
         [](http::request& r) { r.headers.set("Authorization", "Realm-Access-Token version=1 token=tok"); }, &legacy,
         400, hs(handshake_error::malformed_token_header)},
        {"Bearer where a Realm token is expected",
         [](http::request& r) { r.headers.set("Authorization", "Bearer tok"); }, &legacy, 400,
         hs(handshake_error::malformed_token_header)},
        {"token in the wrong header", [](http::request&) {}, &custom_header, 400,
         hs(handshake_error::token_in_wrong_header)},
        {"wrong prefix", [](http::request& r) { r.target = "/wrong/%2Fabc%2Ffoo"; }, &legacy, 404,
         hs(handshake_error::unknown_path_prefix)},
        {"prefix without the realm path (ROS: no route)", [](http::request& r) { r.target = "/realm-sync"; }, &legacy,
         404, hs(handshake_error::unknown_path_prefix)},
        {"no common version", [](http::request& r) { r.headers.set("Sec-WebSocket-Protocol", "io.realm.sync.31"); },
         &legacy, 400, hs(handshake_error::no_common_version)},
        {"only another dialect's protocol",
         [](http::request& r) { r.headers.set("Sec-WebSocket-Protocol", "com.mongodb.realm-sync#14"); }, &legacy, 400,
         hs(handshake_error::no_common_version)},
        {"malformed offer", [](http::request& r) { r.headers.set("Sec-WebSocket-Protocol", "io.realm.sync.2x"); },
         &legacy, 400, hs(handshake_error::malformed_subprotocol)},
        {"malformed offer range",
         [](http::request& r) { r.headers.set("Sec-WebSocket-Protocol", "io.realm.sync.25-20"); }, &legacy, 400,
         hs(handshake_error::malformed_subprotocol)},
        {"missing offer", [](http::request& r) { r.headers.erase("Sec-WebSocket-Protocol"); }, &legacy, 400,
         hs(handshake_error::missing_subprotocol)},
        {"double-encoded path", [](http::request& r) { r.target = "/realm-sync/%252Fabc%252Ffoo"; }, &legacy, 400,
         pe(path_error::double_encoding)},
        {"malformed %", [](http::request& r) { r.target = "/realm-sync/%2Fabc%2"; }, &legacy, 400,
         pe(path_error::malformed_percent_encoding)},
        {"malformed % (non-hex)", [](http::request& r) { r.target = "/realm-sync/%2Fabc%zzfoo"; }, &legacy, 400,
         pe(path_error::malformed_percent_encoding)},
        {"query smuggled into the path", [](http::request& r) { r.target = "/realm-sync/%2Fabc%2Ffoo%3Fx=1"; },
         &legacy, 400, pe(path_error::query_in_path)},
        {"query after the path (ROS refused it)", [](http::request& r) { r.target = "/realm-sync/%2Fabc%2Ffoo?x=1"; },
         &legacy, 400, hs(handshake_error::query_in_path)},
        {"invalid realm path", [](http::request& r) { r.target = "/realm-sync/%2Fabc%2Ffoo.realm"; }, &legacy, 400,
         pe(path_error::reserved_suffix)},
        {"missing Upgrade", [](http::request& r) { r.headers.erase("Upgrade"); }, &legacy, 400,
         hs(handshake_error::missing_upgrade)},
        {"Upgrade not websocket", [](http::request& r) { r.headers.set("Upgrade", "h2c"); }, &legacy, 400,
         hs(handshake_error::missing_upgrade)},
        {"missing Connection", [](http::request& r) { r.headers.erase("Connection"); }, &legacy, 400,
         hs(handshake_error::missing_connection_upgrade)},
        {"missing Key", [](http::request& r) { r.headers.erase("Sec-WebSocket-Key"); }, &legacy, 400,
         hs(handshake_error::missing_websocket_key)},
        {"wrong WebSocket version", [](http::request& r) { r.headers.set("Sec-WebSocket-Version", "8"); }, &legacy,
         400, hs(handshake_error::bad_websocket_version)},
        {"missing WebSocket version", [](http::request& r) { r.headers.erase("Sec-WebSocket-Version"); }, &legacy,
         400, hs(handshake_error::bad_websocket_version)},
        {"POST", [](http::request& r) { r.method = "POST"; }, &legacy, 400, hs(handshake_error::bad_method)},
        {"HTTP/1.0", [](http::request& r) { r.version_minor = 0; }, &legacy, 400,
         hs(handshake_error::bad_http_version)},
        {"missing query token (PBS, 401)",
         [](http::request& r) {
             r.target = "/realm-sync";
             r.headers.set("Sec-WebSocket-Protocol", "com.mongodb.realm-sync#14");
         },
         &pbs, 401, hs(handshake_error::missing_token)},
    };
    for (const auto& r : rows) {
        INFO(r.what);
        http::request req = good();
        REQUIRE(accept_handshake(req, legacy).accepted());
        r.edit(req);
        auto v = accept_handshake(req, *r.options);
        CHECK_FALSE(v.accepted());
        CHECK(v.status == r.status);
        CHECK(v.ec == r.ec);
        CHECK(v.response.status == r.status);
        CHECK_FALSE(v.response.body.empty());
        CHECK(v.response.headers.get("Content-Length") == std::to_string(v.response.body.size()));
    }
}

TEST_CASE("acceptor: byte-level refusals: oversized head, bad HTTP, incomplete")
{
    client_handshake_options co;
    co.host_header = "h";
    auto hs = build_handshake_request(co, "tok");
    std::string bytes = hs.bytes();

    acceptor_options o;
    o.limits.max_head_size = 256;
    auto v = accept_handshake(bytes, o);
    CHECK(v.status == 400);
    CHECK(v.ec == http_error::head_too_large);

    acceptor_options d;
    v = accept_handshake(bytes.substr(0, bytes.size() - 2), d);
    CHECK(v.status == 400);
    CHECK(v.ec == handshake_error::incomplete_request);

    v = accept_handshake("GET / HTTP/1.1\nHost: x\n\n", d);
    CHECK(v.status == 400);
    CHECK(v.ec == http_error::bad_line_ending);

    // Bytes after the head (a client that pipelines its first frame) are left alone.
    std::size_t consumed = 0;
    v = accept_handshake(bytes + "\x82\x80", d, &consumed);
    CHECK(v.accepted());
    CHECK(consumed == bytes.size());
}

TEST_CASE("acceptor: several URL prefixes, longest match wins")
{
    client_handshake_options co;
    co.dialect = &dialects::legacy_ros;
    co.host_header = "h";
    co.realm_path = "/abc/foo";
    co.url_prefix = "/a/b";
    auto hs = build_handshake_request(co, "tok");
    acceptor_options o;
    o.url_prefixes = {"/a", "/a/b", "/realm-sync"};
    auto v = accept_handshake(hs.request, o);
    REQUIRE(v.accepted());
    CHECK(v.url_prefix == "/a/b");
    CHECK(v.realm_path == "/abc/foo");
}

TEST_CASE("acceptor: fed in chunks, the same verdict however the bytes are cut")
{
    std::string request = handshake_test::session("a-write5", "c2s.http");
    std::string stream = handshake_test::session("a-write5", "c2s.bin"); // the request, then frames
    acceptor_options o;
    o.server = "RealmSync/14.14.0";
    for (std::size_t chunk : {1u, 2u, 7u, 64u, 1000u, 100000u}) {
        INFO(chunk);
        handshake_acceptor acc(o);
        std::size_t used = 0;
        while (!acc.done() && used < stream.size()) {
            std::string_view piece = std::string_view(stream).substr(used, chunk);
            std::size_t n = acc.feed(piece);
            used += n;
            if (n < piece.size())
                break;
        }
        REQUIRE(acc.done());
        CHECK(used == request.size()); // the frames after the head stay with the caller
        CHECK(acc.verdict().accepted());
        CHECK(acc.verdict().response_bytes() == handshake_test::session("a-write5", "s2c.http"));
        CHECK(acc.feed("more") == 0);
    }
    handshake_acceptor cut(o);
    cut.feed(request.substr(0, 100));
    CHECK_FALSE(cut.done());
    cut.finish_eof();
    CHECK(cut.verdict().ec == handshake_error::incomplete_request);

    acceptor_options small;
    small.limits.max_header_count = 3;
    handshake_acceptor limited(small);
    limited.feed(request);
    REQUIRE(limited.done());
    CHECK(limited.verdict().status == 400);
    CHECK(limited.verdict().ec == http_error::too_many_headers);
}

TEST_CASE("acceptor: offers over several lines choose as parse_offer + choose_version do")
{
    // The acceptor folds the offers into its choice as it parses them; the reference is the public
    // pair: every line's parse_offer concatenated, then choose_version per dialect in order.
    acceptor_options o;
    o.offers.max_elements = 6;
    std::vector<std::string_view> prefixes;
    for (const auto& a : o.dialects)
        prefixes.push_back(a.dialect->subprotocol_prefix);
    const char* elements[] = {"com.mongodb.realm-sync#14", "com.mongodb.realm-sync#3-9", "io.realm.sync.24",
                              "com.mongodb.realm-query-sync#7", "com.mongodb.realm-query-sync#99",
                              "io.realm.sync.31", "x-unknown/1", "com.mongodb.realm-sync/4", "io.realm.sync.2x"};
    std::uint32_t seed = 12345;
    auto next = [&] { return seed = seed * 1103515245u + 12345u, (seed >> 16) & 0x7fff; };
    int accepted = 0, refused_count = 0, malformed = 0;
    for (int round = 0; round < 400; ++round) {
        client_handshake_options co;
        co.host_header = "h";
        auto hs = build_handshake_request(co, "tok");
        hs.request.headers.erase("Sec-WebSocket-Protocol");
        std::vector<std::string> lines(1 + next() % 3);
        for (auto& line : lines) {
            for (unsigned k = 0, n = 1 + next() % 4; k < n; ++k)
                line += std::string(k ? ", " : "") + elements[next() % std::size(elements)];
            hs.request.headers.add("Sec-WebSocket-Protocol", line);
        }
        std::vector<offered_range> all;
        std::error_code ref_ec;
        for (const auto& line : lines) {
            auto part = parse_offer(line, prefixes, ref_ec, o.offers);
            if (ref_ec)
                break;
            all.insert(all.end(), part.begin(), part.end());
            if (all.size() > o.offers.max_elements) {
                ref_ec = make_error_code(handshake_error::too_many_subprotocols);
                break;
            }
        }
        auto v = accept_handshake(hs.request, o);
        INFO(round);
        if (ref_ec) {
            CHECK(v.status == 400);
            CHECK(v.ec == ref_ec);
            malformed += ref_ec == handshake_error::malformed_subprotocol;
            continue;
        }
        const accepted_dialect* chosen = nullptr;
        int version = 0;
        for (std::size_t i = 0; i < o.dialects.size() && !chosen; ++i) {
            if (auto ver = choose_version(all, i, o.dialects[i].versions)) {
                chosen = &o.dialects[i];
                version = *ver;
            }
        }
        if (!chosen) {
            CHECK(v.ec == handshake_error::no_common_version);
            ++refused_count;
            continue;
        }
        CHECK(v.dialect == chosen->dialect);
        CHECK(v.version == version);
        accepted += v.dialect == chosen->dialect && v.version == version;
    }
    // The rounds reach every outcome.
    CHECK(accepted > 50);
    CHECK(refused_count > 5);
    CHECK(malformed > 5);
}

TEST_CASE("acceptor: the first field of a repeated name decides, as fields::get")
{
    client_handshake_options co;
    co.host_header = "h";
    auto hs = build_handshake_request(co, "tok");
    hs.request.headers.add("Upgrade", "h2c"); // a later duplicate is not read
    CHECK(accept_handshake(hs.request, acceptor_options{}).accepted());
    hs.request.headers.erase("Upgrade");
    hs.request.headers.add("Upgrade", "h2c");
    hs.request.headers.add("Upgrade", "websocket");
    auto v = accept_handshake(hs.request, acceptor_options{});
    CHECK(v.ec == handshake_error::missing_upgrade);
    hs.request.headers.erase("Upgrade");
    hs.request.headers.add("uPGRADE", "WebSocket");
    hs.request.headers.add("user-agent", "first");
    hs.request.headers.add("User-Agent", "second");
    hs.request.headers.erase("User-Agent");
    hs.request.headers.add("USER-AGENT", "ua-1");
    hs.request.headers.add("User-Agent", "ua-2");
    v = accept_handshake(hs.request, acceptor_options{});
    CHECK(v.accepted());
    CHECK(v.user_agent == "ua-1");
}
