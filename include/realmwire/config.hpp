#ifndef REALMWIRE_CONFIG_HPP
#define REALMWIRE_CONFIG_HPP

// Build-time switches. Everything here can be set by the user before including any realmwire header.
//
// REALMWIRE_NO_EXCEPTIONS   The throwing overloads call realmwire::throw_exception(ec, what, info) (error.hpp),
//                           which the user defines (as Asio's throw_exception hook), instead of `throw`.
//                           With Asio (transport/, driver/, reference/) also define ASIO_NO_EXCEPTIONS and
//                           asio::detail::throw_exception (standalone Asio does not detect -fno-exceptions).
// REALMWIRE_ASSERT(x)       Internal invariant check; defaults to assert(). Never used on input validation:
//                           bad input is reported through std::error_code, not assertions.

#include <cassert>

#if !defined(REALMWIRE_NO_EXCEPTIONS) && !defined(__cpp_exceptions) && !defined(__EXCEPTIONS)
#define REALMWIRE_NO_EXCEPTIONS 1
#endif

// Where realmwire catches what someone else's code throws (a user's handler, a job, an allocation that
// fails), it writes
//     REALMWIRE_TRY { ... } REALMWIRE_CATCH(const std::bad_alloc&) { ... }
// or REALMWIRE_CATCH_ALL, and REALMWIRE_RETHROW inside a handler. Without exceptions nothing can be
// thrown, so the try block runs as plain code and the handlers compile but never run (they must not
// name the exception object). realmwire's own errors never take this path: they are error_codes.
#ifndef REALMWIRE_NO_EXCEPTIONS
#define REALMWIRE_TRY try
#define REALMWIRE_CATCH(decl) catch (decl)
#define REALMWIRE_CATCH_ALL catch (...)
#define REALMWIRE_RETHROW throw
#else
#define REALMWIRE_TRY if (true)
#define REALMWIRE_CATCH(decl) else if (false)
#define REALMWIRE_CATCH_ALL else if (false)
#define REALMWIRE_RETHROW ((void)0)
#endif

#ifndef REALMWIRE_ASSERT
#define REALMWIRE_ASSERT(x) assert(x)
#endif

#if defined(__GNUC__) || defined(__clang__)
#define REALMWIRE_LIKELY(x) __builtin_expect(!!(x), 1)
#define REALMWIRE_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define REALMWIRE_ALWAYS_INLINE inline __attribute__((always_inline))
/// Error paths of hot loops: kept out of line so the hot code stays small and its registers free.
#define REALMWIRE_COLD __attribute__((cold, noinline))
#else
#define REALMWIRE_LIKELY(x) (x)
#define REALMWIRE_UNLIKELY(x) (x)
#define REALMWIRE_ALWAYS_INLINE inline
#define REALMWIRE_COLD
#endif

#endif
