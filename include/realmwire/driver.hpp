#ifndef REALMWIRE_DRIVER_HPP
#define REALMWIRE_DRIVER_HPP

// Drivers: the sans-I/O pieces run over real transports on an Asio executor (needs realmwire::net).
// HTTP client and server (the /auth API), WebSocket client and server (handshake, then binary
// messages), and the sync client and server (endpoints over a WebSocket).

#include "realmwire/driver/deadline_timer.hpp"
#include "realmwire/driver/http_client.hpp"
#include "realmwire/driver/http_server.hpp"
#include "realmwire/driver/probe.hpp"
#include "realmwire/driver/sync_client.hpp"
#include "realmwire/driver/sync_server.hpp"
#include "realmwire/driver/websocket_client.hpp"
#include "realmwire/driver/websocket_connection.hpp"
#include "realmwire/driver/websocket_server.hpp"
#include "realmwire/driver/work_pool.hpp"

#endif
