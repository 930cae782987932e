include(CMakePackageConfigHelpers)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/include/realmwire DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS realmwire realmwire_crypto realmwire_compression realmwire_json realmwire_net realmwire_all
                realmwire_asio realmwire_picojson
        EXPORT realmwireTargets)

# Header-only: the package is architecture independent.
set(REALMWIRE_CMAKE_DIR ${CMAKE_INSTALL_DATADIR}/cmake/realmwire)
install(EXPORT realmwireTargets NAMESPACE realmwire:: DESTINATION ${REALMWIRE_CMAKE_DIR})
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/realmwireConfig.cmake.in
  ${PROJECT_BINARY_DIR}/realmwireConfig.cmake INSTALL_DESTINATION ${REALMWIRE_CMAKE_DIR})
if(CMAKE_VERSION VERSION_GREATER_EQUAL 3.14)
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/realmwireConfigVersion.cmake
    COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
else()
  write_basic_package_version_file(${PROJECT_BINARY_DIR}/realmwireConfigVersion.cmake COMPATIBILITY SameMinorVersion)
endif()
install(FILES ${PROJECT_BINARY_DIR}/realmwireConfig.cmake ${PROJECT_BINARY_DIR}/realmwireConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/RealmwireDependencies.cmake
        DESTINATION ${REALMWIRE_CMAKE_DIR})

configure_file(${PROJECT_SOURCE_DIR}/cmake/realmwire.pc.in ${PROJECT_BINARY_DIR}/realmwire.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/realmwire.pc DESTINATION ${CMAKE_INSTALL_DATADIR}/pkgconfig)
