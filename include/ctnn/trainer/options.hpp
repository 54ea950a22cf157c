/// @file What trainer::fit is asked (fit_options, early_stopping) and what evaluate answers
/// (evaluation), and the error a diverging fit throws.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "../metrics.hpp"

namespace ctnn {

/// Training stopped because the loss stopped being a number; the message names the epoch and step.
class training_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Stop when a monitored figure has not improved for `patience` epochs.
struct early_stopping {
  std::string monitor = "val_loss";  ///< a history name; "loss" in it means lower is better
  std::size_t patience = 0;
  double min_delta = 0.0;
  bool restore_best_weights = false;
};

struct fit_options {
  std::size_t epochs = 1;
  std::size_t batch_size = 32;  ///< Keras' default; at most the trainer's MaxBatch
  bool shuffle = true;          ///< reshuffle every epoch
  std::uint64_t seed = 0;       ///< shuffling and Dropout masks
  int verbose = 1;              ///< 0: quiet; 1: a progress line per epoch (in place on a terminal)
  std::ostream* out = &std::cout;
  std::vector<metric> metrics = {};  ///< empty: accuracy for classification losses, nothing for MSE
  std::optional<early_stopping> stop = std::nullopt;
  /// Threads that share each batch (data parallel: each runs forward and backward on its share of
  /// the samples, the gradients are summed in a fixed order). 0: every core. Results with a fixed
  /// seed are the same for the same thread count; different counts round differently.
  std::size_t threads = 1;
  /// When set, a checkpoint (trainer::save_checkpoint) is written here after every epoch.
  std::filesystem::path checkpoint = {};
  /// When set, the model (ctnn::save) is written here after every epoch that improves `best_monitor`
  /// (a history name; "loss" in it means lower is better).
  std::filesystem::path best_model = {};
  std::string best_monitor = "val_accuracy";
  /// When set, called before every epoch as Keras' LearningRateScheduler: schedule(epoch, rate), the
  /// epoch counted from 0 and the optimiser's current learning rate, returns the rate for this epoch
  /// (finite, not negative). The history records it as "learning_rate". A resumed checkpoint goes on
  /// calling it from the epoch it stopped at.
  std::function<double(std::size_t epoch, double learning_rate)> learning_rate_schedule = {};
};

/// One output's part of a Graph's evaluation: its name, its own (unweighted) loss, its confusion matrix.
struct output_evaluation {
  std::string name;
  double loss = 0;
  confusion_matrix confusion;
  double accuracy() const { return confusion.accuracy(); }
};

/// What evaluate() measures over a whole data set. For a Graph, `loss` is the weighted sum of the
/// outputs' losses, `outputs` holds each output's, and `confusion` is the first output's.
struct evaluation {
  double loss = 0;
  confusion_matrix confusion;
  std::vector<output_evaluation> outputs = {};
  double accuracy() const { return confusion.accuracy(); }
};

}  // namespace ctnn
