// Test helper: run `f` and check that it throws funnelnet::Error with `code` and a
// message containing `needle`.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "funnelnet/core/error.hpp"

template <class F>
void expect_error(F&& f, funnelnet::Errc code, const std::string& needle) {
  try {
    f();
    ADD_FAILURE() << "expected " << funnelnet::errc_name(code);
  } catch (const funnelnet::Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}
