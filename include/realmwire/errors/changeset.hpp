#ifndef REALMWIRE_ERRORS_CHANGESET_HPP
#define REALMWIRE_ERRORS_CHANGESET_HPP

#include "realmwire/error.hpp"

namespace realmwire {

// STUB: the owner of the changeset area replaces this list with the area's real errors.
enum class changeset_error {
    malformed = 1,
};

template <>
struct error_enum_traits<changeset_error> {
    static constexpr const char* category_name = "realmwire.changeset";
    static const char* message(changeset_error e) noexcept
    {
        switch (e) {
            case changeset_error::malformed: return "malformed changeset input";
        }
        return "unknown changeset error";
    }
    static condition to_condition(changeset_error e) noexcept
    {
        switch (e) {
            case changeset_error::malformed: return condition::malformed_input;
        }
        return condition::malformed_input;
    }
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(changeset_error)

#endif
