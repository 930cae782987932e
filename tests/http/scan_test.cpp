#include "realmwire/detail/scan.hpp"
#include "realmwire/http/parser.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace realmwire;

namespace {

// The scalar definitions the vector searches must agree with.
bool tchar_ref(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

template <class Find, class Is>
void check_search(Find find, Is is, char filler)
{
    // Every byte value at every position of buffers from 0 to 40 bytes (both sides of the 16-byte
    // steps and of the scalar tail), in a buffer of `filler` that is not in the class.
    for (std::size_t n = 0; n <= 40; ++n) {
        std::string buf(n, filler);
        REQUIRE(find(buf.data(), n) == n);
        for (std::size_t pos = 0; pos < n; ++pos) {
            for (int b = 0; b < 256; ++b) {
                buf[pos] = static_cast<char>(b);
                std::size_t want = is(static_cast<unsigned char>(b)) ? pos : n;
                if (find(buf.data(), n) != want) {
                    INFO("n=" << n << " pos=" << pos << " byte=" << b);
                    REQUIRE(find(buf.data(), n) == want);
                }
            }
            buf[pos] = filler;
        }
    }
}

} // namespace

TEST_CASE("scan: the word-at-a-time searches agree with the byte definitions")
{
    check_search(detail::find_cr_or_lf, [](unsigned char c) { return c == '\r' || c == '\n'; }, 'a');
    check_search(detail::find_ctl, [](unsigned char c) { return c < 0x20 || c == 0x7F; }, 'a');
    check_search(detail::find_not_vchar, [](unsigned char c) { return c <= 0x20 || c >= 0x7F; }, 'a');
    check_search(detail::find_not_tchar, [](unsigned char c) { return !tchar_ref(c); }, 'a');
    for (int c = 0; c < 256; ++c)
        CHECK(detail::is_tchar_fast(static_cast<char>(c)) == detail::is_tchar(static_cast<char>(c)));
    // The first of several hits wins.
    std::string two(35, 'x');
    two[20] = '\n';
    two[31] = '\r';
    CHECK(detail::find_cr_or_lf(two.data(), two.size()) == 20);
}

TEST_CASE("scan: every byte value inside a field value, a name and a target gives the same verdict whole and byte by byte")
{
    // The line scan marks lines with control bytes and only those are re-checked: whatever the byte
    // and however the request is cut, the code and the offset must not change.
    const std::string head = "GET /realm-sync/abc HTTP/1.1\r\nHost: example.com\r\nX-Long-Value: ";
    const std::string tail = "\r\n\r\n";
    for (int b = 0; b < 256; ++b) {
        for (std::size_t pos : {0, 5, 17, 40}) {
            std::string value(48, 'v');
            value[pos] = static_cast<char>(b);
            std::string req = head + value + tail;
            http::request_parser whole;
            std::error_code ec_whole;
            whole.feed(req, ec_whole);
            http::request_parser pieces;
            std::error_code ec_pieces;
            for (std::size_t i = 0; i < req.size() && !ec_pieces && !pieces.done(); ++i)
                pieces.feed(std::string_view(req).substr(i, 1), ec_pieces);
            INFO("byte " << b << " at " << pos);
            REQUIRE(ec_whole == ec_pieces);
            REQUIRE(whole.where().offset == pieces.where().offset);
            const bool allowed = b == '\t' || (b >= 0x20 && b != 0x7F);
            if (allowed) {
                REQUIRE_FALSE(ec_whole);
                REQUIRE(whole.done());
            }
            else {
                REQUIRE(ec_whole);
                // CR and LF end or break the line; any other control byte is a bad value at its offset
                if (b != '\r' && b != '\n') {
                    CHECK(ec_whole == http_error::bad_header_value);
                    CHECK(whole.where().offset == head.size() + pos);
                }
            }
        }
    }
    // In a name and in the target: not a tchar / not visible ASCII, at its own offset.
    for (int b = 0; b < 256; ++b) {
        std::string name_req = "GET / HTTP/1.1\r\nX-Na" + std::string(1, static_cast<char>(b)) + "me: v\r\n\r\n";
        http::request_parser p;
        std::error_code ec;
        p.feed(name_req, ec);
        INFO("byte " << b);
        if (tchar_ref(static_cast<unsigned char>(b)))
            CHECK_FALSE(ec);
        else if (b != '\r' && b != '\n' && b != ':')
            CHECK(p.where().offset == 20);
        std::string target_req = "GET /ab" + std::string(1, static_cast<char>(b)) + "cd HTTP/1.1\r\n\r\n";
        http::request_parser t;
        t.feed(target_req, ec);
        if (b > 0x20 && b < 0x7F)
            CHECK_FALSE(ec);
        else if (b != '\r' && b != '\n' && b != ' ')
            CHECK((ec == http_error::bad_target && t.where().offset == 7));
    }
}

TEST_CASE("scan: iequals_fast agrees with iequals for every byte pair at every position of a word and the tail")
{
    // 19 bytes: two 8-byte words and a 3-byte tail; every pair (a, b) is put at each position of
    // otherwise equal strings whose case differs elsewhere.
    const std::string base_a = "Sec-WebSocket-Proto";
    const std::string base_b = "sEC-wEBsOCKET-pROTO";
    REQUIRE(detail::iequals_fast(base_a, base_b));
    std::size_t mismatches = 0;
    for (std::size_t pos : {std::size_t{0}, std::size_t{5}, std::size_t{7}, std::size_t{8}, std::size_t{15},
                            std::size_t{16}, std::size_t{18}}) {
        for (int x = 0; x < 256; ++x) {
            for (int y = 0; y < 256; ++y) {
                std::string a = base_a;
                std::string b = base_b;
                a[pos] = static_cast<char>(x);
                b[pos] = static_cast<char>(y);
                const bool want = detail::iequals(a, b);
                if (detail::iequals_fast(a, b) != want) {
                    FAIL("pos " << pos << " bytes " << x << " " << y);
                }
                mismatches += want ? 0 : 1;
            }
        }
    }
    // Most pairs differ; the 26 letter pairs each way and the equal pairs do not.
    CHECK(mismatches == 7 * (65536 - 256 - 52));
    CHECK_FALSE(detail::iequals_fast("Upgrade", "Upgrades"));
}
