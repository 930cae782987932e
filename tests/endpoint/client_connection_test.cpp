#include "realmwire/endpoint/client_connection.hpp"

#include "endpoint_test_util.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

using namespace realmwire_test;
using realmwire::dialect_id;
using realmwire::endpoint_error;
using pe = rp::protocol_error;
using std::chrono::seconds;

namespace {

/// A client_connection wired to server_connections over the same backend, in memory.
struct loop {
    memory_backend& backend;
    client_connection& client;
    server_connection_config server_cfg;
    std::unique_ptr<server_connection> server;
    time_point now = t0();
    std::vector<client_event> events;
    std::vector<std::string> client_sent; ///< type words of what the client sent

    loop(memory_backend& b, client_connection& c, server_connection_config cfg = {}) : backend(b), client(c), server_cfg(std::move(cfg))
    {
        server_cfg.log_message_on_connect = false;
    }

    void connect()
    {
        REQUIRE(client.wants_connect(now));
        client.on_connecting(now);
        auto cfg = server_cfg;
        if (cfg.handshake_token.empty())
            cfg.handshake_token = client.token();
        cfg.dialect = client.config().dialect;
        server = std::make_unique<server_connection>(backend, cfg, now);
        client.on_connected(now, 14);
    }

    /// Moves messages both ways until nothing moves.
    void pump()
    {
        for (int round = 0; round < 1000; ++round) {
            bool moved = false;
            while (auto m = client.next_output(now)) {
                client_sent.push_back(m->substr(0, m->find(' ')));
                if (server)
                    server->receive(*m, now);
                moved = true;
            }
            if (client.close_requested()) {
                client.close_done();
                server.reset();
            }
            while (server) {
                auto m = server->next_output(now);
                if (!m)
                    break;
                client.receive(*m, now);
                moved = true;
            }
            if (server && server->should_close()) {
                server.reset();
                client.on_closed(now, 1000);
            }
            auto ev = client.take_events();
            events.insert(events.end(), ev.begin(), ev.end());
            if (!moved)
                return;
        }
        FAIL("pump did not settle");
    }

    bool saw(client_event_type t, std::uint64_t session = 0) const
    {
        return std::any_of(events.begin(), events.end(), [&](const client_event& e) {
            return e.type == t && (session == 0 || e.session_ident == session);
        });
    }
    const client_event* error() const
    {
        for (const auto& e : events)
            if (e.type == client_event_type::error)
                return &e;
        return nullptr;
    }
};

client_connection_config no_jitter(client_connection_config c = {})
{
    c.reconnect_backoff.jitter_divisor = 0;
    c.resumption_backoff.jitter_divisor = 0;
    return with_default_codecs(std::move(c));
}

} // namespace

TEST_CASE("client: two clients sync through the server, upload and download completion")
{
    memory_backend backend;
    memory_store sa, sb;
    client_connection a(no_jitter()), b(no_jitter());
    auto ia = a.add_session({"/shared", &sa, {}});
    auto ib = b.add_session({"/shared", &sb, {}});
    CHECK(ia == 1);
    CHECK(ib == 1);
    loop la(backend, a), lb(backend, b);
    la.connect();
    lb.connect();
    la.pump();
    lb.pump();
    REQUIRE(sa.ident);
    REQUIRE(sb.ident);
    CHECK(sa.ident->ident != sb.ident->ident);

    sa.write("one");
    sa.write("two");
    a.notify_local_changes(ia);
    a.request_upload_completion(ia);
    la.pump();
    CHECK(la.saw(client_event_type::upload_complete, ia));
    CHECK(backend.realms["/shared"].history.size() == 2);

    b.request_download_completion(ib);
    lb.server->notify_realm_changed("/shared");
    lb.pump();
    CHECK(lb.saw(client_event_type::download_complete, ib));
    CHECK(sb.downloaded == std::vector<std::string>{"one", "two"});
    CHECK(la.error() == nullptr);
    CHECK(lb.error() == nullptr);
    // realm-core's send order for a fresh file: BIND, (server IDENT), IDENT, then MARK/UPLOAD
    REQUIRE(la.client_sent.size() >= 3);
    CHECK(la.client_sent[0] == "bind");
    CHECK(la.client_sent[1] == "ident");
}

TEST_CASE("client: several sessions multiplexed on one connection, removal with UNBIND/UNBOUND")
{
    memory_backend backend;
    memory_store s1, s2, s3;
    client_connection c(no_jitter());
    auto i1 = c.add_session({"/r1", &s1, {}});
    auto i2 = c.add_session({"/r2", &s2, {}});
    auto i3 = c.add_session({"/r3", &s3, {}});
    CHECK((i1 == 1 && i2 == 2 && i3 == 3));
    loop l(backend, c);
    l.connect();
    l.pump();
    CHECK(std::count(l.client_sent.begin(), l.client_sent.end(), "bind") == 3);
    CHECK(std::count(l.client_sent.begin(), l.client_sent.end(), "ident") == 3);
    s2.write("x");
    c.notify_local_changes(i2);
    c.request_upload_completion(i2);
    l.pump();
    CHECK(l.saw(client_event_type::upload_complete, i2));
    CHECK(backend.realms["/r2"].history.size() == 1);
    CHECK(backend.realms["/r1"].history.empty());
    c.remove_session(i1);
    l.pump();
    CHECK(l.saw(client_event_type::session_removed, i1));
    CHECK_FALSE(c.has_session(i1));
    CHECK(std::count(l.client_sent.begin(), l.client_sent.end(), "unbind") == 1);
    CHECK(l.error() == nullptr);
    // a new session gets a new ident
    CHECK(c.add_session({"/r4", &s1, {}}) == 4);
}

TEST_CASE("client: resumes after reconnect without duplicating uploads")
{
    memory_backend backend;
    memory_store s;
    client_connection c(no_jitter());
    auto id = c.add_session({"/a", &s, {}});
    loop l(backend, c);
    l.connect();
    l.pump();
    s.write("a");
    c.notify_local_changes(id);
    l.pump();
    // drop the connection before anything else; the server keeps what it acknowledged
    l.server.reset();
    c.on_closed(l.now, 1006);
    CHECK(c.current_state() == client_connection::state::disconnected);
    s.write("b");
    l.now += seconds(5);
    l.connect();
    c.request_upload_completion(id);
    l.pump();
    CHECK(l.saw(client_event_type::upload_complete, id));
    auto& h = backend.realms["/a"].history;
    REQUIRE(h.size() == 2);
    CHECK(h[0].changeset == "a");
    CHECK(h[1].changeset == "b");
}

namespace {

/// A client with one session that is BOUND and IDENTed by hand (scripted server messages).
struct scripted_server {
    memory_store store;
    client_connection client;
    time_point now = t0();
    std::uint64_t id = 0;

    explicit scripted_server(client_connection_config cfg = no_jitter()) : client(std::move(cfg))
    {
        store.ident = salted_file_ident{7, 77};
        id = client.add_session({"/a", &store, {}});
        client.on_connecting(now);
        client.on_connected(now, 14);
        drain();
    }
    std::vector<std::string> drain()
    {
        std::vector<std::string> out;
        while (auto m = client.next_output(now))
            out.push_back(std::move(*m));
        return out;
    }
    template <class M>
    void send(const M& m)
    {
        client.receive(rp::encode(m), now);
    }
    /// The protocol violation this produced (its endpoint_error), or a default code.
    std::error_code violation()
    {
        for (auto& e : client.take_events())
            if (e.type == client_event_type::error && e.action == rp::error_action::protocol_violation) {
                CHECK(client.close_requested());
                CHECK(client.current_state() == client_connection::state::disconnected);
                return e.code;
            }
        return {};
    }
};

rp::download_message download(std::uint64_t session, std::uint64_t dsv, std::uint64_t dcv, std::uint64_t lsv,
                              std::uint64_t ucv = 0, std::uint64_t usv = 0)
{
    rp::download_message d;
    d.session_ident = session;
    d.download_server_version = dsv;
    d.download_client_version = dcv;
    d.latest_server_version = lsv;
    d.latest_server_version_salt = 1;
    d.upload_client_version = ucv;
    d.upload_server_version = usv;
    return d;
}

struct download_with_body {
    std::string body;
    rp::download_message m;
    download_with_body(rp::download_message d) : m(d) {}
    download_with_body& add(std::uint64_t sv, std::uint64_t cv, std::uint64_t origin)
    {
        rp::download_entry e;
        e.server_version = sv;
        e.client_version = cv;
        e.origin_file_ident = origin;
        e.changeset = "c";
        e.original_changeset_size = 1;
        rp::append_entry(body, e);
        return *this;
    }
    const rp::download_message& msg()
    {
        rp::set_uncompressed_body(m, body);
        return m;
    }
};

} // namespace

TEST_CASE("client: every server-message check is a protocol violation with its own error")
{
    using E = endpoint_error;
    SECTION("message for a never-used session ident")
    {
        scripted_server s;
        s.send(rp::server_ident_message{9, 1, 1});
        CHECK(s.violation() == E::bad_session_ident);
    }
    SECTION("server IDENT when the file ident is known already")
    {
        scripted_server s;
        s.send(rp::server_ident_message{s.id, 1, 1});
        CHECK(s.violation() == E::bad_message_order);
    }
    SECTION("server IDENT with salt 0")
    {
        scripted_server s;
        s.store.ident.reset();
        s.client.remove_session(s.id);
        scripted_server s2;
        s2.store.ident.reset();
        auto id2 = s2.client.add_session({"/b", &s2.store, {}});
        s2.drain();
        s2.send(rp::server_ident_message{id2, 5, 0});
        CHECK(s2.violation() == E::bad_client_file_ident);
    }
    SECTION("DOWNLOAD before IDENT")
    {
        memory_store fresh;
        client_connection c(no_jitter());
        auto id = c.add_session({"/a", &fresh, {}});
        c.on_connecting(t0());
        c.on_connected(t0(), 14);
        while (c.next_output(t0())) {
        }
        c.receive(rp::encode(download(id, 0, 0, 0)), t0());
        auto ev = c.take_events();
        REQUIRE_FALSE(ev.empty());
        CHECK(ev[1].code == E::bad_message_order);
    }
    SECTION("progress checks")
    {
        struct bad {
            const char* what;
            rp::download_message d;
        };
        std::vector<bad> cases = {
            {"download server version beyond latest", download(1, 5, 0, 4)},
            {"last integrated client version beyond upload progress", download(1, 1, 2, 1, 1, 0)},
            {"upload progress beyond local versions", download(1, 1, 0, 1, 3, 0)},
            {"download server version below upload's server version", download(1, 1, 0, 3, 0, 2)},
        };
        for (auto& bc : cases) {
            INFO(bc.what);
            scripted_server s;
            s.send(bc.d);
            CHECK(s.violation() == E::bad_progress);
        }
        scripted_server s;
        s.send(download(1, 3, 0, 3));
        CHECK(s.violation() == std::error_code());
        s.send(download(1, 2, 0, 3));
        CHECK(s.violation() == E::bad_progress);
    }
    SECTION("changeset checks")
    {
        {
            scripted_server s;
            download_with_body d(download(1, 2, 0, 2));
            s.send(d.add(3, 0, 5).msg());
            CHECK(s.violation() == E::bad_server_version);
        }
        {
            scripted_server s;
            download_with_body d(download(1, 2, 0, 2));
            s.send(d.add(2, 0, 5).add(2, 0, 5).msg());
            CHECK(s.violation() == E::bad_server_version);
        }
        {
            scripted_server s;
            download_with_body d(download(1, 2, 0, 2));
            s.send(d.add(1, 1, 5).msg());
            CHECK(s.violation() == E::bad_client_version);
        }
        {
            scripted_server s;
            download_with_body d(download(1, 2, 0, 2));
            s.send(d.add(1, 0, 7).msg());
            CHECK(s.violation() == E::bad_origin_file_ident);
        }
        {
            scripted_server s;
            download_with_body d(download(1, 2, 0, 2));
            s.send(d.add(1, 0, 0).msg());
            CHECK(s.violation() == E::bad_origin_file_ident);
        }
        {
            scripted_server s;
            download_with_body d(download(1, 2, 0, 2));
            s.send(d.add(1, 0, 5).add(2, 0, 6).msg());
            CHECK(s.violation() == std::error_code());
            CHECK(s.store.downloaded.size() == 2);
        }
    }
    SECTION("MARK outside (last received, last sent]")
    {
        scripted_server s;
        s.send(rp::mark_message{1, 1});
        CHECK(s.violation() == E::bad_request_ident);
        scripted_server s2;
        s2.client.request_download_completion(s2.id);
        s2.drain();
        s2.send(rp::mark_message{1, 1});
        CHECK(s2.violation() == std::error_code());
        s2.send(rp::mark_message{1, 1});
        CHECK(s2.violation() == E::bad_request_ident);
    }
    SECTION("UNBOUND without UNBIND")
    {
        scripted_server s;
        s.send(rp::unbound_message{1});
        CHECK(s.violation() == E::bad_message_order);
    }
    SECTION("ERROR codes that do not fit their level")
    {
        scripted_server s;
        s.send(rp::error_message{201, false, 0, "x"});
        CHECK(s.violation() == E::bad_error_code);
        scripted_server s2;
        s2.send(rp::error_message{101, false, 1, "x"});
        CHECK(s2.violation() == E::bad_error_code);
    }
    SECTION("PONG without PING, PONG with another timestamp")
    {
        scripted_server s;
        s.send(rp::pong_message{0});
        CHECK(s.violation() == E::bad_pong);
        scripted_server s2;
        s2.now += seconds(61);
        auto out = s2.drain();
        REQUIRE_FALSE(out.empty());
        CHECK(out[0].rfind("ping ", 0) == 0);
        s2.send(rp::pong_message{12345678});
        CHECK(s2.violation() == E::bad_pong);
    }
    SECTION("LOG_MESSAGE with an unknown level, bad JSON_ERROR body, TEST_COMMAND, QUERY_ERROR on PBS")
    {
        for (int k = 0; k < 4; ++k) {
            scripted_server s;
            switch (k) {
                case 0: s.send(rp::log_message{0, R"({"level":"loud","msg":"x"})"}); break;
                case 1: s.send(rp::json_error_message{201, 1, "{}"}); break;
                case 2: s.send(rp::test_command_message{1, 1, "x"}); break;
                case 3: s.send(rp::query_error_message{226, 1, 1, "bad"}); break;
            }
            std::error_code ec = s.violation();
            CHECK(ec == (k == 2 ? E::bad_message_order : E::bad_message));
        }
    }
    SECTION("a message for a removed session is ignored")
    {
        scripted_server s;
        s.client.remove_session(s.id);
        s.drain();
        s.send(rp::unbound_message{s.id});
        CHECK(s.violation() == std::error_code());
        s.send(rp::mark_message{s.id, 1});
        CHECK(s.violation() == std::error_code());
    }
}

TEST_CASE("client: reconnect backoff with a fake clock")
{
    client_connection_config cfg = no_jitter();
    memory_store st;
    client_connection c(cfg, t0());
    c.add_session({"/a", &st, {}});
    time_point now = t0();
    CHECK(c.wants_connect(now)); // a never-failed connection starts at once
    std::vector<long> delays;
    for (int i = 0; i < 12; ++i) {
        c.on_connecting(now);
        c.on_connect_failed(now, make_error_code(realmwire::transport_error::connect_failed));
        auto at = c.reconnect_at();
        REQUIRE(at);
        delays.push_back(static_cast<long>(std::chrono::duration_cast<milliseconds>(*at - now).count()));
        CHECK_FALSE(c.wants_connect(*at - milliseconds(1)));
        CHECK(c.wants_connect(*at));
        now = *at;
    }
    CHECK(delays == std::vector<long>{1000, 2000, 4000, 8000, 16000, 32000, 64000, 128000, 256000, 300000, 300000, 300000});

    SECTION("jitter takes up to 25 % off")
    {
        backoff_state<int> b({}, seeded_jitter(42));
        b.update(1);
        for (long base : {1000L, 2000L, 4000L, 8000L}) {
            long d = static_cast<long>(b.next_delay().count());
            CHECK(d <= base);
            CHECK(d >= base - base / 4);
        }
    }
    SECTION("a different reason restarts the sequence")
    {
        backoff_state<int> b(backoff_policy{milliseconds(1000), milliseconds(300000), 2, 0}, nullptr);
        b.update(1);
        b.next_delay();
        CHECK(b.next_delay() == milliseconds(2000));
        b.update(1);
        CHECK(b.next_delay() == milliseconds(4000));
        b.update(2);
        CHECK(b.next_delay() == milliseconds(1000));
    }
    SECTION("a JSON_ERROR's backoff fields override the policy")
    {
        client_connection c2(cfg, t0());
        memory_store st2;
        st2.ident = salted_file_ident{1, 1};
        c2.add_session({"/a", &st2, {}});
        time_point n = t0();
        std::vector<long> got;
        for (int i = 0; i < 4; ++i) {
            c2.on_connecting(n);
            c2.on_connected(n, 14);
            while (c2.next_output(n)) {
            }
            std::string body = R"({"isRecoveryModeDisabled":false,"tryAgain":true,"message":"later","logURL":"","shouldClientReset":false,"action":"Transient","backoffIntervalSec":10,"backoffMaxDelaySec":40,"backoffMultiplier":3})";
            c2.receive(rp::encode(rp::json_error_message{100, 0, body}), n);
            REQUIRE(c2.close_requested());
            c2.close_done();
            auto at = c2.reconnect_at();
            REQUIRE(at);
            got.push_back(static_cast<long>(std::chrono::duration_cast<milliseconds>(*at - n).count()));
            n = *at;
        }
        CHECK(got == std::vector<long>{10000, 30000, 40000, 40000});
    }
    SECTION("a connection-level ERROR without try_again stops reconnecting until cancel_reconnect_delay")
    {
        client_connection c3(cfg, t0());
        memory_store st3;
        st3.ident = salted_file_ident{1, 1};
        c3.add_session({"/a", &st3, {}});
        c3.on_connecting(t0());
        c3.on_connected(t0(), 14);
        c3.receive(rp::encode(rp::error_message{101, false, 0, "no"}), t0());
        auto ev = c3.take_events();
        REQUIRE(ev.size() >= 2);
        CHECK(ev[1].protocol_code == 101);
        CHECK(ev[1].fatal);
        CHECK_FALSE(c3.wants_connect(t0() + std::chrono::hours(24)));
        CHECK_FALSE(c3.next_deadline());
        c3.cancel_reconnect_delay(t0() + seconds(1));
        CHECK(c3.wants_connect(t0() + seconds(1)));
    }
}

TEST_CASE("client: ping schedule and pong timeout")
{
    client_connection_config cfg = no_jitter();
    cfg.ping_period = seconds(60);
    cfg.pong_timeout = seconds(120);
    scripted_server s(cfg);
    auto d = s.client.next_deadline();
    REQUIRE(d);
    CHECK(*d <= s.now + seconds(60));
    CHECK(*d >= s.now);
    s.now = *d;
    auto out = s.drain();
    REQUIRE(out.size() == 1);
    auto ping = std::get<rp::ping_message>(rp::decode_client_message(out[0]));
    s.now += seconds(1);
    s.send(rp::pong_message{ping.timestamp});
    CHECK(s.violation() == std::error_code());
    auto d2 = s.client.next_deadline();
    REQUIRE(d2);
    // next ping one period after the previous, minus at most 10 %
    CHECK(*d2 <= s.now - seconds(1) + seconds(60));
    CHECK(*d2 >= s.now - seconds(1) + seconds(54));
    s.now = *d2;
    out = s.drain();
    REQUIRE(out.size() == 1);
    CHECK(out[0].rfind("ping ", 0) == 0);
    // no PONG: the deadline is the pong timeout
    REQUIRE(s.client.next_deadline());
    CHECK(*s.client.next_deadline() == s.now + seconds(120));
    s.client.on_timer(s.now + seconds(119));
    CHECK(s.client.current_state() == client_connection::state::connected);
    s.client.on_timer(s.now + seconds(120));
    CHECK(s.client.current_state() == client_connection::state::disconnected);
    CHECK(s.client.close_requested());
    auto ev = s.client.take_events();
    REQUIRE_FALSE(ev.empty());
    CHECK(ev[0].code == endpoint_error::pong_timeout);
    CHECK(ev.back().type == client_event_type::disconnected);
    CHECK(ev.back().delay == milliseconds(1000));
}

TEST_CASE("client: session error resumption")
{
    scripted_server s;
    s.send(rp::error_message{201, true, 1, "try later"});
    auto out = s.drain();
    REQUIRE(out.size() == 1);
    CHECK(out[0] == "unbind 1\n");
    auto d = s.client.next_deadline();
    REQUIRE(d);
    CHECK(*d == s.now + seconds(1));
    s.client.on_timer(*d);
    s.now = *d;
    out = s.drain();
    REQUIRE(out.size() == 2);
    CHECK(out[0].rfind("bind 1 ", 0) == 0);
    CHECK(out[1].rfind("ident 1 7 77 ", 0) == 0);
    // a fatal session error suspends the session
    s.client.take_events();
    s.send(rp::error_message{208, false, 1, "reset"});
    auto ev = s.client.take_events();
    bool found = false;
    for (auto& e : ev)
        if (e.type == client_event_type::error) {
            found = true;
            CHECK(e.action == rp::error_action::client_reset);
            CHECK(e.fatal);
            CHECK(e.protocol_code == 208);
        }
    CHECK(found);
    out = s.drain();
    REQUIRE(out.size() == 1);
    CHECK(out[0] == "unbind 1\n");
}

TEST_CASE("client: token refresh in the legacy dialects (REFRESH on the open connection)")
{
    memory_backend backend;
    memory_store st;
    client_connection_config cfg = no_jitter();
    cfg.dialect = dialect_id::legacy_ros;
    std::int64_t unix_now = 1'700'000'000;
    cfg.token = make_token("u1", std::string("/a"), ra::privilege::download | ra::privilege::upload, unix_now + 60);
    client_connection c(cfg);
    auto id = c.add_session({"/a", &st, {}});
    ra::token_verifier verifier(test_key(), [&] { return unix_now; });
    server_connection_config scfg;
    scfg.verifier = &verifier;
    loop l(backend, c, scfg);
    l.connect();
    l.pump();
    REQUIRE(l.error() == nullptr);
    REQUIRE(st.ident);

    SECTION("proactive: REFRESH keeps the session alive past the old expiry")
    {
        c.refresh_token(make_token("u1", std::string("/a"), ra::privilege::download | ra::privilege::upload, unix_now + 3600), l.now);
        l.pump();
        CHECK(std::count(l.client_sent.begin(), l.client_sent.end(), "refresh") == 1);
        unix_now += 600;
        st.write("w");
        c.notify_local_changes(id);
        c.request_upload_completion(id);
        l.pump();
        CHECK(l.saw(client_event_type::upload_complete, id));
        CHECK(l.error() == nullptr);
    }
    SECTION("reactive: 202, new token, re-BIND on the same connection")
    {
        unix_now += 600; // expired
        st.write("w");
        c.notify_local_changes(id);
        l.pump();
        REQUIRE(l.saw(client_event_type::token_refresh_needed, id));
        const client_event* e = l.error();
        REQUIRE(e);
        CHECK(e->protocol_code == 202);
        CHECK(e->action == rp::error_action::refresh_user);
        auto* server_before = l.server.get();
        c.refresh_token(make_token("u1", std::string("/a"), ra::privilege::download | ra::privilege::upload, unix_now + 3600), l.now);
        c.request_upload_completion(id);
        l.pump();
        CHECK(l.server.get() == server_before); // no reconnect
        CHECK(l.saw(client_event_type::upload_complete, id));
        CHECK(std::count(l.client_sent.begin(), l.client_sent.end(), "bind") == 2);
        CHECK(backend.realms["/a"].history.size() == 1);
    }
}

TEST_CASE("client: token refresh in the modern dialects (reconnect)")
{
    memory_backend backend;
    memory_store st;
    client_connection_config cfg = no_jitter();
    cfg.dialect = dialect_id::mongodb_pbs;
    std::int64_t unix_now = 1'700'000'000;
    cfg.token = make_token("u1", std::nullopt, ra::privilege::download | ra::privilege::upload, unix_now + 60);
    client_connection c(cfg);
    auto id = c.add_session({"/a", &st, {}});
    ra::token_verifier verifier(test_key(), [&] { return unix_now; });
    server_connection_config scfg;
    scfg.verifier = &verifier;
    loop l(backend, c, scfg);
    l.connect();
    l.pump();
    REQUIRE(l.error() == nullptr);

    SECTION("202: refresh closes and reconnects at once with the new token")
    {
        unix_now += 600;
        c.request_download_completion(id);
        l.pump();
        REQUIRE(l.saw(client_event_type::token_refresh_needed, id));
        c.refresh_token(make_token("u1", std::nullopt, ra::privilege::download | ra::privilege::upload, unix_now + 3600), l.now);
        CHECK(c.close_requested());
        c.close_done();
        l.server.reset();
        CHECK(c.wants_connect(l.now));
        l.connect();
        l.pump();
        CHECK(l.saw(client_event_type::download_complete, id));
    }
    SECTION("4001 close: no reconnect until a token arrives")
    {
        l.server.reset();
        c.on_closed(l.now, 4001);
        auto ev = c.take_events();
        bool asked = false;
        for (auto& e : ev)
            asked = asked || e.type == client_event_type::token_refresh_needed;
        CHECK(asked);
        CHECK_FALSE(c.wants_connect(l.now + std::chrono::hours(1)));
        c.refresh_token(make_token("u1", std::nullopt, ra::privilege::download | ra::privilege::upload, unix_now + 3600), l.now);
        CHECK(c.wants_connect(l.now));
    }
    SECTION("HTTP 401 at the handshake: same")
    {
        l.server.reset();
        c.on_closed(l.now, 1006);
        c.take_events();
        l.now += seconds(1);
        c.on_connecting(l.now);
        c.on_connect_failed(l.now, {}, 401);
        CHECK(c.waiting_for_token());
        CHECK_FALSE(c.wants_connect(l.now + std::chrono::hours(1)));
    }
}

TEST_CASE("client: changeset client versions start from the previous download cursor")
{
    scripted_server s;
    s.store.versions.resize(3); // three local versions exist
    s.client.take_events();
    s.send(download(1, 1, 2, 1, 2, 0));
    auto ev = s.client.take_events();
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].type == client_event_type::download_integrated);
    download_with_body d(download(1, 2, 3, 2, 3, 0));
    s.store.versions.resize(4);
    s.send(d.add(2, 1, 5).msg()); // client_version 1 < the cursor's 2
    CHECK(s.violation() == endpoint_error::bad_client_version);
}
