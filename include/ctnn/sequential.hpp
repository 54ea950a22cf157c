/// @file Defines `ctnn::Sequential`: binds a list of layer specs into a network, checks every shape at
/// compile time, and unrolls forward and backward passes over the bound layers.
// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "chain.hpp"
#include "concepts.hpp"
#include "config.hpp"
#include "detail/gemm.hpp"
#include "detail/storage.hpp"
#include "error.hpp"
#include "layers/input.hpp"
#include "losses.hpp"
#include "random.hpp"
#include "sequential/workspace.hpp"
#include "shape.hpp"

namespace ctnn {

namespace detail {

template <class First>
constexpr bool check_first() {
  if constexpr (!is_input<First>) {
    static_assert(
        always_false<First>,
        "ctnn::Sequential: the first element must be ctnn::Input<dims...>, the shape of one sample");
    return false;
  } else {
    return First::check();
  }
}
template <class First, bool Ok = is_input<First>>
struct input_shape_of {
  using type = shape<1>;
};
template <class First>
struct input_shape_of<First, true> {
  using type = typename First::shape_type;
};

}  // namespace detail

/// A view of one bound layer's parameters and gradients inside a network.
template <class Bound, class Scalar>
class layer_ref {
 public:
  using bound = Bound;
  static constexpr std::size_t parameter_count = Bound::parameter_count;

  layer_ref(Scalar* p, Scalar* g) noexcept : p_(p), g_(g) {}
  /// The kernel W (units x inputs), as a fixed-size Eigen map (layers that have one).
  auto weights() const noexcept requires requires(Scalar* p) { Bound::W(p); }
  { return Bound::W(p_); }
  /// The bias b (layers that have one).
  auto bias() const noexcept requires requires(Scalar* p) { Bound::b(p); }
  { return Bound::b(p_); }
  auto weights_gradient() const noexcept requires requires(Scalar* p) { Bound::W(p); }
  { return Bound::W(g_); }
  auto bias_gradient() const noexcept requires requires(Scalar* p) { Bound::b(p); }
  { return Bound::b(g_); }
  Scalar* parameters() const noexcept { return p_; }
  Scalar* gradients() const noexcept { return g_; }

 private:
  Scalar* p_;
  Scalar* g_;
};

template <class Scalar, class... Elements>
class basic_sequential {
  static_assert(detail::always_false<Scalar>,
                "ctnn::Sequential needs at least ctnn::Input<dims...> as its first element");
};

/// A network: `Input<...>` then layer specs, bound left to right at compile time. See Sequential.
template <class Scalar, class First, class... Specs>
class basic_sequential<Scalar, First, Specs...> {
  static_assert(std::is_floating_point_v<Scalar>, "ctnn: the scalar type must be float or double");
  static constexpr bool input_ok = detail::check_first<First>();

 public:
  /// The bound layers as one chain (chain.hpp): what blocks are made of, too. The checker runs first,
  /// as this alias's argument; a broken rule poisons every layer.
  using chain = detail::bound_chain<
      Scalar,
      input_ok &&
          detail::checker<detail::cursor<detail::top_level, 1, typename detail::input_shape_of<First>::type,
                                         detail::type_list<>>,
                          input_ok, Specs...>::ok,
      typename detail::input_shape_of<First>::type, Specs...>;
  using scalar = Scalar;
  /// The same network over another scalar type (gradient checks run in double).
  template <class S>
  using rebind = basic_sequential<S, First, Specs...>;

  using specs = detail::type_list<Specs...>;
  using layers = typename chain::layers;
  /// Whether every rule held (when not, the compiler has said which one broke).
  static constexpr bool valid = chain::checked;
  /// Number of layers after Input (a block counts as one).
  static constexpr std::size_t depth = sizeof...(Specs);

  /// The bound type of layer I (0 is the first layer after Input), and the spec the user wrote.
  template <std::size_t I>
  using layer_type = typename chain::template layer_type<I>;
  template <std::size_t I>
  using spec_type = typename chain::template spec_type<I>;

  /// The shape between layers: shape_at<0> is the input, shape_at<depth> the output.
  template <std::size_t I>
  using shape_at = typename chain::template shape_at<I>;
  using input_shape = shape_at<0>;
  using output_shape = shape_at<depth>;

  /// Trainable scalars, as Keras' summary() counts them.
  static constexpr std::size_t parameter_count = chain::parameter_count;
  /// Where layer I's parameters start in `parameters()`; each tensor starts on a 64-byte boundary.
  template <std::size_t I>
  static constexpr std::size_t offset = chain::template offset<I>;
  /// Scalars in the flat parameter buffer, alignment padding included (padding stays zero).
  static constexpr std::size_t storage_size = chain::storage_size;
  /// Buffers: model memory that is not trained (BatchNormalization's moving mean and variance), apart
  /// from the parameters, so that no optimiser or weight decay sees it. `buffer_count` is what Keras'
  /// summary calls non-trainable parameters; `buffer_size` includes alignment padding.
  static constexpr std::size_t buffer_count = chain::buffer_count;
  static constexpr std::size_t buffer_size = chain::buffer_size;
  /// The widest exchange of batch sums a layer needs when threads share a batch (0: none).
  static constexpr std::size_t sync_width = chain::sync_width;

  /// Activations, gradients and per-layer state for up to MaxB samples, allocated once, so that
  /// forward and backward never allocate. One workspace per thread (sequential/workspace.hpp).
  template <std::size_t MaxB>
  using workspace = detail::chain_workspace<chain, MaxB>;

  /// Parameters initialised from `seed`: each layer's kernel by its initialiser (GlorotUniform unless
  /// the spec says otherwise), biases zero.
  explicit basic_sequential(std::uint64_t seed = 0) { initialize(seed); }

  /// Buffers start at their layers' initial values (BatchNormalization: mean 0, variance 1).
  void initialize(std::uint64_t seed) {
    random_engine rng(seed);
    chain::initialize(params_.data(), rng);
    chain::initialize_buffers(buffers_.data());
  }

  /// One sample in, one sample out: fixed sizes, no allocation, cannot fail. Uses a workspace the
  /// network owns, so one network serves one thread; for several, see predict(x, ws).
  template <class Derived>
  vector<Scalar, output_shape::size> predict(const Eigen::MatrixBase<Derived>& x) noexcept {
    return predict(x, single_);
  }

  /// The same with a workspace the caller owns: `const`, so threads can share one network, each
  /// with its own workspace (any capacity; the sample is its first column).
  template <class Derived, std::size_t MaxB>
  vector<Scalar, output_shape::size> predict(const Eigen::MatrixBase<Derived>& x,
                                             workspace<MaxB>& ws) const noexcept {
    constexpr bool one_sample =
        Derived::RowsAtCompileTime == static_cast<int>(input_shape::size) && Derived::ColsAtCompileTime == 1;
    static_assert(one_sample,
                  "ctnn: predict takes one sample, a column vector of Net::input_shape::size values known at "
                  "compile time; for a batch use forward with a workspace");
    if constexpr (one_sample) {
      ws.input(1) = x;
      forward(ws, mode::inference);
    }
    return ws.output().col(0);
  }

  /// Runs the batch already in `ws.input(n)`. Returns the output view (one column per sample).
  /// Forward reads the network and writes only the workspace.
  template <std::size_t MaxB>
  auto forward(workspace<MaxB>& ws, ctnn::mode m = mode::inference) const noexcept {
    auto ctx = context_for(ws, m);
    chain::forward_all(params_.data(), ws, ctx);
    return ws.output();
  }

  /// After a forward in training mode (and its backward): each layer with buffers folds the batch's
  /// statistics into them (BatchNormalization's moving averages). trainer::fit calls it once per step;
  /// a loop of one's own calls it after each training batch. Forward never writes the network, so
  /// threads sharing a batch (ws.share_batch) read the same buffers and any lane's workspace serves.
  template <std::size_t MaxB>
  void update_buffers(const workspace<MaxB>& ws) noexcept {
    if constexpr (buffer_size > 0) chain::update_buffers(buffers_.data(), ws.states());
  }

  /// Copies `x` (input_shape::size rows, at most MaxB columns) into the workspace and runs it.
  template <std::size_t MaxB, class Derived>
  auto forward(workspace<MaxB>& ws, const Eigen::MatrixBase<Derived>& x,
               ctnn::mode m = mode::inference) const noexcept {
    constexpr bool fits = Derived::RowsAtCompileTime == static_cast<int>(input_shape::size);
    static_assert(
        fits, "ctnn: forward takes input_shape::size rows (known at compile time), one column per sample");
    if constexpr (fits) ws.input(static_cast<std::size_t>(x.cols())) = x;
    return forward(ws, m);
  }

 private:
  // Where backward puts parameter gradients: added into a buffer laid out as gradients() ...
  struct into_buffer {
    Scalar* grads;
  };
  // ... or applied at once as a plain SGD step (grads: room for layers that cannot update in place).
  struct sgd_step {
    Scalar* grads;
    Scalar rate;
  };

 public:
  /// After forward: the loss of the batch against `target`, its gradient propagated back through every
  /// layer, parameter gradients accumulated (call zero_gradients() between steps). When the network
  /// ends in the activation a loss pairs with (Softmax + a categorical cross-entropy, Sigmoid + binary
  /// cross-entropy), the pair is computed from the logits: stable, and the fused gradient (p - t) / n.
  template <std::size_t MaxB, Loss L, class Target>
  Scalar backward(workspace<MaxB>& ws, const L& loss, const Target& target,
                  bool input_gradient = false) noexcept {
    return backward_to(into_buffer{grads_.data()}, ws, loss, target, input_gradient);
  }
  /// As above, but accumulates the parameter gradients into `gradients` (storage_size scalars laid out
  /// as gradients()) instead of the network's own buffer: one buffer per thread when threads share a
  /// batch, summed afterwards (what trainer does with fit_options::threads).
  template <std::size_t MaxB, Loss L, class Target>
  Scalar backward(workspace<MaxB>& ws, const L& loss, const Target& target,
                  std::span<Scalar, storage_size> gradients, bool input_gradient = false) noexcept {
    return backward_to(into_buffer{gradients.data()}, ws, loss, target, input_gradient);
  }

  /// After forward: backward and one plain SGD step in a single pass, w -= learning_rate * dL/dw for
  /// every parameter; returns the loss. The same update as zero_gradients(), backward() and
  /// optimizer<Net, SGD>::step() without momentum or weight decay (equal up to rounding), without
  /// their two passes over every parameter and its gradient: a layer that can (Dense) applies the
  /// step inside its weight-gradient product; any other (Conv2D) computes its gradient into its
  /// slice of gradients() and is stepped right after its own backward, while that slice is in cache.
  /// gradients() then holds only those slices. A loss that is not finite updates nothing.
  template <std::size_t MaxB, Loss L, class Target>
  Scalar backward_sgd(workspace<MaxB>& ws, const L& loss, const Target& target,
                      Scalar learning_rate) noexcept {
    return backward_to(sgd_step{grads_.data(), learning_rate}, ws, loss, target, false);
  }

  /// After forward, with d(loss)/d(output) written to ws.output_gradient(): propagates it back.
  template <std::size_t MaxB>
  void backward(workspace<MaxB>& ws, bool input_gradient = false) noexcept {
    propagate<depth>(ws, into_buffer{grads_.data()}, input_gradient);
  }

  /// After forward: the loss of the batch, without gradients.
  template <std::size_t MaxB, Loss L, class Target>
  Scalar loss(workspace<MaxB>& ws, const L&, const Target& target) noexcept {
    if constexpr (!valid || !error::at_loss<L, output_shape, Target>::ok)
      return Scalar(0);  // the compiler has already reported why
    else if constexpr (fused<L>)
      return L::template logits_value<Scalar>(batch_view<Target>(ws.template activation<depth - 1>()),
                                              detail::target_view(target));
    else
      return L::template value<Scalar>(batch_view<Target>(ws.output()), detail::target_view(target));
  }

  /// Every parameter as one flat column (alignment padding included), and its gradient.
  auto parameters() noexcept { return vector_map<Scalar, storage_size>(params_.data()); }
  auto parameters() const noexcept { return vector_map<const Scalar, storage_size>(params_.data()); }
  auto gradients() noexcept { return vector_map<Scalar, storage_size>(grads_.data()); }
  auto gradients() const noexcept { return vector_map<const Scalar, storage_size>(grads_.data()); }
  void zero_gradients() noexcept { gradients().setZero(); }
  /// Every buffer as one flat column (padding included): model memory no optimiser steps.
  auto buffers() noexcept { return vector_map<Scalar, buffer_size>(buffers_.data()); }
  auto buffers() const noexcept { return vector_map<const Scalar, buffer_size>(buffers_.data()); }

  /// Layer I (0 is the first after Input): its weights and gradients as Eigen maps.
  template <std::size_t I>
  auto layer() noexcept {
    static_assert(I < depth, "ctnn: layer<I>() needs I < Net::depth (layers after Input, counted from 0)");
    return layer_ref<layer_type<I>, Scalar>(params_.data() + offset<I>, grads_.data() + offset<I>);
  }
  template <std::size_t I>
  auto layer() const noexcept {
    static_assert(I < depth, "ctnn: layer<I>() needs I < Net::depth (layers after Input, counted from 0)");
    return layer_ref<layer_type<I>, const Scalar>(params_.data() + offset<I>, grads_.data() + offset<I>);
  }

  /// Calls f(layer_index, spec_name, tensor_info, value_pointer, gradient_pointer) for every parameter
  /// tensor, in a stable order (the order of files and summaries). Offsets in tensor_info are made
  /// absolute (into parameters()). Layers are numbered as detail::walk_layers visits them: a block,
  /// then the layers of its branches, so a network without blocks numbers them 0 .. depth-1.
  template <class F>
  void for_each_tensor(F&& f) {
    visit_tensors(f, params_.data(), grads_.data());
  }
  template <class F>
  void for_each_tensor(F&& f) const {
    visit_tensors(f, params_.data(), grads_.data());
  }
  /// The same for buffers: f(layer_index, spec_name, tensor_info, value_pointer), offsets into buffers().
  template <class F>
  void for_each_buffer(F&& f) {
    visit_buffers(f, buffers_.data());
  }
  template <class F>
  void for_each_buffer(F&& f) const {
    visit_buffers(f, buffers_.data());
  }

 private:
  template <class L>
  static constexpr bool fused = L::template fuses_with<typename detail::last_or_void<specs>::type>;

  // A workspace view of the batch with as many columns as a target fixed at compile time has, so
  // that the loss's expressions are of one fixed size: mixing the batch's run-time column count with
  // a small fixed target lets the compiler see packet loads past the target's end on paths that do
  // not run (g++ 12 -O3 -Warray-bounds, BinaryCrossEntropy on a 1 x 2 target).
  template <class Target, class View>
  static auto batch_view(View v) noexcept {
    if constexpr (detail::eigen_dense<Target> && View::ColsAtCompileTime == Eigen::Dynamic) {
      if constexpr (Target::ColsAtCompileTime != Eigen::Dynamic) {
        CTNN_EXPECTS(v.cols() == Target::ColsAtCompileTime,
                     "the target has as many columns as the batch has samples");
        using element = std::remove_pointer_t<decltype(v.data())>;
        return Eigen::Map<detail::plain_matrix<element, View::RowsAtCompileTime, Target::ColsAtCompileTime>,
                          Eigen::Aligned64>(v.data());
      } else {
        return v;
      }
    } else {
      return v;
    }
  }

  template <class Sink, std::size_t MaxB, class L, class Target>
  Scalar backward_to(Sink sink, workspace<MaxB>& ws, const L&, const Target& target,
                     bool input_gradient) noexcept {
    if constexpr (!valid || !error::at_loss<L, output_shape, Target>::ok) {
      return Scalar(0);  // the compiler has already reported why
    } else {
      // A fused pair writes its gradient at the logits and skips the last activation's backward.
      constexpr std::size_t top = fused<L> ? depth - 1 : depth;
      Scalar value;
      if constexpr (fused<L>)
        value = L::template logits_value_and_gradient<Scalar>(
            batch_view<Target>(ws.template activation<depth - 1>()),
            batch_view<Target>(ws.template activation<depth>()), detail::target_view(target),
            batch_view<Target>(ws.template gradient<top>()));
      else
        value = L::template value_and_gradient<Scalar>(batch_view<Target>(ws.output()),
                                                       detail::target_view(target),
                                                       batch_view<Target>(ws.output_gradient()));
      if (!std::is_same_v<Sink, sgd_step> || std::isfinite(static_cast<double>(value)))
        propagate<top>(ws, sink, input_gradient);
      return value;
    }
  }

  template <std::size_t I, class Sink, std::size_t MaxB>
  void backward_one(workspace<MaxB>& ws, Sink sink, context<Scalar>& ctx, bool input_gradient) noexcept {
    Scalar* p = params_.data() + offset<I>;
    auto run = [&](Scalar* g) { chain::template backward_one<I>(p, g, ws, I > 0 || input_gradient, ctx); };
    if constexpr (std::is_same_v<Sink, sgd_step> && layer_type<I>::parameter_count > 0) {
      if constexpr (requires { requires layer_type<I>::updates_in_place; }) {
        ctx.gradient_scale = -sink.rate;  // the layer's products write the step into p
        run(p);
        ctx.gradient_scale = Scalar(1);
      } else {
        constexpr auto n = static_cast<Eigen::Index>(offset<I + 1> - offset<I>);
        Scalar* g = sink.grads + offset<I>;
        std::fill_n(g, n, Scalar(0));
        run(g);
        Eigen::Map<Eigen::Array<Scalar, Eigen::Dynamic, 1>>(p, n) -=
            sink.rate * Eigen::Map<const Eigen::Array<Scalar, Eigen::Dynamic, 1>>(g, n);
      }
    } else {
      run(sink.grads + offset<I>);
    }
  }

  // Back-propagates the gradient held at activation Top through layers Top-1 down to 0.
  template <std::size_t Top, class Sink, std::size_t MaxB>
  void propagate(workspace<MaxB>& ws, Sink sink, bool input_gradient) noexcept {
    auto ctx = context_for(ws, mode::training);
    [&]<std::size_t... J>(std::index_sequence<J...>) {
      (backward_one<Top - 1 - J>(ws, sink, ctx, input_gradient), ...);
    }
    (std::make_index_sequence<Top>{});
  }

  template <std::size_t MaxB>
  context<Scalar> context_for(workspace<MaxB>& ws, ctnn::mode m) const noexcept {
    return {ws.scratch(), ws.rng(), m, Scalar(1), buffers_.data(), ws.sync(), ws.lane()};
  }

  // Every layer in walk order, for detail::visit_tensors and visit_buffers.
  static void walk_all(auto& each) {
    std::size_t index = 0;
    detail::walk_layers<chain>(each, index);
  }
  template <class F, class B>
  static void visit_buffers(F& f, B* buffers) {
    detail::visit_buffers([](auto& each) { walk_all(each); }, f, buffers);
  }
  template <class F, class P, class G>
  static void visit_tensors(F& f, P* params, G* grads) {
    detail::visit_tensors([](auto& each) { walk_all(each); }, f, params, grads);
  }

  detail::aligned_array<Scalar, storage_size> params_, grads_;
  detail::aligned_array<Scalar, buffer_size> buffers_;
  workspace<1> single_;
};

/// A network over float: `Sequential<Input<784>, Dense<128>, ReLU, Dense<10>, Softmax>`.
/// For double, `Sequential<...>::rebind<double>`.
template <class... Elements>
class Sequential : public basic_sequential<default_scalar, Elements...> {
 public:
  using basic_sequential<default_scalar, Elements...>::basic_sequential;
};

}  // namespace ctnn
