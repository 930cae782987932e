#ifndef REALMWIRE_WEBSOCKET_HPP
#define REALMWIRE_WEBSOCKET_HPP

// The WebSocket frame layer (sans-I/O): masking, frame headers, encoder, incremental decoder, close
// codes with the Realm client's reaction to each.
#include "realmwire/error.hpp"
#include "realmwire/websocket/accept_key.hpp"
#include "realmwire/websocket/close_code.hpp"
#include "realmwire/websocket/decoder.hpp"
#include "realmwire/websocket/detail/utf8.hpp"
#include "realmwire/websocket/encoder.hpp"
#include "realmwire/websocket/frame.hpp"
#include "realmwire/websocket/mask.hpp"

#endif
