#ifndef REALMWIRE_ENDPOINT_HPP
#define REALMWIRE_ENDPOINT_HPP

// Sync endpoints: sans-I/O client and server connection state machines and the interfaces they
// call (docs/endpoints.md).

#include "realmwire/endpoint/backoff.hpp"
#include "realmwire/endpoint/client_connection.hpp"
#include "realmwire/endpoint/client_store.hpp"
#include "realmwire/endpoint/server_backend.hpp"
#include "realmwire/endpoint/server_connection.hpp"
#include "realmwire/endpoint/types.hpp"

#endif
