#ifndef REALMWIRE_ERRORS_TRANSPORT_HPP
#define REALMWIRE_ERRORS_TRANSPORT_HPP

#include "realmwire/error.hpp"

namespace realmwire {

// STUB: the owner of the transport area replaces this list with the area's real errors.
enum class transport_error {
    malformed = 1,
};

template <>
struct error_enum_traits<transport_error> {
    static constexpr const char* category_name = "realmwire.transport";
    static const char* message(transport_error e) noexcept
    {
        switch (e) {
            case transport_error::malformed: return "malformed transport input";
        }
        return "unknown transport error";
    }
    static condition to_condition(transport_error e) noexcept
    {
        switch (e) {
            case transport_error::malformed: return condition::malformed_input;
        }
        return condition::malformed_input;
    }
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(transport_error)

#endif
