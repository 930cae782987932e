#ifndef REALMWIRE_ERRORS_PATH_HPP
#define REALMWIRE_ERRORS_PATH_HPP

#include "realmwire/error.hpp"

namespace realmwire {

// STUB: the owner of the path area replaces this list with the area's real errors.
enum class path_error {
    malformed = 1,
};

template <>
struct error_enum_traits<path_error> {
    static constexpr const char* category_name = "realmwire.path";
    static const char* message(path_error e) noexcept
    {
        switch (e) {
            case path_error::malformed: return "malformed path input";
        }
        return "unknown path error";
    }
    static condition to_condition(path_error e) noexcept
    {
        switch (e) {
            case path_error::malformed: return condition::malformed_input;
        }
        return condition::malformed_input;
    }
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(path_error)

#endif
