#ifndef REALMWIRE_TRANSPORT_REQUIREMENTS_HPP
#define REALMWIRE_TRANSPORT_REQUIREMENTS_HPP

// What may sit under the WebSocket layer: Asio's own AsyncReadStream + AsyncWriteStream, the way
// Beast's websocket::stream<NextLayer> takes its next layer. A type T is an *async stream* when, for an
// lvalue `t` of type T, a `asio::mutable_buffer mb`, a `asio::const_buffer cb` and a move-only handler
// `h` callable as `h(std::error_code ec, std::size_t n)`:
//
//   T::executor_type, t.get_executor()   the executor of the stream's I/O (handlers never run inside
//                                         the initiating call).
//   t.async_read_some(mb, h)              reads 1..mb.size() bytes; end of stream is asio::error::eof.
//   t.async_write_some(cb, h)             writes 1..cb.size() bytes (asio::async_write loops on it).
//
// asio::ip::tcp::socket, asio::ssl::stream<asio::ip::tcp::socket> and every transport in the box
// qualify: memory_stream (memory.hpp), tcp_transport (tcp.hpp), tls_transport<T> (tls.hpp), the
// type-erased any_transport, and a CONNECT tunnel (which is just the transport it ran on).
//
// A *transport* is an async stream that can also be dropped on the spot: `t.close()`, idempotent and
// never throwing, making pending operations complete with an error. Asio's streams are closed through
// close_stream() below instead (close(ec) on the socket, or on the lowest layer for a TLS stream), so
// they need no wrapper. The in-box transports also offer `async_write(cb, h)` (write all of cb).
//
// is_async_stream<T> / check_async_stream<T>() and is_transport<T> / check_transport<T>() check the
// above; the check_ forms turn each missing member into a static_assert that names it.

#include <asio/buffer.hpp>
#include <asio/error.hpp>

#include <cstddef>
#include <system_error>
#include <type_traits>
#include <utility>

namespace realmwire::transport {

namespace detail {

/// A move-only handler of the right signature, used only to probe T's members.
struct probe_handler {
    probe_handler() = default;
    probe_handler(probe_handler&&) = default;
    probe_handler(const probe_handler&) = delete;
    void operator()(std::error_code, std::size_t) {}
};

template <class T, class = void>
struct has_executor : std::false_type {};
template <class T>
struct has_executor<T, std::void_t<typename T::executor_type, decltype(std::declval<T&>().get_executor())>>
    : std::is_convertible<decltype(std::declval<T&>().get_executor()), typename T::executor_type> {};

template <class T, class = void>
struct has_async_read_some : std::false_type {};
template <class T>
struct has_async_read_some<T, std::void_t<decltype(std::declval<T&>().async_read_some(std::declval<asio::mutable_buffer>(),
                                                                                      std::declval<probe_handler>()))>>
    : std::true_type {};

template <class T, class = void>
struct has_async_write_some : std::false_type {};
template <class T>
struct has_async_write_some<
    T, std::void_t<decltype(std::declval<T&>().async_write_some(std::declval<asio::const_buffer>(), std::declval<probe_handler>()))>>
    : std::true_type {};

template <class T, class = void>
struct has_async_write : std::false_type {};
template <class T>
struct has_async_write<T, std::void_t<decltype(std::declval<T&>().async_write(std::declval<asio::const_buffer>(),
                                                                              std::declval<probe_handler>()))>>
    : std::true_type {};

template <class T, class = void>
struct has_close : std::false_type {};
template <class T>
struct has_close<T, std::void_t<decltype(std::declval<T&>().close())>> : std::true_type {};

template <class T, class = void>
struct has_close_ec : std::false_type {};
template <class T>
struct has_close_ec<T, std::void_t<decltype(std::declval<T&>().close(std::declval<std::error_code&>()))>> : std::true_type {};

template <class T, class = void>
struct has_lowest_layer : std::false_type {};
template <class T>
struct has_lowest_layer<T, std::void_t<decltype(std::declval<T&>().lowest_layer())>>
    : std::bool_constant<!std::is_same<std::decay_t<decltype(std::declval<T&>().lowest_layer())>, T>::value> {};

} // namespace detail

template <class T>
struct is_async_stream
    : std::bool_constant<detail::has_executor<T>::value && detail::has_async_read_some<T>::value &&
                         detail::has_async_write_some<T>::value> {};

template <class T>
inline constexpr bool is_async_stream_v = is_async_stream<T>::value;

/// Use as `static_assert(check_async_stream<T>());`: each missing member fails with its own message.
template <class T>
constexpr bool check_async_stream()
{
    static_assert(detail::has_executor<T>::value,
                  "realmwire next layer: T needs `using executor_type = ...;` and `executor_type get_executor()`");
    static_assert(detail::has_async_read_some<T>::value,
                  "realmwire next layer: T needs `async_read_some(MutableBufferSequence, CompletionToken)` "
                  "completing with (std::error_code, std::size_t) (Asio's AsyncReadStream)");
    static_assert(detail::has_async_write_some<T>::value,
                  "realmwire next layer: T needs `async_write_some(ConstBufferSequence, CompletionToken)` "
                  "completing with (std::error_code, std::size_t) (Asio's AsyncWriteStream)");
    return is_async_stream<T>::value;
}

template <class T>
struct is_transport : std::bool_constant<is_async_stream<T>::value && detail::has_close<T>::value &&
                                         std::is_move_constructible<T>::value> {};

template <class T>
inline constexpr bool is_transport_v = is_transport<T>::value;

/// check_async_stream<T>() plus `close()` and move construction.
template <class T>
constexpr bool check_transport()
{
    check_async_stream<T>();
    static_assert(detail::has_close<T>::value, "realmwire transport: T needs `void close()` (idempotent, noexcept)");
    static_assert(std::is_move_constructible<T>::value, "realmwire transport: T must be move-constructible");
    return is_transport<T>::value;
}

/// Drops a stream now, whatever it is: `close()` on a transport, `close(ec)` on an Asio socket, and
/// through `lowest_layer()` for a layered stream such as asio::ssl::stream. Never throws; pending
/// operations complete with an error (asio::error::operation_aborted for Asio's sockets).
template <class T>
void close_stream(T& t) noexcept
{
    if constexpr (detail::has_close_ec<T>::value) {
        std::error_code ignored;
        t.close(ignored);
    }
    else if constexpr (detail::has_close<T>::value) {
        t.close();
    }
    else {
        static_assert(detail::has_lowest_layer<T>::value,
                      "realmwire next layer: T needs `close()`, `close(std::error_code&)` or a `lowest_layer()` "
                      "that has one, so that a connection can be dropped");
        close_stream(t.lowest_layer());
    }
}

} // namespace realmwire::transport

#endif
