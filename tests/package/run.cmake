# Consumer test: install the built tree into a scratch prefix, then build and run
#  - examples/cpp with find_package(funnelnet) (C++ through funnelnet::funnelnet and ::headers)
#  - examples/c with plain C compiled against the installed header and pkg-config file
#  - find_package(funnelnet COMPONENTS ...) (tests/package/component): every component
#    configured with the packages it does not declare hidden, its headers compiled with
#    -H and the headers they pull checked against the declaration; examples/cpp/graph.cpp
#    built and run on funnelnet::graph with Eigen, Boost and nlohmann/json hidden; an
#    unknown component and a component whose package is missing fail with their message
#  - every ```cmake block of README.md and docs/*.md that is a whole project (it calls
#    project()): built with the ```cpp block just before it as its source, and run.
cmake_policy(VERSION 3.22)
set(prefix ${WORK_DIR}/prefix)
file(REMOVE_RECURSE ${WORK_DIR})
file(MAKE_DIRECTORY ${WORK_DIR})

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "command failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
  set(out "${out}" PARENT_SCOPE)
endfunction()

run(${CMAKE_COMMAND} --install ${BINARY_DIR} --prefix ${prefix})

# ---------------------------------------------------------------- components
# The component table, as the installed package config declares it.
file(GLOB config ${prefix}/lib*/cmake/funnelnet/funnelnetConfig.cmake)
file(STRINGS ${config} table REGEX "^set\\((_fnet_components|funnelnet_[a-z_]+_PACKAGES) ")
set(all_packages Eigen3 Boost nlohmann_json)
foreach(line IN LISTS table)
  string(REGEX MATCH "^set\\(([A-Za-z_]+) ?(.*)\\)$" _ "${line}")
  separate_arguments(${CMAKE_MATCH_1} UNIX_COMMAND "${CMAKE_MATCH_2}")
endforeach()
if(NOT _fnet_components)
  message(FATAL_ERROR "no component table in ${config}")
endif()
# A third-party header, by its path, and the package that provides it.
set(marker_Eigen3 "/(Eigen|eigen3)/")
set(marker_Boost "/boost/")
set(marker_nlohmann_json "/nlohmann/")
set(marker_LBFGSpp "/LBFGS")  # private to the library: never declared by a component

# Components that declare the same packages share one consumer build.
set(groups "")
foreach(c IN LISTS _fnet_components)
  set(key none)
  if(funnelnet_${c}_PACKAGES)
    string(MAKE_C_IDENTIFIER "${funnelnet_${c}_PACKAGES}" key)
  endif()
  list(APPEND groups ${key})
  list(APPEND group_${key} ${c})
  set(group_${key}_packages "${funnelnet_${c}_PACKAGES}")
endforeach()
list(REMOVE_DUPLICATES groups)

set(seen_headers "")
foreach(key IN LISTS groups)
  set(hide "")
  foreach(p IN LISTS all_packages)
    if(NOT p IN_LIST group_${key}_packages)
      list(APPEND hide -DCMAKE_DISABLE_FIND_PACKAGE_${p}=ON)
    endif()
  endforeach()
  set(programs "")
  if("graph" IN_LIST group_${key})
    set(programs "-DFNET_PROGRAMS=graph=${SOURCE_DIR}/examples/cpp/graph.cpp")
  endif()
  set(dir ${WORK_DIR}/component_${key})
  string(REPLACE ";" "," list "${group_${key}}")  # lists cross the command line with ","
  run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/package/component -B ${dir}
      -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER_LAUNCHER=
      -DCMAKE_C_COMPILER_LAUNCHER= "-DFNET_COMPONENTS=${list}" ${programs} ${hide})
  foreach(c IN LISTS group_${key})
    # One build per component, so its -H list is its own.
    execute_process(COMMAND ${CMAKE_COMMAND} --build ${dir} --target headers_${c}
                    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
    if(NOT rc EQUAL 0)
      set(declared "${funnelnet_${c}_PACKAGES}")
      if(NOT declared)
        set(declared "none")
      endif()
      message(FATAL_ERROR "component ${c}: its headers do not compile with only the packages "
                          "it declares [${declared}] (hidden: ${hide}):\n${out}\n${err}")
    endif()
    string(REGEX MATCHALL "\n\\.+ [^\n]+" included "\n${out}\n${err}")
    if(NOT included)
      message(FATAL_ERROR "component ${c}: the compiler printed no -H header list:\n${out}\n${err}")
    endif()
    foreach(p IN LISTS all_packages ITEMS LBFGSpp)
      if(p IN_LIST funnelnet_${c}_PACKAGES)
        continue()
      endif()
      foreach(h IN LISTS included)
        if(h MATCHES "${marker_${p}}")
          string(STRIP "${h}" h)
          set(declared "${funnelnet_${c}_PACKAGES}")
          if(NOT declared)
            set(declared "none")
          endif()
          message(FATAL_ERROR "component ${c} declares the packages [${declared}] but its headers "
                              "include ${p}: ${h}\n(declare it in cmake/FunnelnetComponents.cmake "
                              "if the API needs it; full list:\n${included})")
        endif()
      endforeach()
    endforeach()
    # ... and every package it declares is used (`core` declares all of them, as
    # funnelnet::core always did): the table says what the headers need, no more.
    if(NOT c STREQUAL "core")
      foreach(p IN LISTS funnelnet_${c}_PACKAGES)
        if(NOT included MATCHES "${marker_${p}}")
          message(FATAL_ERROR "component ${c} declares ${p} but its headers do not include it: "
                              "list it in FUNNELNET_AREAS_WITHOUT_PACKAGES (cmake/FunnelnetComponents.cmake)")
        endif()
      endforeach()
    endif()
    foreach(h IN LISTS included)
      if(h MATCHES "/include/(funnelnet[^ ]*\\.h(pp)?)$")
        list(APPEND seen_headers ${CMAKE_MATCH_1})
      endif()
    endforeach()
  endforeach()
  run(${CMAKE_COMMAND} --build ${dir} -j 2)
endforeach()

# Every public header belongs to some component (a new header: add it to the table in
# cmake/FunnelnetComponents.cmake, or include it from its area's header).
file(GLOB_RECURSE public RELATIVE ${prefix}/include ${prefix}/include/funnelnet/*.hpp
     ${prefix}/include/funnelnet/*.h)
list(APPEND public funnelnet.h)
foreach(h IN LISTS public)
  if(NOT h MATCHES "/detail/" AND NOT h IN_LIST seen_headers)
    message(FATAL_ERROR "${h} is in no component of cmake/FunnelnetComponents.cmake")
  endif()
endforeach()

# The one-component program: funnelnet::graph with no third-party package at all.
file(GLOB graph_program ${WORK_DIR}/component_none/program_graph_graph)
if(NOT graph_program)
  message(FATAL_ERROR "examples/cpp/graph.cpp was not built on funnelnet::graph")
endif()
run(${graph_program})

# An unknown component, and a required component whose package is missing, fail in the
# configure with a message that says so; an optional one is reported as not found.
function(configure_fails name want)
  execute_process(COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/package/component
                  -B ${WORK_DIR}/fails_${name} -DCMAKE_PREFIX_PATH=${prefix} ${ARGN}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc EQUAL 0)
    message(FATAL_ERROR "configure ${name} succeeded: ${ARGN}\n${out}")
  endif()
  string(REGEX REPLACE "[ \n]+" " " text "${err}")  # CMake wraps long messages
  string(FIND "${text}" "${want}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "configure ${name}: the error does not say \"${want}\":\n${err}")
  endif()
endfunction()
configure_fails(unknown "funnelnet has no component grpah; its components are: core"
                -DFNET_COMPONENTS=graph,grpah)
configure_fails(missing "funnel (needs Eigen3)" -DFNET_COMPONENTS=graph,funnel
                -DCMAKE_DISABLE_FIND_PACKAGE_Eigen3=ON)
configure_fails(default "sudo apt-get install libeigen3-dev" -DCMAKE_DISABLE_FIND_PACKAGE_Eigen3=ON)
run(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/package/component -B ${WORK_DIR}/optional
    -DCMAKE_PREFIX_PATH=${prefix} -DFNET_COMPONENTS=graph -DFNET_OPTIONAL=funnel
    -DCMAKE_DISABLE_FIND_PACKAGE_Eigen3=ON)
if(NOT out MATCHES "fnet-found graph=TRUE" OR NOT out MATCHES "fnet-found funnel=FALSE")
  message(FATAL_ERROR "OPTIONAL_COMPONENTS funnel without Eigen: not reported as not found:\n${out}")
endif()

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

# ---------------------------------------------------------------- the docs' CMake projects
file(GLOB docs ${SOURCE_DIR}/README.md ${SOURCE_DIR}/docs/*.md)
set(n 0)
foreach(doc IN LISTS docs)
  file(READ ${doc} text)  # file(READ), not file(STRINGS): C++ has semicolons
  set(cpp "")
  while(TRUE)
    string(REGEX MATCH "```(cpp|cmake)[^\n]*\n" fence "${text}")
    if(NOT fence)
      break()
    endif()
    set(lang ${CMAKE_MATCH_1})
    string(FIND "${text}" "${fence}" at)
    string(LENGTH "${fence}" len)
    math(EXPR at "${at} + ${len}")
    string(SUBSTRING "${text}" ${at} -1 text)
    string(FIND "${text}" "\n```" end)
    string(SUBSTRING "${text}" 0 ${end} body)
    string(SUBSTRING "${text}" ${end} -1 text)
    if(lang STREQUAL "cpp")
      set(cpp "${body}")
    elseif(body MATCHES "project\\(")
      math(EXPR n "${n} + 1")
      set(dir ${WORK_DIR}/doc_${n})
      file(WRITE ${dir}/CMakeLists.txt "${body}\n")
      if(NOT body MATCHES "add_executable\\(([A-Za-z_]+) ([A-Za-z_]+\\.cpp)\\)" OR cpp STREQUAL "")
        message(FATAL_ERROR "${doc}: a CMake project block needs add_executable(name name.cpp) and a cpp block before it")
      endif()
      set(exe ${CMAKE_MATCH_1})
      file(WRITE ${dir}/${CMAKE_MATCH_2} "${cpp}\n")
      run(${CMAKE_COMMAND} -S ${dir} -B ${dir}/build -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release)
      run(${CMAKE_COMMAND} --build ${dir}/build -j 2)
      run(${dir}/build/${exe})
      message(STATUS "${doc}: CMake block ${n} builds and runs")
    endif()
  endwhile()
endforeach()
if(n EQUAL 0)
  message(FATAL_ERROR "no CMake project block found in README.md or docs/*.md")
endif()
