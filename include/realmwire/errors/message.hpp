#ifndef REALMWIRE_ERRORS_MESSAGE_HPP
#define REALMWIRE_ERRORS_MESSAGE_HPP

#include "realmwire/error.hpp"

namespace realmwire {

// STUB: the owner of the message area replaces this list with the area's real errors.
enum class message_error {
    malformed = 1,
};

template <>
struct error_enum_traits<message_error> {
    static constexpr const char* category_name = "realmwire.message";
    static const char* message(message_error e) noexcept
    {
        switch (e) {
            case message_error::malformed: return "malformed message input";
        }
        return "unknown message error";
    }
    static condition to_condition(message_error e) noexcept
    {
        switch (e) {
            case message_error::malformed: return condition::malformed_input;
        }
        return condition::malformed_input;
    }
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(message_error)

#endif
