#ifndef REALMWIRE_CHANGESET_HPP
#define REALMWIRE_CHANGESET_HPP

// STUB umbrella for the changeset area: its owner lists the area's headers here.
#include "realmwire/error.hpp"

#endif
