/// @file Defines `ctnn::streaming<Net>`: the deployment form of a sequence model, one time step per call,
/// with the recurrent states and the causal convolutions' past inputs kept between calls.
// SPDX-License-Identifier: MIT
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <memory>
#include <tuple>
#include <type_traits>

#include "activations.hpp"
#include "blocks.hpp"
#include "chain.hpp"
#include "concepts.hpp"
#include "detail/fast_math.hpp"
#include "detail/gemm.hpp"
#include "detail/storage.hpp"
#include "error.hpp"
#include "graph.hpp"
#include "layers/conv1d.hpp"
#include "layers/dropout.hpp"
#include "layers/recurrent.hpp"
#include "layers/time_distributed.hpp"
#include "random.hpp"

namespace ctnn {

namespace error {
/// Streaming the layer at `Position` (1 for the first after Input) of the network, `Layer`: it cannot
/// run one step at a time.
template <std::size_t Position, class Layer>
struct cannot_stream {
  // In a function, not the class body: clang then fails only this assertion (see error::at_layer).
  static constexpr bool check() {
    static_assert(
        detail::always_false<Layer>,
        "ctnn::streaming: this layer cannot run one time step at a time (its type and position are "
        "ctnn::error::cannot_stream<position, layer>). Recurrent layers, causal (or one-tap) Conv1D, "
        "activations, Dropout, TimeDistributed and blocks of them stream; a pool, Flatten, or valid or "
        "same Conv1D over time needs the whole sequence");
    return false;
  }
  static constexpr bool ok = check();
};
/// Streaming graph node `Name`, whose layer is `Layer`: it cannot run one time step at a time.
template <class Name, class Layer>
struct node_cannot_stream {
  static constexpr bool check() {
    static_assert(
        detail::always_false<Layer>,
        "ctnn::streaming: this graph node cannot run one time step at a time (its name and layer are "
        "ctnn::error::node_cannot_stream<name, layer>). Recurrent layers, causal (or one-tap) Conv1D, "
        "activations, Dropout, TimeDistributed and blocks of them stream, and merges of reads that are all "
        "in time (or none); a pool, Flatten, or valid or same Conv1D over time needs the whole sequence");
    return false;
  }
  static constexpr bool ok = check();
};
}  // namespace error

/// How the streaming form computes tanh and the logistic sigmoid in time (recurrent layers' gates and
/// states, Tanh and Sigmoid layers over time): `standard` as training does (Eigen's, a few ulp), or
/// `fast`, without a division, |error| <= 5.5e-6 (tanh) and 2.8e-6 (sigmoid) in float (detail/fast_math.hpp).
enum class Activations { standard, fast };

namespace detail {

template <class Spec>
inline constexpr bool pointwise_in_time = std::is_base_of_v<elementwise<Spec>, Spec>;
template <fraction Rate>
inline constexpr bool pointwise_in_time<Dropout<Rate>> = true;

template <class Spec>
inline constexpr bool is_time_distributed = false;
template <class L>
inline constexpr bool is_time_distributed<TimeDistributed<L>> = true;

/// 1 SimpleRNN, 2 LSTM, 3 GRU (reset after), 4 GRU (reset before); 0 otherwise.
template <class Spec>
inline constexpr int recurrent_kind = 0;
template <std::size_t U, Returns R>
inline constexpr int recurrent_kind<SimpleRNN<U, R>> = 1;
template <std::size_t U, Returns R, bool B>
inline constexpr int recurrent_kind<LSTM<U, R, B>> = 2;
template <std::size_t U, Returns R, bool After>
inline constexpr int recurrent_kind<GRU<U, R, After>> = After ? 3 : 4;
template <class Spec>
inline constexpr bool returns_last = false;
template <std::size_t U>
inline constexpr bool returns_last<SimpleRNN<U, Returns::last>> = true;
template <std::size_t U, bool B>
inline constexpr bool returns_last<LSTM<U, Returns::last, B>> = true;
template <std::size_t U, bool After>
inline constexpr bool returns_last<GRU<U, Returns::last, After>> = true;

// A Conv1D whose step t reads no input after t: causal padding at stride 1, or a one-tap kernel at
// stride 1 (a per-step Dense over channels, whatever its padding says).
template <class Spec>
inline constexpr bool is_causal_conv1d = false;
template <std::size_t F, std::size_t K, std::size_t D, class Init>
inline constexpr bool is_causal_conv1d<Conv1D<F, K, Padding::causal, 1, D, Init>> = true;
template <std::size_t F, Padding P, std::size_t D, class Init>
requires(P != Padding::causal) inline constexpr bool is_causal_conv1d<Conv1D<F, 1, P, 1, D, Init>> = true;

template <class Chain, bool InTime, Activations A>
struct stream_chain;

/// A bound layer run as in predict, one column: what every layer does once time is gone (after a
/// recurrent layer that returns its last step), and what a per-step layer does at the step's shape.
template <class Bound, class Scalar>
struct stream_as_bound {
  static constexpr bool ok = true;
  static constexpr std::size_t in_size = Bound::input_shape::size, out_size = Bound::output_shape::size;
  struct memory {
    typename state_of<Bound, 1>::type state;
  };
  static void step(const Scalar* p, const Scalar* b, const Scalar* x, Scalar* y, memory& m,
                   context<Scalar>& ctx) noexcept {
    ctx.buffers = b;
    Bound::forward(p, vector_map<const Scalar, in_size>(x), vector_map<Scalar, out_size>(y), m.state, ctx);
  }
  static void reset(memory&) noexcept {}
};

/// How one layer streams. InTime: its input arrives a step at a time (else it is a whole sample).
template <class Spec, class Bound, class Scalar, bool InTime, Activations A>
struct stream_layer : stream_as_bound<Bound, Scalar> {
  static constexpr bool in_time_after = false;
};

// In time, a layer nothing below knows cannot stream.
template <class Spec, class Bound, class Scalar, Activations A>
requires(!pointwise_in_time<Spec> && !is_time_distributed<Spec> && recurrent_kind<Spec> == 0 &&
         !is_causal_conv1d<Spec> && !block_spec<Spec>) struct stream_layer<Spec, Bound, Scalar, true, A> {
  static constexpr bool ok = false, in_time_after = true;
  static constexpr std::size_t in_size = 1, out_size = 1;
  struct memory {};
  static void step(const Scalar*, const Scalar*, const Scalar*, Scalar*, memory&, context<Scalar>&) noexcept {
  }
  static void reset(memory&) noexcept {}
};

// tanh and the logistic of an array expression, as `A` asks.
template <Activations A, class E>
auto tanh_of(const E& e) {
  if constexpr (A == Activations::fast)
    return e.unaryExpr(fast_tanh_op<typename E::Scalar>{});
  else
    return e.tanh();
}
template <Activations A, class E>
auto sigmoid_of(const E& e) {
  if constexpr (A == Activations::fast)
    return e.unaryExpr(fast_sigmoid_op<typename E::Scalar>{});
  else
    return e.logistic();
}

// Tanh and Sigmoid over time, with Activations::fast.
template <class Spec, Activations A>
inline constexpr bool fast_pointwise = A == Activations::fast &&
                                       (std::is_same_v<Spec, Tanh> || std::is_same_v<Spec, Sigmoid>);
template <class Spec, class Bound, class Scalar, Activations A>
requires fast_pointwise<Spec, A>
struct stream_layer<Spec, Bound, Scalar, true, A> {
  static constexpr bool ok = true, in_time_after = true;
  static constexpr std::size_t in_size = drop_first<typename Bound::input_shape>::type::size,
                               out_size = in_size;
  struct memory {};
  CTNN_FLATTEN static void step(const Scalar*, const Scalar*, const Scalar* x, Scalar* y, memory&,
                                context<Scalar>&) noexcept {
    const auto in = vector_map<const Scalar, in_size>(x).array();
    if constexpr (std::is_same_v<Spec, Tanh>)
      vector_map<Scalar, out_size>(y).array() = tanh_of<A>(in);
    else
      vector_map<Scalar, out_size>(y).array() = sigmoid_of<A>(in);
  }
  static void reset(memory&) noexcept {}
};

// Activations and Dropout (inference: the identity) at the step's shape.
template <class Spec, class Bound, class Scalar, Activations A>
requires(pointwise_in_time<Spec> &&
         !fast_pointwise<Spec, A>) struct stream_layer<Spec, Bound, Scalar, true, A>
    : stream_as_bound<
          typename Spec::template bind<typename drop_first<typename Bound::input_shape>::type, Scalar>,
          Scalar> {
  static constexpr bool in_time_after = true;
};

// TimeDistributed: its layer, already bound at the step's shape.
template <class Spec, class Bound, class Scalar, Activations A>
requires is_time_distributed<Spec>
struct stream_layer<Spec, Bound, Scalar, true, A> : stream_as_bound<typename Bound::inner, Scalar> {
  static constexpr bool in_time_after = true;
};

// The recurrent layers: the state (and LSTM's cell) kept between steps; Keras' equations on one step,
// each product an unrolled matrix-vector one. Flattened, as the activations are (activations.hpp):
// Eigen's vectorised tanh and logistic are functions of their own, and a call per packet was 30 % of
// an LSTM<32> step.
template <class Spec, class Bound, class Scalar, Activations A>
requires(recurrent_kind<Spec> != 0) struct stream_layer<Spec, Bound, Scalar, true, A> {
  static constexpr int kind = recurrent_kind<Spec>;
  static constexpr std::size_t F = Bound::F, U = Bound::U;
  static constexpr std::size_t G = kind == 1 ? 1 : kind == 2 ? 4 : 3;
  static constexpr bool ok = true, in_time_after = !returns_last<Spec>;
  static constexpr std::size_t in_size = F, out_size = U;
  struct memory {
    aligned_array<Scalar, U> h, c;
    aligned_array<Scalar, G * U> z, r;
    bool reverse = false;  // the recurrent product's order, alternated (small_matvec_alternating)
  };
  CTNN_FLATTEN static void step(const Scalar* p, const Scalar*, const Scalar* x_, Scalar* y, memory& m,
                                context<Scalar>&) noexcept {
    const auto x = vector_map<const Scalar, F>(x_);
    auto h = vector_map<Scalar, U>(m.h.data());
    auto z = vector_map<Scalar, G * U>(m.z.data());
    small_matvec(Bound::W(p), x, z.data(), Bound::b(p).data());
    m.reverse = !m.reverse;
    if constexpr (kind == 1) {
      small_matvec_alternating(Bound::Wh(p), h, z.data(), z.data(), m.reverse);
      h.array() = tanh_of<A>(z.array());
    } else if constexpr (kind == 2) {
      small_matvec_alternating(Bound::Wh(p), h, z.data(), z.data(), m.reverse);
      auto c = vector_map<Scalar, U>(m.c.data()).array();
      z.template head<2 * U>().array() = sigmoid_of<A>(z.template head<2 * U>().array());
      z.template segment<U>(2 * U).array() = tanh_of<A>(z.template segment<U>(2 * U).array());
      z.template tail<U>().array() = sigmoid_of<A>(z.template tail<U>().array());
      c = z.template segment<U>(U).array() * c +
          z.template head<U>().array() * z.template segment<U>(2 * U).array();
      h.array() = z.template tail<U>().array() * tanh_of<A>(c);
    } else if constexpr (kind == 3) {
      auto r = vector_map<Scalar, G * U>(m.r.data());  // Wh h + bh
      small_matvec_alternating(Bound::Wh(p), h, r.data(), Bound::b_recurrent(p).data(), m.reverse);
      z.template head<2 * U>().array() =
          sigmoid_of<A>(z.template head<2 * U>().array() + r.template head<2 * U>().array());
      z.template tail<U>().array() = tanh_of<A>(
          z.template tail<U>().array() + z.template segment<U>(U).array() * r.template tail<U>().array());
      const auto u = z.template head<U>().array();
      h.array() = u * h.array() + (Scalar(1) - u) * z.template tail<U>().array();
    } else {
      auto r = vector_map<Scalar, G * U>(m.r.data());  // rows 0 .. 2U: Wh_zr h; 2U .. 3U: r h
      const auto wh = Bound::Wh(p);
      small_matvec(wh.template topRows<2 * U>(), h, z.data(), z.data());
      z.template head<2 * U>().array() = sigmoid_of<A>(z.template head<2 * U>().array());
      r.template tail<U>().array() = z.template segment<U>(U).array() * h.array();
      small_matvec(wh.template bottomRows<U>(),
                   Eigen::Map<const Eigen::Matrix<Scalar, int(U), 1>>(m.r.data() + 2 * U), z.data() + 2 * U,
                   z.data() + 2 * U);
      z.template tail<U>().array() = tanh_of<A>(z.template tail<U>().array());
      const auto u = z.template head<U>().array();
      h.array() = u * h.array() + (Scalar(1) - u) * z.template tail<U>().array();
    }
    for (std::size_t i = 0; i < U; ++i) y[i] = m.h.data()[i];
  }
  static void reset(memory& m) noexcept {
    std::fill_n(m.h.data(), U, Scalar(0));
    std::fill_n(m.c.data(), U, Scalar(0));
  }
};

// A causal Conv1D: the last (Kernel - 1) Dilation + 1 inputs in a ring; tap k reads the input
// (Kernel - 1 - k) Dilation steps back, zeros before the first step (causal padding).
template <class Spec, class Bound, class Scalar, Activations A>
requires is_causal_conv1d<Spec>
struct stream_layer<Spec, Bound, Scalar, true, A> {
  static constexpr std::size_t C = Bound::C, F = Bound::output_shape::dims[1], K = Spec::kernel;
  static constexpr std::size_t R = Spec::span, D = Spec::dilation;
  static constexpr bool ok = true, in_time_after = true;
  static constexpr std::size_t in_size = C, out_size = F;
  struct memory {
    aligned_array<Scalar, R * C> ring;
    std::size_t at = 0;
  };
  CTNN_FLATTEN static void step(const Scalar* p, const Scalar*, const Scalar* x, Scalar* y_, memory& m,
                                context<Scalar>&) noexcept {
    Scalar* slot = m.ring.data() + m.at * C;
    for (std::size_t c = 0; c < C; ++c) slot[c] = x[c];
    const auto W = Bound::W(p);
    auto y = vector_map<Scalar, F>(y_);
    y = Bound::b(p);
    [&]<std::size_t... k>(std::index_sequence<k...>) {
      ((y.noalias() +=
        W.template middleCols<C>(k * C).lazyProduct(Eigen::Map<const Eigen::Matrix<Scalar, int(C), 1>>(
            m.ring.data() + ((m.at + R - (K - 1 - k) * D) % R) * C))),
       ...);
    }
    (std::make_index_sequence<K>{});
    m.at = m.at + 1 == R ? 0 : m.at + 1;
  }
  static void reset(memory& m) noexcept {
    std::fill_n(m.ring.data(), R * C, Scalar(0));
    m.at = 0;
  }
};

// A block: each branch streams; the step's outputs are summed (Add, Residual), multiplied
// (Multiply) or put side by side (Concat: the last axis is the step's).
template <class Spec, class Bound, class Scalar, Activations A>
requires block_spec<Spec>
struct stream_layer<Spec, Bound, Scalar, true, A> {
  static constexpr std::size_t branch_count = Bound::branch_count;
  template <std::size_t K>
  using branch = stream_chain<typename Bound::template chain_at<K>, true, A>;
  using branches = std::make_index_sequence<branch_count>;
  static constexpr bool ok = []<std::size_t... K>(std::index_sequence<K...>) {
    return ((branch<K>::ok && branch<K>::in_time_after) && ...);
  }
  (branches{});
  static constexpr bool in_time_after = true;
  static constexpr std::size_t in_size = drop_first<typename Bound::input_shape>::type::size;
  static constexpr std::size_t out_size = drop_first<typename Bound::output_shape>::type::size;
  static constexpr bool concat = std::is_same_v<typename Spec::op, concat_outputs>;
  using step_shape = typename drop_first<typename Bound::output_shape>::type;
  // Branch K's place in a Concat's step: the last axes of the branches before it.
  template <std::size_t K>
  static constexpr std::size_t column_before() {
    return []<std::size_t... J>(std::index_sequence<J...>) {
      return (std::size_t{0} + ... + last_axis<typename Bound::template chain_at<J>::output_shape>);
    }
    (std::make_index_sequence<K>{});
  }

  struct memory {
    template <class Seq>
    struct parts;
    template <std::size_t... K>
    struct parts<std::index_sequence<K...>> {
      using chains = std::tuple<typename branch<K>::memory...>;
      using outputs = std::tuple<aligned_array<Scalar, branch<K>::out_size>...>;
    };
    typename parts<branches>::chains chains;
    typename parts<branches>::outputs outputs;
  };
  template <std::size_t K>
  static auto branch_output(memory& m) noexcept {
    return vector_map<const Scalar, branch<K>::out_size>(std::get<K>(m.outputs).data());
  }
  static void step(const Scalar* p, const Scalar* b, const Scalar* x, Scalar* y, memory& m,
                   context<Scalar>& ctx) noexcept {
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (branch<K>::step(p + Bound::template branch_offset<K>, b + Bound::template branch_buffer_offset<K>, x,
                       std::get<K>(m.outputs).data(), std::get<K>(m.chains), ctx),
       ...);
      // The blocks' own operations on the step's values, as a graph's merges use them.
      using op = typename Spec::op;
      auto out = vector_map<Scalar, out_size>(y);
      if constexpr (concat)
        (op::template place<column_before<K>(), step_shape>(out, branch_output<K>(m)), ...);
      else
        op::forward(out, branch_output<K>(m)...);
    }
    (branches{});
  }
  static void reset(memory& m) noexcept {
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (branch<K>::reset(std::get<K>(m.chains)), ...);
    }
    (branches{});
  }
};

/// The stream forms of layers I .. depth - 1 of `Chain`, the first with its input in time or not.
template <class Chain, std::size_t I, bool InTime, Activations A>
struct stream_from {
  using head = stream_layer<typename Chain::template spec_type<I>, typename Chain::template layer_type<I>,
                            typename Chain::scalar, InTime, A>;
  using rest = stream_from<Chain, I + 1, InTime && head::in_time_after, A>;
  using list =
      decltype(std::tuple_cat(std::declval<std::tuple<head>>(), std::declval<typename rest::list>()));
  static constexpr bool in_time_end = rest::in_time_end;
};
template <class Chain, std::size_t I, bool InTime, Activations A>
requires(I == Chain::depth) struct stream_from<Chain, I, InTime, A> {
  using list = std::tuple<>;
  static constexpr bool in_time_end = InTime;
};

/// A chain (a network's layers, or a block's branch) one step at a time.
template <class Chain, bool InTime, Activations A>
struct stream_chain {
  using Scalar = typename Chain::scalar;
  using from = stream_from<Chain, 0, InTime, A>;
  using layers = typename from::list;
  static constexpr std::size_t depth = Chain::depth;
  template <std::size_t I>
  using layer = std::tuple_element_t<I, layers>;
  using indices = std::make_index_sequence<depth>;
  static constexpr bool in_time_after = from::in_time_end;
  static constexpr std::size_t in_size = [] {
    if constexpr (depth > 0)
      return layer<0>::in_size;
    else if constexpr (InTime)
      return drop_first<typename Chain::input_shape>::type::size;
    else
      return Chain::input_shape::size;
  }();
  static constexpr std::size_t out_size = [] {
    if constexpr (depth > 0)
      return layer<depth - 1>::out_size;
    else
      return in_size;
  }();
  /// The first layer that cannot stream, counted from 1; 0 if every one can.
  static constexpr std::size_t first_failure = []<std::size_t... I>(std::index_sequence<I...>) {
    std::size_t first = 0;
    ((first = first == 0 && !layer<I>::ok ? I + 1 : first), ...);
    return first;
  }
  (indices{});
  static constexpr bool ok = first_failure == 0;

  struct memory {
    template <class Seq>
    struct parts;
    template <std::size_t... I>
    struct parts<std::index_sequence<I...>> {
      using layers = std::tuple<typename layer<I>::memory...>;
      using between = std::tuple<aligned_array<Scalar, layer<I>::out_size>...>;
    };
    typename parts<indices>::layers layers;
    typename parts<indices>::between between;  // each layer's output (the last one's unused)
  };

  static void step(const Scalar* p, const Scalar* b, const Scalar* x, Scalar* y, memory& m,
                   context<Scalar>& ctx) noexcept {
    if constexpr (depth == 0) {
      std::copy_n(x, in_size, y);
    } else {
      [&]<std::size_t... I>(std::index_sequence<I...>) {
        (layer<I>::step(p + Chain::template offset<I>, b + Chain::template buffer_offset<I>,
                        I == 0 ? x : std::get<(I > 0 ? I - 1 : 0)>(m.between).data(),
                        I + 1 == depth ? y : std::get<I>(m.between).data(), std::get<I>(m.layers), ctx),
         ...);
      }
      (indices{});
    }
  }
  static void reset(memory& m) noexcept {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (layer<I>::reset(std::get<I>(m.layers)), ...);
    }
    (indices{});
  }
};

template <class Chain, std::size_t First>
constexpr bool stream_checked() {
  if constexpr (First == 0)
    return true;
  else
    return error::cannot_stream<First, typename Chain::template spec_type<First - 1>>::ok;
}

/// How streaming<Net> runs Net: a Sequential is one chain in time, with one input and one output.
template <class Net, Activations A>
struct stream_engine {
  using Scalar = typename Net::scalar;
  using chain = typename Net::chain;
  using stream = stream_chain<chain, true, A>;
  static_assert(Net::input_shape::rank >= 2,
                "ctnn::streaming needs a network over a sequence, Input<T, F>: it runs one step of F values "
                "per call");
  static constexpr std::size_t input_count = 1, output_count = 1;
  static constexpr std::array<std::size_t, 1> input_sizes{stream::in_size}, output_sizes{stream::out_size};
  static constexpr bool checked() { return stream_checked<chain, stream::first_failure>(); }

  struct memory {
    typename stream::memory chain;
    aligned_array<Scalar, stream::in_size> in;  // the step's copies: x and y may be the same memory
    aligned_array<Scalar, stream::out_size> out;
  };
  static void step(const Net& net, const std::array<const Scalar*, 1>& x, const std::array<Scalar*, 1>& y,
                   memory& m, context<Scalar>& ctx) noexcept {
    std::copy_n(x[0], stream::in_size, m.in.data());
    stream::step(net.parameters().data(), net.buffers().data(), m.in.data(), m.out.data(), m.chain, ctx);
    std::copy_n(m.out.data(), stream::out_size, y[0]);
  }
  static void reset(memory& m) noexcept { stream::reset(m.chain); }
};

/// A merge node (Add, Multiply, Concat) at one step: no memory of its own.
struct stream_merge {
  struct memory {};
  static void reset(memory&) noexcept {}
};

/// Source S of graph G as it streams: whether it arrives a step per call, its step's shape, and for
/// a node, how it streams (stream_layer, or stream_merge).
template <class G, Activations A, std::size_t S, bool IsInput = (S < G::input_count)>
struct graph_stream_source {
  using shape = typename G::template source_shape<S>;
  static constexpr bool in_time = shape::rank >= 2;
  using step_shape = std::conditional_t<in_time, typename drop_first<shape>::type, shape>;
};
template <class G, Activations A, std::size_t S>
struct graph_stream_source<G, A, S, false> {
  static constexpr std::size_t K = S - G::input_count;
  using spec = typename G::template spec_type<K>;
  using shape = typename G::template source_shape<S>;
  static constexpr bool reads_in_time = graph_stream_source<G, A, G::template sources<K>[0]>::in_time;
  using node = std::conditional_t<
      merge_spec<spec>, stream_merge,
      stream_layer<spec, typename G::template layer_type<K>, typename G::scalar, reads_in_time, A>>;
  static constexpr bool in_time = [] {
    if constexpr (merge_spec<spec>)
      return reads_in_time;
    else
      return node::in_time_after;
  }();
  using step_shape = std::conditional_t<in_time, typename drop_first<shape>::type, shape>;
};

/// A Graph: every input of rank 2 or more is a sequence, arriving a step per call; an input of rank 1
/// arrives whole with every step. Each node streams as its layer does in a chain (in time while what it
/// reads is), a merge combines its reads' steps; the outputs are the output nodes' steps.
template <class G, Activations A>
requires requires {
  G::node_count;
}
struct stream_engine<G, A> {
  using Scalar = typename G::scalar;
  static constexpr std::size_t input_count = G::input_count, output_count = G::output_count;
  static constexpr std::size_t node_count = G::node_count, source_count = G::source_count;
  using node_indices = std::make_index_sequence<node_count>;
  using source_indices = std::make_index_sequence<source_count>;
  template <std::size_t K>
  using spec = typename G::template spec_type<K>;

  template <std::size_t S>
  using source = graph_stream_source<G, A, S>;
  template <std::size_t K>
  using node = typename source<G::input_count + K>::node;
  template <std::size_t S>
  static constexpr bool in_time() {
    return source<S>::in_time;
  }
  template <std::size_t S>
  using step_shape = typename source<S>::step_shape;
  template <std::size_t S>
  static constexpr std::size_t step_size = step_shape<S>::size;

  /// Whether node K can stream: its layer can, or, for a merge, its reads are all in time or none is.
  template <std::size_t K>
  static constexpr bool node_ok() {
    if constexpr (merge_spec<spec<K>>) {
      return [&]<std::size_t... R>(std::index_sequence<R...>) {
        return ((in_time<G::template sources<K>[R]>() == in_time<G::template sources<K>[0]>()) && ...);
      }
      (std::make_index_sequence<G::template node_type<K>::read_count>{});
    } else {
      return node<K>::ok;
    }
  }
  /// The first node that cannot stream, counted from 1; 0 if every one can.
  static constexpr std::size_t first_failure = []<std::size_t... K>(std::index_sequence<K...>) {
    std::size_t first = 0;
    ((first = first == 0 && !node_ok<K>() ? K + 1 : first), ...);
    return first;
  }
  (node_indices{});
  static constexpr bool checked() {
    if constexpr (first_failure == 0)
      return true;
    else
      return error::node_cannot_stream<named_t<G::template node_type<first_failure - 1>::id>,
                                       spec<first_failure - 1>>::ok;
  }

  static constexpr std::array<std::size_t, input_count> input_sizes =
      []<std::size_t... I>(std::index_sequence<I...>) {
    return std::array<std::size_t, input_count>{step_size<I>...};
  }
  (std::make_index_sequence<input_count>{});
  static constexpr std::array<std::size_t, output_count> output_sizes =
      []<std::size_t... O>(std::index_sequence<O...>) {
    return std::array<std::size_t, output_count>{step_size<G::output_sources[O]>...};
  }
  (std::make_index_sequence<output_count>{});

  struct memory {
    template <class Nodes, class Sources>
    struct parts;
    template <std::size_t... K, std::size_t... S>
    struct parts<std::index_sequence<K...>, std::index_sequence<S...>> {
      using nodes = std::tuple<typename node<K>::memory...>;
      using steps = std::tuple<aligned_array<Scalar, step_size<S>>...>;
    };
    typename parts<node_indices, source_indices>::nodes nodes;
    typename parts<node_indices, source_indices>::steps steps;  // every source's value at this step
  };
  template <std::size_t S>
  static auto step_of(memory& m) noexcept {
    return vector_map<Scalar, step_size<S>>(std::get<S>(m.steps).data());
  }

  template <std::size_t K, std::size_t R>
  static constexpr std::size_t column_before() {
    return [&]<std::size_t... J>(std::index_sequence<J...>) {
      return (std::size_t{0} + ... + last_axis<step_shape<G::template sources<K>[J]>>);
    }
    (std::make_index_sequence<R>{});
  }

  template <std::size_t K>
  static void step_node(const Scalar* p, const Scalar* b, memory& m, context<Scalar>& ctx) noexcept {
    constexpr std::size_t self = input_count + K;
    if constexpr (merge_spec<spec<K>>) {
      using op = typename spec<K>::op;
      auto y = step_of<self>(m);
      [&]<std::size_t... R>(std::index_sequence<R...>) {
        if constexpr (std::is_same_v<op, concat_outputs>)
          (op::template place<column_before<K, R>(), step_shape<self>>(y,
                                                                       step_of<G::template sources<K>[R]>(m)),
           ...);
        else
          op::forward(y, step_of<G::template sources<K>[R]>(m)...);
      }
      (std::make_index_sequence<G::template node_type<K>::read_count>{});
    } else {
      node<K>::step(p + G::template offset<K>, b + G::template buffer_offset<K>,
                    std::get<G::template sources<K>[0]>(m.steps).data(), std::get<self>(m.steps).data(),
                    std::get<K>(m.nodes), ctx);
    }
  }
  static void step(const G& net, const std::array<const Scalar*, input_count>& x,
                   const std::array<Scalar*, output_count>& y, memory& m, context<Scalar>& ctx) noexcept {
    const Scalar* p = net.parameters().data();
    const Scalar* b = net.buffers().data();
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (std::copy_n(x[I], step_size<I>, std::get<I>(m.steps).data()), ...);
    }
    (std::make_index_sequence<input_count>{});
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (step_node<K>(p, b, m, ctx), ...);
    }
    (node_indices{});
    [&]<std::size_t... O>(std::index_sequence<O...>) {
      (std::copy_n(std::get<G::output_sources[O]>(m.steps).data(), output_sizes[O], y[O]), ...);
    }
    (std::make_index_sequence<output_count>{});
  }
  static void reset(memory& m) noexcept {
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (node<K>::reset(std::get<K>(m.nodes)), ...);
    }
    (node_indices{});
  }
};
}  // namespace detail

/// The deployment form of `Net`, a Sequential whose input is a sequence (Input<T, F>): one time step
/// per call, T unbounded. It keeps each recurrent layer's state and each causal Conv1D's last inputs
/// between calls; `reset()` starts a new sequence. `step` is noexcept, allocates nothing and takes no
/// lock. Each step's output is what `Net` computes at that step of the whole sequence: the recurrent
/// layer's state, a TimeDistributed layer's output, or, after a recurrent layer that returns its last
/// step, what the layers after it compute from the state at this step.
///
/// `Net` may be a Graph: each input of rank 2 or more (In<"name", T, F>) is a sequence, given a step
/// per call; an input of rank 1 is given whole with every step (a condition, a control value); each
/// output gives its step. Nodes stream as the layers of a Sequential do, and a merge's reads must all
/// be in time or none.
///
/// It holds a `Net` for its weights: `network()` is the training network's type, so its weight file
/// loads with `ctnn::load(model.network(), path)` unchanged, or `model.network() = trained`.
///
///     using Net = ctnn::Sequential<ctnn::Input<2048, 1>, ctnn::LSTM<16>, ctnn::Dense<1>>;
///     auto model = std::make_unique<ctnn::streaming<Net>>();
///     ctnn::load(model->network(), "amp.ctnn");
///     for (float& s : buffer) s = model->step(s);
template <class Net, Activations A = Activations::standard>
class streaming {
  using engine = detail::stream_engine<Net, A>;
  // Instantiated with the class: a layer that cannot stream is one error, naming it.
  using checked_ = std::bool_constant<engine::checked()>;

 public:
  using network_type = Net;
  using scalar = typename Net::scalar;
  /// Inputs and outputs (a Sequential has one of each), and the values of each per step.
  static constexpr std::size_t input_count = engine::input_count, output_count = engine::output_count;
  static constexpr std::array<std::size_t, input_count> input_sizes = engine::input_sizes;
  static constexpr std::array<std::size_t, output_count> output_sizes = engine::output_sizes;
  /// The first input's and output's values per step (a Sequential's only ones).
  static constexpr std::size_t input_size = input_sizes[0], output_size = output_sizes[0];

  streaming() : net_(std::make_unique<Net>()) { reset(); }
  explicit streaming(const Net& trained) : net_(std::make_unique<Net>(trained)) { reset(); }

  Net& network() noexcept { return *net_; }
  const Net& network() const noexcept { return *net_; }

  /// Starts a new sequence: states and past inputs back to zero, as at the start of a sample.
  void reset() noexcept { engine::reset(memory_); }

  /// One step: input I's `input_sizes[I]` values at x[I], output O's written at y[O] (a Graph's
  /// inputs and outputs in the order of its Inputs<...> and Outputs<...>).
  void step(const std::array<const scalar*, input_count>& x,
            const std::array<scalar*, output_count>& y) noexcept {
    context<scalar> ctx{scratch_, rng_, mode::inference};
    engine::step(*net_, x, y, memory_, ctx);
  }
  /// One step of a network with one input and one output: `input_size` values at `x`, `output_size`
  /// written at `y`.
  void step(const scalar* x, scalar* y) noexcept requires(input_count == 1 && output_count == 1) {
    step(std::array<const scalar*, 1>{x}, std::array<scalar*, 1>{y});
  }
  /// One step of one value in and one out (an audio sample through an effect model).
  scalar step(scalar x) noexcept
      requires(input_count == 1 && output_count == 1 && input_size == 1 && output_size == 1) {
    scalar y;
    step(&x, &y);
    return y;
  }
  /// One step as vectors, one per input: the output as a vector, or a tuple of them, one per output.
  template <class... Derived>
  auto step(const Eigen::MatrixBase<Derived>&... x) noexcept requires(sizeof...(Derived) == input_count) {
    return [&]<std::size_t... I, std::size_t... O>(std::index_sequence<I...>, std::index_sequence<O...>) {
      static_assert(((Derived::RowsAtCompileTime == static_cast<int>(input_sizes[I]) &&
                      Derived::ColsAtCompileTime == 1) &&
                     ...),
                    "ctnn::streaming::step takes one step per input, a column of input_sizes[i] values");
      const std::tuple<vector<scalar, input_sizes[I]>...> in(x...);
      std::tuple<vector<scalar, output_sizes[O]>...> out;
      step(std::array<const scalar*, input_count>{std::get<I>(in).data()...},
           std::array<scalar*, output_count>{std::get<O>(out).data()...});
      if constexpr (output_count == 1)
        return std::get<0>(out);
      else
        return out;
    }
    (std::make_index_sequence<input_count>{}, std::make_index_sequence<output_count>{});
  }
  /// `steps` steps at once: inputs side by side at `x` (input_size values per step), outputs at `y`.
  void process(const scalar* x, scalar* y, std::size_t steps) noexcept
      requires(input_count == 1 && output_count == 1) {
    for (std::size_t t = 0; t < steps; ++t) step(x + t * input_size, y + t * output_size);
  }

 private:
  std::unique_ptr<Net> net_;
  typename engine::memory memory_{};
  detail::gemm_scratch<scalar> scratch_;
  random_engine rng_{0};
};

}  // namespace ctnn
