# A user who builds with `pkg-config --cflags --libs realmwire` against an installed prefix.
execute_process(COMMAND ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${PREFIX}/share/pkgconfig
                        pkg-config --cflags --libs realmwire
                OUTPUT_VARIABLE flags OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "pkg-config does not know realmwire")
endif()
separate_arguments(flags UNIX_COMMAND "${flags}")
file(MAKE_DIRECTORY ${WORK_DIR})
execute_process(COMMAND ${CXX} -Wall -Wextra -Werror ${SOURCE_DIR}/tests/cmake/consumer/main.cpp ${flags} -o ${WORK_DIR}/consumer
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "build with pkg-config flags failed: ${flags}")
endif()
execute_process(COMMAND ${WORK_DIR}/consumer RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "pkg-config consumer failed")
endif()
