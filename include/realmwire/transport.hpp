#ifndef REALMWIRE_TRANSPORT_HPP
#define REALMWIRE_TRANSPORT_HPP

// STUB umbrella for the transport area: its owner lists the area's headers here.
#include "realmwire/error.hpp"

#endif
