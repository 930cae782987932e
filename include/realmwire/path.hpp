#ifndef REALMWIRE_PATH_HPP
#define REALMWIRE_PATH_HPP

// STUB umbrella for the path area: its owner lists the area's headers here.
#include "realmwire/error.hpp"

#endif
