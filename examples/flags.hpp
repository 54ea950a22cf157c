// The command-line flags the MNIST recipes share: --epochs N, --data DIR, --history FILE.csv,
// --seed N, --threads N, --quiet. Unknown flags are an error, so a typo is not silently ignored.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>

struct recipe_flags {
  std::size_t epochs;
  std::string data;     // empty: $CTNN_DATA_DIR, ./data, ../shared/data
  std::string history;  // empty: do not write
  std::uint64_t seed = 1;
  std::size_t threads = 0;  // 0: every core (fit_options::threads)
  bool quiet = false;
};

inline recipe_flags parse_flags(int argc, char** argv, std::size_t default_epochs) {
  recipe_flags f{default_epochs, {}, {}};
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << argv[0] << ": " << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--epochs")
      f.epochs = std::stoul(value());
    else if (a == "--data")
      f.data = value();
    else if (a == "--history")
      f.history = value();
    else if (a == "--seed")
      f.seed = std::stoull(value());
    else if (a == "--threads")
      f.threads = std::stoul(value());
    else if (a == "--quiet")
      f.quiet = true;
    else {
      std::cerr << "usage: " << argv[0]
                << " [--epochs N] [--data DIR] [--history FILE.csv] [--seed N] [--threads N] [--quiet]\n";
      std::exit(2);
    }
  }
  return f;
}
