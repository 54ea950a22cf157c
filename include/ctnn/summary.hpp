/// @file Defines `ctnn::summary`, a Keras-like table of a network's layers, shapes and parameters.
// SPDX-License-Identifier: MIT
#pragma once

#include <cctype>
#include <cstddef>
#include <cstdio>
#include <map>
#include <ostream>
#include <string>
#include <utility>

#include "sequential.hpp"

namespace ctnn {

namespace detail {
/// 669706 -> "669,706".
inline std::string group_thousands(std::size_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}
inline std::string human_bytes(std::size_t bytes) {
  const char* units[] = {"B", "KB", "MB", "GB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 3) {
    v /= 1024.0;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 ? "%.0f %s" : "%.2f %s", v, units[u]);
  return buf;
}
template <Shape S>
std::string batch_shape_string() {
  std::string s = "(None";
  for (std::size_t d : S::dims) s += ", " + std::to_string(d);
  return s + ")";
}
inline std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s + ' ';
}
}  // namespace detail

/// Prints the layers of `Net` with their output shapes and parameter counts, then the totals, as
/// Keras' model.summary() does. Every number is a compile-time constant of the type.
template <class Net>
void summary(std::ostream& os) {
  using Scalar = typename Net::scalar;
  const std::string rule(72, '_'), double_rule(72, '=');
  os << "Model: \"sequential\"\n" << rule << '\n';
  os << ' ' << detail::pad("Layer (type)", 32) << detail::pad("Output Shape", 26) << "Param #\n"
     << double_rule << '\n';
  std::map<std::string, int> seen;
  // A block's row counts all its parameters; the rows of its branches' layers follow, indented two
  // spaces per level and marked with their branch, as Keras' nested summaries (expand_nested) show.
  std::size_t index = 0;
  auto row = [&]<class Spec, class Bound, class In>(std::size_t, std::size_t level, std::size_t branch,
                                                    std::size_t) {
    std::string type(Spec::name), lower;
    for (char c : type) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const int k = seen[lower]++;
    std::string label = (k == 0 ? lower : lower + "_" + std::to_string(k)) + " (" + type + ")";
    if (level > 0) label = std::string(2 * level, ' ') + std::to_string(branch) + ": " + label;
    os << ' ' << detail::pad(label, 32)
       << detail::pad(detail::batch_shape_string<typename Bound::output_shape>(), 26)
       << detail::group_thousands(Bound::parameter_count) << '\n';
  };
  detail::walk_layers<typename Net::chain>(row, index);
  const std::size_t bytes = Net::parameter_count * sizeof(Scalar);
  os << double_rule << '\n'
     << "Total params: " << detail::group_thousands(Net::parameter_count) << " ("
     << detail::human_bytes(bytes) << ")\n"
     << "Trainable params: " << detail::group_thousands(Net::parameter_count) << " ("
     << detail::human_bytes(bytes) << ")\n"
     << "Non-trainable params: 0 (0 B)\n"
     << rule << '\n';
}

}  // namespace ctnn
