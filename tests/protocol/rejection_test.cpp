#include <realmwire/protocol.hpp>

#include <catch2/catch.hpp>

#include <string>

using namespace realmwire::protocol;
using realmwire::message_error;

namespace {

std::error_code client_error(std::string_view bytes, const decode_options& opts = {}, realmwire::error_info* info = nullptr)
{
    std::error_code ec;
    decode_client_message(bytes, opts, ec, info);
    return ec;
}
std::error_code server_error(std::string_view bytes, const decode_options& opts = {}, realmwire::error_info* info = nullptr)
{
    std::error_code ec;
    decode_server_message(bytes, opts, ec, info);
    return ec;
}

std::string compressed(std::string_view body)
{
    std::string z;
    std::error_code ec;
    zlib_compress(body, z, ec);
    REQUIRE_FALSE(ec);
    return z;
}

std::string upload_with(std::string_view zbody, std::size_t declared)
{
    return "upload 1 1 " + std::to_string(declared) + " " + std::to_string(zbody.size()) + " 2 0 0\n" + std::string(zbody);
}

} // namespace

TEST_CASE("truncated and oversized heads")
{
    CHECK(client_error("") == message_error::empty_message);
    CHECK(client_error("mark 1 1") == message_error::truncated_head);
    CHECK(client_error("mark 1 ") == message_error::truncated_head);
    CHECK(client_error("upload 1 0 0 0 1 0") == message_error::truncated_head);
    CHECK(server_error("download 1 2 3") == message_error::truncated_head);
    decode_options small;
    small.limits.max_head_size = 16;
    CHECK(client_error("mark 12345678901 1\n", small) == message_error::head_too_long);
    CHECK(client_error("mark 1 1\n", small).value() == 0);
    small.limits.max_message_size = 8;
    CHECK(client_error("mark 1 1\n", small) == message_error::message_too_long);
}

TEST_CASE("single spaces only, LF only, exact field count")
{
    CHECK(client_error("mark  1 1\n") == message_error::bad_delimiter);
    CHECK(client_error("mark 1  1\n") == message_error::bad_delimiter);
    CHECK(client_error(" mark 1 1\n") == message_error::bad_delimiter);
    CHECK(client_error("mark 1 1 \n") == message_error::extra_field);
    CHECK(client_error("mark 1 1 2\n") == message_error::extra_field);
    CHECK(client_error("mark 1\n") == message_error::missing_field);
    CHECK(client_error("unbind\n") == message_error::missing_field);
    CHECK(client_error("mark 1\t1\n") == message_error::bad_delimiter);
    CHECK(client_error("mark 1 1\r\n") == message_error::bad_delimiter);
    CHECK(client_error("mark 1\r 1\n") == message_error::bad_delimiter);
    CHECK(server_error("pong 5\r\n") == message_error::bad_delimiter);
    CHECK(client_error("mark 1x 1\n") == message_error::bad_delimiter);
    CHECK(client_error("mark x 1\n") == message_error::bad_integer);
    CHECK(client_error("mark +1 1\n") == message_error::bad_integer);
}

TEST_CASE("integers: no sign on unsigned fields, no leading zeros, no overflow, domains")
{
    CHECK(client_error("mark -1 1\n") == message_error::negative_value);
    CHECK(client_error("upload -1 0 0 0 0 0 0\n") == message_error::negative_value);
    CHECK(server_error("download 1 -2 0 0 0 0 0 0 0 0 0\n") == message_error::negative_value);
    // Salts are signed: a negative salt is fine, but not "-0", a lone "-" or beyond int64.
    CHECK(server_error("ident 1 2 -5\n").value() == 0);
    CHECK(server_error("ident 1 2 -9223372036854775808\n").value() == 0);
    CHECK(server_error("ident 1 2 -9223372036854775809\n") == message_error::integer_overflow);
    CHECK(server_error("ident 1 2 9223372036854775808\n") == message_error::integer_overflow);
    CHECK(server_error("ident 1 2 -0\n") == message_error::bad_integer);
    CHECK(server_error("ident 1 2 -\n") == message_error::bad_integer);
    // realm-core accepts leading zeros (from_chars) but never writes them: rejected unless allowed.
    CHECK(client_error("mark 01 1\n") == message_error::leading_zero);
    CHECK(client_error("mark 1 00\n") == message_error::leading_zero);
    CHECK(client_error("mark 0 0\n").value() == 0);
    decode_options lenient;
    lenient.allow_leading_zeros = true;
    {
        std::error_code ec;
        auto m = decode_client_message("mark 007 1\n", lenient, ec);
        REQUIRE_FALSE(ec);
        CHECK(std::get<mark_message>(m).session_ident == 7);
    }
    CHECK(client_error("mark 18446744073709551615 1\n").value() == 0);
    CHECK(client_error("mark 18446744073709551616 1\n") == message_error::integer_overflow);
    CHECK(client_error("mark 99999999999999999999999 1\n") == message_error::integer_overflow);
    // Fields typed int64 by realm-core: at most 2^63-1.
    CHECK(client_error("ping 9223372036854775807 0\n").value() == 0);
    CHECK(client_error("ping 9223372036854775808 0\n") == message_error::value_out_of_range);
    CHECK(server_error("pong 9223372036854775808\n") == message_error::value_out_of_range);
    CHECK(client_error("query 1 9223372036854775808 0\n") == message_error::value_out_of_range);
    // Booleans are 0 or 1.
    CHECK(client_error("bind 1 1 0 2 0\n/") == message_error::value_out_of_range);
    CHECK(client_error("upload 1 2 0 0 0 0 0\n") == message_error::value_out_of_range);
    CHECK(server_error("error 204 0 2 1\n") == message_error::value_out_of_range);
    // Error codes are non-negative ints.
    CHECK(server_error("error 2147483648 0 0 1\n") == message_error::value_out_of_range);
    CHECK(server_error("error -1 0 0 1\n") == message_error::negative_value);
}

TEST_CASE("unknown message types are 102, everything else in the head 103")
{
    auto ec = client_error("hello 1\n");
    CHECK(ec == message_error::unknown_message_type);
    CHECK(realmwire::to_protocol_error_code(ec) == 102);
    // Direction matters: a server message sent by a client is unknown, and vice versa.
    CHECK(client_error("download 1 0 0 0 0 0 0 0 0 0 0\n") == message_error::unknown_message_type);
    CHECK(client_error("pong 1\n") == message_error::unknown_message_type);
    CHECK(server_error("bind 1 1 0 1 0\n/") == message_error::unknown_message_type);
    CHECK(server_error("refresh 1 0\n") == message_error::unknown_message_type);
    CHECK(client_error("UPLOAD 1 0 0 0 0 0 0\n") == message_error::unknown_message_type);
    // Messages realm-core removed are unknown too.
    CHECK(client_error("alloc 1\n") == message_error::unknown_message_type);
    CHECK(server_error("alloc 1 2\n") == message_error::unknown_message_type);
    CHECK(realmwire::to_protocol_error_code(client_error("mark  1 1\n")) == 103);
    CHECK(realmwire::to_protocol_error_code(client_error("mark 1 1")) == 103);
}

TEST_CASE("declared sizes against the bytes present")
{
    CHECK(client_error("bind 1 5 0 1 0\n/tes") == message_error::body_truncated);
    CHECK(client_error("bind 1 3 0 1 0\n/test") == message_error::leftover_data);
    CHECK(client_error("bind 1 5 4 1 0\n/test") == message_error::body_truncated);
    CHECK(client_error("mark 1 1\nx") == message_error::leftover_data);
    CHECK(client_error("query 1 1 99999999999\n{}") == message_error::body_truncated);
    CHECK(client_error("query 1 1 18446744073709551615\n{}") == message_error::body_truncated);
    CHECK(server_error("error 204 26 0 1\nIllegal Realm path (BIND)") == message_error::body_truncated);
    CHECK(server_error("log_message 0 1\n{}") == message_error::leftover_data);
    CHECK(client_error("upload 1 0 10 0 1 0 0\nabc") == message_error::body_truncated);
    CHECK(client_error("upload 1 0 1 0 1 0 0\nabc") == message_error::leftover_data);
    CHECK(client_error("upload 1 0 0 5 1 0 0\n") == message_error::inconsistent_body_sizes);
    CHECK(client_error("upload 1 1 100 10 1 0 0\nabc") == message_error::body_truncated);
    CHECK(client_error("upload 1 1 100 1 1 0 0\nabc") == message_error::leftover_data);
    CHECK(server_error("download 1 0 0 0 0 0 0 0 1 100 5000\nabc") == message_error::body_truncated);

    realmwire::error_info info;
    CHECK(client_error("bind 1 5 0 1 0\n/tes", {}, &info) == message_error::body_truncated);
    CHECK(info.field == "path");
    CHECK(info.offset == 15);
    CHECK(client_error("mark 1 01\n", {}, &info) == message_error::leading_zero);
    CHECK(info.field == "request_ident");
    CHECK(info.offset == 7);
}

TEST_CASE("BIND path and token limits (realm-core server: path 1..1024, token <= 2048)")
{
    CHECK(client_error("bind 1 0 0 1 0\n") == message_error::bind_path_size);
    CHECK(client_error("bind 1 1025 0 1 0\n" + std::string(1025, 'p')) == message_error::bind_path_size);
    CHECK(client_error("bind 1 1024 0 1 0\n" + std::string(1024, 'p')).value() == 0);
    CHECK(client_error("bind 1 1 2049 1 0\n/" + std::string(2049, 't')) == message_error::token_too_long);
    CHECK(client_error("bind 1 1 2048 1 0\n/" + std::string(2048, 't')).value() == 0);
    CHECK(client_error("refresh 1 2049\n" + std::string(2049, 't')) == message_error::token_too_long);
    // FLX sends empty JSON data as size 0.
    decode_options flx;
    flx.mode = sync_mode::flx;
    CHECK(client_error("bind 1 0 0 1 0\n", flx).value() == 0);
    // The limit is checked before the bytes are looked at.
    CHECK(client_error("bind 1 99999999 0 1 0\n") == message_error::bind_path_size);
    CHECK(realmwire::to_protocol_error_code(client_error("bind 1 0 0 1 0\n")) == 103);
}

TEST_CASE("ERROR with a code realm-core does not know")
{
    CHECK(server_error("error 213 0 0 1\n") == message_error::unknown_error_code);
    CHECK(server_error("error 299 0 0 1\n") == message_error::unknown_error_code);
    decode_options lenient;
    lenient.allow_unknown_error_codes = true;
    CHECK(server_error("error 299 0 0 1\n", lenient).value() == 0);
}

TEST_CASE("FLX DOWNLOAD fields")
{
    decode_options flx;
    flx.mode = sync_mode::flx;
    CHECK(server_error("download 1 0 0 0 0 0 0 0 2 0.5 0 0 0\n", flx).value() == 0);
    CHECK(server_error("download 1 0 0 0 0 0 0 0 3 0.5 0 0 0\n", flx) == message_error::value_out_of_range);
    CHECK(server_error("download 1 0 0 0 0 0 0 -1 2 0.5 0 0 0\n", flx) == message_error::negative_value);
    CHECK(server_error("download 1 0 0 0 0 0 0 0 2 -0.5 0 0 0\n", flx) == message_error::negative_value);
    CHECK(server_error("download 1 0 0 0 0 0 0 0 2 nan 0 0 0\n", flx) == message_error::bad_integer);
    CHECK(server_error("download 1 0 0 0 0 0 0 0 2 1e999 0 0 0\n", flx) == message_error::bad_float);
    CHECK(server_error("download 1 0 0 0 0 0 0 0 2 0.5.5 0 0 0\n", flx) == message_error::bad_float);
    CHECK(server_error("download 1 0 0 0 0 0 0 0 2 0.5x 0 0 0\n", flx) == message_error::bad_delimiter);
    CHECK(server_error("download 1 0 0 0 0 0 0 0 2 00.5 0 0 0\n", flx) == message_error::leading_zero);
    decode_options v13 = flx;
    v13.protocol_version = 13; // batch field was the bool last_in_batch
    CHECK(server_error("download 1 0 0 0 0 0 0 0 2 0.5 0 0 0\n", v13) == message_error::value_out_of_range);
    CHECK(server_error("download 1 0 0 0 0 0 0 0 1 0.5 0 0 0\n", v13).value() == 0);
    // The PBS form has one field fewer than FLX.
    CHECK(server_error("download 1 0 0 0 0 0 0 0 0 0 0 0\n") == message_error::extra_field);
    CHECK(server_error("download 1 0 0 0 0 0 0 0 2 0.5 0 0 0\n") == message_error::value_out_of_range);
    CHECK(server_error("download 1 0 0 0 0 0 0 0 0 0 0\n", flx) == message_error::missing_field);
}

TEST_CASE("changeset entries: header syntax is 111, sizes 112")
{
    auto upload = [](std::string body) {
        return "upload 1 0 " + std::to_string(body.size()) + " 0 1 0 0\n" + body;
    };
    auto download = [](std::string body) {
        return "download 1 1 0 1 5 0 0 0 0 " + std::to_string(body.size()) + " 0\n" + body;
    };
    CHECK(client_error(upload("1 0 0 0 3 abc")).value() == 0);
    CHECK(client_error(upload("1 0 0 0 3 abc2 0 0 0 0 ")).value() == 0);
    auto ec = client_error(upload("1 0 0 0 x abc"));
    CHECK(ec == message_error::bad_changeset_header);
    CHECK(realmwire::to_protocol_error_code(ec) == 111);
    CHECK(client_error(upload("1 0 0 0 3abc")) == message_error::bad_changeset_header);
    CHECK(client_error(upload("1 0  0 0 3 abc")) == message_error::bad_changeset_header);
    CHECK(client_error(upload("1 0 0 0")) == message_error::bad_changeset_header);
    CHECK(client_error(upload("1 0 0 0 3 abc1")) == message_error::bad_changeset_header);
    CHECK(client_error(upload("1 -1 0 0 3 abc")) == message_error::bad_changeset_header);
    CHECK(client_error(upload("01 0 0 0 3 abc")) == message_error::bad_changeset_header);
    ec = client_error(upload("1 0 0 0 4 abc"));
    CHECK(ec == message_error::bad_changeset_size);
    CHECK(realmwire::to_protocol_error_code(ec) == 112);
    CHECK(client_error(upload("1 0 0 0 18446744073709551615 abc")) == message_error::bad_changeset_size);
    CHECK(server_error(download("1 0 0 2 3 3 abc")).value() == 0);
    CHECK(server_error(download("1 0 0 2 3 4 abc")) == message_error::bad_changeset_size);
    CHECK(server_error(download("1 0 0 2 3 abc")) == message_error::bad_changeset_header);
    CHECK(server_error(download("0 0 0 2 3 3 abc")) == message_error::zero_server_version);
}

TEST_CASE("compressed bodies: wrong declared size, corruption, trailing bytes, a zlib bomb")
{
    std::string body;
    for (int i = 0; i < 40; ++i)
        append_entry(body, upload_entry{std::uint64_t(i + 1), 0, 284000000000, 0, std::string(34, char('A' + i % 26))});
    REQUIRE(body.size() > 1024);
    std::string z = compressed(body);
    std::string buffer;
    std::error_code ec;

    auto decode_and_inflate = [&](const std::string& wire, const message_limits& limits = {}) {
        std::error_code e;
        auto m = decode_client_message(wire, decode_options{}, e);
        if (e)
            return e;
        decompress_body(std::get<upload_message>(m), buffer, limits, e);
        return e;
    };

    CHECK(decode_and_inflate(upload_with(z, body.size())).value() == 0);
    ec = decode_and_inflate(upload_with(z, body.size() - 1));
    CHECK(ec == message_error::decompressed_size_mismatch);
    CHECK(realmwire::to_protocol_error_code(ec) == 110);
    CHECK(decode_and_inflate(upload_with(z, body.size() + 1)) == message_error::decompressed_size_mismatch);
    CHECK(decode_and_inflate(upload_with(z, 0)) == message_error::decompressed_size_mismatch);

    std::string corrupt = z;
    corrupt[corrupt.size() / 2] = static_cast<char>(corrupt[corrupt.size() / 2] ^ 0x55);
    CHECK(decode_and_inflate(upload_with(corrupt, body.size())) == message_error::decompression_failed);
    std::string bad_adler = z;
    bad_adler.back() = static_cast<char>(bad_adler.back() ^ 1);
    CHECK(decode_and_inflate(upload_with(bad_adler, body.size())) == message_error::decompression_failed);
    CHECK(decode_and_inflate(upload_with(z.substr(0, z.size() - 5), body.size())) == message_error::decompression_failed);
    CHECK(decode_and_inflate(upload_with(z + "x", body.size())) == message_error::decompression_failed);
    CHECK(decode_and_inflate(upload_with("", body.size())) == message_error::decompression_failed);
    CHECK(decode_and_inflate(upload_with("not zlib at all", body.size())) == message_error::decompression_failed);

    // A bomb: 64 MiB of zeros in ~290 KiB (level 1). Declared honestly it exceeds the limit and is refused before
    // anything is allocated (by the decoder already); declared small, inflation stops at the declared
    // size and reports the mismatch, with a buffer of the declared size only.
    std::string zeros(64u * 1024 * 1024, '\0');
    std::string bomb = compressed(zeros);
    zeros.clear();
    zeros.shrink_to_fit();
    CHECK(bomb.size() < 512 * 1024);
    message_limits limits;
    limits.max_decompressed_size = 16u * 1024 * 1024;
    decode_options opts;
    opts.limits = limits;
    std::string wire = upload_with(bomb, 64u * 1024 * 1024);
    CHECK(client_error(wire, opts) == message_error::decompressed_size_limit);
    CHECK(realmwire::to_protocol_error_code(client_error(wire, opts)) == 110);
    // Past the decoder (default limit 64 MiB), decompress_body applies its own limit too.
    {
        std::error_code e;
        auto m = std::get<upload_message>(decode_client_message(wire, decode_options{}, e));
        REQUIRE_FALSE(e);
        std::string small_buffer;
        decompress_body(m, small_buffer, limits, e);
        CHECK(e == message_error::decompressed_size_limit);
        CHECK(small_buffer.capacity() < 1024 * 1024);
    }
    CHECK(decode_and_inflate(upload_with(bomb, 4096)) == message_error::decompressed_size_mismatch);
    CHECK(buffer.size() == 4096);

    // A preset dictionary (FDICT) is not supported: zlib asks for it, we refuse.
    std::string fdict = "\x78\xbb\x00\x00\x00\x01" + z.substr(2);
    CHECK(decode_and_inflate(upload_with(fdict, body.size())) == message_error::decompression_failed);
}

TEST_CASE("every decode error maps onto one of the protocol's own codes")
{
    using E = message_error;
    CHECK(realmwire::to_protocol_error_code(E::unknown_message_type) == 102);
    for (E e : {E::empty_message, E::truncated_head, E::head_too_long, E::message_too_long, E::bad_delimiter,
                E::missing_field, E::extra_field, E::bad_integer, E::negative_value, E::leading_zero,
                E::integer_overflow, E::value_out_of_range, E::bad_float, E::unknown_error_code, E::body_truncated,
                E::leftover_data, E::inconsistent_body_sizes, E::bind_path_size, E::token_too_long, E::json_syntax,
                E::json_not_object, E::json_missing_key, E::json_wrong_type, E::json_bad_value})
        CHECK(realmwire::to_protocol_error_code(e) == 103);
    for (E e : {E::decompression_failed, E::decompressed_size_mismatch, E::decompressed_size_limit})
        CHECK(realmwire::to_protocol_error_code(e) == 110);
    CHECK(realmwire::to_protocol_error_code(E::bad_changeset_header) == 111);
    CHECK(realmwire::to_protocol_error_code(E::zero_server_version) == 111);
    CHECK(realmwire::to_protocol_error_code(E::bad_changeset_size) == 112);
    CHECK(realmwire::to_protocol_error_code(std::make_error_code(std::errc::invalid_argument)) == 101);
    std::error_code ec = E::head_too_long;
    CHECK(ec == realmwire::condition::limit_exceeded);
    ec = E::bad_delimiter;
    CHECK(ec == realmwire::condition::malformed_input);
    CHECK(std::string(ec.category().name()) == "realmwire.message");
    CHECK_THROWS_AS(decode_client_message("mark 1 1"), realmwire::system_error);
    try {
        decode_client_message("mark 1 x\n");
    }
    catch (const realmwire::system_error& e) {
        CHECK(e.code() == E::bad_integer);
        CHECK(e.info().field == "request_ident");
        CHECK(e.info().offset == 7);
    }
}
