// The reference server's protocol path (endpoint::server_connection, as reference::server runs it,
// over an in-memory history_backend) fed arbitrary message sequences after a valid handshake: never
// crashes, and a good client on a new connection to the same backend is still served (BIND -> IDENT,
// IDENT -> DOWNLOAD, UPLOAD -> DOWNLOAD acknowledging it, MARK -> MARK) afterwards. Unlike
// fuzz_server_connection (trivial memory backend, op records), this one exercises the reference
// history (changeset parsing, client files, cursors) behind the connection.
//
// Input: byte 0 picks the dialect; the rest is split at 0xFF bytes into WebSocket messages.
#include "fuzz_common.hpp"

#include <realmwire/endpoint/server_connection.hpp>
#include <realmwire/reference/sync_backend.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace {

std::string_view head(const std::string& m)
{
    return std::string_view(m).substr(0, m.find(' '));
}

std::vector<std::string> drain(realmwire::endpoint::server_connection& c, realmwire::endpoint::time_point now)
{
    std::vector<std::string> out;
    for (int i = 0; i < 100000; ++i) {
        auto m = c.next_output(now);
        if (!m)
            break;
        out.push_back(std::move(*m));
    }
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace realmwire;
    if (size == 0)
        return 0;
    auto dir = std::make_shared<reference::realm_directory>(); // in memory
    reference::history_backend backend(dir);
    endpoint::server_connection_config cfg;
    cfg.dialect = realmwire::dialects::all[data[0] % 4]->id;
    cfg.max_download_body = 256;
    cfg.log_message_on_connect = false;
    cfg.validate_changesets = true; // as reference::server runs it
    auto now = endpoint::time_point{} + std::chrono::hours(1);
    {
        endpoint::server_connection conn(backend, cfg, now);
        std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
        int messages = 0;
        while (!conn.should_close() && messages++ < 256) {
            std::size_t cut = rest.find('\xff');
            conn.receive(rest.substr(0, cut), now);
            drain(conn, now);
            conn.take_events();
            if (cut == std::string_view::npos)
                break;
            rest.remove_prefix(cut + 1);
        }
    } // the destructor ends every session in the backend
    // A good client afterwards.
    cfg.dialect = dialect_id::mongodb_pbs;
    endpoint::server_connection good(backend, cfg, now);
    good.receive("bind 7 5 0 1 0\n/good", now);
    auto out = drain(good, now);
    REALMWIRE_FUZZ_CHECK(out.size() == 1 && head(out[0]) == "ident");
    protocol::server_message im = protocol::decode_server_message(out[0]);
    const auto& ident = std::get<protocol::server_ident_message>(im);
    const std::string id = std::to_string(ident.client_file_ident) + " " + std::to_string(ident.client_file_ident_salt);
    good.receive("ident 7 " + id + " 0 0 0 0\n", now);
    out = drain(good, now);
    REALMWIRE_FUZZ_CHECK(!out.empty() && head(out[0]) == "download");
    // One changeset: AddTable Item(_id Int), whole — client layout, as realm-core writes it (the server
    // decodes every upload and refuses one cut short).
    const std::string cs("\x3f\x00\x04Item\x3f\x01\x03_id\x00\x00\x00\x01\x01\x00", 19);
    std::string entry = "2 0 0 0 " + std::to_string(cs.size()) + " " + cs;
    good.receive("upload 7 0 " + std::to_string(entry.size()) + " 0 2 0 0\n" + entry, now);
    out = drain(good, now);
    REALMWIRE_FUZZ_CHECK(!out.empty() && head(out[0]) == "download");
    protocol::server_message dm = protocol::decode_server_message(out.back());
    REALMWIRE_FUZZ_CHECK(std::get<protocol::download_message>(dm).upload_client_version == 2);
    good.receive("mark 7 1\n", now);
    out = drain(good, now);
    REALMWIRE_FUZZ_CHECK(!out.empty() && out.back() == "mark 7 1\n");
    REALMWIRE_FUZZ_CHECK(!good.should_close());
    return 0;
}
