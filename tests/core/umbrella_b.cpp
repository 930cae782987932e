#include "realmwire/realmwire.hpp"

int realmwire_umbrella_b_marker() { return realmwire::version.major * 1000 + realmwire::version.minor; }
