/// @file Defines `ctnn::summary`, a Keras-like table of a network's layers, shapes and parameters.
// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdio>
#include <map>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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
/// A class name as Keras names its layers (keras.src.utils.naming.to_snake_case): "BatchNormalization"
/// -> "batch_normalization", "ReLU" -> "re_lu", "Conv2D" -> "conv2d".
inline std::string snake_case(std::string_view name) {
  auto upper = [](char c) { return c >= 'A' && c <= 'Z'; };
  auto lower = [](char c) { return c >= 'a' && c <= 'z'; };
  // First "(.)([A-Z][a-z]+)" -> "\1_\2", then "([a-z])([A-Z])" -> "\1_\2", then lower case.
  std::string first;
  for (std::size_t i = 0; i < name.size(); ++i) {
    if (i > 0 && upper(name[i]) && i + 1 < name.size() && lower(name[i + 1])) first += '_';
    first += name[i];
  }
  std::string out;
  for (std::size_t i = 0; i < first.size(); ++i) {
    if (i > 0 && lower(first[i - 1]) && upper(first[i])) out += '_';
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(first[i])));
  }
  return out;
}
inline std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s + ' ';
}
}  // namespace detail

/// Prints the layers of `Net` with their output shapes and parameter counts, then the totals, as
/// Keras' model.summary() does. Every number is a compile-time constant of the type. A Graph's table is
/// Keras' functional one: a row per input and per node, named as the node, and what each reads.
template <class Net>
void summary(std::ostream& os) {
  using Scalar = typename Net::scalar;
  constexpr bool graph = !requires {
    typename Net::chain;
  };
  struct row_text {
    std::string label, shape, count, reads;
  };
  std::vector<row_text> rows;
  std::map<std::string, int> seen;
  std::string node;  // a Graph's current node
  std::size_t node_index = 0;
  // A block's row counts all its weights; the rows of its branches' layers follow, indented two
  // spaces per level and marked with their branch, as Keras' nested summaries (expand_nested) show.
  // A row's count is Keras' (BatchNormalization: gamma, beta and its two moving statistics).
  std::size_t index = 0;
  auto row = [&]<class Spec, class Bound, class In>(std::size_t, std::size_t level, std::size_t branch,
                                                    std::size_t, std::size_t) {
    const std::string type(Spec::name), snake = detail::snake_case(type);
    std::string label, reads;
    if (graph && level == 0) {
      label = node + " (" + type + ")";
      if constexpr (graph)
        for (auto r : Net::reads_of(node_index)) reads += (reads.empty() ? "" : ", ") + std::string(r);
    } else {
      const int k = seen[snake]++;
      label = (k == 0 ? snake : snake + "_" + std::to_string(k)) + " (" + type + ")";
    }
    if (level > 0) label = std::string(2 * level, ' ') + std::to_string(branch) + ": " + label;
    rows.push_back({label, detail::batch_shape_string<typename Bound::output_shape>(),
                    detail::group_thousands(Bound::parameter_count + detail::buffer_count_of<Bound>()),
                    reads});
  };
  if constexpr (graph) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (rows.push_back({std::string(Net::names[I].view()) + " (InputLayer)",
                       detail::batch_shape_string<typename Net::template source_shape<I>>(), "0", "-"}),
       ...);
    }
    (std::make_index_sequence<Net::input_count>{});
    Net::walk_layers(
        row,
        [&](std::size_t k) {
          node_index = k;
          node = std::string(Net::names[Net::input_count + k].view());
        },
        index);
  } else {
    detail::walk_layers<typename Net::chain>(row, index);
  }
  std::size_t width = 32;
  for (const auto& r : rows) width = std::max(width, r.label.size() + 1);
  const std::size_t line_width = width + 40 + (graph ? 20 : 0);
  const std::string rule(line_width, '_'), double_rule(line_width, '=');
  os << "Model: \"" << (graph ? "functional" : "sequential") << "\"\n" << rule << '\n';
  os << ' ' << detail::pad("Layer (type)", width) << detail::pad("Output Shape", 26)
     << (graph ? detail::pad("Param #", 13) + "Connected to" : std::string("Param #")) << '\n'
     << double_rule << '\n';
  for (const auto& r : rows) {
    os << ' ' << detail::pad(r.label, width) << detail::pad(r.shape, 26);
    if (!r.reads.empty())
      os << detail::pad(r.count, 13) << r.reads;
    else
      os << r.count;
    os << '\n';
  }
  // Keras' three lines: BatchNormalization's moving mean and variance are its non-trainable params.
  constexpr std::size_t total = Net::parameter_count + Net::buffer_count;
  auto line = [&](const char* what, std::size_t count) {
    os << what << detail::group_thousands(count) << " (" << detail::human_bytes(count * sizeof(Scalar))
       << ")\n";
  };
  os << double_rule << '\n';
  line("Total params: ", total);
  line("Trainable params: ", Net::parameter_count);
  line("Non-trainable params: ", Net::buffer_count);
  os << rule << '\n';
}

}  // namespace ctnn
