/// @file Defines `detail::aligned_array`: N scalars, 64-byte aligned, inline when small, else on the heap.
// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cstddef>
#include <new>
#include <utility>

#include "../config.hpp"

namespace ctnn::detail {

/// Rounds a count of scalars up so that the next tensor starts on a 64-byte boundary.
template <class Scalar>
constexpr std::size_t align_up(std::size_t count) {
  constexpr std::size_t step = alignment / sizeof(Scalar) == 0 ? 1 : alignment / sizeof(Scalar);
  return (count + step - 1) / step * step;
}

template <class Scalar>
Scalar* allocate_aligned(std::size_t count) {
  return static_cast<Scalar*>(::operator new (count * sizeof(Scalar), std::align_val_t{alignment}));
}
template <class Scalar>
void free_aligned(Scalar* p) noexcept {
  ::operator delete (p, std::align_val_t{alignment});
}

/// `N` zero-initialised scalars at a 64-byte boundary. Allocates only in its constructors and
/// assignments, never afterwards; `data()` is stable until the array is moved from.
template <class Scalar, std::size_t N, bool Inline = (N * sizeof(Scalar) <= inline_storage_limit)>
class aligned_array;

template <class Scalar, std::size_t N>
class aligned_array<Scalar, N, true> {
 public:
  aligned_array() noexcept { std::fill_n(data_, N, Scalar(0)); }
  Scalar* data() noexcept { return data_; }
  const Scalar* data() const noexcept { return data_; }
  static constexpr std::size_t size() noexcept { return N; }

 private:
  alignas(alignment) Scalar data_[N == 0 ? 1 : N];
};

template <class Scalar, std::size_t N>
class aligned_array<Scalar, N, false> {
 public:
  aligned_array() : data_(allocate_aligned<Scalar>(N)) { std::fill_n(data_, N, Scalar(0)); }
  aligned_array(const aligned_array& other) : data_(allocate_aligned<Scalar>(N)) {
    std::copy_n(other.data_, N, data_);
  }
  aligned_array(aligned_array&& other) noexcept : data_(std::exchange(other.data_, nullptr)) {}
  aligned_array& operator=(const aligned_array& other) {
    if (this != &other) {
      if (data_ == nullptr) data_ = allocate_aligned<Scalar>(N);
      std::copy_n(other.data_, N, data_);
    }
    return *this;
  }
  aligned_array& operator=(aligned_array&& other) noexcept {
    std::swap(data_, other.data_);
    return *this;
  }
  ~aligned_array() { free_aligned(data_); }

  Scalar* data() noexcept { return data_; }
  const Scalar* data() const noexcept { return data_; }
  static constexpr std::size_t size() noexcept { return N; }

 private:
  Scalar* data_;
};

}  // namespace ctnn::detail
