// Runs a network on raw samples, for the tests that feed ctnn what another framework computed on
// (tests/interop/predict.cpp, tests/onnx/runner.hpp): a Sequential or a Graph, each sample its inputs'
// values one after another (in Inputs<...>'s order, each in ctnn's layout) and its outputs' likewise.
#pragma once

#include <array>
#include <cstddef>
#include <ctnn/ctnn.hpp>
#include <memory>
#include <tuple>
#include <utility>
#include <vector>

namespace support {

template <class Net>
concept graph = requires { Net::output_sources; };

/// The values per sample of each input and each output.
template <class Net>
struct sample_sizes {
  static constexpr std::array<std::size_t, 1> inputs{Net::input_shape::size}, outputs{Net::output_shape::size};
};
template <graph Net>
struct sample_sizes<Net> {
  static constexpr auto inputs = []<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<std::size_t, sizeof...(I)>{Net::template source_size<I>...};
  }(std::make_index_sequence<Net::input_count>{});
  static constexpr auto outputs = []<std::size_t... O>(std::index_sequence<O...>) {
    return std::array<std::size_t, sizeof...(O)>{Net::template source_size<Net::output_sources[O]>...};
  }(std::make_index_sequence<Net::output_count>{});
};

template <std::size_t N>
constexpr std::size_t total(const std::array<std::size_t, N>& a) {
  std::size_t s = 0;
  for (auto v : a) s += v;
  return s;
}

/// Every sample of `x` (a whole number of samples) through `net`'s predict; the outputs, sample after
/// sample.
template <class Net>
std::vector<float> predict_samples(Net& net, const std::vector<float>& x) {
  using sizes = sample_sizes<Net>;
  constexpr std::size_t in = total(sizes::inputs), out = total(sizes::outputs);
  std::vector<float> y;
  y.reserve(x.size() / in * out);
  for (std::size_t s = 0; s < x.size() / in; ++s) {
    const float* at = x.data() + s * in;
    if constexpr (graph<Net>) {
      static auto ws = std::make_unique<typename Net::template workspace<1>>();
      const auto got = [&]<std::size_t... I>(std::index_sequence<I...>) {
        constexpr auto offsets = [] {
          std::array<std::size_t, sizeof...(I)> o{};
          for (std::size_t k = 1; k < o.size(); ++k) o[k] = o[k - 1] + sizes::inputs[k - 1];
          return o;
        }();
        return net.predict(*ws, Eigen::Map<const Eigen::Matrix<float, sizes::inputs[I], 1>>(at + offsets[I])...);
      }(std::make_index_sequence<Net::input_count>{});
      std::apply([&](const auto&... o) { (y.insert(y.end(), o.data(), o.data() + o.size()), ...); }, got);
    } else {
      const Eigen::Matrix<float, in, 1> sample = Eigen::Map<const Eigen::Matrix<float, in, 1>>(at);
      const auto got = net.predict(sample);
      y.insert(y.end(), got.data(), got.data() + got.size());
    }
  }
  return y;
}

}  // namespace support
