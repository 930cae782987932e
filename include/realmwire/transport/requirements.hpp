#ifndef REALMWIRE_TRANSPORT_REQUIREMENTS_HPP
#define REALMWIRE_TRANSPORT_REQUIREMENTS_HPP

// What a transport is. A type T is a *transport* when, for an lvalue `t` of type T, a
// `asio::mutable_buffer mb`, an `asio::const_buffer cb` and a handler `h` callable as
// `h(std::error_code ec, std::size_t n)`:
//
//   T::executor_type, t.get_executor()   the executor on which every handler is invoked
//                                         (handlers are never invoked from inside the initiating call).
//   t.async_read_some(mb, h)              reads 1..mb.size() bytes; n is how many. End of stream is
//                                         reported as asio::error::eof (so an Asio TLS layer can sit on
//                                         top); at most one read may be pending at a time.
//   t.async_write(cb, h)                  writes *all* of cb (n == cb.size() on success); at most one
//                                         write may be pending at a time; reads and writes may overlap.
//   t.close()                             idempotent, never throws; pending operations complete with an
//                                         error (asio::error::operation_aborted or similar).
//
// This is the intersection of Beast's NextLayer (AsyncReadStream + AsyncWriteStream) and websocketpp's
// transport policy (async_read_at_least / async_write / shutdown), cut down to what the WebSocket
// drivers need. Handlers may be move-only. Transports in the box: memory_stream (memory.hpp),
// tcp_transport (tcp.hpp), tls_transport<T> (tls.hpp) and the type-erased any_transport.
//
// is_transport<T> checks the above; check_transport<T>() turns each missing piece into a
// static_assert that names it.

#include <asio/buffer.hpp>

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
struct has_async_write : std::false_type {};
template <class T>
struct has_async_write<T, std::void_t<decltype(std::declval<T&>().async_write(std::declval<asio::const_buffer>(),
                                                                              std::declval<probe_handler>()))>>
    : std::true_type {};

template <class T, class = void>
struct has_close : std::false_type {};
template <class T>
struct has_close<T, std::void_t<decltype(std::declval<T&>().close())>> : std::true_type {};

} // namespace detail

template <class T>
struct is_transport
    : std::bool_constant<detail::has_executor<T>::value && detail::has_async_read_some<T>::value &&
                         detail::has_async_write<T>::value && detail::has_close<T>::value &&
                         std::is_move_constructible<T>::value> {};

template <class T>
inline constexpr bool is_transport_v = is_transport<T>::value;

/// Use as `static_assert(check_transport<T>());` or just call it in a template: each missing requirement
/// fails with its own message.
template <class T>
constexpr bool check_transport()
{
    static_assert(detail::has_executor<T>::value,
                  "realmwire transport: T needs `using executor_type = ...;` and `executor_type get_executor()`");
    static_assert(detail::has_async_read_some<T>::value,
                  "realmwire transport: T needs `async_read_some(asio::mutable_buffer, Handler&&)` with a "
                  "move-only Handler called as h(std::error_code, std::size_t)");
    static_assert(detail::has_async_write<T>::value,
                  "realmwire transport: T needs `async_write(asio::const_buffer, Handler&&)` that writes all "
                  "bytes and calls h(std::error_code, std::size_t)");
    static_assert(detail::has_close<T>::value, "realmwire transport: T needs `void close()` (idempotent, noexcept)");
    static_assert(std::is_move_constructible<T>::value, "realmwire transport: T must be move-constructible");
    return is_transport<T>::value;
}

} // namespace realmwire::transport

#endif
