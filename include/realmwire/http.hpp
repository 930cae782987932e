#ifndef REALMWIRE_HTTP_HPP
#define REALMWIRE_HTTP_HPP

// STUB umbrella for the http area: its owner lists the area's headers here.
#include "realmwire/error.hpp"

#endif
