#ifndef REALMWIRE_AUTH_HPP
#define REALMWIRE_AUTH_HPP

// The auth area: tokens (claims, RSA keys, legacy and JWT encodings, verifier), the ROS `/auth` API on
// both ends (sans-I/O server handlers and client builders/parsers), the user store and the refresh
// scheduler, and the Asio HTTP/1.1 drivers that carry /auth (realmwire/driver/, which need
// realmwire::net). Everything under realmwire/auth/ needs only realmwire::crypto and realmwire::json:
// include those headers directly to stay free of Asio.
#include "realmwire/error.hpp"
#include "realmwire/auth/claims.hpp"
#include "realmwire/auth/keys.hpp"
#include "realmwire/auth/token.hpp"
#include "realmwire/auth/verifier.hpp"
#include "realmwire/auth/password.hpp"
#include "realmwire/auth/problem.hpp"
#include "realmwire/auth/request.hpp"
#include "realmwire/auth/store.hpp"
#include "realmwire/auth/server.hpp"
#include "realmwire/auth/client.hpp"
#include "realmwire/auth/refresh_scheduler.hpp"
#include "realmwire/driver/http_client.hpp"
#include "realmwire/driver/http_server.hpp"

#endif
