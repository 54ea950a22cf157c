// Runs an optimiser's state over a few steps on 3 parameters (plus padding that must stay zero).
#pragma once

#include <array>
#include <ctnn/detail/storage.hpp>
#include <vector>

template <class Spec>
std::vector<std::array<double, 3>> run_steps(const Spec& spec, std::array<double, 3> w0,
                                             const std::vector<std::array<double, 3>>& grads) {
  typename Spec::template state<double, 16> state;
  ctnn::detail::aligned_array<double, 16> w, g;
  for (int i = 0; i < 3; ++i) w.data()[i] = w0[i];
  std::vector<std::array<double, 3>> out;
  for (const auto& gs : grads) {
    for (int i = 0; i < 3; ++i) g.data()[i] = gs[i];
    state.step(spec, w.data(), g.data());
    out.push_back({w.data()[0], w.data()[1], w.data()[2]});
    for (int i = 3; i < 16; ++i)
      if (w.data()[i] != 0.0) throw std::logic_error("padding moved");
  }
  return out;
}
