#ifndef REALMWIRE_ERRORS_HANDSHAKE_HPP
#define REALMWIRE_ERRORS_HANDSHAKE_HPP

#include "realmwire/error.hpp"

namespace realmwire {

// STUB: the owner of the handshake area replaces this list with the area's real errors.
enum class handshake_error {
    malformed = 1,
};

template <>
struct error_enum_traits<handshake_error> {
    static constexpr const char* category_name = "realmwire.handshake";
    static const char* message(handshake_error e) noexcept
    {
        switch (e) {
            case handshake_error::malformed: return "malformed handshake input";
        }
        return "unknown handshake error";
    }
    static condition to_condition(handshake_error e) noexcept
    {
        switch (e) {
            case handshake_error::malformed: return condition::malformed_input;
        }
        return condition::malformed_input;
    }
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(handshake_error)

#endif
