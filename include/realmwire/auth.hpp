#ifndef REALMWIRE_AUTH_HPP
#define REALMWIRE_AUTH_HPP

// The auth area: tokens (claims, RSA keys, legacy and JWT encodings, verifier), the ROS `/auth` API on
// both ends (sans-I/O server handlers and client builders/parsers), the user store and the refresh
// scheduler. Needs realmwire::crypto and realmwire::json, never Asio: the HTTP/1.1 drivers that carry
// /auth over sockets are in realmwire/driver.hpp (realmwire::net).
#include "realmwire/error.hpp"
#include "realmwire/auth/claims_types.hpp"
#include "realmwire/auth/claims.hpp"
#include "realmwire/auth/token_checker.hpp"
#include "realmwire/auth/keys.hpp"
#include "realmwire/auth/token.hpp"
#include "realmwire/auth/verifier.hpp"
#include "realmwire/auth/password.hpp"
#include "realmwire/auth/problem.hpp"
#include "realmwire/auth/request.hpp"
#include "realmwire/auth/login_limiter.hpp"
#include "realmwire/auth/store.hpp"
#include "realmwire/auth/server.hpp"
#include "realmwire/auth/client.hpp"
#include "realmwire/auth/refresh_scheduler.hpp"

#endif
