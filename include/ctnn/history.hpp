/// @file Defines `ctnn::history`: per-epoch figures from `fit`, written as CSV.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <stdexcept>
#include <string>
#include <vector>

#include "detail/text.hpp"

namespace ctnn {

/// Named series with one value per epoch: "loss", "accuracy", "val_loss", "val_accuracy", ...
class history {
 public:
  void record(const std::string& name, double value) {
    for (std::size_t i = 0; i < names_.size(); ++i)
      if (names_[i] == name) {
        series_[i].push_back(value);
        return;
      }
    names_.push_back(name);
    series_.push_back({value});
  }
  /// Adds an empty series `name` unless there is one: fit declares every series it records before
  /// the first epoch, so a fit of 0 epochs returns them present and empty.
  void declare(const std::string& name) {
    if (!has(name)) {
      names_.push_back(name);
      series_.emplace_back();
    }
  }
  bool has(const std::string& name) const {
    for (const auto& n : names_)
      if (n == name) return true;
    return false;
  }
  const std::vector<double>& operator[](const std::string& name) const {
    for (std::size_t i = 0; i < names_.size(); ++i)
      if (names_[i] == name) return series_[i];
    throw std::out_of_range(detail::concat("ctnn::history has no series named '", name, "'"));
  }
  const std::vector<std::string>& names() const noexcept { return names_; }
  std::size_t epochs() const noexcept { return series_.empty() ? 0 : series_.front().size(); }

  /// epoch,loss,accuracy,...: one row per epoch, epochs counted from 1.
  void write_csv(const std::filesystem::path& file) const {
    std::ofstream out(file);
    if (!out) throw std::runtime_error(detail::concat("ctnn: cannot write history to '", file.string(), "'"));
    out << "epoch";
    for (const auto& n : names_) out << ',' << n;
    out << '\n' << std::setprecision(8);
    for (std::size_t e = 0; e < epochs(); ++e) {
      out << e + 1;
      for (const auto& s : series_) out << ',' << (e < s.size() ? s[e] : 0.0);
      out << '\n';
    }
    if (!out)
      throw std::runtime_error(detail::concat("ctnn: writing history to '", file.string(), "' failed"));
  }

 private:
  std::vector<std::string> names_;
  std::vector<std::vector<double>> series_;
};

}  // namespace ctnn
