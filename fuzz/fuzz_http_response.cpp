// The HTTP response parser (client side: 101s, refusals, proxy and gateway answers): never crashes,
// gives the same answer however the bytes are cut, and what it accepts re-serializes to the same
// response. Mode bits 4 and 8 make it a response to HEAD / to CONNECT.
#include "fuzz_http_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    realmwire_fuzz::check_parser<realmwire::http::response_parser>(
        data, size, [](realmwire::http::response_parser& p, std::uint8_t mode) {
            p.set_response_to_head((mode & 4) != 0);
            p.set_response_to_connect((mode & 8) != 0);
        });
    return 0;
}
