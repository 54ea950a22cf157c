/// @file Defines `ctnn::trainer`: Keras-like fit, evaluate and predict over data held in memory.
// SPDX-License-Identifier: MIT
#pragma once

#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <ranges>
#include <span>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "detail/batch_sync.hpp"
#include "detail/storage.hpp"
#include "detail/team.hpp"
#include "detail/text.hpp"
#include "history.hpp"
#include "io.hpp"
#include "losses.hpp"
#include "metrics.hpp"
#include "name.hpp"
#include "optimizers/optimizer.hpp"
#include "random.hpp"
#include "trainer/checkpoint.hpp"
#include "trainer/data.hpp"
#include "trainer/options.hpp"
#include "trainer/progress.hpp"

namespace ctnn {

/// Trains `Net` with loss `L` and optimiser `Opt` (SGD, Adam, RMSprop, Adadelta) in batches of at
/// most MaxBatch samples. Data is a matrix with one sample per column (Net::input_shape::size rows);
/// targets are one column per sample (dense losses) or integer labels (sparse). A Graph trains with
/// `ctnn::losses<...>` (one loss per output, weighted) and takes its data as tuples, one entry per
/// input or output, by position or by name (`ctnn::at<"name">(x)`; docs/graph.md). Keeps a reference
/// to the network, which must outlive it. Everything is allocated in the constructor and at the start
/// of fit; the training step itself allocates nothing.
template <class Net, class L, class Opt, std::size_t MaxBatch = 128>
class trainer {
  using traits = detail::fit_traits<Net, L>;

 public:
  using scalar = typename Net::scalar;
  static constexpr bool graph = traits::graph;
  static constexpr std::size_t input_count = traits::input_count;
  static constexpr std::size_t output_count = traits::output_count;
  template <std::size_t I>
  static constexpr std::size_t input_size = traits::template input_size<I>;
  template <std::size_t O>
  static constexpr std::size_t output_size = traits::template output_size<O>;
  template <std::size_t O>
  using loss_type = typename traits::template loss<O>;
  template <std::size_t O>
  static constexpr bool sparse_at = std::is_same_v<loss_type<O>, SparseCategoricalCrossEntropy>;
  template <std::size_t O>
  static constexpr bool classifies = !std::is_same_v<loss_type<O>, MeanSquaredError>;
  /// Input I of a batch (input_size<I> rows, a sample per column) and output O's targets.
  template <std::size_t I>
  using input_view =  // (traits' sizes: g++ 12 misreads a member variable template in an alias)
      Eigen::Ref<
          const Eigen::Matrix<scalar, static_cast<int>(traits::template input_size<I>), Eigen::Dynamic>>;
  template <std::size_t O>
  using target_matrix_at =
      Eigen::Matrix<scalar, static_cast<int>(traits::template output_size<O>), Eigen::Dynamic>;
  template <std::size_t O>
  using target_view =
      std::conditional_t<std::is_same_v<typename traits::template loss<O>, SparseCategoricalCrossEntropy>,
                         std::span<const int>, Eigen::Ref<const target_matrix_at<O>>>;

  // A Sequential's one input and one output.
  static constexpr std::size_t inputs = input_size<0>;
  static constexpr std::size_t outputs = output_size<0>;
  static constexpr bool sparse = sparse_at<0>;
  using features = input_view<0>;
  using target_matrix = target_matrix_at<0>;
  using targets = target_view<0>;

 private:
  using input_indices = std::make_index_sequence<input_count>;
  using output_indices = std::make_index_sequence<output_count>;
  template <class Seq>
  struct sets;
  template <std::size_t... K>
  struct sets<std::index_sequence<K...>> {
    template <class Ins>
    struct with;
    template <std::size_t... I>
    struct with<std::index_sequence<I...>> {
      using features = std::tuple<input_view<I>...>;
      using targets = std::tuple<target_view<K>...>;
      using dense = std::tuple<target_matrix_at<K>...>;
    };
  };
  using set_types = typename sets<output_indices>::template with<input_indices>;
  template <class Seq>
  struct predictions;
  template <std::size_t... O>
  struct predictions<std::index_sequence<O...>> {
    using type = std::tuple<target_matrix_at<O>...>;
  };
  using prediction = std::conditional_t<graph, typename predictions<output_indices>::type, target_matrix>;

 public:
  /// Every input of a batch, and every output's targets, in the network's order.
  using feature_set = typename set_types::features;
  using target_set = typename set_types::targets;

  trainer(Net& net, L loss = {}, Opt optimizer = {}) : net_(net), loss_(loss), optimizer_(optimizer) {
    if constexpr (graph)
      for (std::size_t o = 0; o < output_count; ++o) weights_[o] = static_cast<scalar>(loss_.weights[o]);
    lanes_.push_back(std::make_unique<lane>(false));
  }

  Net& network() noexcept { return net_; }
  ctnn::optimizer<Net, Opt>& optimizer() noexcept { return optimizer_; }

  /// Trains on samples `x` (an Eigen matrix, one sample per column, Net::input_shape::size rows) and
  /// targets `y` (an Eigen matrix with one column per sample and Net::output_shape::size rows, or for
  /// SparseCategoricalCrossEntropy integer labels, std::vector<int> or std::span<const int>). Sizes
  /// known at compile time are checked by the compiler; run-time sizes are checked first, and throw
  /// std::invalid_argument naming the argument, the size expected and the size given. For a Graph, x
  /// and y are tuples: one entry per input (per output), by position (`std::tie(images, values)`) or
  /// by name (`std::tuple{at<"image">(images), at<"values">(values)}`), each as above.
  template <class X, class Y>
  history fit(const X& x, const Y& y, const fit_options& options = {}) {
    if constexpr (!data_ok<entry::fit, X, Y>) {
      return {};  // the compiler has already said why
    } else {
      const auto ax = arrange_inputs(x);
      const auto ay = arrange_targets(y);
      check_shapes(ax, ay, "fit", "x", "y");
      const feature_set fx = features_of(ax);
      const target_set fy = targets_of(ay);
      return run(fx, fy, nullptr, nullptr, options);
    }
  }
  /// As fit, validating after every epoch on (vx, vy): history gets val_loss and val_<metric>.
  template <class X, class Y, class VX, class VY>
  history fit(const X& x, const Y& y, const VX& vx, const VY& vy, const fit_options& options = {}) {
    if constexpr (!data_ok<entry::fit, X, Y> || !data_ok<entry::fit, VX, VY>) {
      return {};
    } else {
      const auto ax = arrange_inputs(x);
      const auto ay = arrange_targets(y);
      const auto avx = arrange_inputs(vx);
      const auto avy = arrange_targets(vy);
      check_shapes(ax, ay, "fit", "x", "y");
      check_shapes(avx, avy, "fit", "the validation samples", "the validation targets");
      const feature_set fx = features_of(ax), fvx = features_of(avx);
      const target_set fy = targets_of(ay), fvy = targets_of(avy);
      return run(fx, fy, &fvx, &fvy, options);
    }
  }

  /// Loss and confusion matrix over a whole data set, in inference mode; for a Graph, the weighted
  /// total and each output's own (evaluation::outputs). `threads` as fit_options::threads.
  template <class X, class Y>
  evaluation evaluate(const X& x_, const Y& y_, std::size_t batch_size = MaxBatch, std::size_t threads = 1) {
    if constexpr (!data_ok<entry::evaluate, X, Y>) {
      return evaluation{0, confusion_matrix(classes<0>())};
    } else {
      const auto ax = arrange_inputs(x_);
      const auto ay = arrange_targets(y_);
      check_shapes(ax, ay, "evaluate", "x", "y");
      return evaluate_checked(features_of(ax), targets_of(ay), batch_size, threads);
    }
  }

 private:
  evaluation evaluate_checked(const feature_set& x, const target_set& y, std::size_t batch_size,
                              std::size_t threads) {
    check_data(x, y, "evaluate");

    check_batch(batch_size, "evaluate");
    prepare_threads(threads);
    const blas_threads_guard guard(team_->size());
    std::vector<confusion_matrix> cms = confusions();
    std::vector<double> each(output_count, 0.0);
    double total = 0;
    const std::size_t n = sample_count(x);
    for (std::size_t b = 0; b < n; b += batch_size) {
      const std::size_t m = std::min(batch_size, n - b);
      auto task = [&](std::size_t t) noexcept {
        lane& l = *lanes_[t];
        split(t, m, l);
        if (l.count == 0) return;
        stage_inputs(l, x, b + l.first, nullptr);
        stage_targets(l, y, b + l.first, nullptr);
        net_.forward(*l.ws, mode::inference);
        l.loss = batch_loss(l);
      };
      team_->run(task);
      for (std::size_t t = 0; t < team_->size(); ++t) {
        lane& l = *lanes_[t];
        if (l.count == 0) continue;
        total += static_cast<double>(l.loss) * static_cast<double>(l.count);
        for (std::size_t o = 0; o < output_count; ++o)
          each[o] += static_cast<double>(l.each[o]) * static_cast<double>(l.count);
        count(cms, l);
      }
    }
    evaluation e{total / static_cast<double>(n), cms[0]};
    if constexpr (graph)
      for (std::size_t o = 0; o < output_count; ++o)
        e.outputs.push_back({std::string(output_name(o)), each[o] / static_cast<double>(n), cms[o]});
    return e;
  }

 public:
  /// Writes a checkpoint to `path` atomically: the network, the optimiser's state, and where training
  /// stands after the last completed epoch (epochs done, the shuffle order, every random generator,
  /// the history). Throws save_error.
  void save_checkpoint(const std::filesystem::path& path) {
    auto w = detail::begin_file(net_, format::kind::checkpoint);
    std::vector<detail::section> sections;
    sections.push_back({detail::concat("optimizer ", std::string(Opt::name)),
                        detail::optimizer_section<scalar>(optimizer_.state())});
    position_.put(sections);
    detail::put_sections(w, sections);
    detail::finish_file(w);
    detail::write_atomically(path, w.bytes);
  }

  /// Restores a checkpoint: the network, the optimiser's state and the training position. The next
  /// fit continues after the checkpoint's last epoch up to its `epochs` (as Keras' initial_epoch), and
  /// returns the whole history. With the same data, options and thread count, the weights are
  /// bit-identical to an uninterrupted run's. Throws load_error as ctnn::load does (and for a
  /// checkpoint of another optimiser); nothing changes then.
  void load_checkpoint(const std::filesystem::path& path) {
    const auto bytes = detail::read_file(path);
    const std::string file = path.string();
    std::vector<scalar> params(Net::storage_size, scalar(0)), buffers(Net::buffer_size, scalar(0));
    auto r = detail::read_model_part(std::as_const(net_), bytes, file, format::kind::checkpoint,
                                     params.data(), buffers.data());
    const auto sections = detail::get_sections(r);
    auto find = [&](const std::string& prefix) -> const detail::section& {
      for (const auto& sec : sections)
        if (sec.name.rfind(prefix, 0) == 0) return sec;
      r.fail(detail::concat("has no '", prefix, "' section"));
    };
    const auto& opt = find("optimizer ");
    const std::string want = detail::concat("optimizer ", std::string(Opt::name));
    if (opt.name != want)
      r.fail(detail::concat("was made with ", opt.name.substr(10), "; this trainer's optimiser is ",
                            std::string(Opt::name)));
    detail::training_position next = detail::training_position::get(find("progress"), find("history"), file);
    detail::read_optimizer_section<scalar>(optimizer_.state(), opt, file,
                                           Opt::name);  // checks, then commits
    std::copy(params.begin(), params.end(), net_.parameters().data());
    std::copy(buffers.begin(), buffers.end(), net_.buffers().data());
    position_ = std::move(next);
    resume_ = true;
  }

  /// The network's outputs for every sample (a column each), in inference mode. `x` as fit takes it;
  /// for a Graph, a tuple of every output's matrix, in Outputs<...>'s order.
  template <class X>
  auto predict(const X& x_) {
    if constexpr (!inputs_ok<entry::predict, X>()) {
      return prediction{};
    } else {
      const auto ax = arrange_inputs(x_);
      check_inputs(ax, "predict", "x");
      return predict_checked(features_of(ax));
    }
  }

 private:
  prediction predict_checked(const feature_set& x) {
    const auto n = static_cast<Eigen::Index>(sample_count(x));
    prediction out;
    for_outputs(
        [&]<std::size_t O>() { result_at<O>(out).resize(static_cast<Eigen::Index>(output_size<O>), n); });
    auto& l = *lanes_[0];
    for (Eigen::Index b = 0; b < n; b += static_cast<Eigen::Index>(MaxBatch)) {
      l.count = static_cast<std::size_t>(std::min<Eigen::Index>(MaxBatch, n - b));
      stage_inputs(l, x, static_cast<std::size_t>(b), nullptr);
      net_.forward(*l.ws, mode::inference);
      for_outputs([&]<std::size_t O>() {
        result_at<O>(out).middleCols(b, static_cast<Eigen::Index>(l.count)) = output_of<O>(l);
      });
    }
    return out;
  }
  template <std::size_t O>
  static auto& result_at(prediction& p) noexcept {
    if constexpr (graph)
      return std::get<O>(p);
    else
      return p;
  }

  template <class F>
  static void for_inputs(F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (f.template operator()<I>(), ...);
    }
    (input_indices{});
  }
  template <class F>
  static void for_outputs(F&& f) {
    [&]<std::size_t... O>(std::index_sequence<O...>) {
      (f.template operator()<O>(), ...);
    }
    (output_indices{});
  }

  template <std::size_t O>
  static constexpr std::size_t classes() {
    return output_size<O> == 1 ? 2 : output_size<O>;
  }
  static std::vector<confusion_matrix> confusions() {
    std::vector<confusion_matrix> out;
    for_outputs([&]<std::size_t O>() { out.emplace_back(classes<O>()); });
    return out;
  }
  // Output o's name (a Graph's), and what prefixes its series in a history: "class_" when a Graph
  // has several outputs, nothing otherwise (Keras' names).
  static std::string_view output_name(std::size_t o) noexcept {
    if constexpr (graph)
      return Net::names[Net::output_sources[o]].view();
    else
      return (void)o, std::string_view("output");
  }
  static std::string head(std::size_t o) {
    return output_count > 1 ? std::string(output_name(o)) + "_" : std::string();
  }
  static std::string input_label(std::size_t i, const char* what) {
    if constexpr (graph)
      return detail::concat(what, " (input '", std::string(Net::names[i].view()), "')");
    else
      return (void)i, std::string(what);
  }
  static std::string output_label(std::size_t o, const char* what) {
    if constexpr (graph)
      return detail::concat(what, " (output '", std::string(output_name(o)), "')");
    else
      return (void)o, std::string(what);
  }

  // ---- The data handed to an entry point, arranged in the network's order -------------------------
  template <class T>
  struct is_named : std::false_type {};
  template <node_name N, class T>
  struct is_named<named_data<N, T>> : std::true_type {};
  template <class T>
  struct tuple_info {
    static constexpr bool tuple = false;
    static constexpr std::size_t size = 1;
    static constexpr bool named = false;
    static constexpr bool mixed = false;
  };
  template <class... T>
  struct tuple_info<std::tuple<T...>> {
    static constexpr bool tuple = true;
    static constexpr std::size_t size = sizeof...(T);
    static constexpr bool named = (is_named<std::remove_cvref_t<T>>::value && ...) && sizeof...(T) > 0;
    static constexpr bool mixed = (is_named<std::remove_cvref_t<T>>::value || ...) && !named;
  };
  template <std::size_t K, bool Outputs>
  static constexpr node_name part_name() {
    if constexpr (graph)
      return Outputs ? Net::names[Net::output_sources[K]] : Net::names[K];
    else
      return node_name{};
  }
  // The names of a tuple of named_data, in its order.
  template <class T, std::size_t... J>
  static constexpr std::array<node_name, sizeof...(J)> names_of(std::index_sequence<J...>) {
    return {std::remove_cvref_t<std::tuple_element_t<J, T>>::name...};
  }
  // The position in tuple T of the entry named n, or T's size.
  template <class T>
  static constexpr std::size_t position_of(node_name n) {
    constexpr auto names = names_of<T>(std::make_index_sequence<std::tuple_size_v<T>>{});
    for (std::size_t j = 0; j < names.size(); ++j)
      if (names[j] == n) return j;
    return names.size();
  }
  template <class T>
  static constexpr std::size_t count_of(node_name n) {
    constexpr auto names = names_of<T>(std::make_index_sequence<std::tuple_size_v<T>>{});
    std::size_t c = 0;
    for (const auto& m : names) c += m == n;
    return c;
  }
  template <class D, std::size_t At, bool Tuple = tuple_info<D>::tuple>
  struct raw_entry {
    using type = D;
  };
  template <class D, std::size_t At>
  struct raw_entry<D, At, true> {
    using type = std::remove_cvref_t<std::tuple_element_t<At, D>>;
  };
  template <class T>
  struct unnamed {
    using type = T;
  };
  template <node_name N, class T>
  struct unnamed<named_data<N, T>> {
    using type = T;
  };
  // Entry K (input K, or output K's targets) of data given as D: where it is in D, and its type.
  template <class D, std::size_t K, bool Outputs>
  struct entry_of {
    static constexpr std::size_t at = [] {
      if constexpr (tuple_info<D>::named)
        return position_of<D>(part_name<K, Outputs>());
      else
        return K;
    }();
    using type = typename unnamed<typename raw_entry<D, (at < tuple_info<D>::size ? at : 0)>::type>::type;
  };
  template <std::size_t K, bool Outputs, class D>
  static const auto& entry(const D& d) noexcept {
    if constexpr (!tuple_info<D>::tuple) {
      return d;
    } else {
      const auto& e = std::get<entry_of<D, K, Outputs>::at>(d);
      if constexpr (is_named<std::remove_cvref_t<decltype(e)>>::value)
        return e.value;
      else
        return e;
    }
  }
  template <class X>
  static auto arrange_inputs(const X& x) noexcept {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return std::tuple<const typename entry_of<X, I, false>::type&...>(entry<I, false>(x)...);
    }
    (input_indices{});
  }
  template <class Y>
  static auto arrange_targets(const Y& y) noexcept {
    return [&]<std::size_t... O>(std::index_sequence<O...>) {
      return std::tuple<const typename entry_of<Y, O, true>::type&...>(entry<O, true>(y)...);
    }
    (output_indices{});
  }
  // Each view is made in place, in the tuple returned (never copied: a Ref of an expression owns the
  // evaluated copy, and a copy of the Ref would point into the original's).
  template <class A>
  static feature_set features_of(const A& a) {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return feature_set(std::get<I>(a)...);
    }
    (input_indices{});
  }
  template <class A>
  static target_set targets_of(const A& a) {
    return [&]<std::size_t... O>(std::index_sequence<O...>) {
      return target_set(std::get<O>(a)...);
    }
    (output_indices{});
  }

  // The compile-time rules for the data handed to an entry point: one ctnn error each, and nothing
  // else instantiated after it.
  template <class D, std::size_t Count, bool Outputs>
  static constexpr bool shape_ok() {
    using info = tuple_info<D>;
    if constexpr (!graph) {
      return true;
    } else if constexpr (!info::tuple && Count > 1) {
      static_assert(
          detail::always_false<D>,
          "ctnn::trainer: a Graph with several inputs (or outputs) takes its data as a tuple, one "
          "entry per input (output): std::tie(x1, x2), or by name std::tuple{ctnn::at<\"name\">(x1), ...}");
      return false;
    } else if constexpr (info::tuple && info::mixed) {
      static_assert(detail::always_false<D>,
                    "ctnn::trainer: give a Graph's data all by position or all by name (ctnn::at<\"name\">), "
                    "not mixed");
      return false;
    } else if constexpr (info::tuple && info::size != Count) {
      static_assert(detail::always_false<D>,
                    "ctnn::trainer: the tuple needs one entry per input of the Graph (for targets: per "
                    "output), in Inputs<...>'s (Outputs<...>'s) order");
      return false;
    } else if constexpr (info::tuple && info::named) {
      // The first input (output) not named exactly once is the one error, with its name and count.
      constexpr std::size_t bad = [] {
        const auto wanted = [&]<std::size_t... K>(std::index_sequence<K...>) {
          return std::array<node_name, Count>{part_name<K, Outputs>()...};
        }
        (std::make_index_sequence<Count>{});
        for (std::size_t k = 0; k < Count; ++k)
          if (count_of<D>(wanted[k]) != 1) return k;
        return Count;
      }();
      if constexpr (bad == Count)
        return true;
      else
        return error::named_once<named_t<part_name<bad, Outputs>()>,
                                 count_of<D>(part_name<bad, Outputs>())>::ok;
    } else {
      return true;
    }
  }
  template <class Entry, class X>
  static constexpr bool inputs_ok() {
    if constexpr (!shape_ok<X, input_count, false>()) {
      return false;
    } else if constexpr (input_count == 1) {  // no fold: one note fewer in an error's backtrace
      return samples_ok<Entry, 0, typename entry_of<X, 0, false>::type>;
    } else {
      return [&]<std::size_t... I>(std::index_sequence<I...>) {
        return (samples_ok<Entry, I, typename entry_of<X, I, false>::type> && ...);
      }
      (input_indices{});
    }
  }
  template <class Entry, class Y>
  static constexpr bool targets_ok() {
    if constexpr (!shape_ok<Y, output_count, true>()) {
      return false;
    } else if constexpr (output_count == 1) {
      return target_ok<Entry, 0, typename entry_of<Y, 0, true>::type>();
    } else {
      return [&]<std::size_t... O>(std::index_sequence<O...>) {
        return (target_ok<Entry, O, typename entry_of<Y, O, true>::type>() && ...);
      }
      (output_indices{});
    }
  }
  template <class Entry, std::size_t I, class X>
  static constexpr bool samples_ok = [] {
    if constexpr (detail::eigen_dense<X>) {
      return error::at_samples<Entry, input_size<I>, detail::rows_of<X>(), scalar, typename X::Scalar>::ok;
    } else {
      static_assert(detail::always_false<X>,
                    "ctnn::trainer: the samples must be an Eigen matrix, one sample per column "
                    "(Net::input_shape::size rows)");
      return false;
    }
  }();
  template <class Entry, std::size_t O, class Y>
  static constexpr bool target_ok() {
    if constexpr (!error::at_targets<Entry, loss_type<O>, output_size<O>, detail::rows_of<Y>(), Y>::ok) {
      return false;
    } else if constexpr (detail::eigen_dense<Y>) {
      static_assert(std::is_same_v<typename Y::Scalar, scalar>,
                    "ctnn::trainer: the targets' scalar type is not the network's (double targets for a "
                    "float network?): pass y.cast<float>()");
      return std::is_same_v<typename Y::Scalar, scalar>;
    } else {
      return true;
    }
  }
  template <class Entry, class X, class Y>
  static constexpr bool data_ok = inputs_ok<Entry, X>() && targets_ok<Entry, Y>();

  // Run-time sizes, checked before any view of the data is made.
  template <class A>
  static void check_inputs(const A& x, const char* what, const char* name) {
    for_inputs([&]<std::size_t I>() {
      const auto& xi = std::get<I>(x);
      if (static_cast<std::size_t>(xi.rows()) != input_size<I>)
        throw std::invalid_argument(detail::concat(
            std::string("ctnn::trainer::"), what, ": ", input_label(I, name), " has ",
            std::to_string(xi.rows()), " rows, but the network takes ", std::to_string(input_size<I>),
            graph ? " values per sample (one sample per column)"
                  : " values per sample (Net::input_shape::size; one sample per column)"));
      if (xi.cols() != std::get<0>(x).cols())
        throw std::invalid_argument(detail::concat(std::string("ctnn::trainer::"), what, ": ",
                                                   input_label(I, name), " has ", std::to_string(xi.cols()),
                                                   " samples (columns) but ", input_label(0, name), " has ",
                                                   std::to_string(std::get<0>(x).cols())));
    });
  }
  template <class A, class B>
  static void check_shapes(const A& x, const B& y, const char* what, const char* x_name, const char* y_name) {
    check_inputs(x, what, x_name);
    for_outputs([&]<std::size_t O>() {
      const auto& yo = std::get<O>(y);
      std::size_t ny;
      if constexpr (sparse_at<O>) {
        ny = std::span<const int>(yo).size();
      } else {
        if (static_cast<std::size_t>(yo.rows()) != output_size<O>)
          throw std::invalid_argument(detail::concat(
              std::string("ctnn::trainer::"), what, ": ", output_label(O, y_name), " has ",
              std::to_string(yo.rows()), " rows, but the network has ", std::to_string(output_size<O>),
              graph ? " outputs there (one target column per sample)"
                    : " outputs (Net::output_shape::size; one target column per sample)"));
        ny = static_cast<std::size_t>(yo.cols());
      }
      const auto nx = std::get<0>(x).cols();
      if (ny != static_cast<std::size_t>(nx))
        throw std::invalid_argument(
            detail::concat(std::string("ctnn::trainer::"), what, ": ", input_label(0, x_name), " has ",
                           std::to_string(nx), " samples (columns) but ", output_label(O, y_name), " has ",
                           std::to_string(ny), sparse_at<O> ? " labels" : " targets (columns)"));
    });
  }

  void check_batch(std::size_t batch_size, const char* what) const {
    if (batch_size == 0)
      throw std::invalid_argument(
          detail::concat(std::string("ctnn::trainer::"), what, ": batch size 0; it must be at least 1"));
    if (batch_size > MaxBatch)
      throw std::invalid_argument(detail::concat(
          std::string("ctnn::trainer::"), what, ": batch size ", std::to_string(batch_size),
          " is outside [1, ", std::to_string(MaxBatch), "]; raise the trainer's MaxBatch template argument"));
  }
  static std::size_t sample_count(const feature_set& x) noexcept {
    return static_cast<std::size_t>(std::get<0>(x).cols());
  }
  // The data's values, after check_shapes has checked its sizes (and that samples and targets agree).
  void check_data(const feature_set& xs, const target_set& ys, const char* what) const {
    if (sample_count(xs) == 0)
      throw std::invalid_argument(detail::concat(std::string("ctnn::trainer::"), what, ": no samples"));
    for_outputs([&]<std::size_t O>() {
      if constexpr (sparse_at<O>) {
        const auto& y = std::get<O>(ys);
        for (std::size_t i = 0; i < y.size(); ++i)
          if (y[i] < 0 || static_cast<std::size_t>(y[i]) >= output_size<O>)
            throw std::invalid_argument(detail::concat(
                std::string("ctnn::trainer::"), what, ": ",
                graph ? output_label(O, "label") : std::string("label"), " ", std::to_string(y[i]),
                " at index ", std::to_string(i), " is outside [0, ", std::to_string(output_size<O>), ")"));
      }
    });
    for_inputs([&]<std::size_t I>() {
      const auto& x = std::get<I>(xs);
      if (x.allFinite()) return;
      for (Eigen::Index j = 0; j < x.cols(); ++j)
        for (Eigen::Index i = 0; i < x.rows(); ++i)
          if (!std::isfinite(static_cast<double>(x(i, j))))
            throw std::invalid_argument(detail::concat(
                std::string("ctnn::trainer::"), what, ": ",
                graph ? input_label(I, "sample") : std::string("sample"), " ", std::to_string(j), " (column ",
                std::to_string(j), ") holds ", std::isnan(static_cast<double>(x(i, j))) ? "NaN" : "infinity",
                " at row ", std::to_string(i), "; the samples must be finite"));
    });
  }

  // One thread's share of a batch: its workspace, its targets, where its parameter gradients go.
  struct lane {
    std::unique_ptr<typename Net::template workspace<MaxBatch>> ws =
        std::make_unique<typename Net::template workspace<MaxBatch>>();
    std::array<std::vector<int>, output_count> labels;  // per sparse output
    typename set_types::dense dense_targets;            // per dense output
    // Gradients of this lane's samples; the first lane writes to the network's own buffer instead.
    std::unique_ptr<detail::aligned_array<scalar, Net::storage_size>> gradients;
    std::size_t first = 0, count = 0;  // its samples of the current batch
    scalar loss = 0;
    std::array<scalar, output_count> each{};  // each output's own loss

    explicit lane(bool own_gradients) {
      for_outputs([&]<std::size_t O>() {
        if constexpr (sparse_at<O>)
          labels[O].resize(MaxBatch);
        else
          std::get<O>(dense_targets)
              .resize(static_cast<Eigen::Index>(output_size<O>), static_cast<Eigen::Index>(MaxBatch));
      });
      if (own_gradients) gradients = std::make_unique<detail::aligned_array<scalar, Net::storage_size>>();
    }
  };

  // Starts the threads (once per count) and gives each a lane; workspace t draws from its own stream.
  void prepare_threads(std::size_t threads) {
    if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
    if (!team_ || team_->size() != threads) {
      team_.reset();
      team_ = std::make_unique<detail::team>(threads);
      // Layers that need the whole batch's sums (BatchNormalization) exchange them through sync_.
      sync_.reset();
      if (threads > 1 && Net::sync_width > 0)
        sync_ = std::make_unique<detail::batch_sync>(threads, Net::sync_width);
    }
    while (lanes_.size() < threads) lanes_.push_back(std::make_unique<lane>(true));
    for (std::size_t t = 0; t < lanes_.size(); ++t)
      lanes_[t]->ws->share_batch(t < threads ? sync_.get() : nullptr, t);
  }
  // Lane t's share of m samples: contiguous, sizes differing by at most one.
  void split(std::size_t t, std::size_t m, lane& l) const noexcept {
    const std::size_t T = team_->size();
    l.first = t * m / T;
    l.count = (t + 1) * m / T - l.first;
  }

  // OpenBLAS would start threads of its own inside each of ours: one each while a team shares batches.
  struct blas_threads_guard {
#ifdef CTNN_USE_OPENBLAS
    int before;
    explicit blas_threads_guard(std::size_t team) : before(team > 1 ? openblas_get_num_threads() : 0) {
      if (team > 1) openblas_set_num_threads(1);
    }
    ~blas_threads_guard() {
      if (before > 0) openblas_set_num_threads(before);
    }
#else
    explicit blas_threads_guard(std::size_t) {}
#endif
    blas_threads_guard(const blas_threads_guard&) = delete;
    blas_threads_guard& operator=(const blas_threads_guard&) = delete;
  };

  // Copies inputs and targets of samples order[b .. b+count) (or b .. b+count when order is null) to
  // the lane.
  void stage_inputs(lane& l, const feature_set& xs, std::size_t b,
                    const std::vector<std::uint32_t>* order) noexcept {
    for_inputs([&]<std::size_t I>() {
      const auto& x = std::get<I>(xs);
      auto in = input_of<I>(*l.ws, l.count);
      if (!order)
        in = x.middleCols(static_cast<Eigen::Index>(b), static_cast<Eigen::Index>(l.count));
      else
        for (std::size_t j = 0; j < l.count; ++j)
          in.col(static_cast<Eigen::Index>(j)) = x.col((*order)[b + j]);
    });
  }
  void stage_targets(lane& l, const target_set& ys, std::size_t b,
                     const std::vector<std::uint32_t>* order) noexcept {
    for_outputs([&]<std::size_t O>() {
      const auto& y = std::get<O>(ys);
      for (std::size_t j = 0; j < l.count; ++j) {
        const std::size_t i = order ? (*order)[b + j] : b + j;
        if constexpr (sparse_at<O>)
          l.labels[O][j] = y[i];
        else
          std::get<O>(l.dense_targets).col(static_cast<Eigen::Index>(j)) =
              y.col(static_cast<Eigen::Index>(i));
      }
    });
  }
  template <std::size_t I, class W>
  static auto input_of(W& ws, std::size_t n) noexcept {
    if constexpr (graph)
      return ws.template input<I>(n);
    else
      return ws.input(n);
  }
  template <std::size_t O>
  auto output_of(lane& l) noexcept {
    if constexpr (graph)
      return l.ws->template output<O>();
    else
      return l.ws->output();
  }
  // The lane's staged targets of output O, and all of them, as backward takes them.
  template <std::size_t O>
  auto staged(const lane& l) const noexcept {
    if constexpr (sparse_at<O>)
      return std::span<const int>(l.labels[O].data(), l.count);
    else
      return std::get<O>(l.dense_targets).leftCols(static_cast<Eigen::Index>(l.count));
  }
  auto staged_all(const lane& l) const noexcept {
    return [&]<std::size_t... O>(std::index_sequence<O...>) {
      return std::make_tuple(staged<O>(l)...);
    }
    (output_indices{});
  }
  scalar batch_loss(lane& l) noexcept {
    if constexpr (graph) {
      return net_.loss(*l.ws, loss_.each, staged_all(l), weights_, &l.each);
    } else {
      l.each[0] = net_.loss(*l.ws, loss_, staged<0>(l));
      return l.each[0];
    }
  }
  // Backward on the lane's share, its gradients into its own buffer (lane 0: the network's).
  scalar batch_step(lane& l) noexcept {
    const std::span<scalar, Net::storage_size> g(l.gradients ? l.gradients->data() : net_.gradients().data(),
                                                 Net::storage_size);
    if constexpr (graph) {
      return net_.backward(*l.ws, loss_.each, staged_all(l), weights_, g, false, &l.each);
    } else {
      l.each[0] = net_.backward(*l.ws, loss_, staged<0>(l), g);
      return l.each[0];
    }
  }
  // Backward and the optimiser's step on one thread (optimizer::backward_step: fused for plain SGD).
  scalar backward_and_step(lane& l) noexcept {
    if constexpr (graph) {
      net_.zero_gradients();
      const scalar value = batch_step(l);
      if (std::isfinite(static_cast<double>(value))) optimizer_.step(net_);
      return value;
    } else {
      l.each[0] = optimizer_.backward_step(net_, *l.ws, loss_, staged<0>(l));
      return l.each[0];
    }
  }
  // Adds the lane's predictions against its staged targets, for every output that classifies.
  void count(std::vector<confusion_matrix>& cms, lane& l) {
    for_outputs([&]<std::size_t O>() {
      if constexpr (graph && !classifies<O>) return;
      auto out = output_of<O>(l);
      for (std::size_t j = 0; j < l.count; ++j) {
        const auto col = static_cast<Eigen::Index>(j);
        std::size_t predicted = 0, truth = 0;
        if constexpr (output_size<O> == 1) {
          predicted = out(0, col) > scalar(0.5);
          if constexpr (!sparse_at<O>) truth = std::get<O>(l.dense_targets)(0, col) > scalar(0.5);
        } else {
          out.col(col).maxCoeff(&predicted);
          if constexpr (sparse_at<O>)
            truth = static_cast<std::size_t>(l.labels[O][j]);
          else
            std::get<O>(l.dense_targets).col(col).maxCoeff(&truth);
        }
        cms[O].add(truth, predicted);
      }
    });
  }
  // Whether output o's metrics are measured: a Sequential's always (when metrics are asked for), a
  // Graph's for outputs whose loss classifies.
  static bool measured(std::size_t o) {
    bool yes = !graph;
    for_outputs([&]<std::size_t O>() {
      if (O == o && classifies<O>) yes = true;
    });
    return yes;
  }

  // One training step on samples order[b .. b+m), the update included: every lane its share, then
  // the lanes' gradients summed into the network's, each weighted by its share of the batch (each
  // lane's loss is a mean over its own samples), in lane order, then the optimiser's step. On one
  // thread, optimizer::backward_step does backward and step together (fused for plain SGD). Returns
  // the batch's mean loss (each output's in each_); a loss that is not finite updates nothing.
  scalar train_step(const feature_set& x, const target_set& y, const std::vector<std::uint32_t>& order,
                    std::size_t b, std::size_t m) noexcept {
    auto task = [&](std::size_t t) noexcept {
      lane& l = *lanes_[t];
      split(t, m, l);
      if (l.count == 0) return;
      stage_inputs(l, x, b + l.first, &order);
      stage_targets(l, y, b + l.first, &order);
      net_.forward(*l.ws, mode::training);
      if (team_->size() == 1) {
        l.loss = backward_and_step(l);
        return;
      }
      if (l.gradients)
        std::fill_n(l.gradients->data(), Net::storage_size, scalar(0));
      else
        net_.zero_gradients();
      l.loss = batch_step(l);
    };
    if (sync_)  // a lane without samples this batch takes no part in the exchanges
      for (std::size_t t = 0; t < team_->size(); ++t) {
        split(t, m, *lanes_[t]);
        sync_->take_part(t, lanes_[t]->count > 0);
      }
    team_->run(task);
    if (team_->size() == 1) {
      each_ = lanes_[0]->each;
      if (std::isfinite(static_cast<double>(lanes_[0]->loss))) net_.update_buffers(*lanes_[0]->ws);
      return lanes_[0]->loss;
    }
    auto g = net_.gradients();
    const scalar w0 = static_cast<scalar>(lanes_[0]->count) / static_cast<scalar>(m);
    g *= w0;
    scalar loss = w0 * lanes_[0]->loss;
    for (std::size_t o = 0; o < output_count; ++o) each_[o] = w0 * lanes_[0]->each[o];
    for (std::size_t t = 1; t < team_->size(); ++t) {
      const lane& l = *lanes_[t];
      if (l.count == 0) continue;
      const scalar w = static_cast<scalar>(l.count) / static_cast<scalar>(m);
      g += w * vector_map<const scalar, Net::storage_size>(l.gradients->data());
      loss += w * l.loss;
      for (std::size_t o = 0; o < output_count; ++o) each_[o] += w * l.each[o];
    }
    if (std::isfinite(static_cast<double>(loss))) {
      optimizer_.step(net_);
      // Every lane that took part holds the whole batch's statistics; the first of them serves.
      for (std::size_t t = 0; t < team_->size(); ++t)
        if (lanes_[t]->count > 0) {
          net_.update_buffers(*lanes_[t]->ws);
          break;
        }
    }
    return loss;
  }

  // Every series a fit records, in the order it records them: the loss; with several outputs each
  // output's loss; the metrics (a Graph's per output that classifies, prefixed with its name); the
  // same for validation; seconds.
  static std::vector<std::string> recorded_names(const std::vector<metric>& metrics, bool validation) {
    std::vector<std::string> names;
    for (const std::string prefix : {"", "val_"}) {
      if (!prefix.empty() && !validation) break;
      names.push_back(prefix + "loss");
      if (output_count > 1)
        for (std::size_t o = 0; o < output_count; ++o) names.push_back(prefix + head(o) + "loss");
      for (std::size_t o = 0; o < output_count; ++o)
        if (measured(o))
          for (metric m : metrics) names.push_back(prefix + head(o) + metric_name(m));
    }
    names.emplace_back("seconds");
    return names;
  }
  // The figures of an epoch (or a validation pass) as recorded_names names them, without "val_".
  static std::vector<std::pair<std::string, double>> figures(double loss, const std::vector<double>& each,
                                                             const std::vector<confusion_matrix>& cms,
                                                             const std::vector<metric>& metrics) {
    std::vector<std::pair<std::string, double>> out{{"loss", loss}};
    if (output_count > 1)
      for (std::size_t o = 0; o < output_count; ++o) out.emplace_back(head(o) + "loss", each[o]);
    for (std::size_t o = 0; o < output_count; ++o)
      if (measured(o))
        for (metric m : metrics) out.emplace_back(head(o) + metric_name(m), cms[o].value(m));
    return out;
  }
  // What fit's options name, checked before the first epoch: monitored series that the fit records,
  // and folders for the files it writes.
  static void check_options(const fit_options& o, const std::vector<metric>& metrics, bool validation) {
    const auto names = recorded_names(metrics, validation);
    auto check_monitor = [&](const std::string& monitor, const char* who) {
      if (std::find(names.begin(), names.end(), monitor) != names.end()) return;
      if (!validation && monitor.rfind("val_", 0) == 0 &&
          std::find(names.begin(), names.end(), monitor.substr(4)) != names.end())
        throw std::invalid_argument(detail::concat("ctnn::trainer::fit: ", who, " monitors '", monitor,
                                                   "', which needs validation data: pass it as "
                                                   "fit(x, y, validation_x, validation_y, options)"));
      std::string known;
      for (const auto& n : names) known += (known.empty() ? "" : ", ") + n;
      throw std::invalid_argument(detail::concat("ctnn::trainer::fit: ", who, " monitors '", monitor,
                                                 "', which this fit does not record; it records ", known));
    };
    if (o.stop) check_monitor(o.stop->monitor, "early_stopping");
    if (!o.best_model.empty()) check_monitor(o.best_monitor, "best_model");
    auto check_folder = [](const std::filesystem::path& file, const char* who) {
      if (file.empty()) return;
      const auto folder = file.parent_path();
      std::error_code ec;
      if (!folder.empty() && !std::filesystem::is_directory(folder, ec))
        throw std::invalid_argument(detail::concat("ctnn::trainer::fit: ", who, " is '", file.string(),
                                                   "', but the folder '", folder.string(),
                                                   "' does not exist"));
    };
    check_folder(o.checkpoint, "checkpoint");
    check_folder(o.best_model, "best_model");
  }

  std::vector<metric> metrics_for(const fit_options& o) const {
    if (!o.metrics.empty()) return o.metrics;
    bool any = false;
    for_outputs([&]<std::size_t O>() { any = any || classifies<O>; });
    if (!any) return {};
    return {metric::accuracy};
  }

  history run(const feature_set& x, const target_set& y, const feature_set* vx, const target_set* vy,
              const fit_options& o) {
    check_data(x, y, "fit");
    check_batch(o.batch_size, "fit");
    if (vx) check_data(*vx, *vy, "fit (validation data)");
    const std::vector<metric> metrics = metrics_for(o);
    check_options(o, metrics, vx != nullptr);
    const std::size_t n = sample_count(x);
    const std::size_t steps = (n + o.batch_size - 1) / o.batch_size;
    std::vector<std::uint32_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<std::uint32_t>(i);
    random_engine shuffler(o.seed);
    prepare_threads(o.threads);
    const blas_threads_guard guard(team_->size());
    for (std::size_t t = 0; t < team_->size(); ++t)  // lane 0 as before threads existed; others apart
      lanes_[t]->ws->rng().reseed((o.seed ^ 0x5deece66dULL) + t * 0x9e3779b97f4a7c15ULL);
    history h;
    for (const auto& name : recorded_names(metrics, vx != nullptr)) h.declare(name);
    std::size_t first_epoch = 0;
    if (resume_) {  // continue where the loaded checkpoint stopped
      if (position_.order.size() != n)
        throw std::invalid_argument(detail::concat("ctnn::fit: the checkpoint was made training on ",
                                                   std::to_string(position_.order.size()),
                                                   " samples; this fit has ", std::to_string(n)));
      resume_ = false;
      order = position_.order;
      shuffler = position_.shuffler;
      for (std::size_t t = 0; t < std::min(team_->size(), position_.lanes.size()); ++t)
        lanes_[t]->ws->rng().set_state(position_.lanes[t]);
      h = position_.record;
      first_epoch = position_.epochs;
    }
    std::vector<confusion_matrix> cms = confusions();
    const bool terminal = o.out == &std::cout && isatty(STDOUT_FILENO);
    const std::size_t columns = terminal ? terminal_columns() : 0;
    std::vector<scalar> best_weights, best_buffers;
    double best = 0;
    std::size_t waited = 0;
    // The best value best_model has seen, from the resumed history too.
    const bool best_lower = o.best_monitor.find("loss") != std::string::npos;
    bool have_best = false;
    double best_saved = 0;
    if (h.has(o.best_monitor))
      for (double v : h[o.best_monitor])
        if (!have_best || (best_lower ? v < best_saved : v > best_saved)) best_saved = v, have_best = true;

    if (o.learning_rate_schedule) h.declare("learning_rate");
    for (std::size_t epoch = first_epoch; epoch < o.epochs; ++epoch) {
      if (o.learning_rate_schedule) {
        double& rate = optimizer_.settings().learning_rate;
        const double next = o.learning_rate_schedule(epoch, rate);
        if (!std::isfinite(next) || next < 0)
          throw std::invalid_argument(detail::concat(
              "ctnn::trainer::fit: learning_rate_schedule gave ", std::to_string(next), " for epoch ",
              std::to_string(epoch + 1), "; a learning rate is finite and not negative"));
        rate = next;
        h.record("learning_rate", rate);
      }
      if (o.shuffle)
        for (std::size_t i = n - 1; i > 0; --i)
          std::swap(order[i], order[shuffler.below(static_cast<std::uint32_t>(i + 1))]);
      for (auto& cm : cms) cm.clear();
      double loss_sum = 0;
      std::vector<double> each_sum(output_count, 0.0);
      std::size_t seen = 0;
      const auto start = std::chrono::steady_clock::now();
      auto last_draw = start;
      if (o.verbose && terminal) *o.out << "Epoch " << epoch + 1 << '/' << o.epochs << '\n';
      auto means = [&] {
        std::vector<double> m(output_count);
        for (std::size_t k = 0; k < output_count; ++k) m[k] = each_sum[k] / static_cast<double>(seen);
        return m;
      };

      for (std::size_t step = 0; step < steps; ++step) {
        const std::size_t b = step * o.batch_size, m = std::min(o.batch_size, n - b);
        const scalar l = train_step(x, y, order, b, m);
        if (!std::isfinite(static_cast<double>(l)))
          throw training_error(
              detail::concat("ctnn::fit: the loss became ", std::to_string(static_cast<double>(l)),
                             " at epoch ", std::to_string(epoch + 1), ", step ", std::to_string(step + 1),
                             " of ", std::to_string(steps), "; lower the learning rate or check the data"));
        loss_sum += static_cast<double>(l) * static_cast<double>(m);
        for (std::size_t k = 0; k < output_count; ++k)
          each_sum[k] += static_cast<double>(each_[k]) * static_cast<double>(m);
        seen += m;
        if (!metrics.empty())
          for (std::size_t t = 0; t < team_->size(); ++t)
            if (lanes_[t]->count > 0) count(cms, *lanes_[t]);
        if (o.verbose && terminal) {
          const auto now = std::chrono::steady_clock::now();
          if (now - last_draw > std::chrono::milliseconds(100) || step + 1 == steps) {
            last_draw = now;
            *o.out << '\r'
                   << progress_line(progress(step + 1, steps, seconds(start, now),
                                             figures(loss_sum / seen, means(), cms, metrics), "", false),
                                    columns)
                   << "\x1b[K"  // clears what a longer line left
                   << std::flush;
          }
        }
      }
      const double elapsed = seconds(start, std::chrono::steady_clock::now());
      const auto trained = figures(loss_sum / static_cast<double>(seen), means(), cms, metrics);
      for (const auto& [name, value] : trained) h.record(name, value);
      std::vector<std::pair<std::string, double>> validated;
      if (vx) {
        const evaluation v = evaluate_checked(*vx, *vy, o.batch_size, o.threads);
        std::vector<double> each(output_count, v.loss);
        std::vector<confusion_matrix> vcms{v.confusion};
        if constexpr (graph) {
          vcms.clear();
          for (std::size_t k = 0; k < output_count; ++k)
            each[k] = v.outputs[k].loss, vcms.push_back(v.outputs[k].confusion);
        }
        validated = figures(v.loss, each, vcms, metrics);
        for (const auto& [name, value] : validated) h.record("val_" + name, value);
      }
      h.record("seconds", elapsed);
      if (o.verbose) {
        progress_parts line = progress(steps, steps, elapsed, trained, "", true);
        const progress_parts val = progress(steps, steps, elapsed, validated, "val_", true);
        line.fields.insert(line.fields.end(), val.fields.begin(), val.fields.end());
        if (terminal)
          *o.out << '\r' << progress_line(line, columns) << "\x1b[K\n";
        else
          *o.out << "Epoch " << epoch + 1 << '/' << o.epochs << " - " << progress_line(line, 0) << std::endl;
      }
      position_.epochs = epoch + 1;
      position_.shuffler = shuffler;
      position_.lanes.resize(team_->size());
      for (std::size_t t = 0; t < team_->size(); ++t) position_.lanes[t] = lanes_[t]->ws->rng().state();
      position_.order = order;
      position_.record = h;
      if (!o.checkpoint.empty()) save_checkpoint(o.checkpoint);
      if (!o.best_model.empty()) {
        const double value = h[o.best_monitor].back();
        if (!have_best || (best_lower ? value < best_saved : value > best_saved)) {
          best_saved = value;
          have_best = true;
          save(net_, o.best_model);
        }
      }
      if (o.stop) {
        const early_stopping& s = *o.stop;
        const double value = h[s.monitor].back();
        const bool lower_is_better = s.monitor.find("loss") != std::string::npos;
        const bool improved = epoch == first_epoch ||
                              (lower_is_better ? value < best - s.min_delta : value > best + s.min_delta);
        if (improved) {
          best = value;
          waited = 0;
          if (s.restore_best_weights) {
            auto p = net_.parameters();
            best_weights.assign(p.data(), p.data() + p.size());
            auto b = net_.buffers();
            best_buffers.assign(b.data(), b.data() + b.size());
          }
        } else if (++waited >= s.patience) {  // Keras' rule: stop once `patience` epochs did not improve
          if (o.verbose)
            *o.out << "Early stopping: " << s.monitor << " did not improve for " << waited << " epochs\n";
          if (s.restore_best_weights && !best_weights.empty()) {
            std::copy(best_weights.begin(), best_weights.end(), net_.parameters().data());
            std::copy(best_buffers.begin(), best_buffers.end(), net_.buffers().data());
          }
          break;
        }
      }
    }
    return h;
  }

  static double seconds(std::chrono::steady_clock::time_point a, std::chrono::steady_clock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
  }
  static detail::progress_parts progress(std::size_t step, std::size_t steps, double elapsed,
                                         const std::vector<std::pair<std::string, double>>& figures,
                                         const std::string& prefix, bool done) {
    return detail::progress(step, steps, elapsed, figures, prefix, done);
  }
  static std::size_t terminal_columns() {
    return detail::terminal_columns();
  }

 public:
  /// A progress line in parts, and Keras' layout of it (trainer/progress.hpp).
  using progress_parts = detail::progress_parts;
  static std::string progress_line(const progress_parts& p, std::size_t columns) {
    return detail::progress_line(p, columns);
  }

 private:
  Net& net_;
  L loss_;
  std::array<scalar, output_count> weights_{};  // a Graph's loss weights
  std::array<scalar, output_count> each_{};     // each output's loss in the last step
  ctnn::optimizer<Net, Opt> optimizer_;
  std::vector<std::unique_ptr<lane>> lanes_;
  std::unique_ptr<detail::team> team_;
  std::unique_ptr<detail::batch_sync> sync_;
  detail::training_position position_;  // what a checkpoint holds
  bool resume_ = false;                 // the next fit continues from position_ (set by load_checkpoint)
};

}  // namespace ctnn
