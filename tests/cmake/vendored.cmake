# A user who copies include/ into their tree and compiles with -I only (plus the system libraries).
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR}/third_party)
file(COPY ${SOURCE_DIR}/include/realmwire DESTINATION ${WORK_DIR}/third_party)
execute_process(
  COMMAND ${CXX} -std=c++17 -Wall -Wextra -Wpedantic -Werror -DASIO_STANDALONE
          -I${WORK_DIR}/third_party ${SOURCE_DIR}/tests/cmake/consumer/main.cpp
          -o ${WORK_DIR}/consumer -lssl -lcrypto -lz -pthread
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "vendored build failed")
endif()
execute_process(COMMAND ${WORK_DIR}/consumer RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "vendored consumer failed")
endif()
