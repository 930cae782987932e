#ifndef REALMWIRE_HANDSHAKE_HPP
#define REALMWIRE_HANDSHAKE_HPP

// STUB umbrella for the handshake area: its owner lists the area's headers here.
#include "realmwire/error.hpp"

#endif
