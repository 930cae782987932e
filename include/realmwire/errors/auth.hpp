#ifndef REALMWIRE_ERRORS_AUTH_HPP
#define REALMWIRE_ERRORS_AUTH_HPP

#include "realmwire/error.hpp"

namespace realmwire {

// STUB: the owner of the auth area replaces this list with the area's real errors.
enum class auth_error {
    malformed = 1,
};

template <>
struct error_enum_traits<auth_error> {
    static constexpr const char* category_name = "realmwire.auth";
    static const char* message(auth_error e) noexcept
    {
        switch (e) {
            case auth_error::malformed: return "malformed auth input";
        }
        return "unknown auth error";
    }
    static condition to_condition(auth_error e) noexcept
    {
        switch (e) {
            case auth_error::malformed: return condition::malformed_input;
        }
        return condition::malformed_input;
    }
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(auth_error)

#endif
