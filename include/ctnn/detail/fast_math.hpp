/// @file tanh and the logistic sigmoid without a division: the streaming form's
/// Activations::fast (streaming.hpp). Eigen's own tanh and logistic are rational functions that end
/// in a vector division (one every 5-16 cycles), and Eigen's logistic tests every packet for inputs
/// below -9; together the two functions are about a quarter of an LSTM<32> streaming step.
///
/// tanh(x) is Lambert's continued fraction cut at degree 9/8 (x clamped to +-6.11, where it is
/// closest to 1): |error| <= 5.0e-6 in exact arithmetic, 5.5e-6 in float, over all floats;
/// sigmoid(x) = (1 + tanh(x / 2)) / 2: |error| <= 2.5e-6 (2.8e-6 in float); monotone to within
/// 5e-7. The quotient is the processor's reciprocal estimate refined by one Newton step where Eigen's
/// packet is a register the compiler targets (SSE, AVX and AVX-512 floats), a division elsewhere
/// (double, other processors, the scalar tail). tests/fast_math.cpp checks the bounds.
// SPDX-License-Identifier: MIT
#pragma once

#include <Eigen/Core>

namespace ctnn::detail {

namespace fast {

namespace ei = Eigen::internal;

template <class P>
EIGEN_ALWAYS_INLINE P refine(const P& d, const P& r) noexcept {  // r (2 - d r): one Newton step
  using S = typename ei::unpacket_traits<P>::type;
  return ei::pmul(r, ei::psub(ei::pset1<P>(S(2)), ei::pmul(d, r)));
}

/// 1 / d: a division, except for the packets below.
template <class P>
EIGEN_ALWAYS_INLINE P reciprocal(const P& d) noexcept {
  using S = typename ei::unpacket_traits<P>::type;
  return ei::pdiv(ei::pset1<P>(S(1)), d);
}
#if defined(EIGEN_VECTORIZE_AVX512)
EIGEN_ALWAYS_INLINE ei::Packet16f reciprocal(const ei::Packet16f& d) noexcept {
  return refine(d, ei::Packet16f(_mm512_rcp14_ps(d)));
}
#endif
#if defined(EIGEN_VECTORIZE_AVX)
EIGEN_ALWAYS_INLINE ei::Packet8f reciprocal(const ei::Packet8f& d) noexcept {
  return refine(d, ei::Packet8f(_mm256_rcp_ps(d)));
}
#endif
#if defined(EIGEN_VECTORIZE_SSE)
EIGEN_ALWAYS_INLINE ei::Packet4f reciprocal(const ei::Packet4f& d) noexcept {
  return refine(d, ei::Packet4f(_mm_rcp_ps(d)));
}
#endif

/// tanh(x) ~ x (1 + a1 x^2 + ... + a4 x^8) / (1 + b1 x^2 + ... + b4 x^8), the 9/8 convergent of
/// tanh's continued fraction x / (1 + x^2 / (3 + x^2 / (5 + ...))), divided through by 34459425.
template <class P>
EIGEN_ALWAYS_INLINE P tanh(const P& v) noexcept {
  using S = typename ei::unpacket_traits<P>::type;
  const P c = ei::pset1<P>(S(6.11));
  const P x = ei::pmax(ei::pmin(v, c), ei::pnegate(c));
  const P x2 = ei::pmul(x, x);
  P n = ei::pmadd(x2, ei::pset1<P>(S(1.0 / 34459425)), ei::pset1<P>(S(990.0 / 34459425)));
  n = ei::pmadd(x2, n, ei::pset1<P>(S(135135.0 / 34459425)));
  n = ei::pmadd(x2, n, ei::pset1<P>(S(4729725.0 / 34459425)));
  n = ei::pmadd(x2, n, ei::pset1<P>(S(1)));
  P d = ei::pmadd(x2, ei::pset1<P>(S(45.0 / 34459425)), ei::pset1<P>(S(13860.0 / 34459425)));
  d = ei::pmadd(x2, d, ei::pset1<P>(S(945945.0 / 34459425)));
  d = ei::pmadd(x2, d, ei::pset1<P>(S(16216200.0 / 34459425)));
  d = ei::pmadd(x2, d, ei::pset1<P>(S(1)));
  return ei::pmul(ei::pmul(x, n), reciprocal(d));
}

template <class P>
EIGEN_ALWAYS_INLINE P sigmoid(const P& x) noexcept {
  using S = typename ei::unpacket_traits<P>::type;
  const P half = ei::pset1<P>(S(0.5));
  return ei::pmadd(half, fast::tanh(ei::pmul(half, x)), half);
}

}  // namespace fast

template <class Scalar>
struct fast_tanh_op {
  Scalar operator()(const Scalar& x) const noexcept { return fast::tanh(x); }
  template <class P>
  P packetOp(const P& x) const noexcept {
    return fast::tanh(x);
  }
};
template <class Scalar>
struct fast_sigmoid_op {
  Scalar operator()(const Scalar& x) const noexcept { return fast::sigmoid(x); }
  template <class P>
  P packetOp(const P& x) const noexcept {
    return fast::sigmoid(x);
  }
};

}  // namespace ctnn::detail

template <class Scalar>
struct Eigen::internal::functor_traits<ctnn::detail::fast_tanh_op<Scalar>> {
  enum { Cost = 14 * NumTraits<Scalar>::MulCost, PacketAccess = packet_traits<Scalar>::HasDiv };
};
template <class Scalar>
struct Eigen::internal::functor_traits<ctnn::detail::fast_sigmoid_op<Scalar>> {
  enum { Cost = 16 * NumTraits<Scalar>::MulCost, PacketAccess = packet_traits<Scalar>::HasDiv };
};
