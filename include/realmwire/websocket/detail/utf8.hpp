#ifndef REALMWIRE_WEBSOCKET_DETAIL_UTF8_HPP
#define REALMWIRE_WEBSOCKET_DETAIL_UTF8_HPP

// Text messages and close reasons must be UTF-8 (RFC 6455 §8.1 → close code 1007). The validator is
// the library's one (realmwire/detail/utf8.hpp: realmwire::detail::is_valid_utf8_text).

#include "realmwire/detail/utf8.hpp"

#endif
