#ifndef REALMWIRE_PROTOCOL_HPP
#define REALMWIRE_PROTOCOL_HPP

// STUB umbrella for the protocol area: its owner lists the area's headers here.
#include "realmwire/error.hpp"

#endif
