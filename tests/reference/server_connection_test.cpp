#include "realmwire/endpoint/server_connection.hpp"

// The reference server runs the general endpoint::server_connection in front of history_backend; these
// are its ordering rules and token checks as the reference server answers them (tests/endpoint/ has
// the rules against a trivial backend).

#include "realmwire/auth/keys.hpp"
#include "realmwire/auth/token.hpp"
#include "realmwire/reference/sync_backend.hpp"

#include <catch2/catch.hpp>

#include <memory>

using namespace realmwire;

namespace {

/// endpoint::server_connection as the reference server drives it: every input followed by draining
/// the output; counts the REFRESHes it accepted.
struct driven_connection {
    endpoint::server_connection c;
    std::size_t refreshed = 0;

    driven_connection(endpoint::server_backend& b, endpoint::server_connection_config cfg)
        : c(b, std::move(cfg), std::chrono::steady_clock::now())
    {
    }
    bool close_requested() const noexcept { return c.should_close(); }
    std::size_t refreshes() const noexcept { return refreshed; }
};

endpoint::server_connection_config quiet(endpoint::server_connection_config c)
{
    c.log_message_on_connect = false; // the reference server's own tests look at protocol answers only
    return c;
}

struct fixture {
    std::shared_ptr<reference::realm_directory> dir = std::make_shared<reference::realm_directory>();
    reference::history_backend backend{dir};
    endpoint::server_connection_config cfg = quiet({});
    std::unique_ptr<driven_connection> conn;

    fixture() { conn = std::make_unique<driven_connection>(backend, cfg); }
    explicit fixture(endpoint::server_connection_config c) : cfg(quiet(std::move(c)))
    {
        conn = std::make_unique<driven_connection>(backend, cfg);
    }

    /// Sends one message; returns (and drains) what the server answered.
    std::vector<std::string> send(const std::string& m)
    {
        auto now = std::chrono::steady_clock::now();
        conn->c.receive(m, now);
        std::vector<std::string> out;
        while (auto o = conn->c.next_output(now))
            out.push_back(std::move(*o));
        for (const auto& e : conn->c.take_events())
            if (e.type == endpoint::server_event_type::token_refreshed)
                ++conn->refreshed;
        return out;
    }
    std::pair<std::uint64_t, std::int64_t> bind_new(std::uint64_t session, const std::string& path = "/r")
    {
        auto out = send("bind " + std::to_string(session) + " " + std::to_string(path.size()) + " 0 1 0\n" + path);
        REQUIRE(out.size() == 1);
        auto m = std::get<protocol::server_ident_message>(protocol::decode_server_message(out[0]));
        return {m.client_file_ident, m.client_file_ident_salt};
    }
    std::string ident_line(std::uint64_t session, std::pair<std::uint64_t, std::int64_t> f, const std::string& rest = "0 0 0 0")
    {
        return "ident " + std::to_string(session) + " " + std::to_string(f.first) + " " + std::to_string(f.second) + " " +
               rest + "\n";
    }
};

/// The ERROR in `out` (the last message), as (code, session, try_again).
std::tuple<int, std::uint64_t, bool> error_of(const std::vector<std::string>& out)
{
    REQUIRE_FALSE(out.empty());
    auto m = protocol::decode_server_message(out.back());
    REQUIRE(std::holds_alternative<protocol::error_message>(m));
    const auto& e = std::get<protocol::error_message>(m);
    return {e.error_code, e.session_ident, e.try_again};
}

} // namespace

TEST_CASE("reference server connection: each ordering violation is answered with its code")
{
    fixture f;
    SECTION("BIND with a session ident in use: 107, connection level, then closed")
    {
        f.bind_new(1);
        auto [code, session, again] = error_of(f.send("bind 1 2 0 1 0\n/r"));
        CHECK(code == 107);
        CHECK(session == 0);
        CHECK_FALSE(again);
        CHECK(f.conn->close_requested());
    }
    SECTION("a message for a session that was never bound: 106")
    {
        CHECK(std::get<0>(error_of(f.send("mark 5 1\n"))) == 106);
        CHECK(f.conn->close_requested());
    }
    SECTION("IDENT before the server's IDENT was... (need_client_file_ident=0 is fine); a second IDENT: 109")
    {
        auto id = f.bind_new(1);
        CHECK(f.send(f.ident_line(1, id)).size() == 1); // one DOWNLOAD
        CHECK(std::get<0>(error_of(f.send(f.ident_line(1, id)))) == 109);
    }
    SECTION("UPLOAD or MARK before IDENT: 109")
    {
        f.bind_new(1);
        CHECK(std::get<0>(error_of(f.send("upload 1 0 0 0 1 0 0\n"))) == 109);
    }
    SECTION("MARK before IDENT: 109")
    {
        f.bind_new(1);
        CHECK(std::get<0>(error_of(f.send("mark 1 1\n"))) == 109);
    }
    SECTION("anything after UNBIND: UNBOUND, then 109")
    {
        f.bind_new(1);
        auto out = f.send("unbind 1\n");
        REQUIRE(out.size() == 1);
        CHECK(out[0] == "unbound 1\n");
        // The ident may be bound again afterwards.
        f.bind_new(1);
    }
    SECTION("an illegal realm path: 204 for that session only")
    {
        auto [code, session, again] = error_of(f.send("bind 3 3 0 1 0\n/a/"));
        CHECK(code == 204);
        CHECK(session == 3);
        CHECK_FALSE(f.conn->close_requested());
        // The session is dead until UNBIND, which then gets no UNBOUND.
        CHECK(f.send("mark 3 1\n").empty());
        CHECK(f.send("unbind 3\n").empty());
    }
    SECTION("IDENT with an unknown file ident 208, a wrong salt 211, a future server version 209, a client version "
            "beyond what was integrated 210")
    {
        auto id = f.bind_new(1);
        CHECK(std::get<0>(error_of(f.send(f.ident_line(1, {id.first + 50, id.second})))) == 208);
        f.bind_new(2);
        CHECK(std::get<0>(error_of(f.send(f.ident_line(2, {id.first, id.second ^ 1})))) == 211);
        f.bind_new(3);
        CHECK(std::get<0>(error_of(f.send(f.ident_line(3, id, "0 0 7 0")))) == 209);
        f.bind_new(4);
        CHECK(std::get<0>(error_of(f.send(f.ident_line(4, id, "0 3 0 0")))) == 210);
    }
    SECTION("UPLOAD: progress going back 210, changeset versions not increasing 210, locked beyond download 209")
    {
        auto id = f.bind_new(1);
        f.send(f.ident_line(1, id));
        CHECK(f.send("upload 1 0 0 0 5 0 0\n").size() == 1); // progress-only upload: a DOWNLOAD acks it
        CHECK(std::get<0>(error_of(f.send("upload 1 0 0 0 4 0 0\n"))) == 210);
        f.send("unbind 1\n");
        auto id2 = f.bind_new(2);
        f.send(f.ident_line(2, id2));
        std::string e = "3 0 0 0 0 2 0 0 0 0 ";
        CHECK(std::get<0>(error_of(f.send("upload 2 0 " + std::to_string(e.size()) + " 0 5 0 0\n" + e))) == 210);
        auto id3 = f.bind_new(3);
        f.send(f.ident_line(3, id3));
        CHECK(std::get<0>(error_of(f.send("upload 3 0 0 0 1 0 4\n"))) == 209);
    }
    SECTION("a message that does not parse: 103")
    {
        CHECK(std::get<0>(error_of(f.send("bind x\n"))) == 103);
        CHECK(f.conn->close_requested());
    }
    SECTION("PING is answered with PONG echoing the timestamp")
    {
        auto out = f.send("ping 42 7\n");
        REQUIRE(out.size() == 1);
        CHECK(out[0] == "pong 42\n");
    }
}

TEST_CASE("reference server connection: token checks at BIND (203, 206, 202) and REFRESH")
{
    auth::key_pair keys = auth::load_or_generate_keys(std::string(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp") +
                                                      "/realmwire-h-keys-" + std::to_string(::getpid()));
    auth::token_verifier verifier(keys.public_key);
    auto token = [&](std::optional<std::string> path, std::int64_t expires_in) {
        auth::claims c;
        c.identity = "u";
        c.has_access = true;
        c.access = auth::privilege::download | auth::privilege::upload;
        c.path = std::move(path);
        if (expires_in)
            c.expires = auth::system_unix_now() + expires_in;
        return auth::sign_claims(c, keys.private_key);
    };
    endpoint::server_connection_config cfg;
    cfg.dialect = dialect_id::legacy_ros; // token in BIND
    cfg.verifier = &verifier;
    fixture f(cfg);
    auto bind = [&](std::uint64_t s, const std::string& path, const std::string& t) {
        return f.send("bind " + std::to_string(s) + " " + std::to_string(path.size()) + " " + std::to_string(t.size()) +
                      " 1 0\n" + path + t);
    };
    CHECK(std::get<0>(error_of(bind(1, "/r", "garbage"))) == 203);
    CHECK(std::get<0>(error_of(bind(2, "/r", token(std::string("/other"), 0)))) == 206);
    auto [code, session, again] = error_of(bind(3, "/r", token(std::nullopt, -10)));
    CHECK(code == 202);
    CHECK(session == 3);
    CHECK(again);
    auto out = bind(4, "/r", token(std::string("/r"), 60));
    REQUIRE(out.size() == 1);
    CHECK(out[0].rfind("ident 4 ", 0) == 0);
    // REFRESH with a bad token ends the session with 203; a good one is accepted silently.
    std::string good = token(std::string("/r"), 120);
    CHECK(f.send("refresh 4 " + std::to_string(good.size()) + "\n" + good).empty());
    CHECK(f.conn->refreshes() == 1);
    CHECK(std::get<0>(error_of(f.send("refresh 4 3\nbad"))) == 203);
}
