// Helpers for the sync-side attack tests: a raw sync client that speaks the wire protocol byte by byte
// (so a test can send what no well-behaved client would), tokens of every kind, and "a good client
// still syncs" with the real reference client.
#ifndef REALMWIRE_TESTS_SECURITY_SYNC_SUPPORT_HPP
#define REALMWIRE_TESTS_SECURITY_SYNC_SUPPORT_HPP

#include "reference/support.hpp"

#include "realmwire/handshake/request_builder.hpp"
#include "realmwire/protocol/compression.hpp"
#include "realmwire/protocol/decode.hpp"
#include "realmwire/protocol/encode.hpp"
#include "realmwire/reference/client.hpp"
#include "realmwire/reference/server.hpp"
#include "realmwire/websocket/decoder.hpp"
#include "realmwire/websocket/encoder.hpp"

#include <asio.hpp>

#include <poll.h>

#include <chrono>
#include <optional>
#include <string>
#include <variant>

namespace rw_sec {

using namespace std::chrono_literals;
namespace rw = realmwire;

/// A blocking sync client over one TCP connection; every wait is bounded by a timeout.
class raw_client {
public:
    /// Connects from `from` (any 127.0.0.0/8 address on Linux: a second "host" on loopback).
    bool open(std::uint16_t port, const std::string& from = "127.0.0.1")
    {
        std::error_code ec;
        sock_.open(asio::ip::tcp::v4(), ec);
        if (!ec)
            sock_.bind({asio::ip::make_address(from), 0}, ec);
        if (!ec)
            sock_.connect({asio::ip::make_address("127.0.0.1"), port}, ec);
        port_ = port;
        return !ec;
    }

    /// Sends the upgrade and returns the answer's status (101 on success, 0 if none came).
    int upgrade(const rw::dialect& d, const std::string& token, const std::string& realm_path = "/r")
    {
        dialect_ = &d;
        rw::client_handshake_options o;
        o.dialect = &d;
        o.host_header = "127.0.0.1:" + std::to_string(port_);
        o.realm_path = realm_path;
        rw::client_handshake hs = rw::build_handshake_request(o, token);
        if (!write(hs.bytes()))
            return 0;
        auto deadline = std::chrono::steady_clock::now() + 5s;
        std::size_t end;
        while ((end = in_.find("\r\n\r\n")) == std::string::npos) {
            if (std::chrono::steady_clock::now() > deadline || !read_more(deadline))
                return 0;
        }
        head_ = in_.substr(0, end + 4);
        in_.erase(0, end + 4);
        if (head_.size() < 12)
            return 0;
        return std::atoi(head_.c_str() + 9);
    }
    const std::string& response_head() const { return head_; }

    /// Sends a whole HTTP request and returns the answer's status (0 if none came within 5 s).
    int http(const std::string& request)
    {
        if (!write(request))
            return 0;
        auto deadline = std::chrono::steady_clock::now() + 5s;
        std::size_t end;
        while ((end = in_.find("\r\n\r\n")) == std::string::npos) {
            if (!read_more(deadline))
                return 0;
        }
        head_ = in_.substr(0, end + 4);
        in_.erase(0, end + 4);
        return head_.size() < 12 ? 0 : std::atoi(head_.c_str() + 9);
    }

    void send(std::string_view msg)
    {
        std::string frame;
        enc_.message(frame, msg, rw::websocket::opcode::binary);
        write(frame);
    }
    template <class M>
    void send_msg(const M& m)
    {
        std::string s;
        std::error_code ec;
        rw::protocol::encode(m, s, ec);
        send(s);
    }

    /// The next sync message, or nullopt after `timeout`, a close or EOF (see closed()).
    std::optional<rw::protocol::server_message> next(std::chrono::milliseconds timeout = 5000ms)
    {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            while (!in_.empty()) {
                std::error_code ec;
                std::size_t n = dec_.feed(in_, ec);
                in_.erase(0, n);
                if (ec) {
                    closed_ = true;
                    return std::nullopt;
                }
                if (!dec_.has_event())
                    continue;
                const auto& ev = dec_.event();
                if (ev.kind == rw::websocket::event_kind::close) {
                    closed_ = true;
                    return std::nullopt;
                }
                if (ev.kind != rw::websocket::event_kind::binary)
                    continue;
                rw::protocol::decode_options o;
                o.mode = dialect_ && dialect_->id == rw::dialect_id::mongodb_flx ? rw::protocol::sync_mode::flx
                                                                                : rw::protocol::sync_mode::pbs;
                return rw::protocol::decode_server_message(ev.payload, o);
            }
            if (closed_ || !read_more(deadline))
                return std::nullopt;
        }
    }

    /// The next message that is not a LOG_MESSAGE.
    std::optional<rw::protocol::server_message> next_relevant(std::chrono::milliseconds timeout = 5000ms)
    {
        for (int i = 0; i < 100; ++i) {
            auto m = next(timeout);
            if (!m || !std::holds_alternative<rw::protocol::log_message>(*m))
                return m;
        }
        return std::nullopt;
    }

    /// Waits for the next ERROR (skipping anything else); its (code, session), or nullopt.
    std::optional<std::pair<int, std::uint64_t>> next_error(std::chrono::milliseconds timeout = 5000ms)
    {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (std::chrono::steady_clock::now() < deadline) {
            auto m = next(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
            if (!m)
                return std::nullopt;
            if (auto* e = std::get_if<rw::protocol::error_message>(&*m))
                return std::make_pair(e->error_code, e->session_ident);
        }
        return std::nullopt;
    }

    /// True once the server closed (close frame or EOF) within `timeout`; messages are skipped.
    bool closed_within(std::chrono::milliseconds timeout)
    {
        auto deadline = std::chrono::steady_clock::now() + timeout;
        while (!closed_ && std::chrono::steady_clock::now() < deadline)
            next(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
        return closed_;
    }
    bool closed() const noexcept { return closed_; }

    /// BIND with need_client_file_ident; the server's (ident, salt), or nullopt (then error() tells).
    std::optional<std::pair<std::uint64_t, std::int64_t>> bind_new(std::uint64_t session, const std::string& path,
                                                                    const std::string& token = {})
    {
        rw::protocol::bind_message b;
        b.session_ident = session;
        b.path = path;
        b.signed_user_token = token;
        b.need_client_file_ident = true;
        send_msg(b);
        last_error_ = 0;
        for (int i = 0; i < 1000; ++i) { // skips what other sessions receive meanwhile
            auto m = next_relevant();
            if (!m)
                return std::nullopt;
            if (auto* e = std::get_if<rw::protocol::error_message>(&*m)) {
                if (e->session_ident != session && e->session_ident != 0)
                    continue;
                last_error_ = e->error_code;
                return std::nullopt;
            }
            if (auto* si = std::get_if<rw::protocol::server_ident_message>(&*m); si && si->session_ident == session)
                return std::make_pair(si->client_file_ident, si->client_file_ident_salt);
        }
        return std::nullopt;
    }
    int last_error() const noexcept { return last_error_; }

    void ident(std::uint64_t session, std::pair<std::uint64_t, std::int64_t> file)
    {
        rw::protocol::client_ident_message m;
        m.session_ident = session;
        m.client_file_ident = file.first;
        m.client_file_ident_salt = file.second;
        if (dialect_ && dialect_->id == rw::dialect_id::mongodb_flx) {
            m.has_query = true;
            m.query_version = 1;
            m.query = "{}";
        }
        send_msg(m);
    }

    /// One UPLOAD of one changeset at client version `cv`, compressed as realm-core would.
    void upload(std::uint64_t session, std::uint64_t cv, std::string_view changeset)
    {
        rw::protocol::upload_entry e;
        e.client_version = cv;
        e.server_version = 0;
        e.origin_timestamp = 1;
        e.changeset = changeset;
        std::string body;
        rw::protocol::append_entry(body, e);
        rw::protocol::upload_message u;
        u.session_ident = session;
        u.progress_client_version = cv;
        u.progress_server_version = 0;
        std::string scratch;
        std::error_code ec;
        rw::protocol::compress_body(u, body, scratch, ec);
        send_msg(u);
    }

    /// Bytes the socket has sent (the masked frames, for the mask test).
    const std::string& sent() const { return sent_; }
    void keep_sent(bool on) { keep_sent_ = on; }

private:
    bool write(std::string_view bytes)
    {
        if (keep_sent_)
            sent_.append(bytes);
        std::error_code ec;
        asio::write(sock_, asio::buffer(bytes.data(), bytes.size()), ec);
        return !ec;
    }

    bool read_more(std::chrono::steady_clock::time_point deadline)
    {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return false;
        pollfd p{sock_.native_handle(), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0)
            return false;
        char buf[65536];
        std::error_code ec;
        std::size_t n = sock_.read_some(asio::buffer(buf), ec);
        if (ec || n == 0) {
            closed_ = true;
            return false;
        }
        in_.append(buf, n);
        return true;
    }

    asio::io_context ioc_;
    asio::ip::tcp::socket sock_{ioc_};
    std::uint16_t port_ = 0;
    const rw::dialect* dialect_ = nullptr;
    rw::websocket::encoder enc_{rw::websocket::role::client};
    rw::websocket::decoder dec_{rw::websocket::role::client};
    std::string in_;
    std::string head_;
    std::string sent_;
    bool keep_sent_ = false;
    bool closed_ = false;
    int last_error_ = 0;
};

/// POST /auth (anonymous login) from `from`: the status, 0 when the server did not answer.
inline int login_status(std::uint16_t port, const std::string& from = "127.0.0.1")
{
    raw_client c;
    if (!c.open(port, from))
        return 0;
    std::string body = R"({"provider":"anonymous","data":""})";
    return c.http("POST /auth HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\n\r\n" + body);
}

/// Signed with the server's key: access (default), refresh or user token for `identity`.
inline std::string token_of(rw::reference::server& srv, const std::string& identity, rw::auth::token_kind kind,
                            std::optional<std::string> path = std::nullopt, bool admin = false)
{
    rw::auth::claims c;
    c.identity = identity;
    c.app_id = "io.realmwire.test";
    c.timestamp = rw::auth::system_unix_now();
    c.expires = rw::auth::system_unix_now() + 3600;
    c.path = std::move(path);
    c.salt = rw::auth::random_hex(4); // each token distinct (revoking one must not revoke its twin)
    if (admin)
        c.admin = true;
    if (kind != rw::auth::token_kind::user) {
        c.has_access = true;
        c.access = rw::auth::privilege::download | rw::auth::privilege::upload;
        c.refresh = kind == rw::auth::token_kind::refresh;
    }
    return srv.auth().issue(c);
}

/// A valid changeset from the reference object store: Item objects with `value` as their name.
inline std::string valid_changeset(const std::string& value, std::size_t objects = 1)
{
    rw::reference::object_store st;
    std::vector<std::pair<std::int64_t, std::optional<std::string>>> items;
    for (std::size_t i = 0; i < objects; ++i)
        items.emplace_back(static_cast<std::int64_t>(i + 1), value);
    // Encoded as a commit records it, but not committed: the store refuses a local write the decoder's
    // limits refuse, and the attacks need such changesets (a 64 MB one, say) on the wire.
    return rw::changeset::encode(st.items_changeset(items), rw::changeset::layout::client);
}

/// The real reference client writes three objects to `path` and reads them back; true once synced.
inline bool good_client_syncs(rw::reference::server& srv, const std::string& token, const std::string& path,
                              const rw::dialect& d = rw::dialects::mongodb_pbs, std::string* why = nullptr)
{
    asio::io_context ioc;
    rw::reference::object_store st;
    st.put_items(rw_ref_test::items(1, 3, "good-"));
    rw::reference::client_config c;
    c.server_url = "ws://127.0.0.1:" + std::to_string(srv.port());
    c.dialect = &d;
    c.realm_path = path;
    c.token = token;
    c.reconnect = false;
    auto cl = std::make_shared<rw::reference::client>(ioc, c, st);
    cl->start();
    bool ok = rw::reference::client::run_until(ioc, [&] { return cl->synced() || cl->failed(); }, 10s);
    ok = ok && cl->synced() && !cl->failed();
    if (why)
        *why = cl->failure().what;
    cl->stop();
    rw::reference::client::run_until(ioc, [] { return false; }, 20ms);
    return ok;
}

} // namespace rw_sec

#endif
