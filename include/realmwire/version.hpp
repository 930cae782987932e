#ifndef REALMWIRE_VERSION_HPP
#define REALMWIRE_VERSION_HPP

// Kept in step with project(VERSION) in CMakeLists.txt; a test checks that they agree.
#define REALMWIRE_VERSION_MAJOR 0
#define REALMWIRE_VERSION_MINOR 1
#define REALMWIRE_VERSION_PATCH 0
#define REALMWIRE_VERSION_STRING "0.1.0"

namespace realmwire {

struct version_info {
    int major;
    int minor;
    int patch;
    const char* string;
};

inline constexpr version_info version{REALMWIRE_VERSION_MAJOR, REALMWIRE_VERSION_MINOR,
                                      REALMWIRE_VERSION_PATCH, REALMWIRE_VERSION_STRING};

} // namespace realmwire

#endif
