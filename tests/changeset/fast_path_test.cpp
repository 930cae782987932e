// The visitor decoder's fast paths at their boundaries: inline varint forms (unsigned and signed, one and
// two bytes) against the strict reader, right at the end of the input; the branch-free ASCII check of
// strings up to 16 bytes, with and without 16 bytes of input after them; the intern table's hash of short
// strings loaded wide or copied near the end, which must agree for duplicates to be found.

#include "realmwire/changeset/decoder.hpp"
#include "realmwire/changeset/integer_codec.hpp"

#include "framed.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace rc = realmwire::changeset;
using cs_test::unhex;
using E = realmwire::changeset_error;

namespace {

// String #0 "T" (a class), string #1 "f" (a field).
const std::string TF = unhex("3F 00 01 54 3F 01 01 66");

struct last_instruction {
    rc::instruction_view in;
    std::vector<std::string> strings;
    void intern_string(std::uint32_t, std::string_view s) { strings.emplace_back(s); }
    void instruction(const rc::instruction_view& i) { in = i; }
};

struct result {
    std::error_code ec;
    realmwire::error_info where;
    last_instruction v;
};

result run(const std::string& bytes, const rc::limits& lim = {})
{
    result r;
    rc::decoder d(lim);
    d.decode(bytes, r.v, r.ec, r.where);
    return r;
}

template <class T>
std::string varint(T v)
{
    std::string s;
    rc::append_varint(s, v);
    return s;
}

// AddInteger T[5].f += value: the value is the changeset's last field.
std::string add_integer(const std::string& value_bytes)
{
    return TF + unhex("05 00 01 05 01 00") + value_bytes;
}

// Update T[5].f = String, is_default false.
std::string update_string(const std::string& s)
{
    return TF + unhex("04 00 01 05 01 00 03") + varint(std::uint64_t(s.size())) + s + unhex("00");
}

} // namespace

TEST_CASE("fast path: signed varints of every short length decode exactly, also as the input's last bytes")
{
    std::vector<std::int64_t> values = {0, 1, 62, 63, 64, 65, 8190, 8191, 8192, 8193, -1, -2, -63, -64, -65, -66,
                                        -8191, -8192, -8193, -8194, 1048575, 1048576, -1048576, -1048577,
                                        INT64_MAX, INT64_MIN, INT64_MAX - 1, INT64_MIN + 1};
    for (int k = 0; k < 63; ++k) {
        values.push_back(std::int64_t(1) << k);
        values.push_back(-(std::int64_t(1) << k));
        values.push_back(-(std::int64_t(1) << k) - 1);
    }
    for (std::int64_t v : values) {
        // Last field of the input (fewer than two bytes after a one-byte form) and, with a trailing
        // instruction, in the middle.
        for (const std::string& bytes : {add_integer(varint(v)), add_integer(varint(v)) + unhex("01 00")}) {
            INFO("value " << v << " bytes " << bytes.size());
            result r = run(bytes);
            REQUIRE_FALSE(r.ec);
            if (bytes.size() > add_integer(varint(v)).size())
                continue;
            CHECK(r.v.in.type == rc::instruction_type::add_integer);
            CHECK(r.v.in.add_value == v);
        }
    }
}

TEST_CASE("fast path: over-long signed and unsigned two-byte forms are rejected at their first byte")
{
    const std::size_t at = add_integer("").size();
    // -1 as 80 40, -64 as BF 40 (both one-byte values), 0 as 80 00, 5 as 85 00.
    for (const char* bad : {"80 40", "BF 40", "80 00", "85 00"}) {
        INFO(bad);
        result r = run(add_integer(unhex(bad)));
        CHECK(r.ec == make_error_code(E::varint_non_minimal));
        CHECK(r.where.offset == at);
        result mid = run(add_integer(unhex(bad)) + unhex("01 00"));
        CHECK(mid.ec == make_error_code(E::varint_non_minimal));
        CHECK(mid.where.offset == at);
    }
    // Minimal two-byte forms next to them are fine: -65 (C0 40), 64 (C0 00), -8192 (FF 7F).
    CHECK(run(add_integer(unhex("C0 40"))).v.in.add_value == -65);
    CHECK(run(add_integer(unhex("C0 00"))).v.in.add_value == 64);
    CHECK(run(add_integer(unhex("FF 7F"))).v.in.add_value == -8192);
    // A sign on an unsigned field (the path count) in one and two bytes (minimal forms: an over-long one
    // such as 81 40 is reported as over-long first).
    for (const char* bad : {"41", "C0 40", "C1 40"}) {
        INFO(bad);
        result r = run(TF + unhex("05 00 01 05 01") + unhex(bad) + unhex("00"));
        CHECK(r.ec == make_error_code(E::varint_sign_on_unsigned));
        CHECK(r.where.offset == TF.size() + 5);
    }
    // A lone continuation byte as the last byte.
    result r = run(add_integer(unhex("81")));
    CHECK(r.ec == make_error_code(E::truncated));
}

TEST_CASE("fast path: strings up to 16 bytes, ASCII or not, with and without 16 bytes of input after them")
{
    for (std::size_t n = 0; n <= 20; ++n) {
        for (std::size_t after : {0, 1, 15, 16, 17}) {
            // Bytes >= 0x80 right after the string (a second Update with a Binary payload of them)
            // must not count against it.
            std::string tail;
            if (after > 0) {
                std::string junk(after, '\xE9');
                tail = unhex("04 00 01 05 01 00 04") + varint(std::uint64_t(after)) + junk + unhex("00");
            }
            std::string ascii(n, 'a');
            result ok = run(update_string(ascii) + tail);
            INFO("n " << n << " after " << after);
            REQUIRE_FALSE(ok.ec);
            if (n >= 2) {
                // A valid two-byte letter at the end, and a stray continuation byte at every position.
                std::string accented = std::string(n - 2, 'b') + "\xC3\xA9";
                CHECK_FALSE(run(update_string(accented) + tail).ec);
            }
            const std::size_t str_at = update_string("").size() - 1;
            for (std::size_t k = 0; k < n; ++k) {
                std::string bad = ascii;
                bad[k] = '\x80';
                result r = run(update_string(bad) + tail);
                CHECK(r.ec == make_error_code(E::invalid_utf8));
                CHECK(r.where.offset == str_at + k);
            }
        }
    }
}

TEST_CASE("fast path: interned names up to 16 bytes at the end of the input are checked and hashed alike")
{
    for (std::size_t n = 1; n <= 18; ++n) {
        std::string name;
        for (std::size_t k = 0; k < n; ++k)
            name += static_cast<char>('a' + (k * 7 + n) % 26);
        const std::string first = unhex("3F 00") + varint(std::uint64_t(n)) + name;
        // The first copy has more than 16 bytes after it (loaded wide), the second ends the input.
        std::string filler;
        for (std::uint32_t i = 1; i <= 40; ++i)
            filler += unhex("3F") + varint(i) + varint(std::uint64_t(3)) + "z" + std::to_string(100 + i).substr(1);
        const std::string dup = unhex("3F 29") + varint(std::uint64_t(n)) + name;
        INFO("n " << n);
        result r = run(first + filler + dup);
        CHECK(r.ec == make_error_code(E::duplicate_intern_string));
        CHECK(r.where.offset == first.size() + filler.size() + 2);
        // Without the duplicate all 41 strings (past the table's first growth) are accepted.
        result ok = run(first + filler);
        CHECK_FALSE(ok.ec);
        CHECK(ok.v.strings.size() == 41);
        // A non-ASCII byte in a short name at the end of the input.
        std::string bad = name;
        bad[n - 1] = '\xFF';
        result b = run(first + filler + unhex("3F 29") + varint(std::uint64_t(n)) + bad);
        CHECK(b.ec == make_error_code(E::invalid_utf8));
        CHECK(b.where.offset == first.size() + filler.size() + 2 + 1 + (n - 1));
    }
}

TEST_CASE("fast path: varints of 3 to 10 bytes read with one 8-byte load agree with the byte loop")
{
    // Every length, for values and for over-long, sign, overflow and truncated forms, once with 8 or
    // more bytes readable from the start (the one-load reader) and once with exactly the form's bytes
    // (the byte loop), at the start and after one byte of something else.
    auto check = [](const std::string& form, std::size_t want_used, bool want_ok, std::int64_t want, E want_err,
                    bool ends_input = false) {
        for (std::size_t pad : {std::size_t(0), std::size_t(1), std::size_t(7), std::size_t(8), std::size_t(16)}) {
            if (ends_input && pad > 0)
                continue;
            for (std::size_t lead : {std::size_t(0), std::size_t(1)}) {
                const std::string buf = std::string(lead, '\x05') + form + std::string(pad, '\xFF');
                const auto* b = reinterpret_cast<const std::uint8_t*>(buf.data());
                const std::uint8_t* p = b + lead;
                std::int64_t v = 0;
                INFO("form bytes " << form.size() << " pad " << pad << " lead " << lead);
                E e = rc::decode_varint(p, b + buf.size(), v);
                if (want_ok) {
                    CHECK(e == E{});
                    CHECK(v == want);
                    CHECK(std::size_t(p - (b + lead)) == want_used);
                }
                else {
                    CHECK(e == want_err);
                    CHECK(p == b + lead); // the cursor stays at the varint
                }
            }
        }
    };
    for (int bits = 13; bits <= 63; ++bits) {
        for (std::int64_t d : {-1, 0, 1}) {
            for (int neg = 0; neg < 2; ++neg) {
                std::int64_t m = (std::int64_t(1) << (bits - 1)) + d + (bits == 63 ? std::int64_t(0) : (std::int64_t(1) << (bits - 1)) - 1);
                std::int64_t v = neg ? ~m : m;
                std::string form = varint(v);
                check(form, form.size(), true, v, E{});
                // The same magnitude one byte longer (the sign moved to a last byte adding nothing):
                // over-long.
                std::string longer = form;
                longer.back() = static_cast<char>((static_cast<unsigned char>(longer.back()) & 0x3F) | 0x80);
                longer += static_cast<char>(neg ? 0x40 : 0x00);
                if (longer.size() <= 10)
                    check(longer, 0, false, 0, E::varint_non_minimal);
                // Cut short at the end of the input: truncated.
                check(form.substr(0, form.size() - 1), 0, false, 0, E::truncated, true);
            }
        }
    }
    // 9- and 10-byte forms: the largest magnitudes, and the limits of the 10th byte.
    check(unhex("FF FF FF FF FF FF FF FF FF 00"), 10, true, INT64_MAX, E{});
    check(unhex("FF FF FF FF FF FF FF FF FF 40"), 10, true, INT64_MIN, E{});
    check(unhex("FF FF FF FF FF FF FF FF 3F"), 9, true, (std::int64_t(1) << 62) - 1, E{});
    check(unhex("FF FF FF FF FF FF FF FF FF 01"), 0, false, 0, E::varint_overflow);
    check(unhex("FF FF FF FF FF FF FF FF FF 80"), 0, false, 0, E::varint_too_long);
    check(unhex("80 80 80 80 80 80 80 80 00"), 0, false, 0, E::varint_non_minimal);
    check(unhex("80 80 80 80 80 80 80 00"), 0, false, 0, E::varint_non_minimal);
    check(unhex("C0 80 80 80 80 80 80 00"), 0, false, 0, E::varint_non_minimal);
    check(unhex("80 80 80 80 80 80 C0 00"), 8, true, std::int64_t(0x40) << 42, E{});
    check(unhex("80 80 80 80 80 80 C0 40"), 8, true, ~(std::int64_t(0x40) << 42), E{});
    // Unsigned fields: a sign in the 8th byte.
    {
        const std::string buf = unhex("81 80 80 80 80 80 80 41") + std::string(8, '\0');
        const auto* b = reinterpret_cast<const std::uint8_t*>(buf.data());
        const std::uint8_t* p = b;
        std::uint64_t u = 0;
        CHECK(rc::decode_varint(p, b + buf.size(), u) == E::varint_sign_on_unsigned);
        CHECK(p == b);
    }
}

TEST_CASE("the path of an instruction without one is empty, also after the string table grew")
{
    // Update T[5].f["k"] = 1 (a path with a key), then enough InternStrings to grow the string table
    // (a reallocation), then CreateObject T[6] and EraseTable T: a visitor walking every instruction's
    // path must find nothing there (a left-over path would point into the old table).
    std::string bytes = TF + unhex("3F 02 01 6B") + unhex("04 00 01 05 01 01 40 02 01 02 00");
    for (std::uint32_t i = 3; i < 200; ++i)
        bytes += unhex("3F") + varint(i) + varint(std::uint64_t(4)) + "s" + std::to_string(1000 + i).substr(1);
    bytes += unhex("02 00 01 06") + unhex("01 00");
    struct walker {
        std::vector<std::size_t> path_sizes;
        std::size_t keys = 0;
        void intern_string(std::uint32_t, std::string_view) {}
        void instruction(const rc::instruction_view& in)
        {
            std::size_t n = 0;
            for (const auto& e : in.path) {
                ++n;
                keys += e.is_index ? 0 : e.key.str.size();
            }
            path_sizes.push_back(n);
        }
    };
    rc::decoder d;
    for (int round = 0; round < 2; ++round) { // a fresh decoder, then one whose table has the capacity
        walker w;
        std::error_code ec;
        realmwire::error_info where;
        REQUIRE(d.decode(bytes, w, ec, where));
        CHECK(w.path_sizes == std::vector<std::size_t>{1, 0, 0});
        CHECK(w.keys == 1); // "k"
    }
}
