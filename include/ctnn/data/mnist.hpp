/// @file Defines `ctnn::data::load_mnist` (and includes `ctnn::data::one_hot`). Needs zlib (link ctnn::data
/// or -lz).
// SPDX-License-Identifier: MIT
#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "../detail/text.hpp"
#include "idx.hpp"
#include "locate.hpp"
#include "one_hot.hpp"

namespace ctnn::data {

/// Images as columns of 784 values in [0, 1] (row by row, as in the file), labels 0-9.
struct image_set {
  Eigen::Matrix<float, 784, Eigen::Dynamic> images;
  std::vector<int> labels;
  std::size_t size() const noexcept { return labels.size(); }
};
struct mnist {
  image_set train, test;
};

/// Reads one MNIST image file and its label file, checking that they fit each other.
inline image_set read_mnist_pair(const std::filesystem::path& images_file,
                                 const std::filesystem::path& labels_file) {
  const idx_array images = read_idx(images_file, 3);
  const idx_array labels = read_idx(labels_file, 1);
  if (images.dims.size() != 3 || images.dims[1] != 28 || images.dims[2] != 28)
    throw data_error(detail::concat("ctnn: '", images_file.string(), "' is not a file of 28x28 images"));
  if (labels.dims.size() != 1)
    throw data_error(
        detail::concat("ctnn: '", labels_file.string(), "' is not a label file (one dimension expected)"));
  if (labels.dims[0] != images.dims[0])
    throw data_error(detail::concat("ctnn: '", images_file.string(), "' holds ",
                                    std::to_string(images.dims[0]), " images but '", labels_file.string(),
                                    "' holds ", std::to_string(labels.dims[0]), " labels"));
  image_set out;
  const auto n = static_cast<Eigen::Index>(images.dims[0]);
  out.images.resize(784, n);
  for (Eigen::Index i = 0; i < 784 * n; ++i)
    out.images.data()[i] = images.values[static_cast<std::size_t>(i)] / 255.0f;
  out.labels.reserve(labels.values.size());
  for (std::size_t i = 0; i < labels.values.size(); ++i) {
    if (labels.values[i] > 9)
      throw data_error(detail::concat("ctnn: '", labels_file.string(), "' has label ",
                                      std::to_string(labels.values[i]), " at index ", std::to_string(i),
                                      "; MNIST labels are 0-9"));
    out.labels.push_back(labels.values[i]);
  }
  return out;
}

/// Loads MNIST (train 60,000, test 10,000) from the first folder data_roots(dir) finds it in.
inline mnist load_mnist(const std::filesystem::path& dir = {}) {
  const auto folder = locate("mnist", "train-images-idx3-ubyte", dir);
  auto file = [&](const std::string& name) {
    std::error_code ec;
    return std::filesystem::exists(folder / (name + ".gz"), ec) ? folder / (name + ".gz") : folder / name;
  };
  return {read_mnist_pair(file("train-images-idx3-ubyte"), file("train-labels-idx1-ubyte")),
          read_mnist_pair(file("t10k-images-idx3-ubyte"), file("t10k-labels-idx1-ubyte"))};
}

}  // namespace ctnn::data
