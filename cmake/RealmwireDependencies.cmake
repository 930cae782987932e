# Finds realmwire's dependencies. Standalone Asio and picojson ship no CMake package files, so they are
# found here by header and wrapped in imported targets. A vendored copy can be used by setting
# REALMWIRE_ASIO_INCLUDE_DIR / REALMWIRE_PICOJSON_INCLUDE_DIR.
include(CMakeFindDependencyMacro)

find_package(Threads REQUIRED)
find_package(OpenSSL 1.1 REQUIRED)
find_package(ZLIB REQUIRED)

find_path(REALMWIRE_ASIO_INCLUDE_DIR asio.hpp DOC "Directory holding standalone Asio's asio.hpp")
if(NOT REALMWIRE_ASIO_INCLUDE_DIR)
  message(FATAL_ERROR "standalone Asio not found (Debian: apt-get install libasio-dev); or set REALMWIRE_ASIO_INCLUDE_DIR")
endif()
find_path(REALMWIRE_PICOJSON_INCLUDE_DIR picojson.h DOC "Directory holding picojson.h")
if(NOT REALMWIRE_PICOJSON_INCLUDE_DIR)
  message(FATAL_ERROR "picojson not found (Debian: apt-get install picojson-dev); or set REALMWIRE_PICOJSON_INCLUDE_DIR")
endif()

if(NOT TARGET realmwire_asio)
  add_library(realmwire_asio INTERFACE)
  target_include_directories(realmwire_asio SYSTEM INTERFACE ${REALMWIRE_ASIO_INCLUDE_DIR})
  target_compile_definitions(realmwire_asio INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED)
  set_target_properties(realmwire_asio PROPERTIES EXPORT_NAME asio_headers)
endif()
if(NOT TARGET realmwire_picojson)
  add_library(realmwire_picojson INTERFACE)
  target_include_directories(realmwire_picojson SYSTEM INTERFACE ${REALMWIRE_PICOJSON_INCLUDE_DIR})
  # No PICOJSON_USE_INT64 here: realmwire includes picojson into a namespace of its own with int64 on
  # (detail/json.hpp), so the user's translation units need no define and cannot disagree with it.
  set_target_properties(realmwire_picojson PROPERTIES EXPORT_NAME picojson_headers)
endif()
