/// @file The trainer's progress lines (Keras' layout) and the terminal's width.
// SPDX-License-Identifier: MIT
#pragma once

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

namespace ctnn::detail {

/// A progress line in parts: "469/469", the bar's fill (0 to 1), " - 2.0s 4ms/step" or " - ETA: 3s",
/// then fields "loss: 0.2345", "accuracy: 0.9300", ...
struct progress_parts {
  std::string counts;
  double fill = 0;
  std::string timing;
  std::vector<std::string> fields;
};

/// A figure as Keras prints it: four decimals.
inline std::string format4(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4f", v);
  return buf;
}

/// The parts of the line after `step` of `steps` steps, `elapsed` seconds in: the ETA while running, the
/// time per step when done; each figure as "prefix+name: value".
inline progress_parts progress(std::size_t step, std::size_t steps, double elapsed,
                               const std::vector<std::pair<std::string, double>>& figures,
                               const std::string& prefix, bool done) {
  progress_parts p;
  p.counts = std::to_string(step) + '/' + std::to_string(steps);
  p.fill = static_cast<double>(step) / static_cast<double>(steps);
  char buf[96];
  const double per_step = elapsed / static_cast<double>(step);
  if (done && per_step >= 1e-3)
    std::snprintf(buf, sizeof buf, " - %.1fs %.0fms/step", elapsed, per_step * 1e3);
  else if (done)
    std::snprintf(buf, sizeof buf, " - %.1fs %.0fus/step", elapsed, per_step * 1e6);
  else
    std::snprintf(buf, sizeof buf, " - ETA: %.0fs", per_step * static_cast<double>(steps - step));
  p.timing = buf;
  for (const auto& [name, value] : figures) p.fields.push_back(prefix + name + ": " + format4(value));
  return p;
}

/// Lays out a progress line, as Keras does: "469/469 [=====>....] - 2.0s 4ms/step - loss: 0.2345 -
/// accuracy: 0.9300". With `columns` above 0 (a terminal's width) the line stays shorter than that:
/// the bar narrows from 30 to 10 characters, then the last fields go (the loss stays), then the bar,
/// and what is still too long is cut. 0: no limit.
inline std::string progress_line(const progress_parts& p, std::size_t columns) {
  auto render = [&](int bar_width, std::size_t fields) {
    std::string s = p.counts;
    if (bar_width > 0) {
      const int filled = std::min(bar_width, static_cast<int>(bar_width * p.fill));
      std::string bar(static_cast<std::size_t>(filled), '=');
      if (filled < bar_width) bar += '>', bar.append(static_cast<std::size_t>(bar_width - filled - 1), '.');
      s += " [" + bar + ']';
    }
    s += p.timing;
    for (std::size_t i = 0; i < fields; ++i) s += " - " + p.fields[i];
    return s;
  };
  if (columns == 0) return render(30, p.fields.size());
  const std::size_t limit = columns - 1;  // the last column would wrap on some terminals
  for (int bar = 30; bar >= 10; --bar) {
    std::string s = render(bar, p.fields.size());
    if (s.size() <= limit) return s;
  }
  for (std::size_t fields = p.fields.size(); fields-- > 1;) {  // the narrowest bar, fewer fields
    std::string s = render(10, fields);
    if (s.size() <= limit) return s;
  }
  return render(0, p.fields.empty() ? 0 : 1).substr(0, limit);  // no bar, the loss alone, cut
}

/// The terminal's width: its window size, else $COLUMNS, else 80.
inline std::size_t terminal_columns() {
  winsize w{};
  if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 0) return w.ws_col;
  if (const char* c = std::getenv("COLUMNS")) {
    const long v = std::strtol(c, nullptr, 10);
    if (v > 0) return static_cast<std::size_t>(v);
  }
  return 80;
}

}  // namespace ctnn::detail
