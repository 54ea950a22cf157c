/// @file Defines `ctnn::fraction`, how fractional hyper-parameters are written as template arguments.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdint>

namespace ctnn {

/// A rational number usable as a template argument on every supported compiler (clang 14 has no
/// floating-point template arguments). Written as a decimal, `LeakyReLU<0.2>`, it keeps nine decimal
/// places; written as `fraction{1, 3}` it is exact.
struct fraction {
  std::int64_t num;
  std::int64_t den;

  constexpr fraction(double x)  // NOLINT(google-explicit-constructor): `Dropout<0.5>` is the point
      : num(static_cast<std::int64_t>(x * 1e9 + (x >= 0 ? 0.5 : -0.5))), den(1'000'000'000) {}
  constexpr fraction(std::int64_t n, std::int64_t d) : num(n), den(d) {}

  template <class Scalar>
  constexpr Scalar as() const {
    return static_cast<Scalar>(static_cast<double>(num) / static_cast<double>(den));
  }
  constexpr bool negative() const { return num != 0 && (num < 0) != (den < 0); }
  constexpr bool operator==(const fraction&) const = default;
};

}  // namespace ctnn
