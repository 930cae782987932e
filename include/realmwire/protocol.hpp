#ifndef REALMWIRE_PROTOCOL_HPP
#define REALMWIRE_PROTOCOL_HPP

// The sync message codec. The plain codec (messages, decode, encode, protocol_error, limits) links
// nothing; compression.hpp needs realmwire::compression (zlib), json_bodies.hpp realmwire::json.
#include "realmwire/error.hpp"
#include "realmwire/protocol/limits.hpp"
#include "realmwire/protocol/protocol_error.hpp"
#include "realmwire/protocol/entries.hpp"
#include "realmwire/protocol/messages.hpp"
#include "realmwire/protocol/decode.hpp"
#include "realmwire/protocol/encode.hpp"
#include "realmwire/protocol/body_codec.hpp"
#include "realmwire/protocol/compression.hpp"
#include "realmwire/protocol/json_bodies.hpp"
#include "realmwire/protocol/json_body_types.hpp"

#endif
