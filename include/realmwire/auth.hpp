#ifndef REALMWIRE_AUTH_HPP
#define REALMWIRE_AUTH_HPP

// STUB umbrella for the auth area: its owner lists the area's headers here.
#include "realmwire/error.hpp"

#endif
