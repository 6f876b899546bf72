// Where the real data sets live: ../shared/data beside the checkout (see its README for
// provenance).  Read at run time from the environment variable FUNNELNET_SHARED_DATA
// (ctest sets it to the source tree's ../shared/data); without it, ../shared/data
// relative to the working directory.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

inline std::string shared_data_dir() {
  const char* env = std::getenv("FUNNELNET_SHARED_DATA");
  return (env != nullptr && *env != '\0') ? std::string(env) : std::string("../shared/data");
}

// The rows of a numeric CSV file under shared_data_dir() (the header line skipped), each
// as its numbers in column order.  A file that cannot be opened fails the test.
inline std::vector<std::vector<double>> read_numeric_csv(const std::string& relative_path) {
  std::ifstream f(shared_data_dir() + "/" + relative_path);
  EXPECT_TRUE(f.good()) << relative_path;
  std::vector<std::vector<double>> rows;
  std::string line;
  std::getline(f, line);
  while (std::getline(f, line)) {
    std::stringstream ss(line);
    std::string cell;
    std::vector<double>& row = rows.emplace_back();
    while (std::getline(ss, cell, ',')) row.push_back(std::stod(cell));
  }
  return rows;
}
