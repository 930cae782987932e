#ifndef REALMWIRE_ERROR_HPP
#define REALMWIRE_ERROR_HPP

// The error model.
//
// * Every area has a fine-grained `enum class <area>_error` (errors/<area>.hpp), registered as a
//   std::error_code enum with its own std::error_category ("realmwire.<area>").
// * Every fine error maps onto one coarse `realmwire::condition`, so callers can ask broad questions
//   (`ec == realmwire::condition::malformed_input`) without knowing each area's list.
// * Fallible functions come in two forms: `f(args..., std::error_code& ec)` never throws; `f(args...)`
//   throws realmwire::system_error. Parsers never throw on bad input.
// * Where a parser knows *where* input went wrong it reports an error_info (byte offset and/or field
//   name) beside the code; the throwing form carries it in the exception.

#include "realmwire/config.hpp"

#include <cstddef>
#include <iterator>
#include <string>
#include <string_view>
#include <system_error>
#include <type_traits>
#include <utility>

#ifndef REALMWIRE_NO_EXCEPTIONS
#include <stdexcept>
#endif

namespace realmwire {

/// Coarse classes of failure, shared by every area.
enum class condition {
    malformed_input = 1, ///< the bytes do not follow the grammar
    limit_exceeded,      ///< a configured limit (size, count, depth) was hit
    unsupported,         ///< well-formed, but a version, type or feature we do not speak
    handshake_failed,    ///< the WebSocket upgrade was refused or its answer was wrong
    unauthorized,        ///< missing, malformed, expired or badly signed credentials
    forbidden,           ///< valid credentials without the needed access
    proxy_failed,        ///< an HTTP CONNECT proxy refused or broke the tunnel
    transport_failed,    ///< the network: resolve, connect, TLS, reset
    timeout,             ///< a phase took longer than its configured timeout
    protocol_violation,  ///< the peer broke the rules of the sync protocol
    invalid_argument,    ///< the caller passed a value that can never be valid
};

namespace detail {

class condition_category_impl final : public std::error_category {
public:
    const char* name() const noexcept override { return "realmwire.condition"; }
    std::string message(int ev) const override
    {
        switch (static_cast<condition>(ev)) {
            case condition::malformed_input: return "malformed input";
            case condition::limit_exceeded: return "limit exceeded";
            case condition::unsupported: return "unsupported";
            case condition::handshake_failed: return "handshake failed";
            case condition::unauthorized: return "unauthorized";
            case condition::forbidden: return "forbidden";
            case condition::proxy_failed: return "proxy failed";
            case condition::transport_failed: return "transport failed";
            case condition::timeout: return "timeout";
            case condition::protocol_violation: return "protocol violation";
            case condition::invalid_argument: return "invalid argument";
        }
        return "unknown realmwire condition";
    }
};

} // namespace detail

inline const std::error_category& condition_category() noexcept
{
    static const detail::condition_category_impl category;
    return category;
}

inline std::error_condition make_error_condition(condition c) noexcept
{
    return {static_cast<int>(c), condition_category()};
}

/// One code of an area's enum with what the category answers for it.
template <class E>
struct error_row {
    E code;
    const char* message; ///< a short, precise sentence
    condition cond;      ///< the coarse class
};

/// Describe an area's error enum: specialize with
///   static constexpr const char* category_name;      // e.g. "realmwire.http"
///   static constexpr const char* unknown_message;    // for a value no row names, e.g. "unknown http error"
///   static constexpr condition unknown_condition;    // likewise
///   static constexpr error_row<E> rows[] = {...};    // one row per enumerator (any constexpr range of rows)
/// Every category answers from this one table, so a code's message and condition are written once,
/// side by side, and cannot fall out of step with each other.
template <class E>
struct error_enum_traits;

namespace detail {

template <class Rows>
constexpr bool error_codes_distinct(const Rows& rows) noexcept
{
    for (auto a = std::begin(rows); a != std::end(rows); ++a) {
        for (auto b = std::next(a); b != std::end(rows); ++b) {
            if (a->code == b->code)
                return false;
        }
    }
    return true;
}

/// The row of value `ev`, or nullptr for a value the table does not name.
template <class E>
constexpr const error_row<E>* find_error_row(int ev) noexcept
{
    for (const auto& row : error_enum_traits<E>::rows) {
        if (static_cast<int>(row.code) == ev)
            return &row;
    }
    return nullptr;
}

template <class E>
class enum_category final : public std::error_category {
    using traits = error_enum_traits<E>;
    static_assert(error_codes_distinct(traits::rows), "an error table names the same code twice");

public:
    const char* name() const noexcept override { return traits::category_name; }
    std::string message(int ev) const override
    {
        const auto* row = find_error_row<E>(ev);
        return row ? row->message : traits::unknown_message;
    }
    std::error_condition default_error_condition(int ev) const noexcept override
    {
        const auto* row = find_error_row<E>(ev);
        return make_error_condition(row ? row->cond : traits::unknown_condition);
    }
};

} // namespace detail

/// The one category object of an area's enum.
template <class E>
const std::error_category& error_category_for() noexcept
{
    static const detail::enum_category<E> category;
    return category;
}

/// Where in the input an error was found. Either part may be absent.
struct error_info {
    static constexpr std::size_t no_offset = static_cast<std::size_t>(-1);
    std::size_t offset = no_offset; ///< byte offset into the input that was being parsed
    std::string_view field{};       ///< name of the field or header (always a string literal)

    bool has_offset() const noexcept { return offset != no_offset; }
    bool empty() const noexcept { return offset == no_offset && field.empty(); }
};

/// Renders "what: message (field X, at byte N)".
inline std::string describe_error(std::string_view what, const std::error_code& ec, const error_info& info = {})
{
    std::string s;
    if (!what.empty()) {
        s.append(what);
        s.append(": ");
    }
    s.append(ec.message());
    if (!info.empty()) {
        s.append(" (");
        if (!info.field.empty()) {
            s.append("field ");
            s.append(info.field);
        }
        if (info.has_offset()) {
            if (!info.field.empty())
                s.append(", ");
            s.append("at byte ");
            s.append(std::to_string(info.offset));
        }
        s.append(")");
    }
    return s;
}

#ifndef REALMWIRE_NO_EXCEPTIONS
/// The exception thrown by every throwing overload.
class system_error : public std::system_error {
public:
    system_error(std::error_code ec, std::string_view what, error_info info = {})
        : std::system_error(ec)
        , info_(info)
        , what_(describe_error(what, ec, info))
    {
    }
    const error_info& info() const noexcept { return info_; }
    /// "what: message (field X, at byte N)" — the message once (std::system_error's own what()
    /// would append it a second time).
    const char* what() const noexcept override { return what_.c_str(); }

private:
    error_info info_;
    std::string what_;
};
#else
/// With exceptions off, the user supplies this hook (it must not return).
[[noreturn]] void throw_exception(std::error_code ec, std::string_view what, error_info info);
#endif

/// Throw realmwire::system_error (or call the no-exceptions hook).
[[noreturn]] inline void throw_error(std::error_code ec, std::string_view what, error_info info = {})
{
#ifndef REALMWIRE_NO_EXCEPTIONS
    throw system_error(ec, what, info);
#else
    throw_exception(ec, what, info);
#endif
}

/// Builds the throwing overload from the error_code one:
///   T f(args) { return throw_on_error("f", [&](std::error_code& ec) { return f(args, ec); }); }
/// A form that also reports where the input went wrong takes the error_info as well, and the
/// exception carries it:
///   T f(args)
///   {
///       return throw_on_error("f", [&](std::error_code& ec, error_info* info) { return f(args, ec, info); });
///   }
template <class F>
decltype(auto) throw_on_error(std::string_view what, F&& f)
{
    std::error_code ec;
    error_info info;
    auto call = [&]() -> decltype(auto) {
        if constexpr (std::is_invocable_v<F&, std::error_code&, error_info*>)
            return f(ec, &info);
        else
            return f(ec);
    };
    if constexpr (std::is_void_v<decltype(call())>) {
        call();
        if (ec)
            throw_error(ec, what, info);
    }
    else {
        auto result = call();
        if (ec)
            throw_error(ec, what, info);
        return result;
    }
}

} // namespace realmwire

namespace std {
template <>
struct is_error_condition_enum<realmwire::condition> : true_type {};
} // namespace std

/// Registers `realmwire::E` as an error-code enum. Use at global scope after specializing
/// realmwire::error_enum_traits<E>.
#define REALMWIRE_REGISTER_ERROR_ENUM(E)                                                                       \
    namespace realmwire {                                                                                      \
    inline std::error_code make_error_code(E e) noexcept                                                       \
    {                                                                                                          \
        return {static_cast<int>(e), error_category_for<E>()};                                                 \
    }                                                                                                          \
    }                                                                                                          \
    namespace std {                                                                                            \
    template <>                                                                                                \
    struct is_error_code_enum<realmwire::E> : true_type {};                                                    \
    }

// Each area's enum. They depend only on what is above, so error.hpp stays dependency-free.
#include "realmwire/errors/path.hpp"
#include "realmwire/errors/url.hpp"
#include "realmwire/errors/http.hpp"
#include "realmwire/errors/handshake.hpp"
#include "realmwire/errors/websocket.hpp"
#include "realmwire/errors/message.hpp"
#include "realmwire/errors/sync_protocol.hpp"
#include "realmwire/errors/changeset.hpp"
#include "realmwire/errors/merge.hpp"
#include "realmwire/errors/auth.hpp"
#include "realmwire/errors/transport.hpp"
#include "realmwire/errors/endpoint.hpp"
#include "realmwire/errors/apply.hpp"
#include "realmwire/errors/query.hpp"

#endif
