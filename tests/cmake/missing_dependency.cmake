# Configures funnelnet with Eigen and LBFGS++ hidden and checks that the configure stops
# with the Debian packages to install.  Run by ctest (dependency_check):
#   cmake -DSOURCE_DIR=... -DWORK_DIR=... -P missing_dependency.cmake
file(REMOVE_RECURSE ${WORK_DIR})
execute_process(
  COMMAND ${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR} -DFUNNELNET_BUILD_TESTS=OFF
          -DFUNNELNET_BUILD_EXAMPLES=OFF -DCMAKE_DISABLE_FIND_PACKAGE_Eigen3=ON
          -DFUNNELNET_LBFGSPP_INCLUDE_DIR=${WORK_DIR}/no-lbfgspp
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
file(REMOVE_RECURSE ${WORK_DIR})
if(rc EQUAL 0)
  message(FATAL_ERROR "configure succeeded with Eigen and LBFGS++ hidden:\n${out}")
endif()
foreach(want "missing build dependencies" "Eigen >= 3.3" "LBFGS++"
             "apt-get install libeigen3-dev liblbfgspp-dev")
  string(FIND "${err}" "${want}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the configure error does not say \"${want}\":\n${err}")
  endif()
endforeach()
string(FIND "${err}" "nlohmann-json3-dev" at)
if(NOT at EQUAL -1)
  message(FATAL_ERROR "the configure error names a dependency that is present:\n${err}")
endif()
message(STATUS "missing dependencies are reported with their Debian packages")
