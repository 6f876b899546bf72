// The one status table: C codes, C++ codes, names and meanings agree, codes are unique
// and dense, and the C ABI reports the same names.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "funnelnet.h"
#include "funnelnet/core/error.hpp"

namespace fn = funnelnet;

TEST(Errors, CAndCxxCodesAreTheSameTable) {
  static_assert(static_cast<int>(fn::Errc::invalid_argument) == FNET_E_INVALID_ARGUMENT);
  static_assert(static_cast<int>(fn::Errc::type_error) == FNET_E_TYPE);
  static_assert(static_cast<int>(fn::Errc::io_error) == FNET_E_IO);
  std::set<std::string> names;
  for (int code = 0; code <= FNET_STATUS_MAX; ++code) {
    const auto e = static_cast<fn::Errc>(code);
    const std::string name = fn::errc_name(e);
    EXPECT_NE(name, "unknown") << "code " << code << " is missing from the table";
    EXPECT_TRUE(names.insert(name).second) << "name " << name << " used twice";
    EXPECT_STRNE(fn::errc_meaning(e), "unknown status code") << name;
  }
  EXPECT_STREQ(fn::errc_name(static_cast<fn::Errc>(FNET_STATUS_MAX + 1)), "unknown");
  EXPECT_STREQ(fn::errc_name(fn::Errc::not_converged), "not_converged");
}
