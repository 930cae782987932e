#include "realmwire/reference/sync_backend.hpp"

#include "realmwire/endpoint/server_connection.hpp"
#include "realmwire/protocol/decode.hpp"

#include <catch2/catch.hpp>

#include <memory>

using namespace realmwire;

// The reference server runs the general endpoint::server_connection in front of history_backend:
// the plain BIND, IDENT, UPLOAD, MARK exchange, byte-checked against the session vectors.
TEST_CASE("history_backend behind endpoint::server_connection: BIND, IDENT, UPLOAD, MARK")
{
    auto dir = std::make_shared<reference::realm_directory>();
    reference::history_backend backend(dir);
    endpoint::server_connection_config cfg;
    cfg.log_message_on_connect = false;
    auto now = std::chrono::steady_clock::now();
    endpoint::server_connection conn(backend, cfg, now);
    auto drain = [&] {
        std::vector<std::string> out;
        while (auto m = conn.next_output(now))
            out.push_back(*m);
        return out;
    };
    conn.receive("bind 1 5 0 1 0\n/test", now);
    auto out = drain();
    REQUIRE(out.size() == 1);
    auto ident = std::get<protocol::server_ident_message>(protocol::decode_server_message(out[0]));
    CHECK(ident.client_file_ident == 2);
    conn.receive("ident 1 2 " + std::to_string(ident.client_file_ident_salt) + " 0 0 0 0\n", now);
    out = drain();
    REQUIRE(out.size() == 1);
    CHECK(out[0] == "download 1 0 0 0 0 0 0 0 0 0 0\n"); // as in the a-write5 session vector
    // AddTable Item(_id Int), whole (the server decodes every upload and refuses one that is cut short).
    const std::string cs("\x3f\x00\x04Item\x3f\x01\x03_id\x00\x00\x00\x01\x01\x00", 19);
    std::string entry = "2 0 0 0 " + std::to_string(cs.size()) + " " + cs;
    conn.receive("upload 1 0 " + std::to_string(entry.size()) + " 0 4 0 0\n" + entry, now);
    conn.receive("mark 1 1\n", now);
    out = drain();
    REQUIRE(out.size() >= 2);
    auto d = std::get<protocol::download_message>(protocol::decode_server_message(out[0]));
    CHECK(d.download_server_version == 1);
    CHECK(d.download_client_version == 2);
    CHECK(d.upload_client_version == 4);
    CHECK(d.uncompressed_body_size == 0); // the client's own changeset is not sent back
    CHECK(out.back() == "mark 1 1\n");
    std::error_code ec;
    CHECK(dir->get("/test", ec)->version() == 1);
}
