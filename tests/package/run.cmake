# Consumer test: install the built tree into a scratch prefix, then build and run
#  - examples/cpp with find_package(funnelnet) (C++ through funnelnet::funnelnet and ::headers)
#  - examples/c with plain C compiled against the installed header and pkg-config file.
set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
endfunction()

run(${CMAKE_COMMAND} --install ${BINARY_DIR} --prefix ${prefix})

foreach(lang cpp c)
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/examples/${lang} -B ${WORK_DIR}/${lang}
      -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release)
  run(${CMAKE_COMMAND} --build ${WORK_DIR}/${lang} -j 2)
endforeach()

# Run every example binary that was built.
file(GLOB bins ${WORK_DIR}/cpp/example_* ${WORK_DIR}/c/example_*)
if(NOT bins)
  message(FATAL_ERROR "no example programs were built")
endif()
foreach(b IN LISTS bins)
  if(NOT IS_DIRECTORY ${b})
    set(ENV{LD_LIBRARY_PATH} "${prefix}/lib:${prefix}/lib64")
    run(${b})
  endif()
endforeach()

# The pkg-config file works for a plain C build.
find_program(PKG_CONFIG pkg-config)
if(PKG_CONFIG)
  set(ENV{PKG_CONFIG_PATH} "${prefix}/lib/pkgconfig:${prefix}/lib64/pkgconfig")
  execute_process(COMMAND ${PKG_CONFIG} --cflags --libs funnelnet OUTPUT_VARIABLE flags
                  OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "pkg-config cannot find funnelnet.pc")
  endif()
  separate_arguments(flags UNIX_COMMAND "${flags}")
  file(GLOB c_sources ${SOURCE_DIR}/examples/c/*.c)
  list(GET c_sources 0 first)
  run(cc -std=c99 -Wall -Wextra -pedantic -Werror ${first} ${flags} -lm -o ${WORK_DIR}/pkgconfig_example)
  run(${WORK_DIR}/pkgconfig_example)
endif()
