// The reference server's protocol logic (reference::server_connection over an in-memory
// history_backend) fed arbitrary message sequences after a valid handshake: never crashes, and a
// good client on a new connection to the same backend is still served (BIND -> IDENT, IDENT ->
// DOWNLOAD, UPLOAD -> DOWNLOAD acknowledging it, MARK -> MARK) afterwards.
//
// Input: byte 0 picks the dialect; the rest is split at 0xFF bytes into WebSocket messages.
#include "fuzz_common.hpp"

#include <realmwire/reference/server_connection.hpp>
#include <realmwire/reference/sync_backend.hpp>

#include <memory>
#include <string>

namespace {

std::string_view head(const std::string& m)
{
    return std::string_view(m).substr(0, m.find(' '));
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace realmwire;
    if (size == 0)
        return 0;
    auto dir = std::make_shared<reference::realm_directory>(); // in memory
    reference::history_backend backend(dir);
    reference::server_connection_config cfg;
    cfg.dialect = realmwire::dialects::all[data[0] % 4];
    cfg.max_download_size = 256;
    {
        reference::server_connection conn(backend, cfg);
        std::string_view rest(reinterpret_cast<const char*>(data + 1), size - 1);
        int messages = 0;
        while (!conn.close_requested() && messages++ < 256) {
            std::size_t cut = rest.find('\xff');
            conn.receive(rest.substr(0, cut));
            conn.output().clear();
            if (cut == std::string_view::npos)
                break;
            rest.remove_prefix(cut + 1);
        }
        conn.closed();
    }
    // A good client afterwards.
    cfg.dialect = &realmwire::dialects::mongodb_pbs;
    reference::server_connection good(backend, cfg);
    good.receive("bind 7 5 0 1 0\n/good");
    REALMWIRE_FUZZ_CHECK(good.output().size() == 1 && head(good.output()[0]) == "ident");
    protocol::server_message im = protocol::decode_server_message(good.output()[0]);
    const auto& ident = std::get<protocol::server_ident_message>(im);
    const std::string id = std::to_string(ident.client_file_ident) + " " + std::to_string(ident.client_file_ident_salt);
    good.output().clear();
    good.receive("ident 7 " + id + " 0 0 0 0\n");
    REALMWIRE_FUZZ_CHECK(!good.output().empty() && head(good.output()[0]) == "download");
    good.output().clear();
    // One changeset: AddTable Item(_id Int) — client layout, as realm-core writes it.
    const std::string cs("\x3f\x00\x04Item\x3f\x01\x03_id\x00\x00\x00\x01\x01\x00", 17);
    std::string entry = "2 0 0 0 " + std::to_string(cs.size()) + " " + cs;
    good.receive("upload 7 0 " + std::to_string(entry.size()) + " 0 2 0 0\n" + entry);
    REALMWIRE_FUZZ_CHECK(!good.output().empty() && head(good.output()[0]) == "download");
    protocol::server_message dm = protocol::decode_server_message(good.output().back());
    REALMWIRE_FUZZ_CHECK(std::get<protocol::download_message>(dm).upload_client_version == 2);
    good.output().clear();
    good.receive("mark 7 1\n");
    REALMWIRE_FUZZ_CHECK(!good.output().empty() && good.output().back() == "mark 7 1\n");
    REALMWIRE_FUZZ_CHECK(!good.close_requested());
    return 0;
}
