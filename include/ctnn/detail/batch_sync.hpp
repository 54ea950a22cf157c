/// @file Defines `detail::batch_sync`: how the threads that share one batch exchange per-layer sums in
/// the middle of forward and backward (BatchNormalization's whole-batch statistics). Allocates only in
/// its constructor; an exchange waits for the other threads and cannot fail.
// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ctnn::detail {

/// Up to `lanes` threads, each with `width` doubles to publish per exchange. The threads that take part
/// in a batch (`take_part`, set between batches) make the same exchanges in the same order, since they
/// run the same network; `exchange(lane)` publishes what the lane wrote to its outbox and returns, once
/// every taking part has published, all lanes' values side by side (lane t's at t * width), so that
/// each combines them in lane order and all get bit-identical results. Two slot sets alternate with
/// the barrier's generation: a lane can only write exchange k + 2's values after every lane has passed
/// exchange k + 1, that is after every lane has finished reading exchange k.
class batch_sync {
 public:
  batch_sync(std::size_t lanes, std::size_t width)
      : lanes_(lanes < 1 ? 1 : lanes),
        width_(width),
        slots_(2 * lanes_ * width),
        active_(lanes_, 1),
        taking_part_(lanes_) {}
  batch_sync(const batch_sync&) = delete;
  batch_sync& operator=(const batch_sync&) = delete;

  std::size_t lanes() const noexcept { return lanes_; }
  std::size_t width() const noexcept { return width_; }
  /// Between batches only: whether lane t takes part in the next one (a lane without samples does not).
  void take_part(std::size_t t, bool yes) noexcept {
    taking_part_ += static_cast<std::size_t>(yes) - static_cast<std::size_t>(active_[t] != 0);
    active_[t] = yes;
  }
  bool active(std::size_t t) const noexcept { return active_[t] != 0; }
  /// Whether more than one thread shares the batch (else there is nothing to exchange).
  bool shared() const noexcept { return taking_part_ > 1; }

  /// Where lane `lane` writes its values for its next exchange (`width()` doubles).
  double* outbox(std::size_t lane) noexcept { return slots_.data() + (set() * lanes_ + lane) * width_; }

  /// Publishes what the lane wrote to outbox(lane) and waits for every other lane's; returns lanes() *
  /// width() doubles, lane after lane (read only those of active lanes).
  const double* exchange(std::size_t) noexcept {
    const std::size_t s = set();
    wait_all();
    return slots_.data() + s * lanes_ * width_;
  }

 private:
  static constexpr int spin_limit = 20000;
  // The generation cannot move on before this lane arrives, so it names this exchange's set.
  std::size_t set() const noexcept { return generation_.load(std::memory_order_acquire) & 1u; }

  // A reusable barrier: the last lane to arrive resets the count and opens the next generation.
  void wait_all() noexcept {
    const std::uint64_t gen = generation_.load(std::memory_order_acquire);
    if (arrived_.fetch_add(1, std::memory_order_acq_rel) + 1 == taking_part_) {
      arrived_.store(0, std::memory_order_relaxed);
      generation_.fetch_add(1, std::memory_order_acq_rel);
      generation_.notify_all();
      return;
    }
    for (int spin = 0; generation_.load(std::memory_order_acquire) == gen; ++spin)
      if (spin >= spin_limit) generation_.wait(gen, std::memory_order_acquire);
  }

  std::size_t lanes_, width_;
  std::vector<double> slots_;
  std::vector<unsigned char> active_;
  std::size_t taking_part_;
  std::atomic<std::size_t> arrived_{0};
  std::atomic<std::uint64_t> generation_{0};
};

}  // namespace ctnn::detail
