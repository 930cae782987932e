#ifndef REALMWIRE_FUZZ_HTTP_COMMON_HPP
#define REALMWIRE_FUZZ_HTTP_COMMON_HPP

// Shared oracle of the HTTP parser fuzz targets (fuzz_http_request, fuzz_http_response).
//
// Input: an optional first byte below 0x20 selects the limits and options (so seeds can be plain
// HTTP); the rest is the stream. Oracles:
//  1. fed whole and fed in chunks (sizes taken from the stream's own bytes) the parser reaches the
//     same end: same error code and offset, or the same message and the same count of bytes used;
//  2. a parsed message (without Transfer-Encoding) serializes to bytes that parse to the same message.

#include "fuzz_common.hpp"

#include <realmwire/http/parser.hpp>
#include <realmwire/http/serializer.hpp>

#include <string>
#include <string_view>

namespace realmwire_fuzz {

inline realmwire::http::parser_limits limits_for(std::uint8_t mode)
{
    realmwire::http::parser_limits l;
    switch (mode & 3) {
        case 1: l = {32, 32, 4, 128, 64}; break;
        case 2: l = {200, 100, 10, 600, 300}; break;
        case 3: l = {8, 8, 1, 24, 4}; break;
        default: break;
    }
    return l;
}

inline bool same(const realmwire::http::request& a, const realmwire::http::request& b)
{
    return a.method == b.method && a.target == b.target && a.version_minor == b.version_minor &&
           a.headers == b.headers && a.body == b.body;
}
inline bool same(const realmwire::http::response& a, const realmwire::http::response& b)
{
    return a.status == b.status && a.reason == b.reason && a.version_minor == b.version_minor &&
           a.headers == b.headers && a.body == b.body;
}

struct parse_end {
    std::error_code ec;
    std::size_t offset = 0;
    std::size_t used = 0;
    bool done = false;
};

/// Feeds `stream` (whole when `chunks` is null), then signals EOF if the message is not complete.
template <class Parser>
parse_end run_parser(Parser& p, std::string_view stream, fuzz_input* chunks)
{
    parse_end end;
    auto feed = [&](std::string_view piece) {
        std::size_t n = p.feed(piece, end.ec);
        REALMWIRE_FUZZ_CHECK(n <= piece.size());
        end.used += n;
        return !end.ec && n == piece.size() && !p.done();
    };
    if (chunks)
        feed_in_chunks(stream, *chunks, feed);
    else if (!stream.empty())
        feed(stream);
    if (!end.ec && !p.done())
        p.finish_eof(end.ec);
    end.done = p.done();
    REALMWIRE_FUZZ_CHECK(end.done != static_cast<bool>(end.ec));
    if (end.ec)
        end.offset = p.where().offset;
    return end;
}

template <class Parser, class Setup>
void check_parser(const std::uint8_t* data, std::size_t size, Setup&& setup)
{
    std::uint8_t mode = 0;
    if (size > 0 && data[0] < 0x20) {
        mode = data[0];
        ++data;
        --size;
    }
    std::string_view stream(reinterpret_cast<const char*>(data), size);
    const auto limits = limits_for(mode);

    Parser whole(limits);
    setup(whole, mode);
    parse_end a = run_parser(whole, stream, nullptr);

    Parser pieces(limits);
    setup(pieces, mode);
    fuzz_input sizes(data, size);
    parse_end b = run_parser(pieces, stream, &sizes);

    REALMWIRE_FUZZ_CHECK(a.ec == b.ec);
    REALMWIRE_FUZZ_CHECK(a.done == b.done);
    if (a.ec) {
        REALMWIRE_FUZZ_CHECK(a.offset == b.offset);
        REALMWIRE_FUZZ_CHECK(a.offset <= stream.size());
        return;
    }
    REALMWIRE_FUZZ_CHECK(a.used == b.used);
    REALMWIRE_FUZZ_CHECK(same(whole.get(), pieces.get()));
    REALMWIRE_FUZZ_CHECK(whole.get().body.size() <= limits.max_body_size);

    // Round trip through the serializer (a chunked body is written as it was decoded, so skip those).
    if (whole.get().headers.contains("Transfer-Encoding"))
        return;
    std::error_code ec;
    std::string again = realmwire::http::serialize(whole.get(), ec);
    REALMWIRE_FUZZ_CHECK(!ec);
    Parser re(realmwire::http::parser_limits{1 << 20, 1 << 20, 1 << 10, 1 << 22, 1 << 22});
    setup(re, mode);
    parse_end c = run_parser(re, again, nullptr);
    REALMWIRE_FUZZ_CHECK(!c.ec);
    REALMWIRE_FUZZ_CHECK(c.used == again.size());
    REALMWIRE_FUZZ_CHECK(same(whole.get(), re.get()));
}

} // namespace realmwire_fuzz

#endif
