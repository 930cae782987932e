#ifndef REALMWIRE_PROTOCOL_PROTOCOL_ERROR_HPP
#define REALMWIRE_PROTOCOL_PROTOCOL_ERROR_HPP

// realm-core's ProtocolError codes (realmwire::protocol::protocol_error), their texts and levels. The
// table itself is in errors/protocol_codes.hpp, below both protocol/ and the error categories; this
// header is where a reader of the protocol looks for it.

#include "realmwire/errors/protocol_codes.hpp"

#endif
