#include "realmwire/endpoint/server_connection.hpp"

#include "endpoint_test_util.hpp"

#include <catch2/catch.hpp>

using namespace realmwire_test;
using realmwire::dialect_id;
using pe = rp::protocol_error;

namespace {

struct upload_builder {
    std::string body;
    rp::upload_message m;
    upload_builder(std::uint64_t session, std::uint64_t pcv, std::uint64_t psv, std::uint64_t locked = 0)
    {
        m.session_ident = session;
        m.progress_client_version = pcv;
        m.progress_server_version = psv;
        m.locked_server_version = locked;
    }
    upload_builder& add(std::uint64_t cv, std::uint64_t sv, std::string_view cs)
    {
        rp::upload_entry e;
        e.client_version = cv;
        e.server_version = sv;
        e.origin_timestamp = 5;
        e.changeset = cs;
        rp::append_entry(body, e);
        return *this;
    }
    const rp::upload_message& msg()
    {
        rp::set_uncompressed_body(m, body);
        return m;
    }
};

rp::server_ident_message bind_and_get_ident(scripted_client& c, std::uint64_t session, std::string_view path = "/a")
{
    c.send(bind(session, path));
    auto out = c.drain();
    REQUIRE(out.size() == 1);
    return std::get<rp::server_ident_message>(out[0]);
}

/// BIND + server IDENT + IDENT + the first DOWNLOAD.
rp::server_ident_message open_session(scripted_client& c, std::uint64_t session, std::string_view path = "/a")
{
    auto si = bind_and_get_ident(c, session, path);
    c.send(ident(session, si));
    auto out = c.drain();
    REQUIRE(out.size() == 1);
    REQUIRE(std::holds_alternative<rp::download_message>(out[0]));
    return si;
}

int code(pe e) { return static_cast<int>(e); }

} // namespace

TEST_CASE("server: BIND, IDENT, first DOWNLOAD, UNBIND, UNBOUND")
{
    scripted_client c;
    auto si = bind_and_get_ident(c, 1, "/a");
    CHECK(si.session_ident == 1);
    CHECK(si.client_file_ident == 1);
    CHECK(si.client_file_ident_salt != 0);
    c.send(ident(1, si));
    auto out = c.drain();
    REQUIRE(out.size() == 1);
    auto& d = std::get<rp::download_message>(out[0]);
    CHECK(d.session_ident == 1);
    CHECK(d.download_server_version == 0);
    CHECK(d.body.empty());
    c.send(rp::unbind_message{1});
    out = c.drain();
    REQUIRE(out.size() == 1);
    CHECK(std::get<rp::unbound_message>(out[0]).session_ident == 1);
    CHECK(c.conn->session_count() == 0);
    // the ident may be reused once UNBOUND is out
    c.send(bind(1, "/a"));
    out = c.drain();
    REQUIRE(out.size() == 1);
    CHECK(std::holds_alternative<rp::server_ident_message>(out[0]));
    CHECK_FALSE(c.conn->should_close());
}

TEST_CASE("server: upload is acknowledged and reaches another session, MARK after downloads")
{
    scripted_client c;
    open_session(c, 1, "/a");
    auto si2 = open_session(c, 2, "/a");
    upload_builder u(1, 1, 0);
    u.add(1, 0, "hello");
    c.send(u.msg());
    auto out = c.drain();
    // session 1 gets its acknowledgement, session 2 the changeset
    REQUIRE(out.size() == 2);
    bool saw_ack = false, saw_data = false;
    for (auto& m : out) {
        auto& d = std::get<rp::download_message>(m);
        if (d.session_ident == 1) {
            saw_ack = true;
            CHECK(d.upload_client_version == 1);
            CHECK(d.download_server_version == 1);
            CHECK(d.body.empty());
        }
        else {
            saw_data = true;
            CHECK(d.session_ident == 2);
            REQUIRE(d.entries.size() == 1);
            CHECK(d.entries.begin()->changeset == "hello");
            CHECK(d.entries.begin()->origin_file_ident == 1);
            CHECK(d.latest_server_version == 1);
        }
    }
    CHECK(saw_ack);
    CHECK(saw_data);
    c.send(rp::mark_message{2, 7});
    out = c.drain();
    REQUIRE(out.size() == 1);
    CHECK(std::get<rp::mark_message>(out[0]) == rp::mark_message{2, 7});
    (void)si2;
}

TEST_CASE("server: a re-sent upload duplicates nothing")
{
    scripted_client c;
    open_session(c, 1);
    upload_builder u(1, 2, 0);
    u.add(1, 0, "a").add(2, 0, "b");
    c.send(u.msg());
    c.drain();
    REQUIRE(c.backend.realms["/a"].history.size() == 2);
    // reconnect: a new connection, same file, the same upload again
    server_connection_config cfg;
    cfg.log_message_on_connect = false;
    server_connection c2(c.backend, cfg, t0());
    auto& file = c.backend.realms["/a"].files[1];
    rp::client_ident_message im;
    im.session_ident = 5;
    im.client_file_ident = 1;
    im.client_file_ident_salt = file.salt;
    im.latest_server_version = 0;
    c2.receive(rp::encode(bind(5, "/a", false)), t0());
    c2.receive(rp::encode(im), t0());
    upload_builder u2(5, 2, 0);
    u2.add(1, 0, "a").add(2, 0, "b");
    c2.receive(rp::encode(u2.msg()), t0());
    while (c2.next_output(t0())) {
    }
    CHECK(c.backend.realms["/a"].history.size() == 2);
    CHECK_FALSE(c2.should_close());
}

TEST_CASE("server: connection-level ordering violations")
{
    SECTION("107 BIND reusing a live session ident")
    {
        scripted_client c;
        c.send(bind(1, "/a"));
        c.send(bind(1, "/b"));
        auto [code_, sess] = c.expect_error();
        CHECK(code_ == code(pe::reuse_of_session_ident));
        CHECK(sess == 0);
        CHECK(c.conn->should_close());
        CHECK(c.conn->close_error() == 107);
    }
    SECTION("107 also for an errored session not yet unbound")
    {
        scripted_client c;
        c.send(bind(1, "bad path"));
        c.drain();
        c.send(bind(1, "/a"));
        CHECK(c.expect_error().first == code(pe::reuse_of_session_ident));
    }
    SECTION("106 IDENT/UPLOAD/MARK/UNBIND/JSON_ERROR for an unknown session")
    {
        for (int kind = 0; kind < 5; ++kind) {
            scripted_client c;
            switch (kind) {
                case 0: c.send(rp::client_ident_message{9, 1, 1, 0, 0, 0, 0, false, 0, {}}); break;
                case 1: c.send(upload_builder(9, 0, 0).msg()); break;
                case 2: c.send(rp::mark_message{9, 1}); break;
                case 3: c.send(rp::unbind_message{9}); break;
                case 4: c.send(rp::json_error_message{212, 9, "{}"}); break;
            }
            auto [code_, sess] = c.expect_error();
            CHECK(code_ == code(pe::bad_session_ident));
            CHECK(sess == 0);
            CHECK(c.conn->should_close());
        }
    }
    SECTION("109 IDENT before the server's IDENT was sent")
    {
        scripted_client c;
        c.send(bind(1, "/a"));
        c.send(rp::client_ident_message{1, 1, 1, 0, 0, 0, 0, false, 0, {}});
        auto out = c.drain();
        REQUIRE(out.size() == 1); // the pending server IDENT is dropped: only the ERROR goes out
        CHECK(std::get<rp::error_message>(out[0]).error_code == code(pe::bad_message_order));
    }
    SECTION("109 second IDENT")
    {
        scripted_client c;
        auto si = open_session(c, 1);
        c.send(ident(1, si));
        CHECK(c.expect_error().first == code(pe::bad_message_order));
    }
    SECTION("109 UPLOAD and MARK before IDENT")
    {
        scripted_client c;
        bind_and_get_ident(c, 1);
        c.send(upload_builder(1, 0, 0).msg());
        CHECK(c.expect_error().first == code(pe::bad_message_order));
        scripted_client c2;
        bind_and_get_ident(c2, 1);
        c2.send(rp::mark_message{1, 1});
        CHECK(c2.expect_error().first == code(pe::bad_message_order));
    }
    SECTION("109 any message after UNBIND (before UNBOUND is out)")
    {
        scripted_client c;
        open_session(c, 1);
        c.send(rp::unbind_message{1});
        c.send(rp::mark_message{1, 1});
        auto out = c.drain();
        REQUIRE(out.size() == 1);
        CHECK(std::get<rp::error_message>(out[0]).error_code == code(pe::bad_message_order));
    }
    SECTION("108 the same client file in two sessions")
    {
        scripted_client c;
        auto si = open_session(c, 1);
        c.send(bind(2, "/a", false));
        c.send(ident(2, si));
        CHECK(c.expect_error().first == code(pe::bound_in_other_session));
    }
    SECTION("103 malformed message, unknown type, TEST_COMMAND, REFRESH in a modern dialect")
    {
        for (std::string_view bytes : {std::string_view("bind 1\n"), std::string_view("alloc 1 2\n"),
                                       std::string_view("test_command 1 1 0\n"), std::string_view("refresh 1 0\n")}) {
            scripted_client c;
            c.send_raw(bytes);
            CHECK(c.expect_error().first == code(pe::bad_syntax));
        }
    }
    SECTION("101 decompression failure (realm-core's RuntimeError mapping)")
    {
        scripted_client c;
        open_session(c, 1);
        rp::upload_message m;
        m.session_ident = 1;
        m.is_body_compressed = true;
        m.uncompressed_body_size = 100;
        m.compressed_body_size = 5;
        m.body = "xxxxx";
        c.send(m);
        CHECK(c.expect_error().first == code(pe::other_error));
    }
    SECTION("codec's own codes when realm-core mapping is off")
    {
        server_connection_config cfg;
        cfg.realm_core_error_mapping = false;
        scripted_client c(cfg);
        c.send_raw("alloc 1 2\n");
        CHECK(c.expect_error().first == code(pe::unknown_message));
    }
    SECTION("nothing is processed after a connection-level error")
    {
        scripted_client c;
        c.send(rp::mark_message{9, 1});
        c.send(rp::ping_message{1, 0});
        auto out = c.drain();
        CHECK(out.size() == 1);
    }
}

TEST_CASE("server: session-level errors answer that session only")
{
    SECTION("204 illegal realm path; later messages ignored; UNBIND gets no UNBOUND")
    {
        scripted_client c;
        c.send(bind(1, "/bad path"));
        auto [code_, sess] = c.expect_error();
        CHECK(code_ == code(pe::illegal_realm_path));
        CHECK(sess == 1);
        CHECK_FALSE(c.conn->should_close());
        c.send(rp::mark_message{1, 1}); // ignored
        CHECK(c.drain().empty());
        c.send(rp::unbind_message{1});
        CHECK(c.drain().empty());
        CHECK(c.conn->session_count() == 0);
        // other sessions are unaffected
        open_session(c, 2);
    }
    SECTION("206 from the authorization hook")
    {
        scripted_client c;
        c.backend.refused_paths.push_back("/secret");
        c.send(bind(1, "/secret"));
        auto [code_, sess] = c.expect_error();
        CHECK(code_ == code(pe::permission_denied));
        CHECK(sess == 1);
    }
    SECTION("208 unknown client file, 211 salt mismatch, 209 / 210 bad versions")
    {
        scripted_client c;
        auto si = bind_and_get_ident(c, 1);
        c.send(rp::client_ident_message{1, 99, 1, 0, 0, 0, 0, false, 0, {}});
        CHECK(c.expect_error() == std::pair<int, std::uint64_t>{code(pe::bad_client_file_ident), 1});
        c.send(bind(2, "/a", false));
        c.send(rp::client_ident_message{2, si.client_file_ident, si.client_file_ident_salt + 1, 0, 0, 0, 0, false, 0, {}});
        CHECK(c.expect_error() == std::pair<int, std::uint64_t>{code(pe::diverging_histories), 2});
        c.send(bind(3, "/a", false));
        c.send(rp::client_ident_message{3, si.client_file_ident, si.client_file_ident_salt, 0, 0, 5, 0, false, 0, {}});
        CHECK(c.expect_error() == std::pair<int, std::uint64_t>{code(pe::bad_server_version), 3});
        c.send(bind(4, "/a", false));
        c.send(rp::client_ident_message{4, si.client_file_ident, si.client_file_ident_salt, 0, 3, 0, 0, false, 0, {}});
        CHECK(c.expect_error() == std::pair<int, std::uint64_t>{code(pe::bad_client_version), 4});
    }
    SECTION("UPLOAD cursor rules: 210 and 209")
    {
        struct bad_case {
            const char* what;
            int expected;
            std::function<void(upload_builder&)> fill;
        };
        std::vector<bad_case> cases = {
            {"changeset client versions not increasing", 210, [](upload_builder& u) { u.add(2, 0, "x").add(2, 0, "y"); }},
            {"progress below a changeset version", 210, [](upload_builder& u) { u.m.progress_client_version = 1; u.add(2, 0, "x"); }},
            {"progress server version never downloaded", 209, [](upload_builder& u) { u.m.progress_server_version = 4; }},
            {"locked server version never downloaded", 209, [](upload_builder& u) { u.m.locked_server_version = 1; }},
            {"changeset newer than the progress it is part of", 209, [](upload_builder& u) { u.add(1, 3, "x"); }},
            {"changeset server versions decreasing", 209, [](upload_builder& u) { u.add(1, 3, "x").add(2, 1, "y"); }},
            {"progress before a changeset", 210, [](upload_builder& u) { u.m.progress_client_version = 0; u.add(1, 1, "x"); }},
        };
        for (auto& bc : cases) {
            INFO(bc.what);
            scripted_client c;
            open_session(c, 1);
            upload_builder u(1, 5, 0);
            bc.fill(u);
            c.send(u.msg());
            CHECK(c.expect_error() == std::pair<int, std::uint64_t>{bc.expected, 1});
            CHECK_FALSE(c.conn->should_close());
        }
        // decreasing progress across messages
        scripted_client c;
        open_session(c, 1);
        c.send(upload_builder(1, 3, 0).msg());
        c.drain();
        c.send(upload_builder(1, 2, 0).msg());
        CHECK(c.expect_error() == std::pair<int, std::uint64_t>{210, 1});
    }
}

TEST_CASE("server: token checks at BIND, IDENT, UPLOAD, MARK and REFRESH")
{
    server_connection_config cfg;
    cfg.dialect = dialect_id::legacy_ros;
    SECTION("no token: 203")
    {
        scripted_client c(cfg, true);
        c.send(bind(1, "/a"));
        CHECK(c.expect_error() == std::pair<int, std::uint64_t>{203, 1});
    }
    SECTION("bad signature: 203")
    {
        scripted_client c(cfg, true);
        std::string tok = make_token("u1", std::string("/a"));
        tok[tok.size() - 3] = tok[tok.size() - 3] == 'A' ? 'B' : 'A';
        c.send(bind(1, "/a", true, tok));
        CHECK(c.expect_error() == std::pair<int, std::uint64_t>{203, 1});
    }
    SECTION("expired: 202")
    {
        scripted_client c(cfg, true);
        std::string tok = make_token("u1", std::string("/a"), ra::privilege::download | ra::privilege::upload, c.unix_now - 10);
        c.send(bind(1, "/a", true, tok));
        CHECK(c.expect_error() == std::pair<int, std::uint64_t>{202, 1});
    }
    SECTION("other path: 206")
    {
        scripted_client c(cfg, true);
        std::string tok = make_token("u1", std::string("/b"));
        c.send(bind(1, "/a", true, tok));
        CHECK(c.expect_error() == std::pair<int, std::uint64_t>{206, 1});
    }
    SECTION("~ resolves to the identity")
    {
        scripted_client c(cfg, true);
        std::string tok = make_token("u1", std::string("/u1/tasks"));
        c.send(bind(1, "/~/tasks", true, tok));
        auto out = c.drain();
        REQUIRE(out.size() == 1);
        CHECK(std::holds_alternative<rp::server_ident_message>(out[0]));
        CHECK(c.backend.realms.count("/u1/tasks") == 1);
    }
    SECTION("handshake token used when BIND has none")
    {
        server_connection_config cfg2;
        cfg2.handshake_token = make_token("u1", std::string("/a"));
        scripted_client c(cfg2, true);
        c.send(bind(1, "/a"));
        auto out = c.drain();
        REQUIRE(out.size() == 1);
        CHECK(std::holds_alternative<rp::server_ident_message>(out[0]));
    }
    SECTION("download-only token: IDENT ok, UPLOAD 206")
    {
        scripted_client c(cfg, true);
        std::string tok = make_token("u1", std::string("/a"), ra::privilege::download);
        c.send(bind(1, "/a", true, tok));
        auto si = std::get<rp::server_ident_message>(c.drain().at(0));
        c.send(ident(1, si));
        CHECK(std::holds_alternative<rp::download_message>(c.drain().at(0)));
        c.send(upload_builder(1, 0, 0).msg());
        CHECK(c.expect_error() == std::pair<int, std::uint64_t>{206, 1});
    }
    SECTION("no read privilege: IDENT 206")
    {
        scripted_client c(cfg, true);
        std::string tok = make_token("u1", std::string("/a"), ra::privilege::upload);
        c.send(bind(1, "/a", true, tok));
        auto si = std::get<rp::server_ident_message>(c.drain().at(0));
        c.send(ident(1, si));
        CHECK(c.expect_error() == std::pair<int, std::uint64_t>{206, 1});
    }
    SECTION("token expiring mid-session: 202 at the next MARK; REFRESH before that keeps it alive")
    {
        scripted_client c(cfg, true);
        std::string tok = make_token("u1", std::string("/a"), ra::privilege::download | ra::privilege::upload, c.unix_now + 60);
        c.send(bind(1, "/a", true, tok));
        auto si = std::get<rp::server_ident_message>(c.drain().at(0));
        c.send(ident(1, si));
        c.drain();
        c.send(rp::refresh_message{1, make_token("u1", std::string("/a"), ra::privilege::download, c.unix_now + 3600)});
        CHECK(c.drain().empty());
        c.unix_now += 120;
        c.send(rp::mark_message{1, 1});
        auto out = c.drain();
        REQUIRE(out.size() == 1);
        CHECK(std::holds_alternative<rp::mark_message>(out[0]));
        c.unix_now += 7200;
        c.send(rp::mark_message{1, 2});
        CHECK(c.expect_error() == std::pair<int, std::uint64_t>{202, 1});
    }
    SECTION("REFRESH with a token for another path: 206")
    {
        scripted_client c(cfg, true);
        c.send(bind(1, "/a", true, make_token("u1", std::string("/a"))));
        c.drain();
        c.send(rp::refresh_message{1, make_token("u1", std::string("/b"))});
        CHECK(c.expect_error() == std::pair<int, std::uint64_t>{206, 1});
    }
}

TEST_CASE("server: PING is answered with PONG, the idle timeout closes")
{
    server_connection_config cfg;
    cfg.idle_timeout = std::chrono::seconds(30);
    scripted_client c(cfg);
    c.send(rp::ping_message{1234, 5});
    auto out = c.drain();
    REQUIRE(out.size() == 1);
    CHECK(std::get<rp::pong_message>(out[0]).timestamp == 1234);
    REQUIRE(c.conn->next_deadline());
    CHECK(*c.conn->next_deadline() == t0() + std::chrono::seconds(30));
    c.conn->on_timer(t0() + std::chrono::seconds(29));
    CHECK_FALSE(c.conn->should_close());
    c.conn->on_timer(t0() + std::chrono::seconds(30));
    CHECK(c.conn->should_close());
    CHECK(c.conn->close_error() == 0);
    auto ev = c.conn->take_events();
    REQUIRE_FALSE(ev.empty());
    CHECK(ev.back().type == server_event_type::idle_timeout);
}

TEST_CASE("server: LOG_MESSAGE on connect at protocol >= 10 only")
{
    memory_backend b;
    server_connection_config cfg;
    cfg.protocol_version = 10;
    server_connection bare(b, cfg, t0());
    CHECK_FALSE(bare.next_output(t0())); // no JSON codec: nothing to write the LOG_MESSAGE with
    cfg = with_default_codecs(cfg);
    server_connection c(b, cfg, t0());
    auto m = c.next_output(t0());
    REQUIRE(m);
    CHECK(m->rfind("log_message 0 ", 0) == 0);
    cfg.protocol_version = 9;
    server_connection c9(b, cfg, t0());
    CHECK_FALSE(c9.next_output(t0()));
    // legacy_ros numbers its versions differently (22): its clients never get LOG_MESSAGE
    cfg.dialect = dialect_id::legacy_ros;
    cfg.protocol_version = 22;
    server_connection legacy(b, cfg, t0());
    CHECK_FALSE(legacy.next_output(t0()));
}

/// One 3000-byte changeset uploaded on session 1, then downloaded on session 2.
rp::download_message download_of_big_changeset(scripted_client& c)
{
    open_session(c, 1);
    upload_builder u(1, 1, 0);
    u.add(1, 0, std::string(3000, 'a'));
    c.send(u.msg());
    c.drain();
    auto si = bind_and_get_ident(c, 2);
    c.send(ident(2, si));
    for (auto& m : c.drain()) {
        if (auto* d = std::get_if<rp::download_message>(&m))
            return *d;
    }
    FAIL("no DOWNLOAD");
    return {};
}

TEST_CASE("server: body compression is the injected codec's, none without one")
{
    server_connection_config cfg;
    SECTION("zlib: a body over 1024 bytes goes compressed")
    {
        scripted_client c(cfg);
        auto d = download_of_big_changeset(c);
        CHECK(d.is_body_compressed);
        CHECK(d.compressed_body_size < d.uncompressed_body_size);
        std::string plain;
        rp::decompress_body(d, plain);
        REQUIRE(d.entries.size() == 1);
        CHECK(d.entries.begin()->changeset == std::string(3000, 'a'));
    }
    SECTION("no codec: the same body goes as is, and a compressed UPLOAD is a decompression failure")
    {
        scripted_client c(cfg, false, true);
        auto d = download_of_big_changeset(c);
        CHECK_FALSE(d.is_body_compressed);
        CHECK(d.uncompressed_body_size > 3000);
        REQUIRE(d.entries.size() == 1);

        std::string zipped;
        std::error_code ec;
        std::string body(2000, 'z');
        rp::zlib_compress(body, zipped, ec);
        REQUIRE_FALSE(ec);
        rp::upload_message m;
        m.session_ident = 1;
        m.is_body_compressed = true;
        m.uncompressed_body_size = body.size();
        m.compressed_body_size = zipped.size();
        m.body = zipped;
        c.send(m);
        CHECK(c.expect_error().first == code(pe::other_error)); // 101, realm-core's decompression failure
    }
}

TEST_CASE("server: large history is sent in capped batches, MARK after the last")
{
    server_connection_config cfg;
    cfg.max_download_body = 100;
    scripted_client c(cfg);
    open_session(c, 1);
    upload_builder u(1, 10, 0);
    std::string big(60, 'x');
    for (int i = 1; i <= 10; ++i)
        u.add(static_cast<std::uint64_t>(i), 0, big);
    c.send(u.msg());
    c.drain();
    auto si = bind_and_get_ident(c, 2);
    c.send(ident(2, si));
    c.send(rp::mark_message{2, 1});
    auto out = c.drain();
    REQUIRE(out.size() >= 3);
    std::size_t changesets = 0;
    for (std::size_t i = 0; i + 1 < out.size(); ++i)
        changesets += std::get<rp::download_message>(out[i]).entries.size();
    CHECK(changesets == 10);
    CHECK(std::holds_alternative<rp::mark_message>(out.back()));
}

TEST_CASE("server: an expired token's 202 carries try_again (the client refreshes and binds again)")
{
    server_connection_config cfg;
    cfg.dialect = dialect_id::legacy_ros;
    scripted_client c(cfg, true);
    c.send(bind(1, "/a", true, make_token("u1", std::string("/a"), ra::privilege::download, c.unix_now + 60)));
    auto si = std::get<rp::server_ident_message>(c.drain().at(0));
    c.unix_now += 120;
    c.send(ident(1, si));
    auto out = c.drain();
    REQUIRE(out.size() == 1);
    const auto& e = std::get<rp::error_message>(out[0]);
    CHECK(e.error_code == 202);
    CHECK(e.session_ident == 1);
    CHECK(e.try_again);
    // other session errors do not ask for a retry
    c.send(bind(2, "/a", true, "garbage"));
    out = c.drain();
    REQUIRE(out.size() == 1);
    CHECK(std::get<rp::error_message>(out[0]).error_code == 203);
    CHECK_FALSE(std::get<rp::error_message>(out[0]).try_again);
}

TEST_CASE("server: FLX bootstrap after IDENT with a query and after QUERY, steady state otherwise")
{
    server_connection_config cfg;
    cfg.dialect = dialect_id::mongodb_flx;
    cfg.max_download_body = 100;
    scripted_client c(cfg);
    auto flx_ident = [](std::uint64_t session, const rp::server_ident_message& si, std::int64_t qv) {
        rp::client_ident_message m = ident(session, si);
        m.has_query = true;
        m.query_version = qv;
        m.query = "{}";
        return m;
    };
    auto si1 = bind_and_get_ident(c, 1, "");
    c.send(flx_ident(1, si1, 1));
    auto out = c.drain();
    REQUIRE(out.size() == 1);
    CHECK(std::get<rp::download_message>(out[0]).batch == rp::batch_state::last_in_batch); // empty bootstrap
    CHECK(std::get<rp::download_message>(out[0]).query_version == 1);
    upload_builder u(1, 5, 0);
    std::string big(60, 'x');
    for (int i = 1; i <= 5; ++i)
        u.add(static_cast<std::uint64_t>(i), 0, big);
    c.send(u.msg());
    out = c.drain();
    REQUIRE(out.size() == 1);
    CHECK(std::get<rp::download_message>(out[0]).batch == rp::batch_state::steady_state); // the upload's ack

    // A second session's bootstrap spans several capped DOWNLOADs: more_to_come ... last_in_batch.
    auto si2 = bind_and_get_ident(c, 2, "");
    c.send(flx_ident(2, si2, 3));
    out = c.drain();
    REQUIRE(out.size() >= 2);
    std::size_t changesets = 0;
    for (std::size_t i = 0; i < out.size(); ++i) {
        const auto& d = std::get<rp::download_message>(out[i]);
        CHECK(d.session_ident == 2);
        CHECK(d.query_version == 3);
        CHECK(d.batch == (i + 1 < out.size() ? rp::batch_state::more_to_come : rp::batch_state::last_in_batch));
        changesets += d.entries.size();
    }
    CHECK(changesets == 5);

    // QUERY: a new (here empty) bootstrap for the new version, then steady state again.
    c.send(rp::query_message{2, 4, "{}"});
    out = c.drain();
    REQUIRE(out.size() == 1);
    CHECK(std::get<rp::download_message>(out[0]).query_version == 4);
    CHECK(std::get<rp::download_message>(out[0]).batch == rp::batch_state::last_in_batch);
    upload_builder u2(1, 6, 0);
    u2.add(6, 0, "y");
    c.send(u2.msg());
    out = c.drain();
    bool steady_to_2 = false;
    for (auto& m : out)
        if (auto* d = std::get_if<rp::download_message>(&m); d && d->session_ident == 2)
            steady_to_2 = d->batch == rp::batch_state::steady_state && d->query_version == 4 && d->entries.size() == 1;
    CHECK(steady_to_2);
}

TEST_CASE("server: a PING flood from a peer that does not read costs one queued PONG")
{
    // realm-core's client has one PING outstanding at a time and checks the PONG's timestamp against
    // it. A peer that sends PINGs and never reads made the server queue one PONG per PING: memory grew
    // with what the peer sent while its reads stalled, outside the send-queue cap. The pending PONG now
    // answers the latest PING instead.
    scripted_client c;
    auto si = open_session(c, 1);
    (void)si;
    for (std::uint64_t ts = 1; ts <= 100000; ++ts)
        c.send(rp::ping_message{ts, 0});
    auto out = c.drain();
    REQUIRE(out.size() == 1);
    CHECK(std::get<rp::pong_message>(out[0]).timestamp == 100000);

    // A PING after the PONG went out gets its own PONG, and the session goes on.
    c.send(rp::ping_message{7, 0});
    out = c.drain();
    REQUIRE(out.size() == 1);
    CHECK(std::get<rp::pong_message>(out[0]).timestamp == 7);

    // A PONG queued behind other output keeps its place and still answers the newest PING.
    c.send(rp::unbind_message{1});
    c.send(rp::ping_message{8, 0});
    c.send(rp::ping_message{9, 0});
    out = c.drain();
    REQUIRE(out.size() == 2);
    CHECK(std::get<rp::unbound_message>(out[0]).session_ident == 1);
    CHECK(std::get<rp::pong_message>(out[1]).timestamp == 9);
}
