#ifndef REALMWIRE_REFERENCE_DETAIL_WS_LINK_HPP
#define REALMWIRE_REFERENCE_DETAIL_WS_LINK_HPP

// A WebSocket message channel over any transport, after the HTTP upgrade: binary messages in and out,
// pings answered, close handled. Used by the reference server and client (the general WebSocket
// drivers live in realmwire/driver/). One strand: every callback runs on the transport's executor.

#include "realmwire/transport/any_transport.hpp"
#include "realmwire/websocket/decoder.hpp"
#include "realmwire/websocket/encoder.hpp"

#include <asio.hpp>

#include <array>
#include <deque>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <system_error>

namespace realmwire::reference::detail {

class ws_link : public std::enable_shared_from_this<ws_link> {
public:
    using message_handler = std::function<void(std::string_view)>;
    using close_handler = std::function<void(std::error_code)>;

    ws_link(transport::any_transport t, websocket::role self, std::size_t max_message_size)
        : transport_(std::move(t))
        , decoder_(self, websocket::decoder_limits{max_message_size, true, 256 * 1024})
        , encoder_(self)
    {
    }

    /// Starts reading; `initial` holds bytes that arrived right after the HTTP head.
    void start(std::string initial, message_handler on_message, close_handler on_close)
    {
        on_message_ = std::move(on_message);
        on_close_ = std::move(on_close);
        auto self = shared_from_this();
        asio::post(transport_.get_executor(), [self, initial = std::move(initial)] {
            if (!self->consume(initial))
                return;
            self->read();
        });
    }

    void send(std::string_view payload)
    {
        if (closed_)
            return;
        std::string frame;
        encoder_.message(frame, payload, websocket::opcode::binary);
        queue(std::move(frame));
    }

    /// Sends a close frame after what is queued, then closes the transport.
    void close(std::uint16_t code = 1000)
    {
        if (closing_ || closed_)
            return;
        closing_ = true;
        std::string frame;
        std::error_code ec;
        encoder_.close(frame, code, {}, ec);
        if (ec)
            encoder_.close_empty(frame);
        queue(std::move(frame), true);
    }

    /// Closes the transport now (a crash, as far as the peer can tell).
    void abort()
    {
        if (closed_)
            return;
        closed_ = true;
        transport_.close();
        notify(asio::error::operation_aborted);
    }

    bool closed() const noexcept { return closed_; }
    std::size_t queued_bytes() const noexcept { return queued_bytes_; }
    asio::any_io_executor executor() { return transport_.get_executor(); }

private:
    void notify(std::error_code ec)
    {
        if (on_close_) {
            auto h = std::move(on_close_);
            on_close_ = nullptr;
            on_message_ = nullptr;
            h(ec);
        }
    }

    void fail(std::error_code ec)
    {
        if (closed_)
            return;
        closed_ = true;
        transport_.close();
        notify(ec);
    }

    /// Feeds bytes to the decoder and the handlers. An allocation failure (a message as large as the
    /// limit allows, on a server short of memory) closes this link only.
    bool consume(std::string_view in)
    {
        try {
            return consume_bytes(in);
        }
        catch (const std::bad_alloc&) {
            fail(std::make_error_code(std::errc::not_enough_memory));
            return false;
        }
    }

    bool consume_bytes(std::string_view in)
    {
        while (!in.empty() && !closed_) {
            std::error_code ec;
            std::size_t n = decoder_.feed(in, ec);
            in.remove_prefix(n);
            if (ec) {
                fail(ec);
                return false;
            }
            if (!decoder_.has_event())
                continue;
            const auto& ev = decoder_.event();
            switch (ev.kind) {
                case websocket::event_kind::binary:
                case websocket::event_kind::text:
                    if (on_message_)
                        on_message_(ev.payload);
                    if (!closed_) {
                        std::error_code ignored;
                        decoder_.feed({}, ignored); // done with the message: frees an oversized buffer now
                    }
                    break;
                case websocket::event_kind::ping: {
                    std::string frame;
                    encoder_.pong(frame, ev.payload);
                    queue(std::move(frame));
                    break;
                }
                case websocket::event_kind::close:
                    if (!closing_)
                        close(1000);
                    fail(asio::error::eof);
                    return false;
                default: break;
            }
        }
        return !closed_;
    }

    void read()
    {
        auto self = shared_from_this();
        transport_.async_read_some(asio::buffer(buf_), [self](std::error_code ec, std::size_t n) {
            if (self->closed_)
                return;
            if (ec) {
                self->fail(ec);
                return;
            }
            if (self->consume(std::string_view(self->buf_.data(), n)))
                self->read();
        });
    }

    void queue(std::string frame, bool then_close = false)
    {
        queued_bytes_ += frame.size();
        out_.push_back({std::move(frame), then_close});
        if (!writing_)
            write();
    }

    void write()
    {
        if (out_.empty() || closed_) {
            writing_ = false;
            return;
        }
        writing_ = true;
        auto self = shared_from_this();
        transport_.async_write(asio::buffer(out_.front().bytes), [self](std::error_code ec, std::size_t) {
            if (self->closed_)
                return;
            bool then_close = self->out_.front().then_close;
            self->queued_bytes_ -= self->out_.front().bytes.size();
            self->out_.pop_front();
            if (ec) {
                self->fail(ec);
                return;
            }
            if (then_close) {
                self->fail(asio::error::eof);
                return;
            }
            self->write();
        });
    }

    struct pending {
        std::string bytes;
        bool then_close;
    };

    transport::any_transport transport_;
    websocket::decoder decoder_;
    websocket::encoder encoder_;
    message_handler on_message_;
    close_handler on_close_;
    std::array<char, 16384> buf_{};
    std::deque<pending> out_;
    std::size_t queued_bytes_ = 0;
    bool writing_ = false;
    bool closing_ = false;
    bool closed_ = false;
};

} // namespace realmwire::reference::detail

#endif
