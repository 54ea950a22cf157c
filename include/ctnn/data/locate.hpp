/// @file Defines `ctnn::data::data_error` and `ctnn::data::locate`, which finds a data set's folder.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "../detail/text.hpp"

namespace ctnn::data {

/// A data set could not be found or read; the message says which file and what is wrong.
class data_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The folders searched for data, in order: `explicit_dir` (a command-line flag) if given,
/// $CTNN_DATA_DIR if set, ./data, ../shared/data.
inline std::vector<std::filesystem::path> data_roots(const std::filesystem::path& explicit_dir = {}) {
  std::vector<std::filesystem::path> roots;
  if (!explicit_dir.empty()) roots.push_back(explicit_dir);
  if (const char* env = std::getenv("CTNN_DATA_DIR"); env && *env) roots.emplace_back(env);
  roots.emplace_back("data");
  roots.emplace_back("../shared/data");
  return roots;
}

/// The folder that holds `probe` (or `probe.gz`): `root/dataset/` or `root/` itself, for the first
/// root of data_roots() that has it. Throws data_error naming every place it looked.
inline std::filesystem::path locate(const std::string& dataset, const std::string& probe,
                                    const std::filesystem::path& explicit_dir = {}) {
  std::string looked;
  for (const auto& root : data_roots(explicit_dir)) {
    for (const auto& dir : {root / dataset, root}) {
      std::error_code ec;
      for (const auto& name : {probe, probe + ".gz"}) {
        if (std::filesystem::is_regular_file(dir / name, ec)) return dir;
      }
      looked += "\n  " + std::filesystem::absolute(dir / probe, ec).string() + "[.gz]";
    }
  }
  throw data_error(
      detail::concat("ctnn: cannot find the ", dataset, " data set; looked for", looked,
                     "\nSet CTNN_DATA_DIR to the folder that holds it, or pass the folder to the "
                     "loader (load_mnist(dir), load_cifar10(dir); the examples' --data DIR)."));
}

}  // namespace ctnn::data
