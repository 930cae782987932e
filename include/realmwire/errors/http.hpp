#ifndef REALMWIRE_ERRORS_HTTP_HPP
#define REALMWIRE_ERRORS_HTTP_HPP

#include "realmwire/error.hpp"

namespace realmwire {

// STUB: the owner of the http area replaces this list with the area's real errors.
enum class http_error {
    malformed = 1,
};

template <>
struct error_enum_traits<http_error> {
    static constexpr const char* category_name = "realmwire.http";
    static const char* message(http_error e) noexcept
    {
        switch (e) {
            case http_error::malformed: return "malformed http input";
        }
        return "unknown http error";
    }
    static condition to_condition(http_error e) noexcept
    {
        switch (e) {
            case http_error::malformed: return condition::malformed_input;
        }
        return condition::malformed_input;
    }
};

} // namespace realmwire

REALMWIRE_REGISTER_ERROR_ENUM(http_error)

#endif
