/// @file The checkpoint part of ctnn's file format (docs/format.md): named sections after the model
/// part, and an optimiser's state as one of them.
// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "../detail/text.hpp"
#include "bytes.hpp"

namespace ctnn {

namespace detail {

/// A checkpoint's named sections, after the model part: u32 count, then per section its name (string),
/// its length (u64) and its bytes.
struct section {
  std::string name;
  std::vector<std::uint8_t> bytes;
};
inline void put_sections(byte_writer& w, const std::vector<section>& sections) {
  w.put(static_cast<std::uint32_t>(sections.size()));
  for (const auto& s : sections) {
    w.put(std::string_view(s.name));
    w.put(static_cast<std::uint64_t>(s.bytes.size()));
    w.append(s.bytes.data(), s.bytes.size());
  }
}
inline std::vector<section> get_sections(byte_reader& r) {
  std::vector<section> out;
  const auto n = r.get<std::uint32_t>("the section count");
  for (std::uint32_t i = 0; i < n; ++i) {
    section s;
    s.name = r.get_string("a section name");
    const auto length = r.get<std::uint64_t>("a section length");
    const auto body = r.get_bytes(length, "a section");
    s.bytes.assign(body.begin(), body.end());
    out.push_back(std::move(s));
  }
  if (r.left() != 0) r.fail(concat("has ", std::to_string(r.left()), " unexpected bytes after its sections"));
  return out;
}

/// An optimiser's state as a section: per slot its name (string), then either kind 0, a count (u64)
/// and that many scalars, or kind 1 and one i64 counter.
template <class Scalar, class State>
std::vector<std::uint8_t> optimizer_section(State& state) {
  byte_writer w;
  state.visit([&](std::string_view name, auto&&... slot) {
    w.put(name);
    if constexpr (sizeof...(slot) == 2) {
      const auto [data, count] = std::tuple(slot...);
      w.put(std::uint32_t{0});
      w.put(static_cast<std::uint64_t>(count));
      w.put_array(data, count);
    } else {
      w.put(std::uint32_t{1});
      w.put(static_cast<std::int64_t>((slot, ...)));
    }
  });
  return std::move(w.bytes);
}
/// Reads an optimiser section into `state`'s slots, checking every name, kind and size first, so
/// that `state` changes only if all of it fits.
template <class Scalar, class State>
void read_optimizer_section(State& state, const section& s, const std::string& file,
                            std::string_view optimizer) {
  struct slot {
    std::string name;
    std::uint32_t kind;
    std::vector<Scalar> values;
    std::int64_t counter = 0;
  };
  byte_reader r(s.bytes, file);
  std::vector<slot> slots;
  while (r.left() > 0) {
    slot sl;
    sl.name = r.get_string("an optimiser slot name");
    sl.kind = r.get<std::uint32_t>("an optimiser slot kind");
    if (sl.kind == 0) {
      const auto n = r.get<std::uint64_t>("an optimiser slot size");
      r.need_items(n, sizeof(Scalar), "an optimiser slot");
      sl.values.resize(n);
      for (auto& v : sl.values) v = r.get<Scalar>("an optimiser slot");
    } else {
      sl.counter = r.get<std::int64_t>("an optimiser counter");
    }
    slots.push_back(std::move(sl));
  }
  std::string names;
  for (const auto& sl : slots) names += (names.empty() ? "" : ", ") + sl.name;
  std::size_t i = 0;
  state.visit([&](std::string_view name, auto&&... field) {
    bool fits = i < slots.size() && slots[i].name == name;
    if constexpr (sizeof...(field) == 2)
      fits = fits && slots[i].kind == 0 && slots[i].values.size() == std::get<1>(std::tuple(field...));
    else
      fits = fits && slots[i].kind == 1;
    if (!fits)
      r.fail(concat("its optimiser state (", names, ") does not fit this trainer's ", std::string(optimizer),
                    ": the checkpoint was made with another optimiser"));
    ++i;
  });
  if (i != slots.size())
    r.fail(concat("its optimiser state (", names, ") does not fit this trainer's ", std::string(optimizer)));
  i = 0;
  state.visit([&](std::string_view, auto&&... field) {
    if constexpr (sizeof...(field) == 2)
      std::copy(slots[i].values.begin(), slots[i].values.end(), std::get<0>(std::tuple(field...)));
    else
      ((field = slots[i].counter), ...);
    ++i;
  });
}

}  // namespace detail
}  // namespace ctnn
