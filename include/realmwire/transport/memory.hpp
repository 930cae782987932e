#ifndef REALMWIRE_TRANSPORT_MEMORY_HPP
#define REALMWIRE_TRANSPORT_MEMORY_HPP

// An in-memory duplex pipe: two memory_stream ends in one process, each a transport
// (requirements.hpp). What one end writes, the other reads. For tests, fuzzing and benchmarks: no
// sockets, no ports, deterministic. Each end can be told to deliver reads in small chunks (to exercise
// incremental parsers) and to fail its reads or writes after a given number of bytes (to exercise error
// paths). All handlers are posted to the pipe's executor, never called inline. Single-threaded use: the
// executor must not run handlers of one pipe concurrently (an io_context run by one thread, or a strand).

#include "realmwire/errors/transport.hpp"
#include "realmwire/transport/detail/completion.hpp"
#include "realmwire/transport/detail/io_handler.hpp"
#include "realmwire/transport/detail/parked_handlers.hpp"
#include "realmwire/transport/requirements.hpp"

#include <asio/any_io_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/buffer.hpp>
#include <asio/error.hpp>
#include <asio/post.hpp>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <limits>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

namespace realmwire::transport {

struct memory_pipe_options {
    static constexpr std::size_t never = std::numeric_limits<std::size_t>::max();
    /// Each read on this end delivers at most this many bytes (0: as many as are available).
    std::size_t max_read_chunk = 0;
    /// Once this end has read this many bytes, its next read fails with `fault`.
    std::size_t fail_read_after = never;
    /// Once this end has written this many bytes, writes fail with `fault` (a write crossing the
    /// limit delivers the bytes up to it, then fails with n = bytes delivered).
    std::size_t fail_write_after = never;
    std::error_code fault = make_error_code(transport_error::injected_fault);
};

namespace detail {

struct pipe_state : std::enable_shared_from_this<pipe_state>, parks_handlers {
    struct inbox {          // bytes flowing towards one end
        std::string data;
        std::size_t pos = 0;
        bool eof = false;   // the other end closed: after the data, reads see asio::error::eof
        io_handler reader;  // a pending read of this end
        asio::mutable_buffer reader_buf;
    };
    explicit pipe_state(asio::any_io_executor e) : parks_handlers(e), ex(std::move(e)) {}

    // A pending read's handler usually owns the stream's user (a connection): dropped, not called,
    // when the execution context shuts down.
    std::shared_ptr<void> keep_alive() noexcept override { return weak_from_this().lock(); }
    void drop_parked_handlers() noexcept override
    {
        io_handler r0 = std::move(in[0].reader), r1 = std::move(in[1].reader);
    }

    asio::any_io_executor ex;
    inbox in[2];
    memory_pipe_options opts[2];
    std::size_t read_total[2]{};
    std::size_t written_total[2]{};
    bool closed[2]{};
};

} // namespace detail

class memory_stream : public detail::io_initiation<memory_stream> {
public:
    using executor_type = asio::any_io_executor;

    memory_stream(std::shared_ptr<detail::pipe_state> st, int side) : st_(std::move(st)), side_(side) {}
    memory_stream(memory_stream&&) noexcept = default;
    memory_stream& operator=(memory_stream&&) noexcept = default;
    ~memory_stream()
    {
        if (st_)
            close();
    }

    executor_type get_executor() { return st_->ex; }

    /// Closes this end: its pending read fails with operation_aborted; the other end reads what was
    /// already written, then asio::error::eof; its writes fail with broken_pipe.
    void close()
    {
        if (!st_)
            return; // moved-from
        auto& st = *st_;
        if (st.closed[side_])
            return;
        st.closed[side_] = true;
        st.in[1 - side_].eof = true;
        try_deliver(st, 1 - side_);
        if (st.in[side_].reader)
            complete_read(asio::error::operation_aborted, 0);
    }

    /// Bytes written by the other end and not yet read here.
    std::size_t available() const noexcept { return st_->in[side_].data.size() - st_->in[side_].pos; }

private:
    friend class detail::io_initiation<memory_stream>;
    void start_read(asio::mutable_buffer b, detail::io_handler h)
    {
        auto& box = st_->in[side_];
        box.reader = std::move(h);
        box.reader_buf = b;
        if (st_->closed[side_]) {
            complete_read(asio::error::operation_aborted, 0);
            return;
        }
        try_deliver(*st_, side_);
    }

    void start_write(asio::const_buffer b, detail::io_handler h)
    {
        auto& st = *st_;
        std::error_code ec;
        std::size_t n = b.size();
        const auto& o = st.opts[side_];
        if (st.closed[side_])
            ec = asio::error::operation_aborted, n = 0;
        else if (st.closed[1 - side_])
            ec = asio::error::broken_pipe, n = 0;
        else if (o.fail_write_after != memory_pipe_options::never &&
                 st.written_total[side_] + n > o.fail_write_after) {
            n = o.fail_write_after > st.written_total[side_] ? o.fail_write_after - st.written_total[side_] : 0;
            ec = o.fault;
        }
        if (n) {
            auto& peer = st.in[1 - side_];
            if (peer.pos == peer.data.size()) {
                peer.data.clear();
                peer.pos = 0;
            }
            peer.data.append(static_cast<const char*>(b.data()), n);
            st.written_total[side_] += n;
            try_deliver(st, 1 - side_);
        }
        asio::post(st.ex, [h = std::move(h), ec, n]() mutable { h(ec, n); });
    }

    void complete_read(std::error_code ec, std::size_t n)
    {
        auto h = std::move(st_->in[side_].reader);
        asio::post(st_->ex, [h = std::move(h), ec, n]() mutable { h(ec, n); });
    }

    static void try_deliver(detail::pipe_state& st, int side)
    {
        auto& box = st.in[side];
        if (!box.reader)
            return;
        const auto& o = st.opts[side];
        std::error_code ec;
        std::size_t n = 0;
        const std::size_t avail = box.data.size() - box.pos;
        if (o.fail_read_after != memory_pipe_options::never && st.read_total[side] >= o.fail_read_after) {
            ec = o.fault;
        }
        else if (box.reader_buf.size() == 0) {
            // zero-byte read completes at once
        }
        else if (avail) {
            n = std::min(avail, box.reader_buf.size());
            if (o.max_read_chunk)
                n = std::min(n, o.max_read_chunk);
            if (o.fail_read_after != memory_pipe_options::never)
                n = std::min(n, o.fail_read_after - st.read_total[side]);
            std::memcpy(box.reader_buf.data(), box.data.data() + box.pos, n);
            box.pos += n;
            st.read_total[side] += n;
        }
        else if (box.eof) {
            ec = asio::error::eof;
        }
        else {
            return; // wait for data
        }
        auto h = std::move(box.reader);
        asio::post(st.ex, [h = std::move(h), ec, n]() mutable { h(ec, n); });
    }

    std::shared_ptr<detail::pipe_state> st_;
    int side_;
};

static_assert(is_transport_v<memory_stream>);

/// Both ends of a new pipe: `first` and `second` with their own options.
inline std::pair<memory_stream, memory_stream> make_memory_pipe(asio::any_io_executor ex,
                                                                memory_pipe_options first = {},
                                                                memory_pipe_options second = {})
{
    auto st = std::make_shared<detail::pipe_state>(std::move(ex));
    st->opts[0] = first;
    st->opts[1] = second;
    return {memory_stream(st, 0), memory_stream(st, 1)};
}

} // namespace realmwire::transport

#endif
