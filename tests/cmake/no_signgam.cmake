# Issue 17 item 3: std::lgamma / ::lgamma write the global `signgam`, a data race when
# likelihoods run on worker threads.  Every log Gamma in the library goes through
# detail::log_gamma (core/math.hpp, lgamma_r) or Boost.Math.  Fails naming each offender.
file(GLOB_RECURSE _files ${SOURCE_DIR}/src/*.cpp ${SOURCE_DIR}/src/*.hpp ${SOURCE_DIR}/include/*.hpp
     ${SOURCE_DIR}/bindings/python/*.cpp)
set(_bad "")
foreach(f IN LISTS _files)
  file(STRINGS ${f} _lines REGEX "(^|[^_a-zA-Z:])(std::)?lgamma[lf]?[ ]*\\(")
  if(f MATCHES "core/math.hpp$")  # the one wrapper (std::lgamma only where no lgamma_r exists)
    continue()
  endif()
  foreach(l IN LISTS _lines)
    string(REGEX REPLACE "boost::math::[a-z_]+\\(|//.*$" "" _code "${l}")
    if(_code MATCHES "(^|[^_a-zA-Z:])(std::)?lgamma[lf]?[ ]*\\(")
      string(APPEND _bad "\n  ${f}: ${l}")
    endif()
  endforeach()
endforeach()
if(_bad)
  message(FATAL_ERROR "signgam-writing log Gamma in threaded code (use detail::log_gamma):${_bad}")
endif()
