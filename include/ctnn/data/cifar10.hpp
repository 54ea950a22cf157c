/// @file Defines `ctnn::data::load_cifar10` and `ctnn::data::read_cifar10_batches`, a reader for the
/// CIFAR-10 binary version (and includes `ctnn::data::one_hot`). Needs zlib (link ctnn::data or -lz).
// SPDX-License-Identifier: MIT
#pragma once

#include <Eigen/Core>
#include <array>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "../detail/text.hpp"
#include "idx.hpp"
#include "locate.hpp"
#include "one_hot.hpp"

namespace ctnn::data {

/// Colour images as columns of 32 * 32 * 3 = 3072 values in [0, 1], in ctnn's HWC order (pixel by
/// pixel, row by row, red-green-blue within a pixel: `shape<32, 32, 3>`), and labels 0-9.
struct colour_image_set {
  Eigen::Matrix<float, 3072, Eigen::Dynamic> images;
  std::vector<int> labels;
  std::size_t size() const noexcept { return labels.size(); }
};
struct cifar10 {
  colour_image_set train, test;  ///< 50,000 (data_batch_1-5, in order) and 10,000 (test_batch)
};

/// The class names, in label order (batches.meta.txt).
inline constexpr std::array<std::string_view, 10> cifar10_classes = {
    "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"};

}  // namespace ctnn::data

namespace ctnn::detail {
/// The checked bytes of one CIFAR-10 binary batch file: a whole number of records, labels 0-9.
inline std::vector<std::uint8_t> read_cifar10_records(const std::filesystem::path& file) {
  constexpr std::size_t record = 1 + 3072;
  std::vector<std::uint8_t> bytes = data::read_maybe_gzip(file);
  const std::string where = concat("'", file.string(), "'");
  if (bytes.empty()) throw data::data_error(concat("ctnn: ", where, " is empty"));
  if (bytes.size() % record != 0)
    throw data::data_error(concat("ctnn: ", where, " is not a CIFAR-10 batch: its ",
                                  std::to_string(bytes.size()), " bytes are not a whole number of ",
                                  std::to_string(record), "-byte records (truncated?)"));
  for (std::size_t i = 0; i < bytes.size() / record; ++i)
    if (bytes[i * record] > 9)
      throw data::data_error(concat("ctnn: ", where, " has label ", std::to_string(bytes[i * record]),
                                    " in record ", std::to_string(i), "; CIFAR-10 labels are 0-9"));
  return bytes;
}

/// Decodes checked batch files into one set: planes (R, G, B) to HWC, bytes to [0, 1].
inline data::colour_image_set decode_cifar10(const std::vector<std::vector<std::uint8_t>>& files) {
  constexpr std::size_t plane = 32 * 32, record = 1 + 3 * plane;
  std::size_t n = 0;
  for (const auto& f : files) n += f.size() / record;
  data::colour_image_set out;
  out.images.resize(3072, static_cast<Eigen::Index>(n));
  out.labels.reserve(n);
  for (const auto& f : files)
    for (std::size_t i = 0; i < f.size() / record; ++i) {
      const std::uint8_t* r = f.data() + i * record;
      float* col = out.images.col(static_cast<Eigen::Index>(out.labels.size())).data();
      out.labels.push_back(r[0]);
      for (std::size_t p = 0; p < plane; ++p)
        for (std::size_t c = 0; c < 3; ++c) col[p * 3 + c] = r[1 + c * plane + p] / 255.0f;
    }
  return out;
}
}  // namespace ctnn::detail

namespace ctnn::data {

/// Reads CIFAR-10 binary batch files (each gzip-compressed or not) into one set, in the order given.
/// A record is one label byte and 3072 pixel bytes: the red plane, the green plane, the blue plane,
/// each 32x32 row by row. Throws data_error naming the file for a missing or empty file, a size that
/// is not a whole number of records, or a label outside 0-9 (naming the record).
inline colour_image_set read_cifar10_batches(const std::vector<std::filesystem::path>& files) {
  std::vector<std::vector<std::uint8_t>> bytes;
  for (const auto& f : files) bytes.push_back(detail::read_cifar10_records(f));
  return detail::decode_cifar10(bytes);
}

/// Loads CIFAR-10 from the first folder data_roots(dir) finds it in: `cifar-10-batches-bin/` (the
/// name the official archive unpacks to) holding data_batch_1..5.bin and test_batch.bin, each
/// optionally gzip-compressed.
inline cifar10 load_cifar10(const std::filesystem::path& dir = {}) {
  const auto folder = locate("cifar-10-batches-bin", "test_batch.bin", dir);
  auto file = [&](const std::string& name) {
    std::error_code ec;
    return std::filesystem::exists(folder / (name + ".gz"), ec) ? folder / (name + ".gz") : folder / name;
  };
  std::vector<std::filesystem::path> train;
  for (int b = 1; b <= 5; ++b) train.push_back(file("data_batch_" + std::to_string(b) + ".bin"));
  return {read_cifar10_batches(train), read_cifar10_batches({file("test_batch.bin")})};
}

}  // namespace ctnn::data
