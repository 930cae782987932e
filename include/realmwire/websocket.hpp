#ifndef REALMWIRE_WEBSOCKET_HPP
#define REALMWIRE_WEBSOCKET_HPP

// STUB umbrella for the websocket area: its owner lists the area's headers here.
#include "realmwire/error.hpp"

#endif
