/// @file Defines `ctnn::BatchNormalization`: batch statistics in training, moving statistics in
/// inference, over the last axis (features, or an image's channels), as Keras' BatchNormalization.
// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <string_view>

#include "../concepts.hpp"
#include "../detail/batch_sync.hpp"
#include "../detail/storage.hpp"
#include "../fraction.hpp"
#include "../initializers.hpp"
#include "../tensors.hpp"

namespace ctnn {

/// y = gamma * (x - mean) / sqrt(variance + Epsilon) + beta, per channel (the last axis: a rank-1
/// input's features, a rank-3 input's channels). Training uses the batch's mean and (biased) variance,
/// and the network's update_buffers() then moves the moving statistics towards them:
/// moving = Momentum * moving + (1 - Momentum) * batch. Inference uses the moving statistics.
/// Keras' defaults: `BatchNormalization<>` is momentum 0.99, epsilon 0.001, center (beta) and scale
/// (gamma) on. Parameters: gamma (if Scale), beta (if Center); buffers (non-trainable):
/// moving_mean, moving_variance. With the trainer's threads, the statistics are the whole batch's
/// (the threads exchange their sums), equal to one thread's up to rounding.
template <fraction Momentum = 0.99, fraction Epsilon = 0.001, bool Center = true, bool Scale = true>
struct BatchNormalization {
  static constexpr std::string_view name = "BatchNormalization";

  template <Shape In>
  static constexpr bool check() {
    constexpr bool momentum_ok = Momentum.den > 0 && Momentum.num >= 0 && Momentum.num <= Momentum.den;
    constexpr bool epsilon_ok = Epsilon.den > 0 && Epsilon.num > 0;
    static_assert(momentum_ok,
                  "ctnn::BatchNormalization needs a momentum in [0, 1], as in BatchNormalization<0.99>");
    static_assert(epsilon_ok,
                  "ctnn::BatchNormalization needs an epsilon above 0, as in BatchNormalization<0.99, 0.001>");
    static_assert(
        In::rank == 1 || In::rank == 3,
        "ctnn::BatchNormalization normalises a rank-1 input (features) or a rank-3 one (an image, per "
        "channel)");
    return momentum_ok && epsilon_ok && (In::rank == 1 || In::rank == 3);
  }
  template <Shape In>
  using output_shape = In;

  template <Shape In, class Scalar>
  struct bind {
    using input_shape = In;
    using output_shape = In;
    static constexpr std::size_t channels = In::dims[In::rank - 1];
    static constexpr std::size_t positions = In::size / channels;  // values per channel in one sample
    // Parameters: gamma (ones, if Scale), beta (zeros, if Center). Buffers: moving_mean (zeros),
    // moving_variance (ones).
    using weights = tensors<Scalar, tensor<"gamma", channels, 1, Ones, channels, channels, Scale>,
                            tensor<"beta", channels, 1, Zeros, channels, channels, Center>>;
    using statistics = tensors<Scalar, tensor<"moving_mean", channels, 1, Zeros>,
                               tensor<"moving_variance", channels, 1, Ones>>;
    static constexpr std::size_t gamma_offset = weights::offsets[0];
    static constexpr std::size_t beta_offset = weights::offsets[1];
    static constexpr std::size_t step = statistics::offsets[1];  // where moving_variance starts
    static constexpr std::size_t parameter_count = weights::scalar_count;
    static constexpr std::size_t storage_size = weights::storage_size;
    static constexpr std::size_t buffer_count = statistics::scalar_count;
    static constexpr std::size_t buffer_size = statistics::storage_size;
    // Forward sends (samples, mean, M2) per channel; backward two sums per channel.
    static constexpr std::size_t sync_width = 1 + 2 * channels;
    static constexpr double momentum = Momentum.template as<double>();
    static constexpr double epsilon = Epsilon.template as<double>();

    using column = Eigen::Matrix<Scalar, static_cast<int>(channels), 1>;
    using wide = Eigen::Matrix<double, static_cast<int>(channels), 1>;

    template <class F>
    static void for_each_tensor(F&& f) {
      weights::for_each_tensor(f);
    }
    template <class F>
    static void for_each_buffer(F&& f) {
      statistics::for_each_tensor(f);
    }
    static void initialize(Scalar* p, random_engine& rng) noexcept { weights::initialize(p, rng); }
    static void initialize_buffers(Scalar* b) noexcept {
      random_engine unused(0);  // constants: nothing is drawn
      statistics::initialize(b, unused);
    }

    template <std::size_t MaxB>
    struct state {
      column mean, inv_std;  // what the last forward normalised with
      column variance;       // the batch's biased variance (training)
      double share = 1;      // this thread's samples over the whole batch's
      double count = 0;      // values per channel in the whole batch
      bool batch_statistics = false;
    };

    template <class State>
    static void update_buffers(Scalar* b, const State& s) noexcept {
      if (!s.batch_statistics) return;
      const auto m = static_cast<Scalar>(momentum);
      auto mean = vector_map<Scalar, channels>(b);
      auto var = vector_map<Scalar, channels>(b + step);
      mean = m * mean + (Scalar(1) - m) * s.mean;
      var = m * var + (Scalar(1) - m) * s.variance;
    }

    template <class X, class Y, class State>
    static void forward(const Scalar* p, const X& x, Y&& y, State& s, context<Scalar>& ctx) noexcept {
      s.batch_statistics = ctx.mode == mode::training;
      if constexpr (positions == 1 && std::remove_cvref_t<X>::ColsAtCompileTime == 1) {
        // One sample of features (predict after Dense): one pass, read and written once per packet,
        // and small enough to inline into the network's forward.
        if (!s.batch_statistics) {
          auto out = y.array();
          const auto in = x.array();
          if constexpr (Scale && Center)
            out = (in - moving_mean(ctx)) * (moving_inv_std(ctx) * gamma(p)) + beta(p);
          else if constexpr (Scale)
            out = (in - moving_mean(ctx)) * (moving_inv_std(ctx) * gamma(p));
          else if constexpr (Center)
            out = (in - moving_mean(ctx)) * moving_inv_std(ctx) + beta(p);
          else
            out = (in - moving_mean(ctx)) * moving_inv_std(ctx);
          return;
        }
      }
      forward_batch(p, x, y, s, ctx);
    }

    // With xhat = (x - mean) / std: dgamma += sum dy xhat, dbeta += sum dy, and with batch statistics
    // dx = gamma / std (dy - mean(dy) - xhat mean(dy xhat)), the means over the whole batch.
    template <class X, class Y, class DY, class DX, class State>
    static void backward(const Scalar* p, Scalar* g, const X& x, const Y&, const DY& dy, DX&& dx,
                         bool need_dx, State& s, context<Scalar>& ctx) noexcept {
      const auto values = static_cast<Eigen::Index>(positions) * x.cols();
      const auto xs = by_channel(x.data(), values);
      const auto dys = by_channel(dy.data(), values);
      if (!s.batch_statistics && positions == 1 && std::remove_cvref_t<X>::ColsAtCompileTime == 1) {
        s.mean = moving_mean(ctx).matrix();  // forward's one-pass path kept no state
        s.inv_std = moving_inv_std(ctx).matrix();
      }
      // Sums per channel: dy, and dy (x - mean), whose product with 1/std is the sum of dy xhat.
      const column mean_s = s.mean;
      const wide sum_dy = channel_sums(values, [&](Eigen::Index j) { return dys.col(j); });
      const wide sum_dy_xhat = channel_sums(values, [&](Eigen::Index j) {
                                 return dys.col(j).cwiseProduct(xs.col(j) - mean_s);
                               }).cwiseProduct(s.inv_std.template cast<double>());
      const auto scale = static_cast<double>(ctx.gradient_scale);
      if constexpr (Scale)
        vector_map<Scalar, channels>(g + gamma_offset) += (scale * sum_dy_xhat).template cast<Scalar>();
      if constexpr (Center)
        vector_map<Scalar, channels>(g + beta_offset) += (scale * sum_dy).template cast<Scalar>();
      if (!need_dx) return;
      column a = s.inv_std;
      if constexpr (Scale) a.array() *= gamma(p);
      auto dxs = by_channel(dx.data(), values);
      if (!s.batch_statistics) {
        dxs.array() = dys.array().colwise() * a.array();
        return;
      }
      wide k1 = sum_dy, k2 = sum_dy_xhat;
      if (ctx.sync != nullptr && ctx.sync->shared()) {
        // Each thread's dy is the gradient of its own share's mean loss; the batch's is share times it.
        double* out = ctx.sync->outbox(ctx.lane);
        for (std::size_t c = 0; c < channels; ++c) {
          out[c] = s.share * sum_dy[static_cast<Eigen::Index>(c)];
          out[channels + c] = s.share * sum_dy_xhat[static_cast<Eigen::Index>(c)];
        }
        const double* all = ctx.sync->exchange(ctx.lane);
        k1.setZero();
        k2.setZero();
        for (std::size_t t = 0; t < ctx.sync->lanes(); ++t)
          for (std::size_t c = 0; c < channels && ctx.sync->active(t); ++c) {
            k1[static_cast<Eigen::Index>(c)] += all[t * ctx.sync->width() + c];
            k2[static_cast<Eigen::Index>(c)] += all[t * ctx.sync->width() + channels + c];
          }
        k1 /= s.share;  // back to this thread's scale
        k2 /= s.share;
      }
      // dx = a (dy - m1 - xhat m2) with xhat = (x - mean) / std: per channel, a dy + kx x + k0.
      const wide m1 = k1 / s.count, m2 = k2 / s.count, a_wide = a.template cast<double>();
      const wide kx_wide = -a_wide.cwiseProduct(s.inv_std.template cast<double>()).cwiseProduct(m2);
      const column kx = kx_wide.template cast<Scalar>();
      const column k0 = (-a_wide.cwiseProduct(m1) - kx_wide.cwiseProduct(mean_s.template cast<double>()))
                            .template cast<Scalar>();
      for (Eigen::Index j = 0; j < values; ++j)
        dxs.col(j) = a.cwiseProduct(dys.col(j)) + kx.cwiseProduct(xs.col(j)) + k0;
    }

   private:
    // Training, or a batch, or an image: the per-channel scale and shift first, then one pass.
    template <class X, class Y, class State>
    static void forward_batch(const Scalar* p, const X& x, Y& y, State& s, context<Scalar>& ctx) noexcept {
      const auto values = static_cast<Eigen::Index>(positions) * x.cols();
      const auto xs = by_channel(x.data(), values);
      auto ys = by_channel(y.data(), values);
      if (s.batch_statistics) {
        batch_moments(xs, static_cast<double>(x.cols()), s, ctx);
      } else {
        s.mean = moving_mean(ctx).matrix();
        s.inv_std = moving_inv_std(ctx).matrix();
      }
      // y = a x + c per channel, a = gamma / std, c = beta - mean a.
      column a = s.inv_std;
      if constexpr (Scale) a.array() *= gamma(p);
      column c = -s.mean.cwiseProduct(a);
      if constexpr (Center) c.array() += beta(p);
      ys.array() = (xs.array().colwise() * a.array()).colwise() + c.array();
    }

    static auto gamma(const Scalar* p) noexcept {
      return vector_map<const Scalar, channels>(p + gamma_offset).array();
    }
    static auto beta(const Scalar* p) noexcept {
      return vector_map<const Scalar, channels>(p + beta_offset).array();
    }
    static auto moving_mean(const context<Scalar>& ctx) noexcept {
      return vector_map<const Scalar, channels>(ctx.buffers).array();
    }
    static auto moving_inv_std(const context<Scalar>& ctx) noexcept {
      return (vector_map<const Scalar, channels>(ctx.buffers + step).array() + static_cast<Scalar>(epsilon))
          .rsqrt();
    }
    static auto by_channel(const Scalar* data, Eigen::Index values) noexcept {
      return Eigen::Map<const Eigen::Matrix<Scalar, static_cast<int>(channels), Eigen::Dynamic>>(
          data, channels, values);
    }
    static auto by_channel(Scalar* data, Eigen::Index values) noexcept {
      return Eigen::Map<Eigen::Matrix<Scalar, static_cast<int>(channels), Eigen::Dynamic>>(data, channels,
                                                                                           values);
    }

    // Per-channel sums over `values` columns of one value per channel: term(j) is column j's
    // contribution. Blocks of columns sum in Scalar (vectorised over the channels), blocks' sums in
    // double, so that a batch of thousands of values per channel loses no more than a block's rounding.
    template <class Term>
    static wide channel_sums(Eigen::Index values, Term&& term) noexcept {
      constexpr Eigen::Index block = 64;
      wide total = wide::Zero();
      for (Eigen::Index j0 = 0; j0 < values; j0 += block) {
        column acc = column::Zero();
        const Eigen::Index j1 = std::min(values, j0 + block);
        for (Eigen::Index j = j0; j < j1; ++j) acc += term(j);
        total += acc.template cast<double>();
      }
      return total;
    }

    // The batch's mean and biased variance per channel, in double: this thread's (two passes), then,
    // when threads share the batch, every thread's combined in thread order (Chan et al.'s pairwise
    // update), so that every thread gets the same numbers.
    template <class Xs, class State>
    static void batch_moments(const Xs& xs, double samples, State& s, context<Scalar>& ctx) noexcept {
      const double count = samples * static_cast<double>(positions);
      const auto values = xs.cols();
      wide mean = channel_sums(values, [&](Eigen::Index j) { return xs.col(j); }) / count;
      // Squares around the mean rounded to Scalar, less the exact shift: sum (x - m')^2 = sum (x - m)^2
      // + n (m - m')^2.
      const column centre = mean.template cast<Scalar>();
      const wide shift = mean - centre.template cast<double>();
      wide m2 = channel_sums(values, [&](Eigen::Index j) { return (xs.col(j) - centre).cwiseAbs2(); }) -
                count * shift.cwiseAbs2();
      m2 = m2.cwiseMax(0.0);
      double total = count;
      s.share = 1;
      if (ctx.sync != nullptr && ctx.sync->shared()) {
        double* out = ctx.sync->outbox(ctx.lane);
        out[0] = count;
        for (std::size_t c = 0; c < channels; ++c) {
          out[1 + c] = mean[static_cast<Eigen::Index>(c)];
          out[1 + channels + c] = m2[static_cast<Eigen::Index>(c)];
        }
        const double* all = ctx.sync->exchange(ctx.lane);
        total = 0;
        mean.setZero();
        m2.setZero();
        for (std::size_t t = 0; t < ctx.sync->lanes(); ++t) {
          if (!ctx.sync->active(t)) continue;
          const double* lane = all + t * ctx.sync->width();
          const double n = lane[0];
          const double merged = total + n;
          for (std::size_t c = 0; c < channels; ++c) {
            const auto i = static_cast<Eigen::Index>(c);
            const double delta = lane[1 + c] - mean[i];
            mean[i] += delta * n / merged;
            m2[i] += lane[1 + channels + c] + delta * delta * total * n / merged;
          }
          total = merged;
        }
        s.share = count / total;
      }
      s.count = total;
      s.mean = mean.template cast<Scalar>();
      s.variance = (m2 / total).template cast<Scalar>();
      s.inv_std = (s.variance.array() + static_cast<Scalar>(epsilon)).rsqrt().matrix();
    }
  };
};

}  // namespace ctnn
