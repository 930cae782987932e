// `realmwire decode-message [--from client|server] [--flx] [--protocol-version N] [--hex] [--show-token] FILE|-`
// Prints one sync message readably: its type, every head field by name, body sizes, and for UPLOAD and
// DOWNLOAD each changeset entry's fields and size (a compressed body is inflated first). Without
// --from, the client grammar is tried first, then the server one. Tokens are shown only with
// --show-token. Exit 0: decoded; 1: the message is malformed (the error and the ProtocolError code a
// peer would answer with are printed); 2: usage.
#include "command.hpp"

#include <realmwire/protocol/compression.hpp>
#include <realmwire/protocol/decode.hpp>
#include <realmwire/protocol/protocol_error.hpp>

#include <cinttypes>
#include <cstdio>
#include <string>
#include <variant>

using namespace realmwire::protocol;

namespace {

std::string printable(std::string_view s, std::size_t max = 200)
{
    std::string out;
    for (std::size_t i = 0; i < s.size() && i < max; ++i) {
        unsigned char c = static_cast<unsigned char>(s[i]);
        if (c == '\\')
            out += "\\\\";
        else if (c >= 0x20 && c < 0x7f)
            out.push_back(static_cast<char>(c));
        else {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        }
    }
    if (s.size() > max)
        out += "...";
    return out;
}

std::string from_hex_text(const std::string& text)
{
    std::string out;
    int hi = -1;
    for (char c : text) {
        int v = (c >= '0' && c <= '9') ? c - '0' : (c >= 'a' && c <= 'f') ? c - 'a' + 10 : (c >= 'A' && c <= 'F') ? c - 'A' + 10 : -1;
        if (v < 0) {
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
                continue;
            throw realmwire_tool::usage_error("--hex input contains a non-hex character");
        }
        if (hi < 0)
            hi = v;
        else {
            out.push_back(static_cast<char>(hi * 16 + v));
            hi = -1;
        }
    }
    if (hi >= 0)
        throw realmwire_tool::usage_error("--hex input has an odd number of digits");
    return out;
}

struct printer {
    bool show_token;
    const decode_options& opts;

    void field(const char* name, std::uint64_t v) { std::printf("%s: %" PRIu64 "\n", name, v); }
    void sfield(const char* name, std::int64_t v) { std::printf("%s: %" PRId64 "\n", name, v); }
    void text(const char* name, std::string_view s) { std::printf("%s: \"%s\"\n", name, printable(s).c_str()); }
    void token(const char* name, std::string_view s)
    {
        std::printf("%s_size: %zu\n", name, s.size());
        if (s.empty())
            return;
        if (show_token)
            text(name, s);
        else
            std::printf("%s: <%zu bytes, not shown; --show-token prints it>\n", name, s.size());
    }
    void error_code(int code)
    {
        const auto* info = find_protocol_error(code);
        std::printf("error_code: %d (%s)\n", code, info ? std::string(info->name).c_str() : "unknown");
    }

    void operator()(const bind_message& m)
    {
        field("session_ident", m.session_ident);
        field("path_size", m.path.size());
        token("signed_user_token", m.signed_user_token);
        field("need_client_file_ident", m.need_client_file_ident);
        field("is_subserver", m.is_subserver);
        text(opts.mode == sync_mode::flx ? "data" : "path", m.path);
    }
    void operator()(const client_ident_message& m)
    {
        field("session_ident", m.session_ident);
        field("client_file_ident", m.client_file_ident);
        sfield("client_file_ident_salt", m.client_file_ident_salt);
        field("download_server_version", m.download_server_version);
        field("download_client_version", m.download_client_version);
        field("latest_server_version", m.latest_server_version);
        sfield("latest_server_version_salt", m.latest_server_version_salt);
        if (m.has_query) {
            sfield("query_version", m.query_version);
            field("query_size", m.query.size());
            text("query", m.query);
        }
    }
    template <class Message>
    void body_fields(const Message& m)
    {
        field("is_body_compressed", m.is_body_compressed);
        field("uncompressed_body_size", m.uncompressed_body_size);
        field("compressed_body_size", m.compressed_body_size);
    }
    template <class Message>
    void entries(Message m)
    {
        std::string buffer;
        std::error_code ec;
        decompress_body(m, buffer, opts.limits, ec, opts.allow_leading_zeros);
        if (ec) {
            std::printf("body: %s (ProtocolError %d)\n", ec.message().c_str(), realmwire::to_protocol_error_code(ec));
            throw std::runtime_error("body does not decode");
        }
        std::printf("entries: %zu\n", m.entries.size());
        std::size_t i = 0;
        for (const auto& e : m.entries) {
            if constexpr (std::is_same_v<std::decay_t<decltype(e)>, upload_entry>)
                std::printf("  [%zu] client_version=%" PRIu64 " server_version=%" PRIu64 " origin_timestamp=%" PRIu64
                            " origin_file_ident=%" PRIu64 " changeset_size=%zu\n",
                            i, e.client_version, e.server_version, e.origin_timestamp, e.origin_file_ident,
                            e.changeset.size());
            else
                std::printf("  [%zu] server_version=%" PRIu64 " client_version=%" PRIu64 " origin_timestamp=%" PRIu64
                            " origin_file_ident=%" PRIu64 " original_changeset_size=%" PRIu64 " changeset_size=%zu\n",
                            i, e.server_version, e.client_version, e.origin_timestamp, e.origin_file_ident,
                            e.original_changeset_size, e.changeset.size());
            ++i;
        }
    }
    void operator()(const upload_message& m)
    {
        field("session_ident", m.session_ident);
        body_fields(m);
        field("progress_client_version", m.progress_client_version);
        field("progress_server_version", m.progress_server_version);
        field("locked_server_version", m.locked_server_version);
        entries(m);
    }
    void operator()(const download_message& m)
    {
        field("session_ident", m.session_ident);
        field("download_server_version", m.download_server_version);
        field("download_client_version", m.download_client_version);
        field("latest_server_version", m.latest_server_version);
        sfield("latest_server_version_salt", m.latest_server_version_salt);
        field("upload_client_version", m.upload_client_version);
        field("upload_server_version", m.upload_server_version);
        if (m.form != download_form::pbs) {
            sfield("query_version", m.query_version);
            field("batch_state", static_cast<unsigned>(m.batch));
        }
        if (m.form == download_form::flx)
            std::printf("progress_estimate: %.17g\n", m.progress_estimate);
        else
            field("downloadable_bytes", m.downloadable_bytes);
        body_fields(m);
        entries(m);
    }
    void operator()(const query_message& m)
    {
        field("session_ident", m.session_ident);
        sfield("query_version", m.query_version);
        field("query_size", m.query.size());
        text("query", m.query);
    }
    void operator()(const mark_message& m)
    {
        field("session_ident", m.session_ident);
        field("request_ident", m.request_ident);
    }
    void operator()(const unbind_message& m) { field("session_ident", m.session_ident); }
    void operator()(const unbound_message& m) { field("session_ident", m.session_ident); }
    void operator()(const ping_message& m)
    {
        field("timestamp", m.timestamp);
        field("rtt", m.rtt);
    }
    void operator()(const pong_message& m) { field("timestamp", m.timestamp); }
    void operator()(const json_error_message& m)
    {
        error_code(m.error_code);
        field("body_size", m.json.size());
        field("session_ident", m.session_ident);
        text("body", m.json);
    }
    void operator()(const test_command_message& m)
    {
        field("session_ident", m.session_ident);
        field("request_ident", m.request_ident);
        field("body_size", m.body.size());
        text("body", m.body);
    }
    void operator()(const refresh_message& m)
    {
        field("session_ident", m.session_ident);
        token("signed_user_token", m.signed_user_token);
    }
    void operator()(const server_ident_message& m)
    {
        field("session_ident", m.session_ident);
        field("client_file_ident", m.client_file_ident);
        sfield("client_file_ident_salt", m.client_file_ident_salt);
    }
    void operator()(const error_message& m)
    {
        error_code(m.error_code);
        field("message_size", m.message.size());
        field("try_again", m.try_again);
        field("session_ident", m.session_ident);
        text("message", m.message);
    }
    void operator()(const query_error_message& m)
    {
        error_code(m.error_code);
        field("message_size", m.message.size());
        field("session_ident", m.session_ident);
        sfield("query_version", m.query_version);
        text("message", m.message);
    }
    void operator()(const log_message& m)
    {
        field("session_ident", m.session_ident);
        field("body_size", m.json.size());
        text("body", m.json);
    }
};

int run(realmwire_tool::args& a)
{
    auto from = a.value("from");
    bool hex = a.flag("hex");
    bool show_token = a.flag("show-token");
    decode_options opts;
    if (a.flag("flx"))
        opts.mode = sync_mode::flx;
    if (auto v = a.value("protocol-version")) {
        try {
            opts.protocol_version = std::stoi(*v);
        }
        catch (const std::exception&) {
            throw realmwire_tool::usage_error("--protocol-version needs a number");
        }
    }
    auto pos = a.positional();
    a.finish();
    if (pos.size() != 1)
        throw realmwire_tool::usage_error("expected one FILE (or - for stdin)");
    if (from && *from != "client" && *from != "server")
        throw realmwire_tool::usage_error("--from must be client or server");
    std::string input = realmwire_tool::read_input(pos[0]);
    if (hex)
        input = from_hex_text(input);

    std::error_code ec;
    realmwire::error_info info;
    printer p{show_token, opts};
    // IDENT, MARK, JSON_ERROR and TEST_COMMAND exist in both directions: without --from, the first
    // grammar that accepts the message wins; otherwise the most telling error is reported.
    std::error_code client_ec;
    realmwire::error_info client_info;
    if (!from || *from == "client") {
        auto m = decode_client_message(input, opts, client_ec, &client_info);
        if (!client_ec) {
            std::printf("direction: client->server\ntype: %s\n", std::string(message_name(m)).c_str());
            std::visit(p, m);
            return 0;
        }
        ec = client_ec;
        info = client_info;
    }
    if (!from || *from == "server") {
        auto m = decode_server_message(input, opts, ec, &info);
        if (!ec) {
            std::printf("direction: server->client\ntype: %s\n", std::string(message_name(m)).c_str());
            std::visit(p, m);
            return 0;
        }
        if (!from && client_ec != realmwire::message_error::unknown_message_type) {
            ec = client_ec;
            info = client_info;
        }
    }
    std::fprintf(stderr, "realmwire decode-message: %s (ProtocolError %d)\n",
                 realmwire::describe_error("malformed message", ec, info).c_str(), realmwire::to_protocol_error_code(ec));
    return 1;
}

realmwire_tool::registration reg{"decode-message", "print a sync message (header fields, changeset entries)", run};

} // namespace
