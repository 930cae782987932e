#ifndef REALMWIRE_ERRORS_WEBSOCKET_HPP
#define REALMWIRE_ERRORS_WEBSOCKET_HPP

#include "realmwire/error.hpp"

namespace realmwire {

// STUB: the owner of the websocket area replaces this list with the area's real errors.
enum class websocket_error {
    malformed = 1,
};

template <>
struct error_enum_traits<websocket_error> {
    static constexpr const char* category_name = "realmwire.websocket";
    static const char* message(websocket_error e) noexcept
    {
        switch (e) {
            case websocket_error::malformed: return "malformed websocket input";
        }
        return "unknown websocket error";
    }
    static condition to_condition(websocket_error e) noexcept
    {
        switch (e) {
            case websocket_error::malformed: return condition::malformed_input;
        }
        return condition::malformed_input;
    }
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(websocket_error)

#endif
