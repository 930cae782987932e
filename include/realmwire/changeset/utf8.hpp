#ifndef REALMWIRE_CHANGESET_UTF8_HPP
#define REALMWIRE_CHANGESET_UTF8_HPP

// Strict UTF-8 validation of changeset strings: the library's one validator (realmwire/detail/utf8.hpp),
// under the names the changeset code uses.

#include "realmwire/config.hpp"
#include "realmwire/detail/utf8.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace realmwire::changeset::detail {

using realmwire::detail::utf8_invalid_at;

inline bool is_valid_utf8(const char* s, std::size_t n) noexcept
{
    return realmwire::detail::is_valid_utf8_text(std::string_view(s, n));
}

} // namespace realmwire::changeset::detail

#endif
