// Realm path decoding (the request target's encoded segment) and server URL parsing: never crash;
// whatever decodes re-encodes (with every literal policy) to a string that decodes to the same
// bytes; a decoded path that validates survives encode/decode; a URL that parses prints as a URL that
// parses to the same value.
#include "fuzz_common.hpp"

#include <realmwire/path.hpp>
#include <realmwire/url.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace realmwire;
    std::string_view in(reinterpret_cast<const char*>(data), size);

    std::error_code ec;
    error_info where;
    std::string decoded = decode_realm_path(in, ec, &where);
    if (ec) {
        REALMWIRE_FUZZ_CHECK(decoded.empty());
        REALMWIRE_FUZZ_CHECK(where.offset < in.size() || (in.empty() && where.offset == 0));
    }
    else {
        REALMWIRE_FUZZ_CHECK(decoded.size() <= in.size());
        REALMWIRE_FUZZ_CHECK(decode_realm_path(encode_realm_path(decoded), ec) == decoded && !ec);
        REALMWIRE_FUZZ_CHECK(decode_realm_path(encode_realm_path<encode_uri_component_literals>(decoded), ec) ==
                                 decoded &&
                             !ec);
        REALMWIRE_FUZZ_CHECK(decode_realm_path(encode_realm_path<alnum_path_literals>(decoded), ec) == decoded && !ec);
        error_info vwhere;
        validate_realm_path(decoded, ec, {}, &vwhere);
        if (ec)
            REALMWIRE_FUZZ_CHECK(vwhere.offset <= decoded.size());
        std::string expanded = expand_user_path(decoded, "uid");
        REALMWIRE_FUZZ_CHECK(expanded.size() <= decoded.size() + 3);
    }

    // Validation straight on the input, and the URL parser.
    validate_realm_path(in, ec);
    server_url url = parse_server_url(in, ec);
    if (!ec) {
        REALMWIRE_FUZZ_CHECK(!url.host.empty() && url.port != 0);
        std::error_code ec2;
        server_url again = parse_server_url(url.to_string(), ec2);
        REALMWIRE_FUZZ_CHECK(!ec2 && again == url);
        REALMWIRE_FUZZ_CHECK(url.host_header().size() >= url.host.size());
    }
    return 0;
}
