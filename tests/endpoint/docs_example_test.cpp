#include "realmwire/endpoint.hpp"

#include "memory_backend.hpp"

#include <catch2/catch.hpp>

// The example of docs/endpoints.md, compiled and run: a client and a server connection wired
// together in memory, no sockets, no clock.

namespace {

// --- docs/endpoints.md example begins ---
using namespace realmwire::endpoint;

// Moves messages between the two state machines until both are idle.
void pump(client_connection& client, server_connection& server, time_point now)
{
    for (bool moved = true; moved;) {
        moved = false;
        while (auto m = client.next_output(now)) {
            server.receive(*m, now);
            moved = true;
        }
        while (auto m = server.next_output(now)) {
            client.receive(*m, now);
            moved = true;
        }
    }
}

std::vector<std::string> sync_once(server_backend& backend, client_store& writer_store, client_store& reader_store)
{
    time_point now{};
    std::vector<std::string> log;

    client_connection writer({}, now), reader({}, now);
    std::uint64_t w = writer.add_session({"/tasks", &writer_store, {}});
    std::uint64_t r = reader.add_session({"/tasks", &reader_store, {}});

    // The driver would connect a transport and run the WebSocket handshake here.
    server_connection ws(backend, {}, now), rs(backend, {}, now);
    writer.on_connected(now, 14);
    reader.on_connected(now, 14);
    pump(writer, ws, now); // BIND, IDENT (server), IDENT, DOWNLOAD
    pump(reader, rs, now);

    writer.notify_local_changes(w); // the store has new local changesets
    writer.request_upload_completion(w);
    pump(writer, ws, now); // UPLOAD, DOWNLOAD (acknowledgement)
    for (auto& e : ws.take_events())
        if (e.type == server_event_type::realm_changed)
            rs.notify_realm_changed(e.realm); // a driver fans this out to every connection

    reader.request_download_completion(r);
    pump(reader, rs, now); // DOWNLOAD with the changesets, MARK

    for (auto* c : {&writer, &reader})
        for (auto& e : c->take_events())
            if (e.type == client_event_type::upload_complete)
                log.push_back("upload complete");
            else if (e.type == client_event_type::download_complete)
                log.push_back("download complete");
            else if (e.type == client_event_type::error)
                log.push_back("error: " + e.message);
    return log;
}
// --- docs/endpoints.md example ends ---

} // namespace

TEST_CASE("docs: the endpoints example syncs in memory")
{
    realmwire_test::memory_backend backend;
    realmwire_test::memory_store writer, reader;
    writer.write("hello");
    auto log = sync_once(backend, writer, reader);
    CHECK(log == std::vector<std::string>{"upload complete", "download complete"});
    CHECK(reader.downloaded == std::vector<std::string>{"hello"});
}
