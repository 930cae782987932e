// Base64 decoding (tokens, accept keys): never crashes, and whatever decodes re-encodes to a string
// that decodes to the same bytes.
#include "fuzz_common.hpp"

#include <realmwire/detail/base64.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    std::string_view in(reinterpret_cast<const char*>(data), size);
    auto decoded = realmwire::detail::base64_decode(in);
    if (decoded) {
        for (auto alphabet : {realmwire::detail::base64_alphabet::standard, realmwire::detail::base64_alphabet::url}) {
            for (bool pad : {true, false}) {
                auto again = realmwire::detail::base64_decode(realmwire::detail::base64_encode(*decoded, alphabet, pad));
                REALMWIRE_FUZZ_CHECK(again && *again == *decoded);
            }
        }
    }
    return 0;
}
