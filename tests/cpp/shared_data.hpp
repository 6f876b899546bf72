// Where the real data sets live: ../shared/data beside the checkout (see its README for
// provenance).  Read at run time from the environment variable FUNNELNET_SHARED_DATA
// (ctest sets it to the source tree's ../shared/data); without it, ../shared/data
// relative to the working directory.
#pragma once

#include <cstdlib>
#include <string>

inline std::string shared_data_dir() {
  const char* env = std::getenv("FUNNELNET_SHARED_DATA");
  return (env != nullptr && *env != '\0') ? std::string(env) : std::string("../shared/data");
}
