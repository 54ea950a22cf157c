// Runs ONNX's conformance cases that tools/ctnn_onnx.py mapped (tests/onnx/conformance.py writes each
// case's type into cases.cpp, and its weights, input and expected output into a directory): loads the
// weights into the type (a Sequential or a Graph), predicts every sample and compares with the expected output,
// |ctnn - expected| <= 1e-6 + 1e-5 |expected|. Prints "case <tab> operators <tab> pass|fail <tab> largest
// difference" per case.
#pragma once

#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctnn/ctnn.hpp>
#include <exception>
#include <fstream>
#include <iostream>
#include <iterator>
#include <memory>
#include <string>
#include <vector>

#include "samples.hpp"

namespace conformance {

inline std::vector<float> read_floats(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<char> raw((std::istreambuf_iterator<char>(in)), {});
  std::vector<float> out(raw.size() / sizeof(float));
  std::memcpy(out.data(), raw.data(), out.size() * sizeof(float));
  return out;
}

struct result {
  bool pass;
  double largest;  // the largest |ctnn - expected|
  std::string why;
};

template <class Net>
result run(const std::string& dir) {
  auto net = std::make_unique<Net>();
  ctnn::load(*net, dir + "/weights.ctnn");
  const auto x = read_floats(dir + "/x.f32"), want = read_floats(dir + "/y.f32");
  constexpr std::size_t in = support::total(support::sample_sizes<Net>::inputs),
                        out = support::total(support::sample_sizes<Net>::outputs);
  if (x.empty() || x.size() % in != 0 || want.size() != x.size() / in * out)
    return {false, 0.0, "the input or expected output is not a whole number of samples"};
  const auto got = support::predict_samples(*net, x);
  double largest = 0;
  bool pass = true;
  for (std::size_t k = 0; k < got.size(); ++k) {
    const double diff = std::abs(double(got[k]) - want[k]);
    largest = std::max(largest, diff);
    pass = pass && diff <= 1e-6 + 1e-5 * std::abs(double(want[k]));
  }
  return {pass, largest, ""};
}

struct entry {
  const char* name;
  const char* ops;
  const char* dir;
  result (*run)(const std::string&);
};

template <std::size_t N>
int main(int argc, char** argv, const entry (&cases)[N]) {
  if (argc != 2) {
    std::cerr << "usage: " << argv[0] << " CASES_DIR\n";
    return 2;
  }
  int failures = 0;
  for (const auto& c : cases) {
    result r{false, 0.0, ""};
    try {
      r = c.run(std::string(argv[1]) + "/" + c.dir);
    } catch (const std::exception& e) {
      r.why = e.what();
    }
    failures += !r.pass;
    std::printf("%s\t%s\t%s\t%.3g\n", c.name, c.ops, r.pass ? "pass" : (r.why.empty() ? "fail" : r.why.c_str()),
                r.largest);
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace conformance
