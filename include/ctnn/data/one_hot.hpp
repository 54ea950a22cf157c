/// @file Defines `ctnn::data::one_hot`, labels to one-hot target columns.
// SPDX-License-Identifier: MIT
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <span>
#include <stdexcept>
#include <string>

#include "../detail/text.hpp"

namespace ctnn::data {

/// Labels to one-hot columns: Classes rows, one column per label. Throws on a label outside [0, Classes).
template <std::size_t Classes, class Scalar = float>
Eigen::Matrix<Scalar, static_cast<int>(Classes), Eigen::Dynamic> one_hot(std::span<const int> labels) {
  Eigen::Matrix<Scalar, static_cast<int>(Classes), Eigen::Dynamic> out =
      Eigen::Matrix<Scalar, static_cast<int>(Classes), Eigen::Dynamic>::Zero(
          Classes, static_cast<Eigen::Index>(labels.size()));
  for (std::size_t j = 0; j < labels.size(); ++j) {
    if (labels[j] < 0 || static_cast<std::size_t>(labels[j]) >= Classes)
      throw std::invalid_argument(detail::concat("ctnn::data::one_hot: label ", std::to_string(labels[j]),
                                                 " at index ", std::to_string(j), " is outside [0, ",
                                                 std::to_string(Classes), ")"));
    out(labels[j], static_cast<Eigen::Index>(j)) = Scalar(1);
  }
  return out;
}

}  // namespace ctnn::data
