#include <realmwire/protocol.hpp>

// The example of docs/messages.md, compiled and run.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace realmwire::protocol;

namespace {

std::vector<std::string> integrated;
void integrate(std::uint64_t /*client_version*/, std::string_view changeset) { integrated.emplace_back(changeset); }
int last_error_code = 0;

// Server side: one WebSocket message in.
void on_message(std::string_view bytes, std::string& inflate_buffer)
{
    std::error_code ec;
    realmwire::error_info where;
    client_message m = decode_client_message(bytes, decode_options{}, ec, &where);
    if (ec) {
        last_error_code = realmwire::to_protocol_error_code(ec); // answer "error <code> ... 0 0"
        return;
    }
    if (auto* up = std::get_if<upload_message>(&m)) {
        decompress_body(*up, inflate_buffer, message_limits{}, ec); // no-op check if uncompressed
        if (ec) {
            last_error_code = realmwire::to_protocol_error_code(ec);
            return;
        }
        for (const upload_entry& e : up->entries)
            integrate(e.client_version, e.changeset); // e.changeset views the message or the buffer
    }
}

// Client side: build an UPLOAD from entries.
std::string make_upload(const std::vector<upload_entry>& entries)
{
    std::string body, scratch, out;
    for (const auto& e : entries)
        append_entry(body, e);
    upload_message m;
    m.session_ident = 1;
    m.progress_client_version = entries.empty() ? 0 : entries.back().client_version;
    std::error_code ec;
    compress_body(m, body, scratch, ec); // realm-core's rule
    encode(m, out, ec);
    return out;
}

} // namespace

TEST_CASE("docs/messages.md example: build an UPLOAD, decode it on the server side")
{
    std::string big(3000, 'c');
    std::vector<upload_entry> entries = {{2, 0, 375595300000, 0, "abc"}, {3, 0, 375595300001, 0, big}};
    std::string wire = make_upload(entries);
    CHECK(wire.rfind("upload 1 1 ", 0) == 0); // > 1024 bytes and compressible: compressed
    std::string buffer;
    integrated.clear();
    on_message(wire, buffer);
    REQUIRE(integrated.size() == 2);
    CHECK(integrated[0] == "abc");
    CHECK(integrated[1] == big);
    on_message("upload 1 0 5 0 1 0 0\nabc", buffer);
    CHECK(last_error_code == 103);
    on_message("upload 1 0 9 0 1 0 0\n1 0 0 0 x", buffer);
    CHECK(last_error_code == 111);
}
