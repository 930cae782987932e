// FLX clients for the flexible sync tests: each drives its own endpoint::server_connection in front of
// one shared history_backend with protocol messages (as realm-core's FLX client writes them), keeps
// its realm as a reference::state by applying every DOWNLOAD changeset, and records what it received.
#ifndef REALMWIRE_TESTS_FLX_SUPPORT_HPP
#define REALMWIRE_TESTS_FLX_SUPPORT_HPP

#include "realmwire/endpoint/server_connection.hpp"
#include "realmwire/protocol/json_bodies.hpp"
#include "realmwire/reference/sync_backend.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace rw_flx_test {

using namespace realmwire;
namespace cs = realmwire::changeset;

/// Item {_id: int, name: string?, price: int}
inline cs::changeset item_schema()
{
    cs::changeset c;
    cs::add_table t;
    t.table = c.intern("Item");
    t.pk_field = c.intern("_id");
    t.pk_type = cs::payload_type::integer;
    c.instructions.push_back(t);
    cs::add_column name;
    name.table = t.table;
    name.field = c.intern("name");
    name.type = cs::payload_type::string;
    name.nullable = true;
    c.instructions.push_back(name);
    cs::add_column price;
    price.table = t.table;
    price.field = c.intern("price");
    price.type = cs::payload_type::integer;
    c.instructions.push_back(price);
    return c;
}

inline void add_set(cs::changeset& c, std::int64_t id, const std::string& field, cs::payload v)
{
    cs::update u;
    u.table = c.intern("Item");
    u.object = id;
    u.field = c.intern(field);
    u.value = std::move(v);
    c.instructions.push_back(u);
}

inline cs::changeset create_item(std::int64_t id, const std::string& name, std::int64_t price)
{
    cs::changeset c;
    cs::create_object o;
    o.table = c.intern("Item");
    o.object = id;
    c.instructions.push_back(o);
    add_set(c, id, "name", cs::payload::make_string(name));
    add_set(c, id, "price", cs::payload::make_int(price));
    return c;
}

inline cs::changeset set_price(std::int64_t id, std::int64_t price)
{
    cs::changeset c;
    add_set(c, id, "price", cs::payload::make_int(price));
    return c;
}

struct received_download {
    std::int64_t query_version = 0;
    protocol::batch_state batch = protocol::batch_state::steady_state;
    std::size_t changesets = 0;
    std::uint64_t server_version = 0;
};

class flx_peer {
public:
    /// `verifier`/`token`: the session's verified identity (nullptr: no authentication).
    /// `protocol_version`: what the handshake negotiated (server-initiated bootstraps need 14).
    flx_peer(reference::history_backend& backend, std::uint64_t connection_id,
             const auth::token_checker* verifier = nullptr, std::string token = {}, int protocol_version = 14)
        : conn_(backend, config(connection_id, verifier, std::move(token), protocol_version), std::chrono::steady_clock::now())
    {
    }

    static endpoint::server_connection_config config(std::uint64_t id, const auth::token_checker* verifier,
                                                     std::string token, int protocol_version = 14)
    {
        endpoint::server_connection_config c;
        c.verifier = verifier;
        c.handshake_token = std::move(token);
        c.dialect = dialect_id::mongodb_flx;
        c.protocol_version = protocol_version;
        c.log_message_on_connect = false;
        c.validate_changesets = true;
        c.connection_id = id;
        c.max_download_body = 4096;
        return c;
    }

    /// BIND (asking for a file ident), then IDENT with `query` at `query_version`.
    void connect(const std::string& query = "{}", std::int64_t query_version = 0)
    {
        protocol::bind_message b;
        b.session_ident = 1;
        b.path = R"({"schemaVersion":0,"sessionReason":0})";
        b.need_client_file_ident = true;
        pump(encode(b));
        REQUIRE(file_ != 0);
        protocol::client_ident_message i;
        i.session_ident = 1;
        i.client_file_ident = file_;
        i.client_file_ident_salt = salt_;
        i.has_query = true;
        i.query_version = query_version;
        i.query = query;
        pump(encode(i));
    }

    void subscribe(const std::string& query, std::int64_t query_version)
    {
        protocol::query_message q;
        q.session_ident = 1;
        q.query_version = query_version;
        q.query = query;
        pump(encode(q));
    }

    /// QUERY handed to the connection, nothing read yet (see drain_one()).
    void subscribe_without_reading(const std::string& query, std::int64_t query_version)
    {
        protocol::query_message q;
        q.session_ident = 1;
        q.query_version = query_version;
        q.query = query;
        conn_.receive(encode(q), std::chrono::steady_clock::now());
    }
    /// Reads one message; false when there was none.
    bool drain_one()
    {
        auto out = conn_.next_output(std::chrono::steady_clock::now());
        if (out)
            handle(*out);
        return bool(out);
    }

    /// Applies `c` locally and uploads it.
    void write(const cs::changeset& c)
    {
        realm.apply(c);
        std::string bytes = cs::encode(c);
        ++client_version_;
        protocol::upload_entry e{client_version_, download_server_version_, 0, 0, bytes};
        std::string body;
        protocol::append_entry(body, e);
        protocol::upload_message u;
        u.session_ident = 1;
        u.progress_client_version = client_version_;
        u.progress_server_version = download_server_version_;
        protocol::set_uncompressed_body(u, body);
        pump(encode(u));
    }

    /// Everything the connection has to send now, handled as the client would.
    void drain()
    {
        auto now = std::chrono::steady_clock::now();
        while (auto out = conn_.next_output(now))
            handle(*out);
    }
    endpoint::server_connection& connection() noexcept { return conn_; }

    /// The primary keys of Item in this client's realm.
    std::set<std::int64_t> items() const
    {
        std::set<std::int64_t> out;
        if (const auto* t = realm.find_table("Item"))
            for (const auto& kv : t->objects)
                out.insert(std::get<std::int64_t>(kv.first));
        return out;
    }

    reference::state realm;
    std::vector<received_download> downloads;
    std::vector<protocol::query_error_message> query_errors;
    std::vector<std::string> query_error_texts;
    std::vector<std::pair<int, std::string>> json_errors;
    std::vector<int> errors;
    std::uint64_t file() const noexcept { return file_; }

private:
    template <class M>
    static std::string encode(const M& m)
    {
        std::string out;
        std::error_code ec;
        protocol::encode(m, out, ec);
        REQUIRE_FALSE(ec);
        return out;
    }

    void pump(const std::string& msg)
    {
        conn_.receive(msg, std::chrono::steady_clock::now());
        drain();
    }

    void handle(const std::string& bytes)
    {
        protocol::decode_options opts;
        opts.mode = protocol::sync_mode::flx;
        std::error_code ec;
        protocol::server_message m = protocol::decode_server_message(bytes, opts, ec);
        INFO(ec.message() << ": " << bytes.substr(0, bytes.find('\n')));
        REQUIRE_FALSE(ec);
        if (auto* si = std::get_if<protocol::server_ident_message>(&m)) {
            file_ = si->client_file_ident;
            salt_ = si->client_file_ident_salt;
        }
        else if (auto* d = std::get_if<protocol::download_message>(&m)) {
            received_download r;
            r.query_version = d->query_version;
            r.batch = d->batch;
            r.server_version = d->download_server_version;
            for (const auto& e : d->entries) {
                CHECK(e.origin_file_ident != file_); // realm-core's client refuses its own changesets
                realm.apply(cs::decode_changeset(e.changeset, ec));
                REQUIRE_FALSE(ec);
                ++r.changesets;
            }
            download_server_version_ = d->download_server_version;
            downloads.push_back(r);
        }
        else if (auto* q = std::get_if<protocol::query_error_message>(&m)) {
            query_error_texts.emplace_back(q->message);
            query_errors.push_back(*q);
        }
        else if (auto* j = std::get_if<protocol::json_error_message>(&m)) {
            json_errors.emplace_back(j->error_code, std::string(j->json));
        }
        else if (auto* e = std::get_if<protocol::error_message>(&m)) {
            errors.push_back(e->error_code);
        }
    }

    endpoint::server_connection conn_;
    std::uint64_t file_ = 0;
    std::int64_t salt_ = 0;
    std::uint64_t client_version_ = 0;
    std::uint64_t download_server_version_ = 0;
};

/// One backend (in memory) and the peers on it; every write is followed by waking the others, as the
/// sync_server driver does on realm_changed.
struct flx_world {
    std::shared_ptr<reference::realm_directory> dir = std::make_shared<reference::realm_directory>();
    reference::history_backend backend{dir};
    std::vector<std::unique_ptr<flx_peer>> peers;

    flx_peer& add(const auth::token_checker* verifier = nullptr, std::string token = {}, int protocol_version = 14)
    {
        peers.push_back(std::make_unique<flx_peer>(backend, peers.size() + 1, verifier, std::move(token), protocol_version));
        return *peers.back();
    }
    /// Wakes every peer (realm changed) and drains all of them until nothing moves.
    void settle()
    {
        for (int round = 0; round < 4; ++round)
            for (auto& p : peers) {
                p->connection().notify_realm_changed(backend.flx_realm);
                p->drain();
            }
    }
};

} // namespace rw_flx_test

#endif
