/// @file A Sequential's workspace: activations, gradients and per-layer state of one chain for up to
/// MaxB samples, allocated once, so that forward and backward never allocate.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <tuple>

#include "../chain.hpp"
#include "../config.hpp"
#include "../detail/batch_sync.hpp"
#include "../detail/gemm.hpp"
#include "../detail/storage.hpp"
#include "../random.hpp"

namespace ctnn::detail {

/// Activations, gradients and per-layer state for up to MaxB samples, allocated once, so that
/// forward and backward never allocate. One workspace per thread. A Sequential's `workspace<MaxB>`.
template <class Chain, std::size_t MaxB>
class chain_workspace {
  using Scalar = typename Chain::scalar;
  using chain = Chain;
  static constexpr std::size_t depth = Chain::depth;
  template <std::size_t I>
  using shape_at = typename Chain::template shape_at<I>;
  using input_shape = shape_at<0>;
  using output_shape = shape_at<depth>;

  static_assert(MaxB >= 1, "ctnn: a workspace holds at least one sample");
  using end_buffers = std::tuple<aligned_array<Scalar, input_shape::size * MaxB>,
                                 aligned_array<Scalar, output_shape::size * MaxB>>;

 public:
  static constexpr std::size_t capacity = MaxB;

  /// `seed` drives Dropout masks drawn in this workspace.
  explicit chain_workspace(std::uint64_t seed = 0) : rng_(seed) { chain::template reserve<MaxB>(scratch_); }

  /// Activations after layer I-1 (I = 0: the input), for the current batch.
  template <std::size_t I>
  auto activation() noexcept {
    return view<I>(activation_data<I>());
  }
  /// Gradient of the loss with respect to activation I, after backward.
  template <std::size_t I>
  auto gradient() noexcept {
    return view<I>(gradient_data<I>());
  }
  /// Sets the batch to n samples and returns the input to fill, one sample per column. Expects
  /// 1 <= n <= MaxB (checked by CTNN_EXPECTS where assertions are on; otherwise n is clamped to MaxB).
  auto input(std::size_t n) noexcept {
    CTNN_EXPECTS(n >= 1 && n <= MaxB,
                 "ws.input(n) needs 1 <= n <= MaxB, the workspace's batch capacity (Net::workspace<MaxB>)");
    n_ = n <= MaxB ? n : MaxB;
    return activation<0>();
  }
  auto input() noexcept { return activation<0>(); }
  auto output() noexcept { return activation<depth>(); }
  /// Where backward(ws) reads d(loss)/d(output) from, when the caller computes the loss itself.
  auto output_gradient() noexcept { return gradient<depth>(); }
  /// d(loss)/d(input), written by backward when asked for.
  auto input_gradient() noexcept { return gradient<0>(); }
  std::size_t batch_size() const noexcept { return n_; }
  random_engine& rng() noexcept { return rng_; }
  /// Layer I's per-pass state (a Dropout mask, say).
  template <std::size_t I>
  auto& state() noexcept {
    return std::get<I>(chain_.layers);
  }
  gemm_scratch<Scalar>& scratch() noexcept { return scratch_; }
  /// Makes this workspace lane `lane` of threads that share each batch through `sync` (what the trainer
  /// does with fit_options::threads), so that BatchNormalization's training statistics are the whole
  /// batch's; every lane must then run the same passes. nullptr: on its own again.
  void share_batch(batch_sync* sync, std::size_t lane = 0) noexcept {
    sync_ = sync;
    lane_ = lane;
  }
  batch_sync* sync() const noexcept { return sync_; }
  std::size_t lane() const noexcept { return lane_; }
  /// The states of every layer (what update_buffers reads).
  const auto& states() const noexcept { return chain_; }

 private:
  template <std::size_t I>
  Scalar* activation_data() noexcept {
    if constexpr (I == 0)
      return std::get<0>(act_).data();
    else if constexpr (I == depth)
      return std::get<1>(act_).data();
    else
      return chain_.template activation_data<I>();
  }
  template <std::size_t I>
  Scalar* gradient_data() noexcept {
    if constexpr (I == 0)
      return std::get<0>(grad_).data();
    else if constexpr (I == depth)
      return std::get<1>(grad_).data();
    else
      return chain_.template gradient_data<I>();
  }
  template <std::size_t I>
  auto view(Scalar* p) noexcept {
    return sample_view<Scalar, shape_at<I>::size, MaxB>(p, static_cast<Eigen::Index>(n_));
  }
  end_buffers act_, grad_;
  typename chain::template state<MaxB> chain_;
  gemm_scratch<Scalar> scratch_;
  random_engine rng_;
  std::size_t n_ = MaxB;
  batch_sync* sync_ = nullptr;
  std::size_t lane_ = 0;
};

}  // namespace ctnn::detail
