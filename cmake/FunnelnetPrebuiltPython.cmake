# FUNNELNET_PYTHON_PREBUILT: package an already-built funnelnet._core (see CMakeLists.txt).
# The module must have been built for this Python: its file name carries the ABI tag.
find_package(Python 3.9 REQUIRED COMPONENTS Interpreter Development.Module)
if(NOT EXISTS "${FUNNELNET_PYTHON_PREBUILT}")
  message(FATAL_ERROR "FUNNELNET_PYTHON_PREBUILT: no such file: ${FUNNELNET_PYTHON_PREBUILT}")
endif()
get_filename_component(_fnet_so_name "${FUNNELNET_PYTHON_PREBUILT}" NAME)
if(NOT _fnet_so_name MATCHES "^_core\\.${Python_SOABI}\\.")
  message(FATAL_ERROR "FUNNELNET_PYTHON_PREBUILT: ${_fnet_so_name} was not built for this "
                      "Python (${Python_EXECUTABLE}, ABI ${Python_SOABI}); expected _core.${Python_SOABI}.so")
endif()
message(STATUS "funnelnet: packaging the prebuilt module ${FUNNELNET_PYTHON_PREBUILT}")
install(PROGRAMS "${FUNNELNET_PYTHON_PREBUILT}" DESTINATION funnelnet)
