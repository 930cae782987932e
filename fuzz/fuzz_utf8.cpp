// UTF-8 validation (changeset strings, WebSocket text and close reasons): the vector check, the byte loop
// and the dispatching validator must agree on every input, on validity and, for the last two, on the
// offset of the first invalid sequence. The first byte picks where in the rest the text starts, so the
// vector loads see every alignment.
#include "fuzz_common.hpp"

#include <realmwire/detail/utf8.hpp>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    if (size == 0)
        return 0;
    const std::size_t skip = data[0] % 16 < size - 1 ? data[0] % 16 : 0;
    const std::uint8_t* s = data + 1 + skip;
    const std::size_t n = size - 1 - skip;
    const std::size_t at = realmwire::detail::utf8_invalid_at(s, n);
    REALMWIRE_FUZZ_CHECK(at <= n);
    REALMWIRE_FUZZ_CHECK(at == realmwire::detail::utf8_invalid_at_bytewise(s, n));
#ifdef REALMWIRE_UTF8_SIMD
    if (n >= 16 && realmwire::detail::utf8_simd::available())
        REALMWIRE_FUZZ_CHECK(realmwire::detail::utf8_simd::valid_16(s, n) == (at == n));
#endif
    return 0;
}
