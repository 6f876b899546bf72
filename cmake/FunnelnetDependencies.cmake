# Checks every build dependency up front, before any target is defined, and stops with one
# message that lists everything missing and the Debian packages (or pip packages) to
# install.  What is checked depends on the options: GoogleTest with the tests, Google
# Benchmark with the benchmarks, Python and pybind11 with the Python module.
#
# A dependency can be hidden for a test of this message with CMake's own switch,
# e.g. -DCMAKE_DISABLE_FIND_PACKAGE_Eigen3=ON, or -DFUNNELNET_LBFGSPP_INCLUDE_DIR=/nowhere.
#
# Defines: the imported targets of find_package (Eigen3::Eigen, Boost::headers,
# nlohmann_json::nlohmann_json, Threads::Threads, GTest::*, benchmark::*, Python::*,
# pybind11::*) and FUNNELNET_LBFGSPP_INCLUDE_DIR (LBFGS++ has no CMake package on Debian).

set(_fnet_missing "")     # one line per missing dependency
set(_fnet_debian "")      # Debian packages to install
set(_fnet_pip "")         # PyPI packages to install

macro(_fnet_missing what debian)
  list(APPEND _fnet_missing "${what}")
  if(NOT "${debian}" STREQUAL "")
    list(APPEND _fnet_debian ${debian})
  endif()
endmacro()

find_package(Eigen3 3.3 QUIET NO_MODULE)
if(NOT Eigen3_FOUND)
  _fnet_missing("Eigen >= 3.3 (dense and sparse linear algebra)" libeigen3-dev)
endif()

find_package(Boost 1.71 QUIET)
if(NOT Boost_FOUND)
  _fnet_missing("Boost >= 1.71 headers" "libboost-graph-dev;libboost-math-dev")
else()
  # Header-only parts of Boost; Debian splits them by package name, not by file.
  find_path(FUNNELNET_BOOST_GRAPH_INCLUDE_DIR boost/graph/compressed_sparse_row_graph.hpp
            HINTS ${Boost_INCLUDE_DIRS} NO_CACHE)
  if(NOT FUNNELNET_BOOST_GRAPH_INCLUDE_DIR)
    _fnet_missing("Boost.Graph headers (boost/graph/compressed_sparse_row_graph.hpp)" libboost-graph-dev)
  endif()
  find_path(FUNNELNET_BOOST_MATH_INCLUDE_DIR boost/math/special_functions/digamma.hpp
            HINTS ${Boost_INCLUDE_DIRS} NO_CACHE)
  if(NOT FUNNELNET_BOOST_MATH_INCLUDE_DIR)
    _fnet_missing("Boost.Math headers (boost/math/special_functions/digamma.hpp)" libboost-math-dev)
  endif()
endif()

# LBFGS++ is header-only and ships no CMake package on Debian: look for its header.
find_path(FUNNELNET_LBFGSPP_INCLUDE_DIR LBFGSB.h PATH_SUFFIXES include
          DOC "Directory holding LBFGS++'s LBFGSB.h")
if(NOT FUNNELNET_LBFGSPP_INCLUDE_DIR OR NOT EXISTS "${FUNNELNET_LBFGSPP_INCLUDE_DIR}/LBFGSB.h")
  _fnet_missing("LBFGS++ (LBFGSB.h; set FUNNELNET_LBFGSPP_INCLUDE_DIR to its folder)" liblbfgspp-dev)
endif()

find_package(nlohmann_json 3.9 QUIET)
if(NOT nlohmann_json_FOUND)
  _fnet_missing("nlohmann/json >= 3.9" nlohmann-json3-dev)
endif()

find_package(Threads QUIET)
if(NOT Threads_FOUND)
  _fnet_missing("a threads library (pthreads)" libc6-dev)
endif()

if(FUNNELNET_BUILD_TESTS)
  find_package(GTest QUIET)
  if(NOT GTest_FOUND)
    _fnet_missing("GoogleTest (FUNNELNET_BUILD_TESTS=ON)" libgtest-dev)
  endif()
endif()

if(FUNNELNET_BUILD_BENCHMARKS)
  find_package(benchmark QUIET)
  if(NOT benchmark_FOUND)
    _fnet_missing("Google Benchmark (FUNNELNET_BUILD_BENCHMARKS=ON)" libbenchmark-dev)
  endif()
endif()

if(FUNNELNET_BUILD_PYTHON)
  find_package(Python 3.9 QUIET COMPONENTS Interpreter Development.Module)
  if(NOT Python_FOUND)
    _fnet_missing("Python >= 3.9 with its headers (FUNNELNET_BUILD_PYTHON=ON)" python3-dev)
  endif()
  find_package(pybind11 3 QUIET CONFIG)
  if(NOT pybind11_FOUND)
    _fnet_missing("pybind11 >= 3 (FUNNELNET_BUILD_PYTHON=ON, from PyPI, then -Dpybind11_DIR=$(python -m pybind11 --cmakedir))" "")
    list(APPEND _fnet_pip "pybind11>=3")
  endif()
endif()

if(_fnet_missing)
  list(REMOVE_DUPLICATES _fnet_debian)
  list(JOIN _fnet_missing "\n  - " _lines)
  set(_msg "funnelnet: missing build dependencies:\n  - ${_lines}\n")
  if(_fnet_debian)
    list(JOIN _fnet_debian " " _debs)
    string(APPEND _msg "On Debian/Ubuntu install them with:\n  sudo apt-get install ${_debs}\n")
  endif()
  if(_fnet_pip)
    list(JOIN _fnet_pip "' '" _pips)
    string(APPEND _msg "Into the Python that builds the module:\n  python -m pip install '${_pips}'\n")
  endif()
  string(APPEND _msg "(bash scripts/bootstrap.sh installs all of them.)  Installed elsewhere: "
                     "point CMAKE_PREFIX_PATH or <Package>_DIR at them.")
  message(FATAL_ERROR "${_msg}")
endif()
