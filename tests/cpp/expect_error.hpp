// Test helper: run `f` and check that it throws funnelnet::Error with `code` and a
// message containing `needle`.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <type_traits>

#include "funnelnet/core/error.hpp"

namespace expect_error_detail {

// The check itself, compiled once per test executable's TU rather than once per lambda
// (about 470 call sites; issue 11, build time): the callable comes type-erased, as a
// pointer and a thunk that calls it.
inline void check(void (*call)(void*), void* f, funnelnet::Errc code, const std::string& needle) {
  try {
    call(f);
    ADD_FAILURE() << "expected " << funnelnet::errc_name(code);
  } catch (const funnelnet::Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

}  // namespace expect_error_detail

template <class F>
void expect_error(F&& f, funnelnet::Errc code, const std::string& needle) {
  using Callable = std::remove_reference_t<F>;
  expect_error_detail::check([](void* p) { (*static_cast<Callable*>(p))(); },
                             const_cast<void*>(static_cast<const void*>(std::addressof(f))), code, needle);
}
