/// @file Defines `ctnn::confusion_matrix` and the classification metrics computed from it: accuracy,
/// precision, recall and F1 (macro averages).
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <iomanip>
#include <ostream>
#include <vector>

namespace ctnn {

/// Which metrics `fit` reports per epoch (loss is always reported).
enum class metric { accuracy, precision, recall, f1 };

inline const char* metric_name(metric m) {
  switch (m) {
    case metric::accuracy:
      return "accuracy";
    case metric::precision:
      return "precision";
    case metric::recall:
      return "recall";
    case metric::f1:
      return "f1";
  }
  return "?";
}

/// counts(truth, predicted) over `classes` classes. Adding a sample never allocates.
class confusion_matrix {
 public:
  explicit confusion_matrix(std::size_t classes = 2) : classes_(classes), counts_(classes * classes, 0) {}

  void add(std::size_t truth, std::size_t predicted) noexcept {
    if (truth < classes_ && predicted < classes_) ++counts_[truth * classes_ + predicted];
  }
  void clear() noexcept { std::fill(counts_.begin(), counts_.end(), 0); }

  std::size_t classes() const noexcept { return classes_; }
  std::uint64_t operator()(std::size_t truth, std::size_t predicted) const noexcept {
    return counts_[truth * classes_ + predicted];
  }
  std::uint64_t total() const noexcept {
    std::uint64_t t = 0;
    for (auto c : counts_) t += c;
    return t;
  }
  double accuracy() const noexcept {
    std::uint64_t right = 0;
    for (std::size_t c = 0; c < classes_; ++c) right += (*this)(c, c);
    const auto t = total();
    return t == 0 ? 0.0 : static_cast<double>(right) / static_cast<double>(t);
  }
  /// Of the samples predicted as c, the fraction that are c (0 when none is predicted as c).
  double precision(std::size_t c) const noexcept {
    std::uint64_t predicted = 0;
    for (std::size_t t = 0; t < classes_; ++t) predicted += (*this)(t, c);
    return predicted == 0 ? 0.0 : static_cast<double>((*this)(c, c)) / static_cast<double>(predicted);
  }
  /// Of the samples that are c, the fraction predicted as c.
  double recall(std::size_t c) const noexcept {
    std::uint64_t actual = 0;
    for (std::size_t p = 0; p < classes_; ++p) actual += (*this)(c, p);
    return actual == 0 ? 0.0 : static_cast<double>((*this)(c, c)) / static_cast<double>(actual);
  }
  double f1(std::size_t c) const noexcept {
    const double p = precision(c), r = recall(c);
    return p + r == 0 ? 0.0 : 2 * p * r / (p + r);
  }
  /// Unweighted means over classes (scikit-learn's average='macro').
  double macro_precision() const noexcept {
    return mean([this](std::size_t c) { return precision(c); });
  }
  double macro_recall() const noexcept {
    return mean([this](std::size_t c) { return recall(c); });
  }
  double macro_f1() const noexcept {
    return mean([this](std::size_t c) { return f1(c); });
  }

  double value(metric m) const noexcept {
    switch (m) {
      case metric::accuracy:
        return accuracy();
      case metric::precision:
        return macro_precision();
      case metric::recall:
        return macro_recall();
      case metric::f1:
        return macro_f1();
    }
    return 0;
  }

  /// Rows are true classes, columns predicted ones.
  friend std::ostream& operator<<(std::ostream& os, const confusion_matrix& m) {
    os << "true\\pred";
    for (std::size_t p = 0; p < m.classes_; ++p) os << std::setw(7) << p;
    os << '\n';
    for (std::size_t t = 0; t < m.classes_; ++t) {
      os << std::setw(9) << t;
      for (std::size_t p = 0; p < m.classes_; ++p) os << std::setw(7) << m(t, p);
      os << '\n';
    }
    return os;
  }

 private:
  template <class F>
  double mean(F f) const noexcept {
    double s = 0;
    for (std::size_t c = 0; c < classes_; ++c) s += f(c);
    return classes_ == 0 ? 0.0 : s / static_cast<double>(classes_);
  }
  std::size_t classes_;
  std::vector<std::uint64_t> counts_;
};

}  // namespace ctnn
