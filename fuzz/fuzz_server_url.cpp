// Server URL parsing (parse_server_url) under every option set, and what a client does with the
// result (apply_server_url, then the upgrade request built from it).
//
// Input: one option byte (default-port hack, sync / http schemes allowed, a small length cap, the
// dialect), then the URL.
// Oracles: no crash or sanitizer report; on failure the value is empty and the offset lies inside the
// URL; on success host and port are set, the port is the scheme's default when none was written, the
// URL prints as one that parses back to the same value, the Host header names the host, and a
// handshake built from it either succeeds with a request-target that starts with '/' or fails with a
// precise error (never an exception).
#include "fuzz_common.hpp"

#include <realmwire/handshake/request_builder.hpp>
#include <realmwire/url.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace realmwire;
    if (size < 1)
        return 0;
    const std::uint8_t flags = data[0];
    std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);

    url_options opts;
    opts.enable_default_port_hack = (flags & 1) == 0;
    opts.allow_sync_schemes = (flags & 2) == 0;
    opts.allow_http_schemes = (flags & 4) == 0;
    if (flags & 8)
        opts.max_length = 32;

    std::error_code ec;
    error_info where;
    server_url url = parse_server_url(in, ec, opts, &where);
    if (ec) {
        REALMWIRE_FUZZ_CHECK(url == server_url{});
        REALMWIRE_FUZZ_CHECK(where.offset <= in.size());
        return 0;
    }
    REALMWIRE_FUZZ_CHECK(in.size() <= opts.max_length);
    REALMWIRE_FUZZ_CHECK(!url.host.empty() && url.port != 0);
    if (url.tls())
        REALMWIRE_FUZZ_CHECK(url.scheme == url_scheme::realms || url.scheme == url_scheme::wss ||
                             url.scheme == url_scheme::https);
    REALMWIRE_FUZZ_CHECK(url.path.empty() || url.path[0] == '/');
    REALMWIRE_FUZZ_CHECK(url.host_header().find(url.host) != std::string::npos);

    std::error_code ec2;
    server_url again = parse_server_url(url.to_string(), ec2, opts);
    // Printing may add a default port the cap did not leave room for; otherwise it must round-trip.
    if (!(flags & 8))
        REALMWIRE_FUZZ_CHECK(!ec2 && again == url);

    static const dialect* const all[] = {&dialects::legacy_ros, &dialects::realm_sync_2020, &dialects::mongodb_pbs,
                                         &dialects::mongodb_flx};
    client_handshake_options ho;
    ho.dialect = all[(flags >> 4) & 3];
    ho.key = "dGhlIHNhbXBsZSBub25jZQ==";
    if (ho.dialect->realm_path_in_url && !(flags & 0x40))
        ho.realm_path = "/fuzz";
    ho.user_id = "uid";
    apply_server_url(ho, url);
    REALMWIRE_FUZZ_CHECK(ho.host_header == url.host_header());
    std::error_code ec3;
    client_handshake hs = build_handshake_request(ho, "token", ec3);
    if (!ec3)
        REALMWIRE_FUZZ_CHECK(!hs.request.target.empty() && hs.request.target[0] == '/');
    return 0;
}
