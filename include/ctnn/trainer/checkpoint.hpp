/// @file Where training stands after an epoch (the epochs done, the shuffle order, every random
/// generator, the history): what a checkpoint holds besides the model and the optimiser's state, and
/// its two sections of the checkpoint format (docs/format.md).
// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "../history.hpp"
#include "../io/bytes.hpp"
#include "../io/checkpoint_format.hpp"
#include "../random.hpp"

namespace ctnn::detail {

struct training_position {
  std::size_t epochs = 0;
  random_engine shuffler;
  std::vector<std::array<std::uint64_t, 4>> lanes;  // each thread's generator
  std::vector<std::uint32_t> order;
  history record;

  /// Appends the "progress" and "history" sections.
  void put(std::vector<section>& sections) const {
    byte_writer p;
    p.put(static_cast<std::uint64_t>(epochs));
    for (auto word : shuffler.state()) p.put(word);
    p.put(static_cast<std::uint32_t>(lanes.size()));
    for (const auto& lane_state : lanes)
      for (auto word : lane_state) p.put(word);
    p.put(static_cast<std::uint64_t>(order.size()));
    for (auto i : order) p.put(i);
    sections.push_back({"progress", std::move(p.bytes)});
    byte_writer h;
    h.put(static_cast<std::uint32_t>(record.names().size()));
    for (const auto& name : record.names()) {
      h.put(std::string_view(name));
      h.put(static_cast<std::uint64_t>(record[name].size()));
      for (double v : record[name]) h.put(v);
    }
    sections.push_back({"history", std::move(h.bytes)});
  }
  /// Reads them back; load_error (from the readers) for anything out of place.
  static training_position get(const section& progress, const section& history_section,
                               const std::string& file) {
    training_position next;
    byte_reader p(progress.bytes, file);
    next.epochs = p.get<std::uint64_t>("the epoch count");
    std::array<std::uint64_t, 4> words;
    for (auto& word : words) word = p.get<std::uint64_t>("the shuffler's state");
    next.shuffler.set_state(words);
    const auto lanes = p.get<std::uint32_t>("the thread count");
    p.need_items(lanes, 32, "the threads' generators");
    next.lanes.resize(lanes);
    for (auto& lane_state : next.lanes)
      for (auto& word : lane_state) word = p.get<std::uint64_t>("a thread's generator");
    const auto n = p.get<std::uint64_t>("the sample count");
    p.need_items(n, 4, "the shuffle order");
    next.order.resize(n);
    for (auto& i : next.order) {
      i = p.get<std::uint32_t>("the shuffle order");
      if (i >= n) p.fail("the shuffle order names a sample past the end");
    }
    byte_reader h(history_section.bytes, file);
    const auto series = h.get<std::uint32_t>("the history's series count");
    for (std::uint32_t k = 0; k < series; ++k) {
      const std::string name = h.get_string("a history name");
      const auto count = h.get<std::uint64_t>("a history length");
      h.need_items(count, 8, "a history series");
      for (std::uint64_t e = 0; e < count; ++e) next.record.record(name, h.get<double>("a history value"));
    }
    return next;
  }
};

}  // namespace ctnn::detail
