/// @file Defines the recurrent layers `ctnn::SimpleRNN`, `ctnn::GRU` and `ctnn::LSTM`, with Keras'
/// equations, defaults, parameter layouts and counts, trained by backpropagation through time.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>

#include "../concepts.hpp"
#include "../detail/gemm.hpp"
#include "../detail/storage.hpp"
#include "../initializers.hpp"
#include "../tensors.hpp"

namespace ctnn {

/// What a recurrent layer outputs: the last step's state (Keras' default, `return_sequences=False`),
/// shape<Units>, or every step's (`return_sequences=True`), shape<T, Units>, which a further recurrent
/// layer or a `TimeDistributed` layer reads.
enum class Returns { last, sequences };

namespace detail {

/// LSTM's bias with Keras' `unit_forget_bias`: zeros, but ones for the forget gate (rows U .. 2U).
template <std::size_t U>
struct forget_bias_ones {
  template <class Scalar>
  static void fill(Scalar* p, std::size_t n, std::size_t, std::size_t, random_engine&) {
    for (std::size_t i = 0; i < n; ++i) p[i] = (i >= U && i < 2 * U) ? Scalar(1) : Scalar(0);
  }
};

/// Columns of one step's views: fixed at one for a one-sample state (predict), so the products are
/// the unrolled matrix-vector kind.
template <std::size_t MaxB>
inline constexpr int step_cols = MaxB == 1 ? 1 : Eigen::Dynamic;

/// Step t (Rows x n) of a time-major buffer of Rows-row columns.
template <std::size_t Rows, std::size_t MaxB, class P>
auto step_view(P* base, std::size_t t, Eigen::Index n) noexcept {
  return Eigen::Map<plain_matrix<P, static_cast<int>(Rows), step_cols<MaxB>>>(
      base + t * static_cast<std::size_t>(n) * Rows, Rows, n);
}
/// Steps `from` .. `to` - 1 of T at once (Rows x (to - from) n).
template <std::size_t Rows, std::size_t T, class P>
auto steps_view(P* base, Eigen::Index n, std::size_t from = 0, std::size_t to = T) noexcept {
  return Eigen::Map<plain_matrix<P, static_cast<int>(Rows), Eigen::Dynamic>>(
      base + from * static_cast<std::size_t>(n) * Rows, Rows, static_cast<Eigen::Index>(to - from) * n);
}

/// What SimpleRNN, GRU and LSTM share. A sample is T steps of F features, the features of a step
/// side by side (shape<T, F>, one column). The layers keep their per-step memory time-major: step t
/// of a batch of n is the n columns starting at column t n, so one step of the whole batch is a
/// contiguous matrix for the recurrent product, and all steps at once are one matrix for the input
/// product (G U x T n, one product for the batch) and its gradients.
template <class Scalar, std::size_t T, std::size_t F, std::size_t U, Returns R>
struct recurrent_base {
  using input_shape = shape<T, F>;
  using output_shape = std::conditional_t<R == Returns::last, shape<U>, shape<T, U>>;
  using Index = Eigen::Index;

  /// Sample-major input (T F per sample) to time-major (F x T n), and back for its gradient.
  static void to_time_major(const Scalar* x, Index n, Scalar* xs) noexcept {
    const auto m = static_cast<std::size_t>(n);
    for (std::size_t j = 0; j < m; ++j)
      for (std::size_t t = 0; t < T; ++t) {
        const Scalar* from = x + (j * T + t) * F;
        Scalar* to = xs + (t * m + j) * F;
        for (std::size_t f = 0; f < F; ++f) to[f] = from[f];
      }
  }
  static void from_time_major(const Scalar* xs, Index n, Scalar* x) noexcept {
    const auto m = static_cast<std::size_t>(n);
    for (std::size_t j = 0; j < m; ++j)
      for (std::size_t t = 0; t < T; ++t) {
        const Scalar* from = xs + (t * m + j) * F;
        Scalar* to = x + (j * T + t) * F;
        for (std::size_t f = 0; f < F; ++f) to[f] = from[f];
      }
  }
  /// The layer's output from the states h (U x T n, time-major): the last step's, or all of them.
  static void write_output(const Scalar* h, Index n, Scalar* y) noexcept {
    const auto m = static_cast<std::size_t>(n);
    if constexpr (R == Returns::last) {
      const Scalar* last = h + (T - 1) * m * U;
      for (std::size_t i = 0; i < m * U; ++i) y[i] = last[i];
    } else {
      for (std::size_t j = 0; j < m; ++j)
        for (std::size_t t = 0; t < T; ++t) {
          const Scalar* from = h + (t * m + j) * U;
          Scalar* to = y + (j * T + t) * U;
          for (std::size_t u = 0; u < U; ++u) to[u] = from[u];
        }
    }
  }
  /// Adds the output's gradient at step t into dh (U x n).
  static void add_output_gradient(const Scalar* dy, Index n, std::size_t t, Scalar* dh) noexcept {
    const auto m = static_cast<std::size_t>(n);
    if constexpr (R == Returns::last) {
      if (t + 1 == T)
        for (std::size_t i = 0; i < m * U; ++i) dh[i] += dy[i];
    } else {
      for (std::size_t j = 0; j < m; ++j) {
        const Scalar* from = dy + (j * T + t) * U;
        Scalar* to = dh + j * U;
        for (std::size_t u = 0; u < U; ++u) to[u] += from[u];
      }
    }
  }

  /// The input product of every step: Z = bias + W x_t for all t at once (GU x T n).
  template <std::size_t GU, class W, class B>
  static void project_input(const W& kernel, const B& bias, const Scalar* x, Index n, Scalar* xs, Scalar* z,
                            context<Scalar>& ctx) noexcept {
    to_time_major(x, n, xs);
    auto all = detail::steps_view<GU, T>(z, n);
    all.colwise() = bias;
    detail::gemm<false, false>(all, kernel, detail::steps_view<F, T>(static_cast<const Scalar*>(xs), n),
                               Scalar(1), ctx.scratch);
  }
  /// After the steps left dZ (the gradient of every step's input product) in z: the kernel's and the
  /// input bias' gradients, and dx.
  template <std::size_t GU, class W, class GW, class GB, class DX>
  static void input_gradients(const W& kernel, GW&& d_kernel, GB&& d_bias, Scalar* xs, const Scalar* z,
                              Index n, bool need_dx, DX&& dx, context<Scalar>& ctx) noexcept {
    const auto dz = detail::steps_view<GU, T>(z, n);
    detail::gemm<false, true>(d_kernel, dz, detail::steps_view<F, T>(static_cast<const Scalar*>(xs), n),
                              ctx.gradient_scale, ctx.scratch);
    d_bias += ctx.gradient_scale * dz.rowwise().sum();
    if (!need_dx) return;
    auto dxs = detail::steps_view<F, T>(
        xs, n);  // the time-major input is not needed any more: it takes its gradient
    detail::gemm<true, false>(dxs, kernel, dz, Scalar(1), ctx.scratch, Scalar(0));
    from_time_major(xs, n, dx.data());
  }
  /// Products a recurrent layer with G gates runs, for `reserve`.
  template <std::size_t MaxB, std::size_t G>
  static void reserve_products(gemm_scratch<Scalar>& s) {
    s.reserve(G * U, T * MaxB, F);  // Z   = W  X
    s.reserve(G * U, MaxB, U);      // z_t += Wh h_t-1
    s.reserve(U, MaxB, G * U);      // dh  = Wh' dz_t
    s.reserve(G * U, U, T * MaxB);  // dWh += dZ H'
    s.reserve(G * U, F, T * MaxB);  // dW  += dZ X'
    s.reserve(F, T * MaxB, G * U);  // dX   = W' dZ
  }
};

/// The rules every recurrent layer states, with its name in each message.
template <Shape In, std::size_t Units>
constexpr bool recurrent_fits() {
  return In::rank == 2 && Units > 0;
}

}  // namespace detail

/// Keras' SimpleRNN: h_t = tanh(W x_t + Wh h_t-1 + b), h_-1 = 0.
/// \tparam Units  the state's size, at least 1.
/// \tparam R      Returns::last (default) or Returns::sequences.
/// Input: shape<T, F>. Parameters, as Keras: kernel W (Units x F; Keras' (F, Units) transposed, the same
/// bytes), recurrent_kernel Wh (Units x Units), bias (Units). GlorotUniform, Orthogonal, zeros.
template <std::size_t Units, Returns R = Returns::last>
struct SimpleRNN {
  static constexpr std::string_view name = "SimpleRNN";

  template <Shape In>
  static constexpr bool check() {
    static_assert(Units > 0, "ctnn::SimpleRNN needs at least one unit, as in SimpleRNN<16>");
    static_assert(In::rank == 2,
                  "ctnn::SimpleRNN needs a sequence, shape<time steps, features> (Input<T, F>); a recurrent "
                  "layer before it must return its sequence (Returns::sequences)");
    return detail::recurrent_fits<In, Units>();
  }
  template <Shape In>
  using output_shape = std::conditional_t<R == Returns::last, shape<Units>, shape<In::dims[0], Units>>;

  template <Shape In, class Scalar>
  struct bind : detail::recurrent_base<Scalar, In::dims[0], In::dims[1], Units, R> {
    using base = detail::recurrent_base<Scalar, In::dims[0], In::dims[1], Units, R>;
    static constexpr std::size_t T = In::dims[0], F = In::dims[1], U = Units;
    using weights = tensors<Scalar, tensor<"kernel", U, F, GlorotUniform, F, U>,
                            tensor<"recurrent_kernel", U, U, Orthogonal, U, U>, tensor<"bias", U, 1>>;
    static constexpr std::size_t parameter_count = weights::scalar_count;
    static constexpr std::size_t storage_size = weights::storage_size;
    template <class P>
    static auto W(P* p) noexcept {
      return weights::template map<0>(p);
    }
    template <class P>
    static auto Wh(P* p) noexcept {
      return weights::template map<1>(p);
    }
    template <class P>
    static auto b(P* p) noexcept {
      return weights::template map<2>(p);
    }
    template <class F_>
    static void for_each_tensor(F_&& f) {
      weights::for_each_tensor(f);
    }
    static void initialize(Scalar* p, random_engine& rng) { weights::initialize(p, rng); }

    template <std::size_t MaxB>
    struct state {
      static constexpr std::size_t capacity = MaxB;
      detail::aligned_array<Scalar, F * T * MaxB> xs;  // the input, time-major; then its gradient
      detail::aligned_array<Scalar, U * T * MaxB> z;   // pre-activations; then their gradients
      detail::aligned_array<Scalar, U * T * MaxB> h;   // every step's state
      detail::aligned_array<Scalar, U * MaxB> dh;
    };
    template <std::size_t MaxB>
    static void reserve(detail::gemm_scratch<Scalar>& s) {
      base::template reserve_products<MaxB, 1>(s);
    }

    template <class X, class Y, class State>
    static void forward(const Scalar* p, const X& x, Y&& y, State& s, context<Scalar>& ctx) noexcept {
      constexpr std::size_t B = State::capacity;
      const Eigen::Index n = x.cols();
      base::template project_input<U>(W(p), b(p), x.data(), n, s.xs.data(), s.z.data(), ctx);
      for (std::size_t t = 0; t < T; ++t) {
        auto zt = detail::step_view<U, B>(s.z.data(), t, n);
        if (t > 0)
          detail::gemm<false, false>(
              zt, Wh(p), detail::step_view<U, B>(static_cast<const Scalar*>(s.h.data()), t - 1, n), Scalar(1),
              ctx.scratch);
        detail::step_view<U, B>(s.h.data(), t, n).array() = zt.array().tanh();
      }
      base::write_output(s.h.data(), n, y.data());
    }

    template <class X, class Y, class DY, class DX, class State>
    static void backward(const Scalar* p, Scalar* g, const X& x, const Y&, const DY& dy, DX&& dx,
                         bool need_dx, State& s, context<Scalar>& ctx) noexcept {
      constexpr std::size_t B = State::capacity;
      const Eigen::Index n = x.cols();
      auto dh = detail::step_view<U, B>(s.dh.data(), 0, n);
      dh.setZero();
      for (std::size_t t = T; t-- > 0;) {
        base::add_output_gradient(dy.data(), n, t, s.dh.data());
        auto zt = detail::step_view<U, B>(s.z.data(), t, n);
        const auto ht = detail::step_view<U, B>(static_cast<const Scalar*>(s.h.data()), t, n);
        zt.array() = dh.array() * (Scalar(1) - ht.array().square());
        if (t > 0) detail::gemm<true, false>(dh, Wh(p), zt, Scalar(1), ctx.scratch, Scalar(0));
      }
      if constexpr (T > 1)
        detail::gemm<false, true>(
            Wh(g), detail::steps_view<U, T>(static_cast<const Scalar*>(s.z.data()), n, 1),
            detail::steps_view<U, T>(static_cast<const Scalar*>(s.h.data()), n, 0, T - 1), ctx.gradient_scale,
            ctx.scratch);
      base::template input_gradients<U>(W(p), W(g), b(g), s.xs.data(), s.z.data(), n, need_dx, dx, ctx);
    }
  };
};

/// Keras' LSTM, gates in Keras' order i, f, c, o: z = W x_t + Wh h_t-1 + b; i = sigmoid(z_i),
/// f = sigmoid(z_f), g = tanh(z_c), o = sigmoid(z_o); c_t = f c_t-1 + i g; h_t = o tanh(c_t).
/// \tparam Units           the state's size, at least 1.
/// \tparam R               Returns::last (default) or Returns::sequences.
/// \tparam UnitForgetBias  Keras' unit_forget_bias (default true): the forget gate's bias starts at 1.
/// Parameters: kernel W (4 Units x F), recurrent_kernel Wh (4 Units x Units), bias (4 Units), each
/// Keras' tensor transposed (the same bytes), so 4 Units (F + Units + 1) in all.
template <std::size_t Units, Returns R = Returns::last, bool UnitForgetBias = true>
struct LSTM {
  static constexpr std::string_view name = "LSTM";

  template <Shape In>
  static constexpr bool check() {
    static_assert(Units > 0, "ctnn::LSTM needs at least one unit, as in LSTM<16>");
    static_assert(In::rank == 2,
                  "ctnn::LSTM needs a sequence, shape<time steps, features> (Input<T, F>); a recurrent layer "
                  "before it must return its sequence (Returns::sequences)");
    return detail::recurrent_fits<In, Units>();
  }
  template <Shape In>
  using output_shape = std::conditional_t<R == Returns::last, shape<Units>, shape<In::dims[0], Units>>;

  template <Shape In, class Scalar>
  struct bind : detail::recurrent_base<Scalar, In::dims[0], In::dims[1], Units, R> {
    using base = detail::recurrent_base<Scalar, In::dims[0], In::dims[1], Units, R>;
    static constexpr std::size_t T = In::dims[0], F = In::dims[1], U = Units;
    using bias_init = std::conditional_t<UnitForgetBias, detail::forget_bias_ones<U>, Zeros>;
    using weights = tensors<Scalar, tensor<"kernel", 4 * U, F, GlorotUniform, F, 4 * U>,
                            tensor<"recurrent_kernel", 4 * U, U, Orthogonal, U, 4 * U>,
                            tensor<"bias", 4 * U, 1, bias_init>>;
    static constexpr std::size_t parameter_count = weights::scalar_count;
    static constexpr std::size_t storage_size = weights::storage_size;
    template <class P>
    static auto W(P* p) noexcept {
      return weights::template map<0>(p);
    }
    template <class P>
    static auto Wh(P* p) noexcept {
      return weights::template map<1>(p);
    }
    template <class P>
    static auto b(P* p) noexcept {
      return weights::template map<2>(p);
    }
    template <class F_>
    static void for_each_tensor(F_&& f) {
      weights::for_each_tensor(f);
    }
    static void initialize(Scalar* p, random_engine& rng) { weights::initialize(p, rng); }

    template <std::size_t MaxB>
    struct state {
      static constexpr std::size_t capacity = MaxB;
      detail::aligned_array<Scalar, F * T * MaxB> xs;        // the input, time-major; then its gradient
      detail::aligned_array<Scalar, 4 * U * T * MaxB> z;     // the gates i, f, g, o; then dZ
      detail::aligned_array<Scalar, U * T * MaxB> h, c, tc;  // h_t, c_t, tanh(c_t)
      detail::aligned_array<Scalar, U * MaxB> dh, dc, tmp;
    };
    template <std::size_t MaxB>
    static void reserve(detail::gemm_scratch<Scalar>& s) {
      base::template reserve_products<MaxB, 4>(s);
    }

    template <class X, class Y, class State>
    static void forward(const Scalar* p, const X& x, Y&& y, State& s, context<Scalar>& ctx) noexcept {
      constexpr std::size_t B = State::capacity;
      const Eigen::Index n = x.cols();
      base::template project_input<4 * U>(W(p), b(p), x.data(), n, s.xs.data(), s.z.data(), ctx);
      for (std::size_t t = 0; t < T; ++t) {
        auto z = detail::step_view<4 * U, B>(s.z.data(), t, n);
        if (t > 0)
          detail::gemm<false, false>(
              z, Wh(p), detail::step_view<U, B>(static_cast<const Scalar*>(s.h.data()), t - 1, n), Scalar(1),
              ctx.scratch);
        z.template topRows<2 * U>().array() = z.template topRows<2 * U>().array().logistic();  // i, f
        z.template middleRows<U>(2 * U).array() = z.template middleRows<U>(2 * U).array().tanh();
        z.template bottomRows<U>().array() = z.template bottomRows<U>().array().logistic();  // o
        const auto i = z.template topRows<U>().array(), f = z.template middleRows<U>(U).array(),
                   gc = z.template middleRows<U>(2 * U).array(), o = z.template bottomRows<U>().array();
        auto c = detail::step_view<U, B>(s.c.data(), t, n).array();
        if (t > 0)
          c = f * detail::step_view<U, B>(static_cast<const Scalar*>(s.c.data()), t - 1, n).array() + i * gc;
        else
          c = i * gc;
        auto tc = detail::step_view<U, B>(s.tc.data(), t, n).array();
        tc = c.tanh();
        detail::step_view<U, B>(s.h.data(), t, n).array() = o * tc;
      }
      base::write_output(s.h.data(), n, y.data());
    }

    // Through time, last step first, with dh and dc carried back: the gates' pre-activation gradients
    // replace the gates in z (each step's are read before they are overwritten).
    template <class X, class Y, class DY, class DX, class State>
    static void backward(const Scalar* p, Scalar* g, const X& x, const Y&, const DY& dy, DX&& dx,
                         bool need_dx, State& s, context<Scalar>& ctx) noexcept {
      constexpr std::size_t B = State::capacity;
      const Eigen::Index n = x.cols();
      auto dh = detail::step_view<U, B>(s.dh.data(), 0, n);
      auto dc = detail::step_view<U, B>(s.dc.data(), 0, n).array();
      auto tmp = detail::step_view<U, B>(s.tmp.data(), 0, n).array();
      dh.setZero();
      dc.setZero();
      for (std::size_t t = T; t-- > 0;) {
        base::add_output_gradient(dy.data(), n, t, s.dh.data());
        auto z = detail::step_view<4 * U, B>(s.z.data(), t, n);
        auto i = z.template topRows<U>().array();
        auto f = z.template middleRows<U>(U).array();
        auto gc = z.template middleRows<U>(2 * U).array();
        auto o = z.template bottomRows<U>().array();
        const auto tc = detail::step_view<U, B>(static_cast<const Scalar*>(s.tc.data()), t, n).array();
        const auto d = dh.array();
        dc += d * o * (Scalar(1) - tc.square());
        o = d * tc * o * (Scalar(1) - o);          // dz_o
        tmp = dc * i * (Scalar(1) - gc.square());  // dz_c
        i = dc * gc * i * (Scalar(1) - i);         // dz_i
        gc = tmp;
        tmp = dc * f;  // dc_t-1
        if (t > 0)
          f = dc * detail::step_view<U, B>(static_cast<const Scalar*>(s.c.data()), t - 1, n).array() * f *
              (Scalar(1) - f);
        else
          f.setZero();
        dc = tmp;
        if (t > 0) detail::gemm<true, false>(dh, Wh(p), z, Scalar(1), ctx.scratch, Scalar(0));
      }
      if constexpr (T > 1)
        detail::gemm<false, true>(
            Wh(g), detail::steps_view<4 * U, T>(static_cast<const Scalar*>(s.z.data()), n, 1),
            detail::steps_view<U, T>(static_cast<const Scalar*>(s.h.data()), n, 0, T - 1), ctx.gradient_scale,
            ctx.scratch);
      base::template input_gradients<4 * U>(W(p), W(g), b(g), s.xs.data(), s.z.data(), n, need_dx, dx, ctx);
    }
  };
};

/// Keras' GRU, gates in Keras' order z (update), r (reset), h (candidate), h_t = z h_t-1 + (1 - z) hh.
/// With ResetAfter (Keras' default, reset_after=True, cuDNN's form): r applies after the recurrent
/// product, hh = tanh(W_h x + b_h + r (Wh_h h_t-1 + bh_h)), and the bias has two columns (input, recurrent;
/// Keras' (2, 3 Units) as the same bytes). Without: hh = tanh(W_h x + Wh_h (r h_t-1) + b_h), one bias.
/// \tparam Units       the state's size, at least 1.
/// \tparam R           Returns::last (default) or Returns::sequences.
/// \tparam ResetAfter  Keras' reset_after (default true).
/// Parameters: kernel W (3 Units x F), recurrent_kernel Wh (3 Units x Units), bias (3 Units x 2, or 1).
template <std::size_t Units, Returns R = Returns::last, bool ResetAfter = true>
struct GRU {
  static constexpr std::string_view name = "GRU";

  template <Shape In>
  static constexpr bool check() {
    static_assert(Units > 0, "ctnn::GRU needs at least one unit, as in GRU<16>");
    static_assert(In::rank == 2,
                  "ctnn::GRU needs a sequence, shape<time steps, features> (Input<T, F>); a recurrent layer "
                  "before it must return its sequence (Returns::sequences)");
    return detail::recurrent_fits<In, Units>();
  }
  template <Shape In>
  using output_shape = std::conditional_t<R == Returns::last, shape<Units>, shape<In::dims[0], Units>>;

  template <Shape In, class Scalar>
  struct bind : detail::recurrent_base<Scalar, In::dims[0], In::dims[1], Units, R> {
    using base = detail::recurrent_base<Scalar, In::dims[0], In::dims[1], Units, R>;
    static constexpr std::size_t T = In::dims[0], F = In::dims[1], U = Units;
    using weights = tensors<Scalar, tensor<"kernel", 3 * U, F, GlorotUniform, F, 3 * U>,
                            tensor<"recurrent_kernel", 3 * U, U, Orthogonal, U, 3 * U>,
                            tensor<"bias", 3 * U, ResetAfter ? 2 : 1>>;
    static constexpr std::size_t parameter_count = weights::scalar_count;
    static constexpr std::size_t storage_size = weights::storage_size;
    template <class P>
    static auto W(P* p) noexcept {
      return weights::template map<0>(p);
    }
    template <class P>
    static auto Wh(P* p) noexcept {
      return weights::template map<1>(p);
    }
    /// The input bias (added to W x), and with ResetAfter the recurrent one (added to Wh h).
    template <class P>
    static auto b(P* p) noexcept {
      return vector_map<P, 3 * U>(p + weights::offsets[2]);
    }
    template <class P>
    requires ResetAfter static auto b_recurrent(P* p) noexcept {
      return Eigen::Map<plain_matrix_t<P, 3 * U, 1>>(p + weights::offsets[2] + 3 * U);
    }
    template <class F_>
    static void for_each_tensor(F_&& f) {
      weights::for_each_tensor(f);
    }
    static void initialize(Scalar* p, random_engine& rng) { weights::initialize(p, rng); }

    template <std::size_t MaxB>
    struct state {
      static constexpr std::size_t capacity = MaxB;
      detail::aligned_array<Scalar, F * T * MaxB> xs;     // the input, time-major; then its gradient
      detail::aligned_array<Scalar, 3 * U * T * MaxB> z;  // the gates z, r, hh; then dZ (input side)
      // ResetAfter: the recurrent products Wh h + bh, then their gradients. Without: rows 0 .. 2U the
      // recurrent products of z and r, rows 2U .. 3U r h_t-1 (what Wh_h multiplies).
      detail::aligned_array<Scalar, 3 * U * T * MaxB> rz;
      detail::aligned_array<Scalar, U * T * MaxB> h;
      detail::aligned_array<Scalar, U * MaxB> dh, a, tmp;
    };
    template <std::size_t MaxB>
    static void reserve(detail::gemm_scratch<Scalar>& s) {
      base::template reserve_products<MaxB, 3>(s);
      s.reserve(U, MaxB, U);      // without ResetAfter: hh's product, and its gradient
      s.reserve(U, U, T * MaxB);  // dWh_h += dZ_h (r h)'
    }

    template <class X, class Y, class State>
    static void forward(const Scalar* p, const X& x, Y&& y, State& s, context<Scalar>& ctx) noexcept {
      constexpr std::size_t B = State::capacity;
      const Eigen::Index n = x.cols();
      base::template project_input<3 * U>(W(p), b(p), x.data(), n, s.xs.data(), s.z.data(), ctx);
      for (std::size_t t = 0; t < T; ++t) {
        auto z = detail::step_view<3 * U, B>(s.z.data(), t, n);
        auto rz = detail::step_view<3 * U, B>(s.rz.data(), t, n);
        const auto h_prev =
            detail::step_view<U, B>(static_cast<const Scalar*>(s.h.data()), t > 0 ? t - 1 : 0, n);
        auto zr = z.template topRows<2 * U>();
        auto hh = z.template bottomRows<U>();
        if constexpr (ResetAfter) {
          rz.colwise() = b_recurrent(p);
          if (t > 0) detail::gemm<false, false>(rz, Wh(p), h_prev, Scalar(1), ctx.scratch);
          zr.array() = (zr.array() + rz.template topRows<2 * U>().array()).logistic();
          hh.array() =
              (hh.array() + z.template middleRows<U>(U).array() * rz.template bottomRows<U>().array()).tanh();
        } else {
          auto r_h = rz.template bottomRows<U>();
          if (t > 0) {
            auto rec = rz.template topRows<2 * U>();
            detail::gemm<false, false>(rec, Wh(p).template topRows<2 * U>(), h_prev, Scalar(1), ctx.scratch,
                                       Scalar(0));
            zr.array() = (zr.array() + rec.array()).logistic();
            r_h.array() = z.template middleRows<U>(U).array() * h_prev.array();
            detail::gemm<false, false>(hh, Wh(p).template bottomRows<U>(), r_h, Scalar(1), ctx.scratch);
          } else {
            zr.array() = zr.array().logistic();
            r_h.setZero();
          }
          hh.array() = hh.array().tanh();
        }
        const auto u = z.template topRows<U>().array();
        auto h = detail::step_view<U, B>(s.h.data(), t, n).array();
        if (t > 0)
          h = u * h_prev.array() + (Scalar(1) - u) * hh.array();
        else
          h = (Scalar(1) - u) * hh.array();
      }
      base::write_output(s.h.data(), n, y.data());
    }

    template <class X, class Y, class DY, class DX, class State>
    static void backward(const Scalar* p, Scalar* g, const X& x, const Y&, const DY& dy, DX&& dx,
                         bool need_dx, State& s, context<Scalar>& ctx) noexcept {
      constexpr std::size_t B = State::capacity;
      const Eigen::Index n = x.cols();
      auto dh = detail::step_view<U, B>(s.dh.data(), 0, n);
      auto a = detail::step_view<U, B>(s.a.data(), 0, n);
      auto tmp = detail::step_view<U, B>(s.tmp.data(), 0, n);
      dh.setZero();
      for (std::size_t t = T; t-- > 0;) {
        base::add_output_gradient(dy.data(), n, t, s.dh.data());
        auto z = detail::step_view<3 * U, B>(s.z.data(), t, n);
        auto rz = detail::step_view<3 * U, B>(s.rz.data(), t, n);
        const auto h_prev =
            detail::step_view<U, B>(static_cast<const Scalar*>(s.h.data()), t > 0 ? t - 1 : 0, n);
        auto u = z.template topRows<U>().array();
        auto r = z.template middleRows<U>(U).array();
        auto hh = z.template bottomRows<U>().array();
        const auto d = dh.array();
        a.array() = d * (Scalar(1) - u) * (Scalar(1) - hh.square());  // d(hh's pre-activation)
        if (t > 0)
          tmp.array() = d * (h_prev.array() - hh) * u * (Scalar(1) - u);  // d(z's pre-activation)
        else
          tmp.array() = -d * hh * u * (Scalar(1) - u);
        dh.array() = d * u;  // h_t-1's share through z h_t-1
        if constexpr (ResetAfter) {
          auto rec_r = rz.template middleRows<U>(U).array();
          auto rec_h = rz.template bottomRows<U>().array();
          rec_r = a.array() * rec_h * r * (Scalar(1) - r);  // d(r's pre-activation)
          rec_h = a.array() * r;                            // d(Wh_h h + bh_h)
          rz.template topRows<U>() = tmp;
          u = tmp.array();
          r = rec_r;
          hh = a.array();
          if (t > 0) detail::gemm<true, false>(dh, Wh(p), rz, Scalar(1), ctx.scratch);
        } else {
          u = tmp.array();
          hh = a.array();
          if (t > 0) {
            // d(r h_t-1) = Wh_h' dhh: to h_t-1 through r h_t-1, and to r.
            detail::gemm<true, false>(tmp, Wh(p).template bottomRows<U>(), a, Scalar(1), ctx.scratch,
                                      Scalar(0));
            dh.array() += tmp.array() * r;
            r = tmp.array() * h_prev.array() * r * (Scalar(1) - r);
            detail::gemm<true, false>(dh, Wh(p).template topRows<2 * U>(), z.template topRows<2 * U>(),
                                      Scalar(1), ctx.scratch);
          } else {
            r.setZero();
          }
        }
      }
      const auto dz_all = detail::steps_view<3 * U, T>(static_cast<const Scalar*>(s.z.data()), n);
      if constexpr (ResetAfter) {
        const auto drz = detail::steps_view<3 * U, T>(static_cast<const Scalar*>(s.rz.data()), n);
        if constexpr (T > 1)
          detail::gemm<false, true>(
              Wh(g), detail::steps_view<3 * U, T>(static_cast<const Scalar*>(s.rz.data()), n, 1),
              detail::steps_view<U, T>(static_cast<const Scalar*>(s.h.data()), n, 0, T - 1),
              ctx.gradient_scale, ctx.scratch);
        b_recurrent(g) += ctx.gradient_scale * drz.rowwise().sum();
      } else {
        if constexpr (T > 1) {
          auto dwh = Wh(g);
          auto dwh_zr = dwh.template topRows<2 * U>();
          detail::gemm<false, true>(
              dwh_zr,
              detail::steps_view<3 * U, T>(static_cast<const Scalar*>(s.z.data()), n, 1)
                  .template topRows<2 * U>(),
              detail::steps_view<U, T>(static_cast<const Scalar*>(s.h.data()), n, 0, T - 1),
              ctx.gradient_scale, ctx.scratch);
          auto dwh_h = dwh.template bottomRows<U>();
          detail::gemm<false, true>(dwh_h, dz_all.template bottomRows<U>(),
                                    detail::steps_view<3 * U, T>(static_cast<const Scalar*>(s.rz.data()), n)
                                        .template bottomRows<U>(),
                                    ctx.gradient_scale, ctx.scratch);
        }
      }
      base::template input_gradients<3 * U>(W(p), W(g), b(g), s.xs.data(), s.z.data(), n, need_dx, dx, ctx);
    }

   private:
    template <class P, std::size_t Rows, std::size_t Cols>
    using plain_matrix_t = detail::plain_matrix<P, static_cast<int>(Rows), static_cast<int>(Cols)>;
  };
};

}  // namespace ctnn
