/// @file Defines `detail::team`: a fixed set of threads that run one task together, for data-parallel
/// training. Starting and joining a task allocates nothing and cannot fail.
// SPDX-License-Identifier: MIT
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <thread>
#include <vector>

namespace ctnn::detail {

/// `size()` threads: the caller and size() - 1 workers started once, in the constructor. `run(f)`
/// calls f(0) on the caller and f(t) on worker t, for every t < size(), and returns when all have
/// returned. f must not throw. Waiting spins briefly, then sleeps on the atomic (a futex), so a task
/// of a few microseconds is not dominated by waking threads, and idle workers use no CPU.
class team {
 public:
  explicit team(std::size_t threads) : size_(threads < 1 ? 1 : threads) {
    workers_.reserve(size_ - 1);
    try {
      for (std::size_t t = 1; t < size_; ++t) workers_.emplace_back([this, t] { work(t); });
    } catch (...) {  // the system refused a thread: stop those started, then report
      shut_down();
      throw;
    }
  }
  team(const team&) = delete;
  team& operator=(const team&) = delete;
  ~team() { shut_down(); }

  std::size_t size() const noexcept { return size_; }

  template <class F>
  void run(F& f) noexcept {
    if (size_ == 1) {
      f(std::size_t{0});
      return;
    }
    task_ = [](void* p, std::size_t t) noexcept { (*static_cast<F*>(p))(t); };
    context_ = &f;
    pending_.store(size_ - 1, std::memory_order_relaxed);
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    f(std::size_t{0});
    for (int spin = 0; pending_.load(std::memory_order_acquire) != 0; ++spin) {
      if (spin < spin_limit) continue;
      const std::size_t left = pending_.load(std::memory_order_acquire);
      if (left != 0) pending_.wait(left, std::memory_order_acquire);
    }
  }

 private:
  static constexpr int spin_limit = 20000;

  void shut_down() noexcept {
    stop_ = true;
    generation_.fetch_add(1, std::memory_order_release);
    generation_.notify_all();
    for (auto& w : workers_) w.join();
  }

  void work(std::size_t t) noexcept {
    std::uint64_t seen = 0;
    for (;;) {
      std::uint64_t now = generation_.load(std::memory_order_acquire);
      for (int spin = 0; now == seen; ++spin) {
        if (spin >= spin_limit) generation_.wait(seen, std::memory_order_acquire);
        now = generation_.load(std::memory_order_acquire);
      }
      seen = now;
      if (stop_) return;
      task_(context_, t);
      if (pending_.fetch_sub(1, std::memory_order_acq_rel) == 1) pending_.notify_one();
    }
  }

  std::size_t size_;
  std::vector<std::thread> workers_;
  std::atomic<std::uint64_t> generation_{0};
  std::atomic<std::size_t> pending_{0};
  std::atomic<bool> stop_{false};
  void (*task_)(void*, std::size_t) noexcept = nullptr;
  void* context_ = nullptr;
};

}  // namespace ctnn::detail
