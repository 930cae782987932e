#ifndef REALMWIRE_TRANSPORT_HPP
#define REALMWIRE_TRANSPORT_HPP

// Transports (the only floor with sockets): requirements + trait, type erasure, memory pipe, TCP, TLS,
// HTTP CONNECT, environment proxies, per-phase timeouts and the client connector. Needs realmwire::net.
#include "realmwire/error.hpp"
// The WebSocket drivers that run over these transports sit one floor up, in driver.hpp.
#include "realmwire/transport/any_transport.hpp"
#include "realmwire/transport/connect.hpp"
#include "realmwire/transport/detail/asio_stream.hpp"
#include "realmwire/transport/detail/completion.hpp"
#include "realmwire/transport/detail/io_handler.hpp"
#include "realmwire/transport/http_connect.hpp"
#include "realmwire/transport/memory.hpp"
#include "realmwire/transport/proxy_env.hpp"
#include "realmwire/transport/requirements.hpp"
#include "realmwire/transport/tcp.hpp"
#include "realmwire/transport/timeouts.hpp"
#include "realmwire/transport/tls.hpp"

#endif
