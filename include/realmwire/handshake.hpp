#ifndef REALMWIRE_HANDSHAKE_HPP
#define REALMWIRE_HANDSHAKE_HPP

// The WebSocket upgrade for Realm sync in all four dialects: accept key, subprotocols, dialects,
// token/header/prefix policies, the client request builder, the server acceptor and the client
// verifier. Needs realmwire::crypto (OpenSSL libcrypto for SHA-1 and base64).

#include "realmwire/error.hpp"
#include "realmwire/errors/handshake.hpp"
#include "realmwire/websocket/accept_key.hpp"
#include "realmwire/dialect/dialect.hpp"
#include "realmwire/policy/token_placement.hpp"
#include "realmwire/policy/custom_headers.hpp"
#include "realmwire/policy/url_prefix.hpp"
#include "realmwire/policy/token_lookup.hpp"
#include "realmwire/handshake/subprotocol.hpp"
#include "realmwire/handshake/request_builder.hpp"
#include "realmwire/handshake/acceptor.hpp"
#include "realmwire/handshake/verifier.hpp"

#endif
