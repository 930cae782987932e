#ifndef REALMWIRE_URL_HPP
#define REALMWIRE_URL_HPP

// STUB umbrella for the url area: its owner lists the area's headers here.
#include "realmwire/error.hpp"

#endif
