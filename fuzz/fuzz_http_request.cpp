// The HTTP request parser (server side of every handshake): never crashes, gives the same answer
// however the bytes are cut, and what it accepts re-serializes to the same request.
#include "fuzz_http_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    realmwire_fuzz::check_parser<realmwire::http::request_parser>(data, size,
                                                                   [](realmwire::http::request_parser&, std::uint8_t) {});
    return 0;
}
