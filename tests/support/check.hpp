// Shared helpers for ctnn's unit tests.
#pragma once

#include <boost/test/unit_test.hpp>
#include <ctnn/testing/gradient_check.hpp>

/// Gradient checks must agree with central differences to this normwise relative error.
inline constexpr double gradient_tolerance = 1e-6;

#define CTNN_CHECK_GRADIENTS(report_expr)                                                           \
  do {                                                                                              \
    const auto report_ = (report_expr);                                                             \
    BOOST_TEST_INFO("input error " << report_.input << ", parameter error " << report_.parameters); \
    BOOST_TEST(report_.worst() < gradient_tolerance);                                               \
  } while (false)
