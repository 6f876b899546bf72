# The C++ API by area, as components of find_package(funnelnet COMPONENTS ...) (issue 11).
#
# Each component is an INTERFACE target funnelnet::<component> that links the one compiled
# library (libfunnelnet_core.a, exported as funnelnet::core_library) and only the
# third-party packages that the component's public headers include.  A consumer of
# funnelnet::graph needs neither Eigen, Boost nor nlohmann/json on its machine, and its
# translation units do not parse them.  The default, find_package(funnelnet) with no
# COMPONENTS, loads every component and needs every package, as before.
#
# The table is built below and is the one source: the targets, the per-component export
# files, the package config (cmake/funnelnetConfig.cmake.in) and the consumer test
# (tests/package/run.cmake: each component's headers include every package it declares
# and no other) all read it.  As it stands:
#
#   component    headers (the component's public API; each includes what it uses)
#                                                     packages its headers include
#   core         funnelnet/core.hpp ...               Eigen3 Boost nlohmann_json  (all of it,
#                                                     as funnelnet::core always was)
#   markov       funnelnet/markov.hpp                 Eigen3  (sparse/dense matrices in the API)
#   funnel       funnelnet/funnel.hpp                 Eigen3  (TransitionCounts::matrix(), ...)
#   attribution  funnelnet/attribution.hpp            Eigen3  (heuristic credit is a Matrix)
#   graph        funnelnet/graph.hpp                  -
#   graph_boost  funnelnet/graph/boost.hpp            Boost   (the Boost.Graph view)
#   customers    funnelnet/customers.hpp              Eigen3  (CustomerTable::values(), tiers)
#   pipeline     funnelnet/pipeline.hpp               Eigen3  (takes funnel chains)
#   scoring      funnelnet/scoring.hpp                Eigen3  (features are a MatrixRef)
#   datasets     funnelnet/datasets.hpp               -
#   io           funnelnet/io/json.hpp, io/file.hpp   -       (the JSON library stays in src/)
#   c            funnelnet.h (the C ABI)              -       target funnelnet::funnelnet
#
# An area is found by its umbrella header include/funnelnet/<area>.hpp (no list to edit
# for a new area); it needs Eigen3 unless it is named in FUNNELNET_AREAS_WITHOUT_PACKAGES.
# tests/package fails if an area's headers include a package it does not declare, or if
# a public header belongs to no component.
set(FUNNELNET_AREAS_WITHOUT_PACKAGES graph datasets)
file(GLOB _umbrellas CONFIGURE_DEPENDS RELATIVE ${PROJECT_SOURCE_DIR}/include/funnelnet
     ${PROJECT_SOURCE_DIR}/include/funnelnet/*.hpp)
set(FUNNELNET_COMPONENTS core)
foreach(_u IN LISTS _umbrellas)
  string(REGEX REPLACE "\\.hpp$" "" _c "${_u}")
  if(_c STREQUAL "core" OR _c STREQUAL "version")
    continue()
  endif()
  list(APPEND FUNNELNET_COMPONENTS ${_c})
  set(FUNNELNET_COMPONENT_${_c}_HEADERS funnelnet/${_c}.hpp)
  if(_c IN_LIST FUNNELNET_AREAS_WITHOUT_PACKAGES)
    set(FUNNELNET_COMPONENT_${_c}_PACKAGES "")
  else()
    set(FUNNELNET_COMPONENT_${_c}_PACKAGES Eigen3)
  endif()
endforeach()
list(APPEND FUNNELNET_COMPONENTS graph_boost io c)

set(FUNNELNET_COMPONENT_core_HEADERS funnelnet/core.hpp funnelnet/core/cancel.hpp funnelnet/core/math.hpp
    funnelnet/core/scc.hpp funnelnet/core/threads.hpp funnelnet/version.hpp)
set(FUNNELNET_COMPONENT_core_PACKAGES Eigen3 Boost nlohmann_json)
set(FUNNELNET_COMPONENT_graph_boost_HEADERS funnelnet/graph/boost.hpp)
set(FUNNELNET_COMPONENT_graph_boost_PACKAGES Boost)
set(FUNNELNET_COMPONENT_io_HEADERS funnelnet/io/json.hpp funnelnet/io/file.hpp)
set(FUNNELNET_COMPONENT_io_PACKAGES "")
set(FUNNELNET_COMPONENT_c_HEADERS funnelnet.h)
set(FUNNELNET_COMPONENT_c_PACKAGES "")

# Package -> imported target, and the Debian package that provides it (for the message
# of a consumer that lacks it).
set(FUNNELNET_PACKAGE_Eigen3_TARGET Eigen3::Eigen)
set(FUNNELNET_PACKAGE_Boost_TARGET Boost::headers)
set(FUNNELNET_PACKAGE_nlohmann_json_TARGET nlohmann_json::nlohmann_json)

# ---------------------------------------------------------------- targets
# funnelnet::<component> in the build tree too (add_subdirectory users).  The legacy
# targets keep their meaning: funnelnet::headers (every header and package),
# funnelnet::core (the compiled library + funnelnet::headers), funnelnet::funnelnet
# (the C ABI).  Installed, funnelnet::core is an INTERFACE target over
# funnelnet::core_library + funnelnet::headers; in the build tree it is the library.
foreach(_c IN LISTS FUNNELNET_COMPONENTS)
  if(_c STREQUAL "core" OR _c STREQUAL "c")
    continue()
  endif()
  add_library(funnelnet_${_c} INTERFACE)
  add_library(funnelnet::${_c} ALIAS funnelnet_${_c})
  set_target_properties(funnelnet_${_c} PROPERTIES EXPORT_NAME ${_c})
  target_link_libraries(funnelnet_${_c} INTERFACE funnelnet_core funnelnet_base)
  foreach(_p IN LISTS FUNNELNET_COMPONENT_${_c}_PACKAGES)
    target_link_libraries(funnelnet_${_c} INTERFACE ${FUNNELNET_PACKAGE_${_p}_TARGET})
  endforeach()
endforeach()
add_library(funnelnet_core_all INTERFACE)
set_target_properties(funnelnet_core_all PROPERTIES EXPORT_NAME core)
target_link_libraries(funnelnet_core_all INTERFACE funnelnet_core funnelnet_headers)

# ---------------------------------------------------------------- install
# funnelnetTargets.cmake: the compiled library, the base include target and the C ABI
# (always loaded; they need no third-party package).  funnelnet-<component>-targets.cmake:
# one per component, loaded by the config only when the component is requested and its
# packages were found, so a target that could not work is never defined.
function(funnelnet_install_components destination)
  set(_base funnelnet_base funnelnet_core)
  if(TARGET funnelnet)
    list(APPEND _base funnelnet)
  endif()
  install(TARGETS ${_base} EXPORT funnelnetTargets
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(EXPORT funnelnetTargets NAMESPACE funnelnet:: DESTINATION ${destination})
  foreach(_c IN LISTS FUNNELNET_COMPONENTS)
    if(_c STREQUAL "c")
      continue()
    elseif(_c STREQUAL "core")
      set(_targets funnelnet_headers funnelnet_core_all)
    else()
      set(_targets funnelnet_${_c})
    endif()
    install(TARGETS ${_targets} EXPORT funnelnet_${_c}_targets)
    install(EXPORT funnelnet_${_c}_targets NAMESPACE funnelnet:: FILE funnelnet-${_c}-targets.cmake
            DESTINATION ${destination})
  endforeach()
endfunction()

# The table above as CMake code for the package config (@FUNNELNET_COMPONENT_TABLE@).
# One line each, names separated by spaces (tests/package/run.cmake reads the lines).
list(JOIN FUNNELNET_COMPONENTS " " _all)
set(FUNNELNET_COMPONENT_TABLE "set(_fnet_components ${_all})\n")
foreach(_c IN LISTS FUNNELNET_COMPONENTS)
  list(JOIN FUNNELNET_COMPONENT_${_c}_PACKAGES " " _p)
  list(JOIN FUNNELNET_COMPONENT_${_c}_HEADERS " " _h)
  string(APPEND FUNNELNET_COMPONENT_TABLE "set(funnelnet_${_c}_PACKAGES ${_p})\n"
                                          "set(funnelnet_${_c}_HEADERS ${_h})\n")
endforeach()
