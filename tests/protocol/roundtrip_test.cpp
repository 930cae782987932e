#include <realmwire/protocol.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

using namespace realmwire::protocol;

namespace {

constexpr std::uint64_t i63 = 9223372036854775807ull; // 2^63-1
constexpr std::uint64_t u64max = std::numeric_limits<std::uint64_t>::max();
constexpr std::int64_t i64min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t i64max = std::numeric_limits<std::int64_t>::max();

template <class T, class V>
struct is_alternative;
template <class T, class... Ts>
struct is_alternative<T, std::variant<Ts...>> : std::disjunction<std::is_same<T, Ts>...> {};

// encode -> decode gives the value back, and encoding the decoded value gives the same bytes.
template <class Message>
Message roundtrip(const Message& m, bool from_client, const decode_options& opts = {}, std::string* keep = nullptr)
{
    // The decoded message views `bytes`; a caller that uses the result passes `keep` to own them.
    std::string local;
    std::string& bytes = keep ? *keep : local;
    bytes = encode(m);
    INFO(bytes.substr(0, 200));
    std::error_code ec;
    Message got{};
    bool decoded = false;
    if constexpr (is_alternative<Message, client_message>::value) {
        if (from_client) {
            client_message d = decode_client_message(bytes, opts, ec);
            REQUIRE_FALSE(ec);
            REQUIRE(std::holds_alternative<Message>(d));
            got = std::get<Message>(d);
            decoded = true;
        }
    }
    if constexpr (is_alternative<Message, server_message>::value) {
        if (!from_client) {
            server_message d = decode_server_message(bytes, opts, ec);
            REQUIRE_FALSE(ec);
            REQUIRE(std::holds_alternative<Message>(d));
            got = std::get<Message>(d);
            decoded = true;
        }
    }
    REQUIRE(decoded);
    CHECK(got == m);
    CHECK(encode(got) == bytes);
    return got;
}

std::string random_bytes(std::size_t n, unsigned seed)
{
    std::mt19937 rng(seed);
    std::string s(n, '\0');
    for (auto& c : s)
        c = static_cast<char>(rng() & 0xff);
    return s;
}

} // namespace

TEST_CASE("client messages round-trip at 0, 2^63-1 and the type's maximum")
{
    for (std::uint64_t v : {std::uint64_t(0), i63, u64max}) {
        for (std::int64_t s : {std::int64_t(0), i64min, i64max, std::int64_t(-1)}) {
            roundtrip(bind_message{v, "/p", "", true, false}, true);
            roundtrip(bind_message{v, std::string(1024, 'x'), std::string(2048, 't'), false, true}, true);
            roundtrip(client_ident_message{v, v, s, v, v, v, s, false, 0, {}}, true);
            decode_options flx;
            flx.mode = sync_mode::flx;
            roundtrip(client_ident_message{v, v, s, v, v, v, s, true, i64max, "{}"}, true, flx);
            roundtrip(client_ident_message{v, v, s, v, v, v, s, true, 0, ""}, true, flx);
            roundtrip(query_message{v, i64max, "{\"Person\":\"(age > 3)\"}"}, true);
            roundtrip(query_message{v, 0, ""}, true);
            roundtrip(json_error_message{0, v, ""}, true);
            roundtrip(json_error_message{std::numeric_limits<int>::max(), v, "{\"message\":\"x\"}"}, true);
            roundtrip(test_command_message{v, v, ""}, true);
            roundtrip(refresh_message{v, "token"}, true);
            roundtrip(refresh_message{v, ""}, true);
        }
        roundtrip(mark_message{v, v}, true);
        roundtrip(unbind_message{v}, true);
        upload_message up;
        up.session_ident = up.progress_client_version = up.progress_server_version = up.locked_server_version = v;
        set_uncompressed_body(up, "");
        roundtrip(up, true);
    }
    roundtrip(ping_message{0, 0}, true);
    roundtrip(ping_message{i63, i63}, true);
}

TEST_CASE("server messages round-trip at 0, 2^63-1 and the type's maximum")
{
    for (std::uint64_t v : {std::uint64_t(0), i63, u64max}) {
        for (std::int64_t s : {std::int64_t(0), i64min, i64max}) {
            roundtrip(server_ident_message{v, v, s}, false);
            roundtrip(error_message{204, false, v, "Illegal Realm path (BIND)"}, false);
            roundtrip(error_message{100, true, v, ""}, false);
            roundtrip(json_error_message{231, v, "{}"}, false);
            roundtrip(query_error_message{226, v, i64max, "bad query"}, false);
            roundtrip(query_error_message{0, v, 0, ""}, false);
            roundtrip(log_message{v, ""}, false);
            roundtrip(test_command_message{v, v, "{\"command\":\"ECHO_ERROR\"}"}, false);

            download_message d;
            d.session_ident = d.download_server_version = d.download_client_version = v;
            d.latest_server_version = d.upload_client_version = d.upload_server_version = v;
            d.latest_server_version_salt = s;
            d.downloadable_bytes = i63;
            set_uncompressed_body(d, "");
            roundtrip(d, false);
        }
        roundtrip(mark_message{v, v}, false);
        roundtrip(unbound_message{v}, false);
    }
    roundtrip(pong_message{0}, false);
    roundtrip(pong_message{i63}, false);
}

TEST_CASE("FLX DOWNLOAD forms: progress estimate (v12+), batch state, pre-12 downloadable_bytes")
{
    decode_options flx;
    flx.mode = sync_mode::flx;
    download_message d;
    d.session_ident = 7;
    d.form = download_form::flx;
    d.query_version = i64max;
    set_uncompressed_body(d, "");
    for (auto b : {batch_state::more_to_come, batch_state::last_in_batch, batch_state::steady_state}) {
        for (double p : {0.0, 1.0, 0.5, 0.1, 1e-05, 0.3333333333333333, 123456.75}) {
            d.batch = b;
            d.progress_estimate = p;
            roundtrip(d, false, flx);
        }
    }
    d.progress_estimate = 0.25;
    CHECK(encode(d) == "download 7 0 0 0 0 0 0 9223372036854775807 2 0.25 0 0 0\n");

    // An integer in the estimate's place (what a pre-12 server wrote) still reads as a number.
    std::error_code ec;
    auto m = decode_server_message("download 1 0 0 0 0 0 0 3 1 0 0 0 0\n", flx, ec);
    REQUIRE_FALSE(ec);
    CHECK(std::get<download_message>(m).progress_estimate == 0.0);
    CHECK(std::get<download_message>(m).batch == batch_state::last_in_batch);

    decode_options v11 = flx;
    v11.protocol_version = 11;
    download_message old;
    old.form = download_form::flx_downloadable_bytes;
    old.query_version = 4;
    old.batch = batch_state::more_to_come;
    old.downloadable_bytes = i63;
    set_uncompressed_body(old, "");
    roundtrip(old, false, v11);
}

TEST_CASE("UPLOAD and DOWNLOAD bodies just under and over the 1024-byte compression threshold")
{
    for (std::size_t size : {std::size_t(0), std::size_t(1000), std::size_t(1024), std::size_t(1025), std::size_t(5000)}) {
        for (bool compressible : {true, false}) {
            INFO("body size " << size << (compressible ? " compressible" : " random"));
            // One entry whose changeset fills the body to exactly `size` bytes.
            std::string body;
            if (size > 0) {
                std::string head = "5 3 375595300000 0 ";
                std::size_t cs = 0;
                // size = len(head) + len(str(cs)) + 1 + cs
                for (cs = size; cs > 0; --cs) {
                    if (head.size() + std::to_string(cs).size() + 1 + cs == size)
                        break;
                }
                REQUIRE(cs > 0);
                std::string changeset = compressible ? std::string(cs, 'a') : random_bytes(cs, unsigned(size));
                append_entry(body, upload_entry{5, 3, 375595300000, 0, changeset});
                REQUIRE(body.size() == size);
            }
            upload_message up;
            up.session_ident = 1;
            up.progress_client_version = 5;
            std::string scratch;
            std::error_code ec;
            compress_body(up, body, scratch, ec);
            REQUIRE_FALSE(ec);
            CHECK(up.uncompressed_body_size == size);
            bool expect_compressed = size > 1024 && compressible;
            CHECK(up.is_body_compressed == expect_compressed);
            if (up.is_body_compressed)
                CHECK(up.compressed_body_size < size);
            else
                CHECK(up.compressed_body_size == 0);
            std::string wire;
            auto got = roundtrip(up, true, {}, &wire);
            std::string buffer;
            CHECK(decompress_body(got, buffer) == body);
            CHECK(got.entries.size() == (size > 0 ? 1u : 0u));

            // The same body as a DOWNLOAD (entries have one more field, but the rule is the same).
            std::string dbody;
            if (size > 0)
                append_entry(dbody, download_entry{9, 5, 1, 2, 77, std::string(size, 'z')});
            download_message d;
            d.session_ident = 1;
            compress_body(d, dbody, scratch, ec);
            REQUIRE_FALSE(ec);
            std::string dwire;
            auto dgot = roundtrip(d, false, {}, &dwire);
            CHECK(decompress_body(dgot, buffer) == dbody);
            CHECK(dgot.is_body_compressed == (dbody.size() > 1024));
        }
    }
}

TEST_CASE("entries iterate as views into the body, in order")
{
    std::string body;
    std::vector<std::string> changesets = {"", "x", std::string(300, '\n'), "3 4 5 "};
    std::uint64_t v = 1;
    for (const auto& c : changesets)
        append_entry(body, download_entry{v++, 0, 0, 2, c.size(), c});
    std::error_code ec;
    auto entries = parse_download_entries(body, ec);
    REQUIRE_FALSE(ec);
    REQUIRE(entries.size() == 4);
    std::size_t i = 0;
    for (const auto& e : entries) {
        CHECK(e.server_version == i + 1);
        CHECK(e.changeset == changesets[i]);
        CHECK(e.changeset.data() >= body.data());
        CHECK(e.changeset.data() + e.changeset.size() <= body.data() + body.size());
        ++i;
    }
    CHECK(i == 4);
}

TEST_CASE("the variant encoder and message_name cover every type")
{
    client_message c = ping_message{1, 2};
    CHECK(message_name(c) == "ping");
    std::string out;
    std::error_code ec;
    encode(c, out, ec);
    CHECK(out == "ping 1 2\n");
    server_message s = pong_message{1};
    CHECK(message_name(s) == "pong");
    out.clear();
    encode(s, out, ec);
    CHECK(out == "pong 1\n");
    CHECK(encode(bind_message{999123, "server/path", "token_string", false, true}) ==
          "bind 999123 11 12 0 1\nserver/pathtoken_string");
    CHECK(encode(client_ident_message{234888, 999123, 123999, 3, 4, 1, 2, false, 0, {}}) ==
          "ident 234888 999123 123999 3 4 1 2\n");
    CHECK(encode(query_message{238881, 5, "{\"table\": \"(key < value)\"}"}) ==
          "query 238881 5 26\n{\"table\": \"(key < value)\"}");
}

TEST_CASE("encoders refuse values the decoder would refuse, leaving the buffer untouched")
{
    std::string out = "keep";
    std::error_code ec;
    upload_message up;
    up.uncompressed_body_size = 3; // but body is empty
    encode(up, out, ec);
    CHECK(ec == realmwire::message_error::invalid_message);
    CHECK(out == "keep");
    encode(ping_message{i63 + 1, 0}, out, ec);
    CHECK(ec == realmwire::message_error::invalid_message);
    encode(query_message{1, -1, ""}, out, ec);
    CHECK(ec == realmwire::message_error::invalid_message);
    download_message d;
    d.form = download_form::flx;
    d.progress_estimate = -0.5;
    encode(d, out, ec);
    CHECK(ec == realmwire::message_error::invalid_message);
    CHECK(out == "keep");
    CHECK_THROWS_AS(encode(up), realmwire::system_error);
}
