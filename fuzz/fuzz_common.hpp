#ifndef REALMWIRE_FUZZ_COMMON_HPP
#define REALMWIRE_FUZZ_COMMON_HPP

// Helpers shared by the fuzz targets.

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <string_view>

namespace realmwire_fuzz {

/// Reads fuzzer bytes as a sequence of small decisions, then the rest as payload.
class fuzz_input {
public:
    fuzz_input(const std::uint8_t* data, std::size_t size) : data_(data), size_(size) {}

    std::uint8_t byte()
    {
        if (pos_ >= size_)
            return 0;
        return data_[pos_++];
    }
    /// The remaining bytes.
    std::string_view rest() const
    {
        return {reinterpret_cast<const char*>(data_) + pos_, size_ - pos_};
    }

private:
    const std::uint8_t* data_;
    std::size_t size_;
    std::size_t pos_ = 0;
};

/// Feeds `input` to `feed(chunk)` in pieces whose sizes come from `sizes` (1..256 bytes), as a network
/// would: incremental parsers must give the same answer however the bytes are cut.
template <class Feed>
void feed_in_chunks(std::string_view input, fuzz_input& sizes, Feed&& feed)
{
    while (!input.empty()) {
        std::size_t n = static_cast<std::size_t>(sizes.byte()) + 1;
        if (n > input.size())
            n = input.size();
        if (!feed(input.substr(0, n)))
            return;
        input.remove_prefix(n);
    }
}

/// An oracle failed: abort so libFuzzer (and the replay test) reports the input.
[[noreturn]] inline void oracle_failed(const char* what)
{
    std::fprintf(stderr, "fuzz oracle failed: %s\n", what);
    std::abort();
}

} // namespace realmwire_fuzz

#define REALMWIRE_FUZZ_CHECK(cond)                                                                             \
    do {                                                                                                       \
        if (!(cond))                                                                                           \
            ::realmwire_fuzz::oracle_failed(#cond);                                                            \
    } while (0)

#endif
