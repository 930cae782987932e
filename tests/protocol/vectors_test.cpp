#include <realmwire/protocol.hpp>

#include "protocol/session_vectors.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <variant>

using namespace realmwire::protocol;
using realmwire_test::captured_message;

namespace {

using field_map = std::map<std::string, std::string>;

// The header fields of a decoded message under the transcript's names (realm-core's).
struct fields_of {
    field_map f;
    template <class T>
    void put(const char* k, T v) { f[k] = std::to_string(v); }

    void operator()(const bind_message& m)
    {
        put("session_ident", m.session_ident);
        put("path_size", m.path.size());
        put("signed_user_token_size", m.signed_user_token.size());
        put("need_client_file_ident", int(m.need_client_file_ident));
        put("is_subserver", int(m.is_subserver));
    }
    void operator()(const client_ident_message& m)
    {
        put("session_ident", m.session_ident);
        put("client_file_ident", m.client_file_ident);
        put("client_file_ident_salt", m.client_file_ident_salt);
        put("download_server_version", m.download_server_version);
        put("download_client_version", m.download_client_version);
        put("latest_server_version", m.latest_server_version);
        put("latest_server_version_salt", m.latest_server_version_salt);
    }
    void operator()(const upload_message& m)
    {
        put("session_ident", m.session_ident);
        put("is_body_compressed", int(m.is_body_compressed));
        put("uncompressed_body_size", m.uncompressed_body_size);
        put("compressed_body_size", m.compressed_body_size);
        put("progress_client_version", m.progress_client_version);
        put("progress_server_version", m.progress_server_version);
        put("locked_server_version", m.locked_server_version);
    }
    void operator()(const mark_message& m)
    {
        put("session_ident", m.session_ident);
        put("request_ident", m.request_ident);
    }
    void operator()(const server_ident_message& m)
    {
        put("session_ident", m.session_ident);
        put("client_file_ident", m.client_file_ident);
        put("client_file_ident_salt", m.client_file_ident_salt);
    }
    void operator()(const download_message& m)
    {
        put("session_ident", m.session_ident);
        put("download_server_version", m.download_server_version);
        put("download_client_version", m.download_client_version);
        put("latest_server_version", m.latest_server_version);
        put("latest_server_version_salt", m.latest_server_version_salt);
        put("upload_client_version", m.upload_client_version);
        put("upload_server_version", m.upload_server_version);
        put("downloadable_bytes", m.downloadable_bytes);
        put("is_body_compressed", int(m.is_body_compressed));
        put("uncompressed_body_size", m.uncompressed_body_size);
        put("compressed_body_size", m.compressed_body_size);
    }
    void operator()(const error_message& m)
    {
        put("error_code", m.error_code);
        put("message_size", m.message.size());
        put("try_again", int(m.try_again));
        put("session_ident", m.session_ident);
    }
    void operator()(const log_message& m)
    {
        put("session_ident", m.session_ident);
        put("body_size", m.json.size());
    }
    template <class Other>
    void operator()(const Other&)
    {
        FAIL("a message type the captures do not contain");
    }
};

field_map transcript_fields(const realmwire::picojson::value& sync)
{
    field_map f;
    for (const auto& [k, v] : sync.get("fields").get<realmwire::picojson::object>())
        f[k] = v.is<std::int64_t>() ? std::to_string(v.get<std::int64_t>()) : v.to_str();
    return f;
}

template <class Entry>
void check_entries(const entry_range<Entry>& entries, const realmwire::picojson::value& sync, std::vector<std::string>& changesets,
                   std::size_t& next_changeset)
{
    const auto& expected = sync.get("entries").get<realmwire::picojson::array>();
    REQUIRE(entries.size() == expected.size());
    std::size_t i = 0;
    for (const Entry& e : entries) {
        const auto& x = expected.at(i++);
        CHECK(e.client_version == std::uint64_t(x.get("client_version").get<std::int64_t>()));
        CHECK(e.server_version == std::uint64_t(x.get("server_version").get<std::int64_t>()));
        CHECK(e.origin_timestamp == std::uint64_t(x.get("origin_timestamp").get<std::int64_t>()));
        CHECK(e.origin_file_ident == std::uint64_t(x.get("origin_file_ident").get<std::int64_t>()));
        CHECK(e.changeset.size() == std::uint64_t(x.get("changeset_size").get<std::int64_t>()));
        CHECK(std::string(e.changeset) == realmwire_test::from_hex(x.get("changeset_hex").get<std::string>()));
        if constexpr (std::is_same_v<Entry, download_entry>)
            CHECK(e.original_changeset_size == std::uint64_t(x.get("original_changeset_size").get<std::int64_t>()));
        // ... and the changesets file lists the same bytes in transcript order.
        REQUIRE(next_changeset < changesets.size());
        CHECK(std::string(e.changeset) == changesets[next_changeset++]);
    }
}

// Decodes the body, checks entries against the transcript, and rebuilds the message from its entries
// with realm-core's compression rule: the bytes must be the captured ones.
template <class Message>
void check_body(Message m, const captured_message& cap, std::vector<std::string>& changesets, std::size_t& next)
{
    std::string buffer;
    std::error_code ec;
    std::string_view plain = decompress_body(m, buffer, message_limits{}, ec);
    REQUIRE_FALSE(ec);
    CHECK(plain.size() == m.uncompressed_body_size);
    if (m.is_body_compressed) {
        CHECK(cap.sync.get("decompressed_size_matches_header").get<bool>());
        CHECK(std::string(plain) == realmwire_test::from_hex(cap.sync.get("decompressed_body_hex").get<std::string>()));
        CHECK(m.body.substr(0, 2) == std::string("\x78\x01"));
    }
    check_entries(m.entries, cap.sync, changesets, next);

    // Rebuild: entries -> body -> compression rule -> message bytes.
    std::string body;
    for (const auto& e : m.entries)
        append_entry(body, e);
    CHECK(body == plain);
    Message rebuilt = m;
    std::string scratch;
    compress_body(rebuilt, body, scratch, ec);
    REQUIRE_FALSE(ec);
    CHECK(rebuilt.is_body_compressed == m.is_body_compressed);
    std::string out;
    encode(rebuilt, out, ec);
    REQUIRE_FALSE(ec);
    CHECK(out == cap.bytes);
}

} // namespace

TEST_CASE("every captured message decodes to the transcript's fields and re-encodes to its bytes")
{
    std::size_t messages = 0;
    for (const auto& name : realmwire_test::session_names()) {
        INFO("session " << name);
        auto caps = realmwire_test::load_session(name);
        REQUIRE_FALSE(caps.empty());
        std::vector<std::string> changesets;
        if (name != "f-bad-bind-path")
            changesets = realmwire_test::load_changesets(name);
        std::size_t next_changeset = 0;
        for (const auto& cap : caps) {
            INFO(cap.dir << " " << cap.sync.get("header_line").to_str());
            std::error_code ec;
            realmwire::error_info info;
            std::string again;
            fields_of fo;
            std::string type = cap.sync.get("type").get<std::string>();
            if (cap.dir == "c2s") {
                client_message m = decode_client_message(cap.bytes, decode_options{}, ec, &info);
                REQUIRE_FALSE(ec);
                CHECK(message_name(m) == type);
                std::visit(fo, m);
                encode(m, again, ec);
                if (auto* up = std::get_if<upload_message>(&m))
                    check_body(*up, cap, changesets, next_changeset);
                if (auto* b = std::get_if<bind_message>(&m)) {
                    CHECK(b->path == cap.sync.get("path").get<std::string>());
                    CHECK(b->signed_user_token.empty());
                }
            }
            else {
                server_message m = decode_server_message(cap.bytes, decode_options{}, ec, &info);
                REQUIRE_FALSE(ec);
                CHECK(message_name(m) == type);
                std::visit(fo, m);
                encode(m, again, ec);
                if (auto* d = std::get_if<download_message>(&m))
                    check_body(*d, cap, changesets, next_changeset);
                if (auto* e = std::get_if<error_message>(&m))
                    CHECK(e->message == cap.sync.get("body_text").get<std::string>());
                if (auto* l = std::get_if<log_message>(&m))
                    CHECK(l->json == cap.sync.get("body_text").get<std::string>());
            }
            REQUIRE_FALSE(ec);
            CHECK(fo.f == transcript_fields(cap.sync));
            CHECK(again == cap.bytes);
            ++messages;
        }
        CHECK(next_changeset == changesets.size());
    }
    CHECK(messages == 59);
}

TEST_CASE("c-upload-compressed: the 20,026-byte UPLOAD body is realm-core's level-1 zlib stream")
{
    auto caps = realmwire_test::load_session("c-upload-compressed");
    const captured_message* cap = nullptr;
    for (const auto& c : caps)
        if (c.dir == "c2s" && c.bytes.rfind("upload 1 1 ", 0) == 0)
            cap = &c;
    REQUIRE(cap);
    auto m = std::get<upload_message>(decode_client_message(cap->bytes));
    CHECK(m.session_ident == 1);
    CHECK(m.is_body_compressed);
    CHECK(m.uncompressed_body_size == 20026);
    CHECK(m.compressed_body_size == 1570);
    CHECK(m.progress_client_version == 4);
    CHECK(m.progress_server_version == 0);
    CHECK(m.locked_server_version == 0);
    CHECK(m.entries.empty()); // not inflated yet
    std::string buffer;
    std::string_view plain = decompress_body(m, buffer);
    REQUIRE(plain.size() == 20026);
    REQUIRE(m.entries.size() == 1);
    upload_entry e = m.entries.front(); // a copy: the iterator owns the entry it yields
    CHECK(e.client_version == 2);
    CHECK(e.server_version == 0);
    CHECK(e.origin_file_ident == 0);
    CHECK(e.changeset.size() == 20001);
    // Compressing the plain body again gives the wire body byte for byte.
    std::string again;
    std::error_code ec;
    zlib_compress(plain, again, ec);
    REQUIRE_FALSE(ec);
    CHECK(again == m.body);
}

TEST_CASE("c-download-compressed: the 20,032-byte DOWNLOAD body round-trips through zlib level 1")
{
    auto caps = realmwire_test::load_session("c-download-compressed");
    const captured_message* cap = nullptr;
    for (const auto& c : caps)
        if (c.dir == "s2c" && c.bytes.rfind("download 1 1 ", 0) == 0)
            cap = &c;
    REQUIRE(cap);
    auto m = std::get<download_message>(decode_server_message(cap->bytes));
    CHECK(m.form == download_form::pbs);
    CHECK(m.download_server_version == 1);
    CHECK(m.download_client_version == 0);
    CHECK(m.latest_server_version == 1);
    CHECK(m.latest_server_version_salt == 7667962432694168653);
    CHECK(m.upload_client_version == 0);
    CHECK(m.upload_server_version == 0);
    CHECK(m.downloadable_bytes == 0);
    CHECK(m.is_body_compressed);
    CHECK(m.uncompressed_body_size == 20032);
    CHECK(m.compressed_body_size == 1572);
    std::string buffer;
    std::string_view plain = decompress_body(m, buffer);
    REQUIRE(m.entries.size() == 1);
    download_entry e = m.entries.front();
    CHECK(e.server_version == 1);
    CHECK(e.client_version == 0); // the downloading client has integrated nothing of its own
    CHECK(e.origin_timestamp == 375595302015);
    CHECK(e.origin_file_ident == 2); // the uploader's file ident
    CHECK(e.changeset.size() == 20001);
    CHECK(e.original_changeset_size == e.changeset.size());
    std::string again;
    std::error_code ec;
    zlib_compress(plain, again, ec);
    REQUIRE_FALSE(ec);
    CHECK(again == m.body);
}

TEST_CASE("f-bad-bind-path: ERROR 204 is session-level, fatal, with realm-core's text")
{
    auto caps = realmwire_test::load_session("f-bad-bind-path");
    const auto& cap = caps.back();
    REQUIRE(cap.dir == "s2c");
    auto m = std::get<error_message>(decode_server_message(cap.bytes));
    CHECK(m.error_code == 204);
    CHECK_FALSE(m.try_again);
    CHECK(m.session_ident == 1);
    CHECK(m.message == "Illegal Realm path (BIND)");
    const auto* info = find_protocol_error(m.error_code);
    REQUIRE(info);
    CHECK(info->name == "illegal_realm_path");
    CHECK(info->message == m.message);
    CHECK(info->level == error_level::session);
    auto bind = std::get<bind_message>(decode_client_message(caps[1].bytes));
    CHECK(bind.path == "/test/bad*name");
    CHECK(bind.need_client_file_ident);
    CHECK_FALSE(bind.is_subserver);
}

TEST_CASE("LOG_MESSAGE bodies of the captures parse and rebuild to the same bytes")
{
    std::size_t n = 0;
    for (const auto& name : realmwire_test::session_names()) {
        for (const auto& cap : realmwire_test::load_session(name)) {
            if (cap.dir != "s2c" || cap.bytes.rfind("log_message ", 0) != 0)
                continue;
            auto m = std::get<log_message>(decode_server_message(cap.bytes));
            auto body = parse_log_message_body(m.json);
            if (m.session_ident == 0) {
                CHECK(body.level == log_level::info);
                CHECK(body.message == "Client connection established with server");
                REQUIRE(body.co_id);
                CHECK(body.co_id->size() == 24);
            }
            else {
                CHECK(body.level == log_level::debug);
                CHECK(body.message.rfind("Session 1 bound to client file ident ", 0) == 0);
                CHECK_FALSE(body.co_id);
            }
            CHECK(build_log_message_body(body) == m.json);
            ++n;
        }
    }
    CHECK(n == 11);
}
