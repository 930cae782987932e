#include "realmwire/transport/memory.hpp"

#include "realmwire/transport/any_transport.hpp"
#include "realmwire/transport/requirements.hpp"
#include "realmwire/transport/tls.hpp"
#include "transport/support.hpp"

#include <catch2/catch.hpp>

#include <asio/io_context.hpp>

#include <string>

using namespace realmwire;
using namespace realmwire::transport;

namespace {
struct no_close {
    using executor_type = asio::any_io_executor;
    executor_type get_executor();
    template <class H>
    void async_read_some(asio::mutable_buffer, H&&);
    template <class H>
    void async_write(asio::const_buffer, H&&);
};
struct not_a_transport {};
} // namespace

TEST_CASE("is_transport accepts the transports in the box and names what is missing")
{
    STATIC_REQUIRE(is_transport_v<memory_stream>);
    STATIC_REQUIRE(is_transport_v<tcp_transport>);
    STATIC_REQUIRE(is_transport_v<any_transport>);
    STATIC_REQUIRE(is_transport_v<tls_transport<memory_stream>>);
    STATIC_REQUIRE(is_transport_v<tls_transport<any_transport>>);
    STATIC_REQUIRE_FALSE(is_transport_v<no_close>);
    STATIC_REQUIRE_FALSE(is_transport_v<not_a_transport>);
    STATIC_REQUIRE(transport::detail::has_async_read_some<no_close>::value);
    STATIC_REQUIRE_FALSE(transport::detail::has_close<no_close>::value);
}

namespace {
// Reads until `want` bytes arrived or an error; returns what arrived.
struct reader {
    std::string got;
    std::error_code ec;
    bool done = false;
    std::vector<std::size_t> sizes;
    char buf[1024];
    template <class T>
    void read(T& t, std::size_t want)
    {
        t.async_read_some(asio::buffer(buf), [this, &t, want](std::error_code e, std::size_t n) {
            got.append(buf, n);
            if (n)
                sizes.push_back(n);
            if (e || got.size() >= want) {
                ec = e;
                done = true;
                return;
            }
            read(t, want);
        });
    }
};
} // namespace

TEST_CASE("memory pipe carries bytes both ways, in chunks when asked, and never completes inline")
{
    asio::io_context ioc;
    memory_pipe_options chunky;
    chunky.max_read_chunk = 3;
    auto [a, b] = make_memory_pipe(ioc.get_executor(), {}, chunky);
    bool wrote = false;
    a.async_write(asio::buffer(std::string_view("hello world")), [&](std::error_code ec, std::size_t n) {
        CHECK_FALSE(ec);
        CHECK(n == 11);
        wrote = true;
    });
    CHECK_FALSE(wrote); // posted, not inline
    reader r;
    r.read(b, 11);
    REQUIRE(rw_test::run_until(ioc, [&] { return r.done && wrote; }));
    CHECK(r.got == "hello world");
    CHECK_FALSE(r.ec);
    CHECK(r.sizes == std::vector<std::size_t>{3, 3, 3, 2});

    reader back;
    back.read(a, 4);
    b.async_write(asio::buffer(std::string_view("pong")), [](std::error_code, std::size_t) {});
    REQUIRE(rw_test::run_until(ioc, [&] { return back.done; }));
    CHECK(back.got == "pong");
}

TEST_CASE("memory pipe: close gives the peer the remaining data, then eof, own pending read aborts")
{
    asio::io_context ioc;
    auto [a, b] = make_memory_pipe(ioc.get_executor());
    reader pending;
    pending.read(a, 100);
    b.async_write(asio::buffer(std::string_view("tail")), [](std::error_code, std::size_t) {});
    REQUIRE(rw_test::run_until(ioc, [&] { return !pending.got.empty(); }));
    b.async_write(asio::buffer(std::string_view("more")), [](std::error_code, std::size_t) {});
    b.close();
    REQUIRE(rw_test::run_until(ioc, [&] { return pending.done; }));
    CHECK(pending.got == "tailmore");
    CHECK(pending.ec == asio::error::eof);

    reader own;
    own.read(b, 1);
    REQUIRE(rw_test::run_until(ioc, [&] { return own.done; }));
    CHECK(own.ec == asio::error::operation_aborted);

    std::error_code wec;
    bool wdone = false;
    a.async_write(asio::buffer(std::string_view("x")), [&](std::error_code ec, std::size_t) {
        wec = ec;
        wdone = true;
    });
    REQUIRE(rw_test::run_until(ioc, [&] { return wdone; }));
    CHECK(wec == asio::error::broken_pipe);
}

TEST_CASE("memory pipe: injected read and write faults")
{
    asio::io_context ioc;
    memory_pipe_options reads;
    reads.fail_read_after = 5;
    memory_pipe_options writes;
    writes.fail_write_after = 7;
    auto [a, b] = make_memory_pipe(ioc.get_executor(), writes, reads);

    std::error_code wec;
    std::size_t wn = 0;
    bool wdone = false;
    a.async_write(asio::buffer(std::string_view("0123456789")), [&](std::error_code ec, std::size_t n) {
        wec = ec;
        wn = n;
        wdone = true;
    });
    reader r;
    r.read(b, 100);
    REQUIRE(rw_test::run_until(ioc, [&] { return wdone && r.done; }));
    CHECK(wec == transport_error::injected_fault);
    CHECK(wn == 7);
    CHECK(r.got == "01234");
    CHECK(r.ec == transport_error::injected_fault);
}

TEST_CASE("any_transport erases a memory stream and is a transport itself")
{
    asio::io_context ioc;
    auto [a, b] = make_memory_pipe(ioc.get_executor());
    any_transport ta(std::move(a));
    any_transport tb(std::move(b));
    CHECK(ta.target<memory_stream>() != nullptr);
    CHECK(ta.target<tcp_transport>() == nullptr);
    auto check = std::make_shared<rw_test::echo_check>(ta, std::string(10000, 'z'));
    std::make_shared<rw_test::echo_session>(std::move(tb))->start();
    check->start();
    REQUIRE(rw_test::run_until(ioc, [&] { return check->finished; }));
    CHECK_FALSE(check->error);
    CHECK(check->result == check->data);
}

TEST_CASE("TLS runs over a memory pipe (chunked), verifying the test CA and the host name")
{
    rw_test::test_pki pki;
    asio::io_context ioc;
    memory_pipe_options chunky;
    chunky.max_read_chunk = 7;
    auto [a, b] = make_memory_pipe(ioc.get_executor(), chunky, chunky);
    std::error_code ec;
    auto server_ctx = make_server_tls_context(pki.server_cert, pki.server_key, ec);
    REQUIRE_FALSE(ec);

    for (std::string name : {"localhost", "wrong.example"}) {
        auto [ca, sb] = make_memory_pipe(ioc.get_executor(), chunky, chunky);
        tls_options opts;
        opts.ca_file = pki.ca;
        auto client_ctx = make_client_tls_context(opts, ec);
        REQUIRE_FALSE(ec);
        tls_transport<memory_stream> client(std::move(ca), client_ctx);
        tls_transport<memory_stream> server(std::move(sb), server_ctx);
        client.set_client_host(name, opts, ec);
        REQUIRE_FALSE(ec);
        std::error_code cec, sec;
        int done = 0;
        client.async_handshake(asio::ssl::stream_base::client, [&](std::error_code e) {
            cec = e;
            ++done;
            if (e)
                client.close();
        });
        server.async_handshake(asio::ssl::stream_base::server, [&](std::error_code e) {
            sec = e;
            ++done;
            if (e)
                server.close();
        });
        REQUIRE(rw_test::run_until(ioc, [&] { return done == 2; }));
        if (name == "localhost") {
            CHECK_FALSE(cec);
            CHECK_FALSE(sec);
            any_transport tc(std::move(client));
            std::make_shared<rw_test::echo_session>(any_transport(std::move(server)))->start();
            auto check = std::make_shared<rw_test::echo_check>(tc, std::string(50000, 'q'));
            check->start();
            REQUIRE(rw_test::run_until(ioc, [&] { return check->finished; }));
            CHECK(check->result == check->data);
            tc.close();
        }
        else {
            CHECK(cec);
            CHECK(cec.category() == asio::error::get_ssl_category());
        }
    }
}
