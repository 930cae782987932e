#ifndef REALMWIRE_ERRORS_SYNC_PROTOCOL_HPP
#define REALMWIRE_ERRORS_SYNC_PROTOCOL_HPP

// realm-core's ProtocolError codes (the codes of ERROR / JSON_ERROR messages) as a std::error_code
// category, "realmwire.sync_protocol", so a received ERROR can travel as an error_code:
//   std::error_code ec = realmwire::protocol::protocol_error::illegal_realm_path;
//   std::error_code ec = realmwire::make_sync_protocol_error_code(msg.error_code); // any int, known or not

#include "realmwire/error.hpp"
#include "realmwire/errors/protocol_codes.hpp"

#include <array>
#include <cstddef>
#include <iterator>
#include <string>
#include <system_error>
#include <utility>

namespace realmwire {

namespace detail {

// The coarse class of a ProtocolError; codes not listed are the peer reporting a broken rule.
constexpr condition sync_protocol_condition(protocol::protocol_error e) noexcept
{
    switch (e) {
        case protocol::protocol_error::limits_exceeded: return condition::limit_exceeded;
        case protocol::protocol_error::token_expired:
        case protocol::protocol_error::bad_authentication: return condition::unauthorized;
        case protocol::protocol_error::permission_denied: return condition::forbidden;
        case protocol::protocol_error::wrong_protocol_version:
        case protocol::protocol_error::switch_to_flx_sync:
        case protocol::protocol_error::switch_to_pbs: return condition::unsupported;
        default: return condition::protocol_violation;
    }
}

// The category's rows, made from protocol_error_table so that the texts stay in one place.
template <std::size_t... I>
constexpr std::array<error_row<protocol::protocol_error>, sizeof...(I)> sync_protocol_rows(
    std::index_sequence<I...>) noexcept
{
    const auto& table = protocol::detail::protocol_error_table;
    return {{{table[I].code, table[I].message.data(), sync_protocol_condition(table[I].code)}...}};
}

} // namespace detail

template <>
struct error_enum_traits<protocol::protocol_error> {
    static constexpr const char* category_name = "realmwire.sync_protocol";
    static constexpr const char* unknown_message = "unknown ProtocolError code";
    static constexpr condition unknown_condition = condition::protocol_violation;
    static constexpr auto rows =
        detail::sync_protocol_rows(std::make_index_sequence<std::size(protocol::detail::protocol_error_table)>{});
};

namespace protocol {
// Found by argument-dependent lookup from protocol_error (its namespace is realmwire::protocol).
inline std::error_code make_error_code(protocol_error e) noexcept
{
    return {static_cast<int>(e), error_category_for<protocol_error>()};
}
} // namespace protocol

/// An error_code for any ProtocolError number (unknown codes keep their value; message() says so).
inline std::error_code make_sync_protocol_error_code(int code) noexcept
{
    return {code, error_category_for<protocol::protocol_error>()};
}

} // namespace realmwire

namespace std {
template <>
struct is_error_code_enum<realmwire::protocol::protocol_error> : true_type {};
} // namespace std

#endif
