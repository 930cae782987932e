# What a user who vendors include/ pays for the sans-I/O core, checked with the compiler itself.
#
# MODE=trace: `#include <realmwire/endpoint.hpp>` compiles with no define at all (no PICOJSON_USE_INT64,
#   nothing else), and the compiler's include trace (-H) reaches no OpenSSL, zlib or picojson header.
#   A control TU that includes the zlib codec must show zlib.h in the same trace, so the check is not
#   vacuous.
# MODE=noexcept: every header in HEADERS (ALL: every header under include/realmwire/; SHARDS=n SHARD=i:
#   every n-th of them from the i-th) compiles alone with
#   -fno-exceptions -DREALMWIRE_NO_EXCEPTIONS, in a TU that also defines the two hooks such a program
#   supplies: realmwire::throw_exception and, where the header reaches Asio, asio::detail::throw_exception.
#   (-fsyntax-only rejects every try, catch and throw outside templates; a throw inside a template is only
#   rejected once the template is instantiated, which is what MODE=run programs are for.)
# MODE=cxx20: realmwire.hpp compiles in a C++20 translation unit (-Werror).
# MODE=run: SOURCE builds that way (linked with LIBS) and its program exits with 0.
set(flags -std=c++17 -Wall -Wextra -Wpedantic -Werror -fsyntax-only -I${INCLUDE_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

function(trace_of header out_trace out_rc) # ARGN: extra compiler flags
  string(MAKE_C_IDENTIFIER ${header} id)
  set(tu ${WORK_DIR}/trace_${id}.cpp)
  file(WRITE ${tu} "#include <realmwire/${header}>\nint main() { return 0; }\n")
  execute_process(COMMAND ${CXX} ${flags} ${ARGN} -H ${tu} RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_VARIABLE out)
  set(${out_trace} "${err}" PARENT_SCOPE)
  set(${out_rc} ${rc} PARENT_SCOPE)
endfunction()

set(forbidden "(/openssl/[^ \n]*\\.h|/zlib\\.h|/picojson\\.h)")

if(MODE STREQUAL "trace")
  trace_of(endpoint.hpp trace rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "realmwire/endpoint.hpp does not compile without defines:\n${trace}")
  endif()
  if(NOT trace MATCHES "realmwire/endpoint/server_connection\\.hpp")
    message(FATAL_ERROR "no include trace from the compiler (-H unsupported?):\n${trace}")
  endif()
  string(REGEX MATCHALL "${forbidden}" hits "${trace}")
  if(hits)
    list(REMOVE_DUPLICATES hits)
    message(FATAL_ERROR "realmwire/endpoint.hpp reaches ${hits}")
  endif()
  # Control: the codec headers do reach their libraries, and the same pattern sees it (with no define
  # either: realmwire's picojson is its own, in its own namespace).
  trace_of(endpoint/default_codecs.hpp control rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "realmwire/endpoint/default_codecs.hpp does not compile:\n${control}")
  endif()
  if(NOT control MATCHES "/zlib\\.h" OR NOT control MATCHES "/picojson\\.h")
    message(FATAL_ERROR "control failed: default_codecs.hpp should reach zlib.h and picojson.h")
  endif()
elseif(MODE STREQUAL "noexcept")
  if(HEADERS STREQUAL "ALL")
    file(GLOB_RECURSE headers RELATIVE ${INCLUDE_DIR}/realmwire ${INCLUDE_DIR}/realmwire/*.hpp)
    list(SORT headers)
    list(LENGTH headers n)
    if(n LESS 100)
      message(FATAL_ERROR "only ${n} headers found under ${INCLUDE_DIR}/realmwire")
    endif()
  else()
    string(REPLACE "," ";" headers "${HEADERS}")
  endif()
  if(DEFINED SHARDS) # this run checks every SHARDS-th header from SHARD on (ctest runs the shards in parallel)
    set(all ${headers})
    set(headers)
    list(LENGTH all n)
    math(EXPR last "${n} - 1")
    foreach(i RANGE ${SHARD} ${last} ${SHARDS})
      list(GET all ${i} h)
      list(APPEND headers ${h})
    endforeach()
  endif()
  set(hooks [=[
#include <realmwire/error.hpp>
#include <cstdlib>
[[noreturn]] void realmwire::throw_exception(std::error_code, std::string_view, realmwire::error_info) { std::abort(); }
#ifdef ASIO_VERSION
template <typename Exception> void asio::detail::throw_exception(const Exception&) { std::abort(); }
#endif
]=])
  set(failed)
  foreach(h IN LISTS headers)
    string(MAKE_C_IDENTIFIER ${h} id)
    set(tu ${WORK_DIR}/noexcept_${id}.cpp)
    file(WRITE ${tu} "#include <realmwire/${h}>\n${hooks}")
    execute_process(COMMAND ${CXX} ${flags} -DASIO_STANDALONE -DASIO_NO_DEPRECATED -DASIO_NO_EXCEPTIONS -fno-exceptions
                            -DREALMWIRE_NO_EXCEPTIONS ${tu}
                    RESULT_VARIABLE rc ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      list(APPEND failed ${h})
      string(SUBSTRING "${err}" 0 3000 err)
      message(STATUS "realmwire/${h} does not compile with -fno-exceptions:\n${err}")
    endif()
  endforeach()
  if(failed)
    list(LENGTH failed nfailed)
    message(FATAL_ERROR "${nfailed} header(s) do not compile with -fno-exceptions: ${failed}")
  endif()
elseif(MODE STREQUAL "run")
  # SOURCE is built with -fno-exceptions -DREALMWIRE_NO_EXCEPTIONS (linked with LIBS, comma-separated)
  # and run: it must exit with 0.
  get_filename_component(name ${SOURCE} NAME_WE)
  set(exe ${WORK_DIR}/${name})
  string(REPLACE "," ";" LIBS "${LIBS}")
  execute_process(COMMAND ${CXX} -std=c++17 -Wall -Wextra -Wpedantic -Werror -fno-exceptions
                          -DREALMWIRE_NO_EXCEPTIONS -DASIO_STANDALONE -DASIO_NO_DEPRECATED -DASIO_NO_EXCEPTIONS
                          -I${INCLUDE_DIR} ${SOURCE} -o ${exe} ${LIBS}
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${SOURCE} does not build with -fno-exceptions:\n${err}")
  endif()
  execute_process(COMMAND ${exe} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  message(STATUS "${out}")
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${SOURCE} failed (${rc}):\n${out}${err}")
  endif()
elseif(MODE STREQUAL "cxx20")
  # The library is C++17, and a C++20 program includes it too: realmwire.hpp, warning-free.
  set(tu ${WORK_DIR}/cxx20_realmwire.cpp)
  file(WRITE ${tu} "#include <realmwire/realmwire.hpp>\nint main() { return 0; }\n")
  execute_process(COMMAND ${CXX} ${flags} -std=c++20 -DASIO_STANDALONE -DASIO_NO_DEPRECATED ${tu}
                  RESULT_VARIABLE rc ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "realmwire/realmwire.hpp does not compile as C++20:\n${err}")
  endif()
else()
  message(FATAL_ERROR "MODE must be trace, noexcept, run or cxx20")
endif()
