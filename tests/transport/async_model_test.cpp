// The WebSocket layer on Asio's universal async model: any next layer (raw TCP socket, asio::ssl::stream,
// memory pipe), any completion token (callbacks, use_future, deferred, as_tuple; coroutines are in
// coroutine_cxx20.cpp), move-only handlers, the handler's executor and allocator, terminal
// cancellation, and deadlines that cover a whole composed operation.
#include "realmwire/driver/http_client.hpp"
#include "realmwire/driver/websocket_client.hpp"
#include "realmwire/driver/websocket_server.hpp"
#include "realmwire/transport/any_transport.hpp"
#include "realmwire/transport/connect.hpp"
#include "realmwire/transport/memory.hpp"
#include "realmwire/transport/tcp.hpp"
#include "realmwire/transport/tls.hpp"
#include "transport/support.hpp"
#include "transport/ws_support.hpp"

#include <catch2/catch.hpp>

#include <asio/bind_allocator.hpp>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/bind_executor.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl.hpp>
#include <asio/strand.hpp>
#include <asio/use_future.hpp>

#include <array>
#include <atomic>
#include <future>
#include <memory>
#include <string>
#include <thread>

using namespace realmwire;
using namespace std::chrono_literals;
using tcp = asio::ip::tcp;

namespace {

struct lacks_write_some {
    using executor_type = asio::any_io_executor;
    executor_type get_executor();
    template <class B, class H>
    void async_read_some(const B&, H&&);
};

/// Two connected loopback sockets.
std::pair<tcp::socket, tcp::socket> socket_pair(asio::io_context& ioc)
{
    tcp::acceptor acc(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    tcp::socket client(ioc);
    client.connect(acc.local_endpoint());
    tcp::socket server = acc.accept();
    return {std::move(server), std::move(client)};
}

template <class Server>
void serve_echo(std::shared_ptr<Server> ws)
{
    ws->async_receive([ws](std::error_code ec, driver::ws_message m) {
        if (ec || m.kind == websocket::event_kind::close)
            return;
        ws->async_send(m.payload, [](std::error_code) {});
        serve_echo(ws);
    });
}

template <class Server>
void accept_and_echo(std::shared_ptr<Server> ws)
{
    ws->async_accept(acceptor_options{}, [ws](std::error_code ec, const handshake_verdict&) {
        if (!ec)
            serve_echo(ws);
    });
}

/// Counts the allocations made through it (and shares the count between rebound copies).
template <class T>
struct counting_allocator {
    using value_type = T;
    std::shared_ptr<std::atomic<int>> count;
    explicit counting_allocator(std::shared_ptr<std::atomic<int>> c) : count(std::move(c)) {}
    template <class U>
    counting_allocator(const counting_allocator<U>& o) : count(o.count)
    {
    }
    T* allocate(std::size_t n)
    {
        ++*count;
        return std::allocator<T>().allocate(n);
    }
    void deallocate(T* p, std::size_t n) { std::allocator<T>().deallocate(p, n); }
    template <class U>
    bool operator==(const counting_allocator<U>& o) const
    {
        return count == o.count;
    }
    template <class U>
    bool operator!=(const counting_allocator<U>& o) const
    {
        return count != o.count;
    }
};

} // namespace

TEST_CASE("async model: Asio's own streams are next layers, with a named static_assert for what is missing")
{
    STATIC_REQUIRE(transport::is_async_stream_v<tcp::socket>);
    STATIC_REQUIRE(transport::is_async_stream_v<asio::ssl::stream<tcp::socket>>);
    STATIC_REQUIRE(transport::is_async_stream_v<transport::memory_stream>);
    STATIC_REQUIRE(transport::is_async_stream_v<transport::tcp_transport>);
    STATIC_REQUIRE(transport::is_async_stream_v<transport::any_transport>);
    STATIC_REQUIRE(transport::is_async_stream_v<transport::tls_transport<tcp::socket>>);
    STATIC_REQUIRE_FALSE(transport::is_async_stream_v<lacks_write_some>);
    STATIC_REQUIRE(transport::detail::has_async_read_some<lacks_write_some>::value);
    STATIC_REQUIRE_FALSE(transport::detail::has_async_write_some<lacks_write_some>::value);
    // An ssl::stream has no close() of its own: close_stream goes through its lowest layer.
    STATIC_REQUIRE_FALSE(transport::is_transport_v<asio::ssl::stream<tcp::socket>>);
    STATIC_REQUIRE(std::is_same<driver::websocket_connection<>,
                                driver::basic_websocket_connection<transport::any_transport>>::value);

    asio::io_context ioc;
    auto [a, b] = socket_pair(ioc);
    transport::any_transport erased(std::move(a)); // any_transport takes a raw socket as it is
    transport::close_stream(b);
    CHECK_FALSE(b.is_open());
    erased.close();
    CHECK_FALSE(erased.target<tcp::socket>()->is_open());
}

TEST_CASE("async model: raw asio::ip::tcp::socket as next layer, plain callbacks, every op")
{
    asio::io_context ioc;
    auto [s, c] = socket_pair(ioc);
    auto server = std::make_shared<driver::websocket_server<tcp::socket>>(std::move(s));
    auto client = std::make_shared<driver::websocket_client<tcp::socket>>(std::move(c));
    REQUIRE(client->next_layer().is_open());
    accept_and_echo(server);

    std::error_code ec = make_error_code(transport_error::closed);
    bool done = false;
    client->async_handshake(rw_test::make_handshake("h"), [&](std::error_code e, handshake_result r) {
        ec = e;
        CHECK(r.ok());
        done = true;
    });
    REQUIRE(rw_test::run_until(ioc, [&] { return done; }));
    REQUIRE_FALSE(ec);

    // string_view, and a buffer sequence of two pieces (sent as one message)
    std::string first = "hello";
    std::array<asio::const_buffer, 2> pieces{asio::buffer(first), asio::buffer(std::string_view(" world"))};
    int sent = 0;
    client->async_send(std::string_view("abc"), [&](std::error_code e) { sent += !e; });
    client->async_send(pieces, [&](std::error_code e) { sent += !e; });
    std::vector<std::string> got;
    std::function<void()> receive = [&] {
        client->async_receive([&](std::error_code e, driver::ws_message m) {
            REQUIRE_FALSE(e);
            got.push_back(m.payload);
            if (got.size() < 2)
                receive();
        });
    };
    receive();
    REQUIRE(rw_test::run_until(ioc, [&] { return got.size() == 2 && sent == 2; }));
    CHECK(got == std::vector<std::string>{"abc", "hello world"});

    // closing handshake: our close is written, the server echoes it, the socket is closed
    bool closed = false, peer_close = false;
    client->async_close(1000, "bye", [&](std::error_code e) { closed = !e; });
    client->async_receive([&](std::error_code e, driver::ws_message m) {
        peer_close = !e && m.kind == websocket::event_kind::close && m.close_code == 1000;
    });
    REQUIRE(rw_test::run_until(ioc, [&] { return closed && peer_close; }));
}

TEST_CASE("async model: asio::ssl::stream<tcp::socket> as next layer (self-signed test CA, host name verified)")
{
    rw_test::test_pki pki;
    std::error_code ec;
    auto sctx = transport::make_server_tls_context(pki.server_cert, pki.server_key, ec);
    REQUIRE_FALSE(ec);
    transport::tls_options to;
    to.ca_file = pki.ca;
    auto cctx = transport::make_client_tls_context(to, ec);
    REQUIRE_FALSE(ec);

    asio::io_context ioc;
    auto [s, c] = socket_pair(ioc);
    using tls_stream = asio::ssl::stream<tcp::socket>;
    auto server = std::make_shared<driver::websocket_server<tls_stream>>(tls_stream(std::move(s), *sctx));
    auto client = std::make_shared<driver::websocket_client<tls_stream>>(tls_stream(std::move(c), *cctx));
    client->next_layer().set_verify_callback(asio::ssl::host_name_verification("localhost"));

    int handshakes = 0;
    server->next_layer().async_handshake(asio::ssl::stream_base::server, [&](std::error_code e) {
        REQUIRE_FALSE(e);
        ++handshakes;
        accept_and_echo(server);
    });
    client->next_layer().async_handshake(asio::ssl::stream_base::client, [&](std::error_code e) {
        REQUIRE_FALSE(e);
        ++handshakes;
    });
    REQUIRE(rw_test::run_until(ioc, [&] { return handshakes == 2; }));

    bool done = false;
    client->async_handshake(rw_test::make_handshake("localhost"), [&](std::error_code e, handshake_result) {
        ec = e;
        done = true;
    });
    REQUIRE(rw_test::run_until(ioc, [&] { return done; }));
    REQUIRE_FALSE(ec);
    auto x = std::make_shared<rw_test::ws_exchange<driver::websocket_client<tls_stream>>>(client, rw_test::sample_payloads());
    x->start();
    REQUIRE(rw_test::run_until(ioc, [&] { return x->done; }));
    CHECK_FALSE(x->error);
    CHECK(x->echoes == x->payloads);
    client->close();
    CHECK_FALSE(client->next_layer().lowest_layer().is_open());
}

TEST_CASE("async model: use_future with the io_context on its own thread, every op")
{
    asio::io_context ioc;
    auto [a, b] = transport::make_memory_pipe(ioc.get_executor(), {}, {});
    auto server = std::make_shared<driver::websocket_server<transport::memory_stream>>(std::move(b));
    auto client = std::make_shared<driver::websocket_client<transport::memory_stream>>(std::move(a));
    auto work = asio::make_work_guard(ioc);
    std::thread runner([&] { ioc.run(); });

    // Initiations go through the connection's executor: the state is single-threaded.
    auto accepted = asio::post(ioc, asio::use_future([&] {
        return server->async_accept(acceptor_options{}, asio::use_future);
    })).get();
    auto shook = asio::post(ioc, asio::use_future([&] {
        return client->async_handshake(rw_test::make_handshake("h"), asio::use_future);
    })).get();
    handshake_result r = shook.get();
    CHECK(r.ok());
    CHECK(accepted.get().accepted());

    auto received = asio::post(ioc, asio::use_future([&] { return server->async_receive(asio::use_future); })).get();
    auto sent = asio::post(ioc, asio::use_future([&] {
        return client->async_send(std::string_view("over a future"), websocket::opcode::text, asio::use_future);
    })).get();
    sent.get(); // throws std::system_error on failure
    driver::ws_message m = received.get();
    CHECK(m.kind == websocket::event_kind::text);
    CHECK(m.payload == "over a future");

    auto closing = asio::post(ioc, asio::use_future([&] { return client->async_close(1000, "", asio::use_future); })).get();
    closing.get();
    auto seen = asio::post(ioc, asio::use_future([&] { return server->async_receive(asio::use_future); })).get();
    CHECK(seen.get().kind == websocket::event_kind::close);

    // an error arrives as the future's exception
    auto after = asio::post(ioc, asio::use_future([&] { return server->async_receive(asio::use_future); })).get();
    CHECK_THROWS_AS(after.get(), std::system_error);

    work.reset();
    runner.join();
}

TEST_CASE("async model: deferred and as_tuple tokens")
{
    asio::io_context ioc;
    auto [a, b] = transport::make_memory_pipe(ioc.get_executor(), {}, {});
    auto server = std::make_shared<driver::websocket_server<transport::memory_stream>>(std::move(b));
    auto client = std::make_shared<driver::websocket_client<transport::memory_stream>>(std::move(a));

    // deferred: nothing happens until the deferred operation is given a token (no request written yet)
    auto hs = client->async_handshake(rw_test::make_handshake("h"), asio::experimental::deferred);
    ioc.poll();
    CHECK(server->next_layer().available() == 0);
    accept_and_echo(server);
    bool done = false;
    std::move(hs)([&](std::error_code e, handshake_result) {
        CHECK_FALSE(e);
        done = true;
    });
    REQUIRE(rw_test::run_until(ioc, [&] { return done; }));

    // as_tuple: one tuple argument
    done = false;
    client->async_send(std::string_view("tuple"), asio::experimental::as_tuple([&](std::tuple<std::error_code> t) {
        CHECK_FALSE(std::get<0>(t));
    }));
    client->async_receive(asio::experimental::as_tuple([&](std::tuple<std::error_code, driver::ws_message> t) {
        CHECK_FALSE(std::get<0>(t));
        CHECK(std::get<1>(t).payload == "tuple");
        done = true;
    }));
    REQUIRE(rw_test::run_until(ioc, [&] { return done; }));
}

TEST_CASE("async model: terminal cancellation of a pending receive aborts it and closes the connection")
{
    asio::io_context ioc;
    auto [s, c] = socket_pair(ioc);
    auto server = std::make_shared<driver::websocket_server<tcp::socket>>(std::move(s));
    auto client = std::make_shared<driver::websocket_client<tcp::socket>>(std::move(c));
    bool accepted = false, shook = false;
    server->async_accept(acceptor_options{}, [&](std::error_code e, const handshake_verdict&) { accepted = !e; });
    client->async_handshake(rw_test::make_handshake("h"), [&](std::error_code e, handshake_result) { shook = !e; });
    REQUIRE(rw_test::run_until(ioc, [&] { return accepted && shook; }));

    asio::cancellation_signal sig;
    std::error_code ec;
    bool done = false;
    client->async_receive(asio::bind_cancellation_slot(sig.slot(), [&](std::error_code e, driver::ws_message) {
        ec = e;
        done = true;
    }));
    ioc.poll();
    CHECK_FALSE(done);
    sig.emit(asio::cancellation_type::terminal);
    REQUIRE(rw_test::run_until(ioc, [&] { return done; }));
    CHECK(ec == asio::error::operation_aborted);
    CHECK_FALSE(client->next_layer().is_open());

    // the peer sees the connection end
    std::error_code peer;
    done = false;
    server->async_receive([&](std::error_code e, driver::ws_message) {
        peer = e;
        done = true;
    });
    REQUIRE(rw_test::run_until(ioc, [&] { return done; }));
    CHECK(peer == transport_error::closed);
    // and later operations on the cancelled side fail at once
    done = false;
    client->async_send(std::string_view("late"), [&](std::error_code e) {
        CHECK(e);
        done = true;
    });
    REQUIRE(rw_test::run_until(ioc, [&] { return done; }));
}

TEST_CASE("async model: terminal cancellation of a handshake, and a deadline that covers the whole upgrade")
{
    asio::io_context ioc;
    SECTION("cancelled by the caller")
    {
        auto pipe = transport::make_memory_pipe(ioc.get_executor(), {}, {}); // (lambdas capture `b`)
        auto& b = pipe.second;
        driver::websocket_client<transport::memory_stream> client(std::move(pipe.first));
        asio::cancellation_signal sig;
        std::error_code ec;
        handshake_result res;
        bool done = false;
        client.async_handshake(rw_test::make_handshake("h"), 0ms,
                               asio::bind_cancellation_slot(sig.slot(), [&](std::error_code e, handshake_result r) {
                                   ec = e;
                                   res = std::move(r);
                                   done = true;
                               }));
        ioc.poll(); // the request is written; no answer comes
        CHECK(b.available() > 0);
        sig.emit(asio::cancellation_type::terminal);
        REQUIRE(rw_test::run_until(ioc, [&] { return done; }));
        CHECK(ec == asio::error::operation_aborted);
        // the connection is closed: the peer reads the request, then eof
        std::string sink(b.available(), '\0');
        std::error_code peer;
        bool read = false;
        b.async_read_some(asio::buffer(sink), [&](std::error_code, std::size_t) {
            b.async_read_some(asio::buffer(sink), [&](std::error_code e, std::size_t) {
                peer = e;
                read = true;
            });
        });
        REQUIRE(rw_test::run_until(ioc, [&] { return read; }));
        CHECK(peer == asio::error::eof);
    }
    SECTION("cancelled while the server is still reading the request")
    {
        auto [a, b] = transport::make_memory_pipe(ioc.get_executor(), {}, {});
        driver::websocket_server<transport::memory_stream> server(std::move(b));
        asio::cancellation_signal sig;
        std::error_code ec;
        bool done = false;
        server.async_accept(acceptor_options{}, asio::bind_cancellation_slot(sig.slot(), [&](std::error_code e, handshake_verdict v) {
                                ec = e;
                                CHECK(v.ec == asio::error::operation_aborted);
                                done = true;
                            }));
        ioc.poll();
        sig.emit(asio::cancellation_type::terminal);
        REQUIRE(rw_test::run_until(ioc, [&] { return done; }));
        CHECK(ec == asio::error::operation_aborted);
    }
    SECTION("a server trickling its answer byte by byte still hits the deadline")
    {
        auto pipe = transport::make_memory_pipe(ioc.get_executor(), {}, {}); // (lambdas capture `b`)
        auto& b = pipe.second;
        driver::websocket_client<transport::memory_stream> client(std::move(pipe.first));
        std::error_code ec;
        bool done = false;
        client.async_handshake(rw_test::make_handshake("h"), 150ms, [&](std::error_code e, handshake_result) {
            ec = e;
            done = true;
        });
        // One byte of a never-ending header every 10 ms: each read succeeds, the whole takes too long.
        asio::steady_timer drip(ioc);
        const std::string answer = "HTTP/1.1 101 Switching Protocols\r\nX-Slow: " + std::string(1000, 'a');
        std::size_t pos = 0;
        std::function<void()> tick = [&] {
            if (done || pos == answer.size())
                return;
            b.async_write(asio::buffer(answer.data() + pos++, 1), [](std::error_code, std::size_t) {});
            drip.expires_after(10ms);
            drip.async_wait([&](std::error_code e) {
                if (!e)
                    tick();
            });
        };
        tick();
        REQUIRE(rw_test::run_until(ioc, [&] { return done; }));
        CHECK(ec == transport_error::upgrade_timeout);
        CHECK(pos > 3);            // bytes did arrive ...
        CHECK(pos < answer.size()); // ... and the deadline ended it, not the data
        drip.cancel();
    }
}

TEST_CASE("async model: move-only handlers")
{
    asio::io_context ioc;
    auto [a, b] = transport::make_memory_pipe(ioc.get_executor(), {}, {});
    auto server = std::make_shared<driver::websocket_server<transport::memory_stream>>(std::move(b));
    auto client = std::make_shared<driver::websocket_client<transport::memory_stream>>(std::move(a));
    accept_and_echo(server);
    int seen = 0;
    client->async_handshake(rw_test::make_handshake("h"), [&seen, p = std::make_unique<int>(1)](std::error_code e, handshake_result) {
        seen = e ? -1 : *p;
    });
    REQUIRE(rw_test::run_until(ioc, [&] { return seen == 1; }));
    int sent = 0;
    std::string payload;
    client->async_send(std::string_view("m"), [&sent, p = std::make_unique<int>(7)](std::error_code e) { sent = e ? -1 : *p; });
    client->async_receive([&payload, p = std::make_unique<std::string>("got ")](std::error_code, driver::ws_message m) {
        payload = *p + m.payload;
    });
    REQUIRE(rw_test::run_until(ioc, [&] { return payload == "got m" && sent == 7; }));
}

TEST_CASE("async model: handlers a connection keeps are dropped with its io_context, so one that owns the connection frees it")
{
    // A handler that owns its connection (the usual shared_ptr capture) and the connection that keeps
    // the handler form a cycle. Asio breaks it for the operations it holds by destroying them when the
    // context goes; the connection's own queue of frames and the memory pipe's pending read must go too.
    SECTION("a queued send over TCP")
    {
        std::weak_ptr<driver::basic_websocket_connection<tcp::socket>> watch;
        {
            asio::io_context ioc;
            auto [s, c] = socket_pair(ioc);
            auto conn = std::make_shared<driver::basic_websocket_connection<tcp::socket>>(std::move(c), websocket::role::client);
            watch = conn;
            bool called = false;
            conn->async_send(std::string_view("never completed"), [conn, &called](std::error_code) { called = true; });
            conn.reset();
            REQUIRE_FALSE(watch.expired()); // only the queued handler keeps it now
            CHECK_FALSE(called);
        }
        CHECK(watch.expired());
    }
    SECTION("a pending receive over a memory pipe")
    {
        // Both ends wait to read, each handler owning its end: nobody closes either pipe end.
        using conn_type = driver::basic_websocket_connection<transport::memory_stream>;
        std::weak_ptr<conn_type> watch_a, watch_b;
        {
            asio::io_context ioc;
            auto [a, b] = transport::make_memory_pipe(ioc.get_executor(), {}, {});
            auto ca = std::make_shared<conn_type>(std::move(a), websocket::role::client);
            auto cb = std::make_shared<conn_type>(std::move(b), websocket::role::server);
            watch_a = ca;
            watch_b = cb;
            ca->async_receive([ca](std::error_code, driver::ws_message) {});
            cb->async_receive([cb](std::error_code, driver::ws_message) {});
            ioc.poll(); // the receives reach the pipe and wait there
            ca.reset();
            cb.reset();
            REQUIRE_FALSE(watch_a.expired());
            REQUIRE_FALSE(watch_b.expired());
        }
        CHECK(watch_a.expired());
        CHECK(watch_b.expired());
    }
    SECTION("a connection still in use is left alone by an unrelated io_context's end")
    {
        asio::io_context ioc;
        auto [a, b] = transport::make_memory_pipe(ioc.get_executor(), {}, {});
        auto conn = std::make_shared<driver::basic_websocket_connection<transport::memory_stream>>(std::move(a), websocket::role::client);
        auto peer = std::make_shared<driver::basic_websocket_connection<transport::memory_stream>>(std::move(b), websocket::role::server);
        { asio::io_context other; } // its shutdown must not touch connections of `ioc`
        std::string got;
        conn->async_receive([&got](std::error_code, driver::ws_message m) { got = m.payload; });
        peer->async_send(std::string_view("still here"), [](std::error_code) {});
        REQUIRE(rw_test::run_until(ioc, [&] { return got == "still here"; }));
    }
}

TEST_CASE("async model: the handler runs on its associated executor (a strand, another io_context's thread)")
{
    asio::io_context ioc;
    auto [s, c] = socket_pair(ioc);
    auto server = std::make_shared<driver::websocket_server<tcp::socket>>(std::move(s));
    auto client = std::make_shared<driver::websocket_client<tcp::socket>>(std::move(c));
    accept_and_echo(server);

    auto strand = asio::make_strand(ioc);
    bool on_strand = false, done = false;
    client->async_handshake(rw_test::make_handshake("h"), asio::bind_executor(strand, [&](std::error_code e, handshake_result) {
                                CHECK_FALSE(e);
                                on_strand = strand.running_in_this_thread();
                                done = true;
                            }));
    REQUIRE(rw_test::run_until(ioc, [&] { return done; }));
    CHECK(on_strand);

    asio::io_context other;
    auto other_work = asio::make_work_guard(other);
    std::thread other_thread([&] { other.run(); });
    std::promise<std::pair<bool, std::thread::id>> sent_where, received_where;
    client->async_send(std::string_view("x"), asio::bind_executor(other, [&](std::error_code) {
                           sent_where.set_value({other.get_executor().running_in_this_thread(), std::this_thread::get_id()});
                       }));
    std::atomic<bool> received{false};
    std::string payload; // (checked on this thread: Catch2's assertions are not thread-safe)
    client->async_receive(asio::bind_executor(other, [&](std::error_code e, driver::ws_message m) {
        payload = e ? e.message() : m.payload;
        received_where.set_value({other.get_executor().running_in_this_thread(), std::this_thread::get_id()});
        received = true;
    }));
    REQUIRE(rw_test::run_until(ioc, [&] { return received.load(); }));
    auto sw = sent_where.get_future().get();
    auto rw = received_where.get_future().get();
    CHECK(payload == "x");
    CHECK(sw.first);
    CHECK(rw.first);
    CHECK(sw.second == other_thread.get_id());
    CHECK(rw.second == other_thread.get_id());
    other_work.reset();
    other_thread.join();
}

TEST_CASE("async model: the handler's associated allocator serves the operation's allocations")
{
    asio::io_context ioc;
    auto [s, c] = socket_pair(ioc);
    auto server = std::make_shared<driver::websocket_server<tcp::socket>>(std::move(s));
    auto client = std::make_shared<driver::websocket_client<tcp::socket>>(std::move(c));
    accept_and_echo(server);
    bool done = false;
    client->async_handshake(rw_test::make_handshake("h"), [&](std::error_code, handshake_result) { done = true; });
    REQUIRE(rw_test::run_until(ioc, [&] { return done; }));

    auto sends = std::make_shared<std::atomic<int>>(0);
    auto receives = std::make_shared<std::atomic<int>>(0);
    done = false;
    bool received = false;
    client->async_send(std::string_view("allocated"),
                       asio::bind_allocator(counting_allocator<void>(sends), [&](std::error_code e) { done = !e; }));
    client->async_receive(asio::bind_allocator(counting_allocator<void>(receives), [&](std::error_code e, driver::ws_message m) {
        received = !e && m.payload == "allocated";
    }));
    REQUIRE(rw_test::run_until(ioc, [&] { return done && received; }));
    CHECK(*sends > 0);    // the queued send's storage
    CHECK(*receives > 0); // the socket read's operation state
}

TEST_CASE("async model: connector and http client take tokens and honour terminal cancellation")
{
    asio::io_context ioc;
    // A "proxy" and an HTTP server that accept and then say nothing.
    tcp::acceptor silent(ioc, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
    std::vector<tcp::socket> held;
    std::function<void()> accept_more = [&] {
        silent.async_accept([&](std::error_code e, tcp::socket s) {
            if (e)
                return;
            held.push_back(std::move(s));
            accept_more();
        });
    };
    accept_more();

    SECTION("connector: use_future to a real server, then a cancelled CONNECT phase")
    {
        rw_test::test_server echo_server(ioc, rw_test::echo());
        transport::connector c(ioc.get_executor());
        transport::connect_options o;
        o.host = "127.0.0.1";
        o.port = echo_server.port();
        std::future<transport::any_transport> f = c.async_connect(o, asio::use_future);
        REQUIRE(rw_test::run_until(ioc, [&] { return f.wait_for(0s) == std::future_status::ready; }));
        transport::any_transport t = f.get();
        CHECK(static_cast<bool>(t));

        transport::proxy_config p;
        p.host = "127.0.0.1";
        p.port = silent.local_endpoint().port();
        o.proxy = p;
        asio::cancellation_signal sig;
        std::error_code ec;
        bool done = false;
        c.async_connect(o, asio::bind_cancellation_slot(sig.slot(), [&](std::error_code e, transport::any_transport) {
                            ec = e;
                            done = true;
                        }));
        REQUIRE(rw_test::run_until(ioc, [&] { return !held.empty(); }));
        ioc.poll();
        CHECK_FALSE(done);
        sig.emit(asio::cancellation_type::terminal);
        REQUIRE(rw_test::run_until(ioc, [&] { return done; }));
        CHECK(ec == asio::error::operation_aborted);
        CHECK(c.failure().phase == transport::phase::proxy);
        CHECK(c.failure().error == asio::error::operation_aborted);
    }
    SECTION("http client: a cancelled request completes with operation_aborted")
    {
        driver::http_target target{"127.0.0.1", silent.local_endpoint().port(), false};
        http::request req;
        req.method = "GET";
        req.target = "/";
        asio::cancellation_signal sig;
        std::error_code ec;
        bool done = false;
        driver::async_http_request(ioc, target, req, {},
                                   asio::bind_cancellation_slot(sig.slot(), [&](std::error_code e, http::response) {
                                       ec = e;
                                       done = true;
                                   }));
        REQUIRE(rw_test::run_until(ioc, [&] { return !held.empty(); }));
        ioc.poll();
        CHECK_FALSE(done);
        sig.emit(asio::cancellation_type::terminal);
        REQUIRE(rw_test::run_until(ioc, [&] { return done; }));
        CHECK(ec == asio::error::operation_aborted);
    }
    silent.close();
}
