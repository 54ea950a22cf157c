/// @file Defines `detail::bound_chain`: a list of layer specs bound left to right, each on the output
/// shape of the one before, with every rule checked at compile time, and the unrolled forward and
/// backward folds over the bound layers. `Sequential` is storage plus one bound chain; each branch of
/// a block (blocks.hpp) is another.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "concepts.hpp"
#include "config.hpp"
#include "detail/gemm.hpp"
#include "detail/storage.hpp"
#include "error.hpp"
#include "layers/input.hpp"
#include "random.hpp"
#include "shape.hpp"

namespace ctnn {

namespace detail {

template <class... T>
struct type_list {};

template <class Head, class List>
struct prepend;
template <class Head, class... T>
struct prepend<Head, type_list<T...>> {
  using type = type_list<Head, T...>;
};

template <class Front, class List>
struct prepend_all;
template <class... F, class... T>
struct prepend_all<type_list<F...>, type_list<T...>> {
  using type = type_list<F..., T...>;
};

template <class Path, std::size_t K>
struct extend_path;
template <std::size_t... P, std::size_t K>
struct extend_path<error::path<P...>, K> {
  using type = error::path<P..., K>;
};

template <std::size_t I, class List>
struct type_at;
template <std::size_t I, class... T>
struct type_at<I, type_list<T...>> {
  using type = std::tuple_element_t<I, std::tuple<T...>>;
};

template <class List>
struct list_size;
template <class... T>
struct list_size<type_list<T...>> {
  static constexpr std::size_t value = sizeof...(T);
};

/// The last spec of a list, or void for an empty one.
template <class List>
struct last_or_void {
  using type = void;
};
template <class... T>
requires(sizeof...(T) > 0) struct last_or_void<type_list<T...>> {
  using type = std::tuple_element_t<sizeof...(T) - 1, std::tuple<T...>>;
};

/// The shape between layers I-1 and I: the input for I = 0, else layer I-1's output (named only then).
template <class In, class Layers, std::size_t I>
struct boundary_shape {
  using type = typename type_at<I - 1, Layers>::type::output_shape;
};
template <class In, class Layers>
struct boundary_shape<In, Layers, 0> {
  using type = In;
};

/// A layer spec that holds layers of its own (Add, Concat, Multiply, Residual): `Spec::op` combines the
/// outputs of `Spec::branches` (a type_list of Branch), and `Spec::check_arguments()` states the block's
/// own rules (its arguments are branches, at least two). The checker below walks into its branches.
template <class Spec>
concept block_spec = requires {
  requires Spec::is_block;
};

/// Stands in for every layer of a network whose rules do not all hold, so that one mistake gives one
/// error: nothing after it is checked, and nothing is bound.
template <Shape In, class Scalar>
struct poisoned : parameterless<In, shape<1>> {
  template <class... A>
  static void forward(A&&...) noexcept {}
  template <class... A>
  static void backward(A&&...) noexcept {}
};

template <bool Ok, class Spec, class In>
struct output_if {
  using type = typename Spec::template output_shape<In>;
};
template <class Spec, class In>
struct output_if<false, Spec, In> {
  using type = shape<1>;
};

// ---- Checking ------------------------------------------------------------------------------------
// One recursion checks a whole network, blocks included: a block is unrolled into tokens (open the
// block, open branch 1, its layers, close branch 1, ..., close the block) spliced into the list still
// to check. Every step is the same class template, and each rule is evaluated right in its step, so
// a compiler's backtrace is the rule, then one short line per step, whatever the depth of nesting or
// the length of the network (clang++ prints a repeated location on one line and keeps 10 notes).

}  // namespace detail

/// A chain of layers inside a block (blocks.hpp); `Branch<>` is the identity.
template <class... Specs>
struct Branch {};

namespace detail {

/// Where the checker is: `top_level` for a Sequential's own list (its rules are
/// error::at_layer<index, ...>), or an `error::path<...>` to a branch (its rules are
/// error::in_block<path<..., index>, ...>).
struct top_level {};

template <class Where, std::size_t Index>
struct path_to;
template <std::size_t Index>
struct path_to<top_level, Index> {
  using type = error::path<Index>;
};
template <std::size_t... P, std::size_t Index>
struct path_to<error::path<P...>, Index> {
  using type = error::path<P..., Index>;
};

template <class Where, std::size_t Index, class Spec, class In>
struct rule_of;
template <std::size_t Index, class Spec, class In>
struct rule_of<top_level, Index, Spec, In> {
  using type = error::at_layer<Index, Spec, In>;
};
template <std::size_t... Path, std::size_t Index, class Spec, class In>
struct rule_of<error::path<Path...>, Index, Spec, In> {
  using type = error::in_block<error::path<Path..., Index>, Spec, In>;
};

/// An open block: its operation, the place it sits (Where, Index), its input and the outputs of the
/// branches checked so far.
template <class Op, class Where, std::size_t Index, class In, class Outs>
struct frame {};
/// The checker's position: the place of the next layer, the shape it reads, the open blocks
/// (innermost first).
template <class Where, std::size_t Index, class In, class Frames>
struct cursor {};

template <std::size_t K>
struct open_branch {};
template <std::size_t K>
struct close_branch {};
struct close_block {};

struct rule_holds {
  static constexpr bool ok = true;
};

/// The rule a step checks, and the cursor and tokens that follow when it holds.
template <class Cursor, class Token>
struct step;

// A layer: its own rules, on the shape before it.
template <class Where, std::size_t Index, class In, class Frames, class Spec>
struct step<cursor<Where, Index, In, Frames>, Spec> {
  using rule = typename rule_of<Where, Index, Spec, In>::type;
  template <bool Ok>
  using next = cursor<Where, Index + 1, typename output_if<Ok, Spec, In>::type, Frames>;
  using tokens = type_list<>;
};

template <class Branches, class Seq>
struct unroll;
template <class... Branches, std::size_t... K>
struct unroll<type_list<Branches...>, std::index_sequence<K...>> {
  template <std::size_t I, class B>
  struct one {
    using type = type_list<>;  // not a Branch: the block's own rule has said so
  };
  template <std::size_t I, class... S>
  struct one<I, Branch<S...>> {
    using type = type_list<open_branch<I>, S..., close_branch<I>>;
  };
  template <class... Lists>
  struct join {
    using type = type_list<>;
  };
  template <class... A, class... Rest>
  struct join<type_list<A...>, Rest...> {
    using type = typename prepend_all<type_list<A...>, typename join<Rest...>::type>::type;
  };
  using type = typename join<typename one<K + 1, Branches>::type..., type_list<close_block>>::type;
};

// A block: its own rules (its arguments), then its branches, each from the block's input.
template <class Where, std::size_t Index, class In, class... Frames, class Spec>
requires block_spec<Spec>
struct step<cursor<Where, Index, In, type_list<Frames...>>, Spec> {
  using rule = typename rule_of<Where, Index, Spec, In>::type;
  template <bool Ok>
  using next =
      cursor<Where, Index, In, type_list<frame<typename Spec::op, Where, Index, In, type_list<>>, Frames...>>;
  using tokens = typename unroll<typename Spec::branches,
                                 std::make_index_sequence<list_size<typename Spec::branches>::value>>::type;
};

template <class Where, std::size_t Index, class In, class Op, class FWhere, std::size_t FIndex, class FIn,
          class Outs, class... Frames, std::size_t K>
struct step<cursor<Where, Index, In, type_list<frame<Op, FWhere, FIndex, FIn, Outs>, Frames...>>,
            open_branch<K>> {
  using rule = rule_holds;
  template <bool Ok>
  using next = cursor<typename extend_path<typename path_to<FWhere, FIndex>::type, K>::type, 1, FIn,
                      type_list<frame<Op, FWhere, FIndex, FIn, Outs>, Frames...>>;
  using tokens = type_list<>;
};

template <class Outs, class Out>
struct append;
template <class... O, class Out>
struct append<type_list<O...>, Out> {
  using type = type_list<O..., Out>;
};

// The end of branch K: its output must fit branch 1's, as the block's operation says.
template <class Where, std::size_t Index, class In, class Op, class FWhere, std::size_t FIndex, class FIn,
          class... Outs, class... Frames, std::size_t K>
struct step<
    cursor<Where, Index, In, type_list<frame<Op, FWhere, FIndex, FIn, type_list<Outs...>>, Frames...>>,
    close_branch<K>> {
  using rule = std::conditional_t<K == 1, rule_holds,
                                  error::at_branch<Op, typename path_to<FWhere, FIndex>::type, K,
                                                   typename type_at<0, type_list<Outs..., In>>::type, In>>;
  template <bool Ok>
  using next =
      cursor<Where, Index, In, type_list<frame<Op, FWhere, FIndex, FIn, type_list<Outs..., In>>, Frames...>>;
  using tokens = type_list<>;
};

// The end of the block: the next layer reads the combined output.
template <class Where, std::size_t Index, class In, class Op, class FWhere, std::size_t FIndex, class FIn,
          class... Outs, class... Frames>
struct step<
    cursor<Where, Index, In, type_list<frame<Op, FWhere, FIndex, FIn, type_list<Outs...>>, Frames...>>,
    close_block> {
  using rule = rule_holds;
  template <bool Ok>
  using next = cursor<FWhere, FIndex + 1, typename Op::template output<Outs...>, type_list<Frames...>>;
  using tokens = type_list<>;
};

/// Checks `Tokens` from `Cursor`, stopping at the first rule that breaks. `Ok` false: a rule has broken, and
/// nothing after it is checked.
template <class Cursor, bool Ok, class... Tokens>
struct checker {
  static constexpr bool ok = Ok;
};
template <class Where, std::size_t Index, class In, class Frames>
struct checker<cursor<Where, Index, In, Frames>, true> {
  static constexpr bool ok = true;
};

template <class Cursor, bool Ok, class Tokens, class... Rest>
struct resume;
template <class Cursor, bool Ok, class... Tokens, class... Rest>
struct resume<Cursor, Ok, type_list<Tokens...>, Rest...> {
  using type = checker<Cursor, Ok, Tokens..., Rest...>;
};

template <class Cursor, class Token, class... Rest>
struct checker<Cursor, true, Token, Rest...> {
  // The rule is read as a template argument of the next step, not kept in a member of its own, and the
  // whole step is one initialiser: each step before a mistake then adds one line to the compiler's
  // backtrace.
  static constexpr bool ok =
      resume<typename step<Cursor, Token>::template next<step<Cursor, Token>::rule::ok>,
             step<Cursor, Token>::rule::ok, typename step<Cursor, Token>::tokens, Rest...>::type::ok;
};

// ---- Binding -------------------------------------------------------------------------------------

/// Binds `Specs` left to right, each on the output of the one before; every layer is poisoned when
/// the checker has found a broken rule (`Ok` false).
template <class Scalar, bool Ok, class In, class... Specs>
struct binder {
  using bound = type_list<>;
  static constexpr bool ok = Ok;
};
template <class Scalar, class In, class Spec, class... Rest>
struct binder<Scalar, true, In, Spec, Rest...> {
  // A block's bound layer is ctnn's own; any other is checked against the contract first, and a
  // broken one poisons the rest of the chain, so that its one message is the only one.
  static constexpr bool layer_ok = block_spec<Spec> || check_bound<Spec, In, Scalar>();
  using layer = std::conditional_t<layer_ok, typename Spec::template bind<In, Scalar>, poisoned<In, Scalar>>;
  using next = binder<Scalar, layer_ok, typename layer::output_shape, Rest...>;
  using bound = typename prepend<layer, typename next::bound>::type;
  static constexpr bool ok = layer_ok && next::ok;
};
template <class Scalar, class In, class Spec, class... Rest>
struct binder<Scalar, false, In, Spec, Rest...> {
  using bound =
      typename prepend<poisoned<In, Scalar>, typename binder<Scalar, false, shape<1>, Rest...>::bound>::type;
  static constexpr bool ok = false;
};

template <class Bound, std::size_t MaxB, class Scalar>
void reserve_for(gemm_scratch<Scalar>& s) {
  if constexpr (requires { Bound::template reserve<MaxB>(s); }) Bound::template reserve<MaxB>(s);
}

/// A view of `Size` scalars per sample over MaxB columns, of which `n` are in use: fixed-size for
/// one sample, else a batch whose column count is known at run time.
template <class Scalar, std::size_t Size, std::size_t MaxB>
auto sample_view(Scalar* p, Eigen::Index n) noexcept {
  if constexpr (MaxB == 1) {
    (void)n;
    return vector_map<Scalar, Size>(p);
  } else {
    return batch_map<Scalar, Size>(p, static_cast<Eigen::Index>(Size), n);
  }
}

/// The layers `Specs...` bound on `In` over `Scalar`, as one bound layer: its parameters are its
/// layers' blocks in order, its per-pass state holds the activations and gradients between its
/// layers (its input and output belong to whoever runs it) and each layer's own state.
/// `Ok`: whether the checker found every rule held (else every layer is poisoned).
template <class Scalar, bool Ok, Shape In, class... Specs>
struct bound_chain {
  using scalar = Scalar;
  using specs = type_list<Specs...>;
  using layers = typename binder<Scalar, Ok, In, Specs...>::bound;
  /// Whether every rule held and every layer bound to the contract.
  static constexpr bool checked = Ok && binder<Scalar, Ok, In, Specs...>::ok;
  static constexpr std::size_t depth = sizeof...(Specs);

  template <std::size_t I>
  using layer_type = typename type_at<I, layers>::type;
  template <std::size_t I>
  using spec_type = typename type_at<I, specs>::type;
  /// The shape between layers: shape_at<0> is the input, shape_at<depth> the output.
  template <std::size_t I>
  using shape_at = typename boundary_shape<In, layers, I>::type;
  using input_shape = In;
  using output_shape = shape_at<depth>;

 private:
  using indices = std::make_index_sequence<depth>;
  template <std::size_t... I>
  static constexpr std::size_t count_parameters(std::index_sequence<I...>) {
    return (std::size_t{0} + ... + layer_type<I>::parameter_count);
  }
  template <std::size_t... I>
  static constexpr std::size_t storage_before(std::size_t end, std::index_sequence<I...>) {
    return (std::size_t{0} + ... + (I < end ? layer_type<I>::storage_size : 0));
  }
  template <std::size_t... I>
  static constexpr std::size_t buffers_before(std::size_t end, std::index_sequence<I...>) {
    return (std::size_t{0} + ... + (I < end ? buffer_size_of<layer_type<I>>() : 0));
  }
  template <std::size_t... I>
  static constexpr std::size_t widest_sync(std::index_sequence<I...>) {
    std::size_t w = 0;
    ((w = sync_width_of<layer_type<I>>() > w ? sync_width_of<layer_type<I>>() : w), ...);
    return w;
  }

 public:
  static constexpr std::size_t parameter_count = count_parameters(indices{});
  /// Where layer I's parameters start; each tensor starts on a 64-byte boundary.
  template <std::size_t I>
  static constexpr std::size_t offset = storage_before(I, indices{});
  static constexpr std::size_t storage_size = offset<depth>;
  /// The same for buffers (model memory that is not trained), which live apart from the parameters.
  template <std::size_t I>
  static constexpr std::size_t buffer_offset = buffers_before(I, indices{});
  static constexpr std::size_t buffer_size = buffer_offset<depth>;
  static constexpr std::size_t buffer_count = [] {
    return [&]<std::size_t... I>(std::index_sequence<I...>) {
      return (std::size_t{0} + ... + buffer_count_of<layer_type<I>>());
    }
    (indices{});
  }();
  /// The most doubles one layer exchanges between threads that share a batch.
  static constexpr std::size_t sync_width = widest_sync(indices{});

  /// The activations and gradients at boundaries 1 .. depth-1, and each layer's state.
  template <std::size_t MaxB>
  struct state {
    template <class Seq>
    struct interior;
    template <std::size_t... I>
    struct interior<std::index_sequence<I...>> {
      using type = std::tuple<aligned_array<Scalar, shape_at<I + 1>::size * MaxB>...>;
    };
    template <class Seq>
    struct layer_states;
    template <std::size_t... I>
    struct layer_states<std::index_sequence<I...>> {
      using type = std::tuple<typename state_of<layer_type<I>, MaxB>::type...>;
    };
    typename interior<std::make_index_sequence<(depth > 0 ? depth - 1 : 0)>>::type activations, gradients;
    typename layer_states<indices>::type layers;

    template <std::size_t I>
    Scalar* activation_data() noexcept {
      return std::get<I - 1>(activations).data();
    }
    template <std::size_t I>
    Scalar* gradient_data() noexcept {
      return std::get<I - 1>(gradients).data();
    }
  };

  template <std::size_t MaxB>
  static void reserve(gemm_scratch<Scalar>& s) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (reserve_for<layer_type<I>, MaxB>(s), ...);
    }
    (indices{});
  }

  static void initialize(Scalar* p, random_engine& rng) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (init_one<I>(p, rng), ...);
    }
    (indices{});
  }

  /// Buffers' initial values (BatchNormalization: mean 0, variance 1), at `b`, laid out by buffer_offset.
  static void initialize_buffers(Scalar* b) noexcept {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (init_buffers_one<I>(b), ...);
    }
    (indices{});
  }

  /// After a training pass whose states `s` hold the batch's statistics: each layer updates its buffers
  /// (a moving average, say). Forward itself never writes model memory.
  template <class State>
  static void update_buffers(Scalar* b, const State& s) noexcept {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (update_one<I>(b, s), ...);
    }
    (indices{});
  }

  /// Runs every layer forward. `a` supplies the views: `a.activation<I>()` for I in 0 .. depth and
  /// `a.state<I>()` (a Sequential's workspace, or a block's view of its branch). `ctx.buffers` is the
  /// chain's buffer block; each layer sees its own.
  template <class Access>
  static void forward_all(const Scalar* p, Access& a, context<Scalar>& ctx) noexcept {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (with_buffers<I>(ctx,
                       [&] {
                         layer_type<I>::forward(p + offset<I>, a.template activation<I>(),
                                                a.template activation<I + 1>(), a.template state<I>(), ctx);
                       }),
       ...);
    }
    (indices{});
  }

  /// Layer I's backward, its parameters at `p` and its gradients at `g` (both the layer's own block);
  /// `ctx.buffers` is the chain's buffer block.
  template <std::size_t I, class Access>
  static void backward_one(const Scalar* p, Scalar* g, Access& a, bool need_dx,
                           context<Scalar>& ctx) noexcept {
    with_buffers<I>(ctx, [&] {
      layer_type<I>::backward(p, g, a.template activation<I>(), a.template activation<I + 1>(),
                              a.template gradient<I + 1>(), a.template gradient<I>(), need_dx,
                              a.template state<I>(), ctx);
    });
  }

  /// Runs f with ctx.buffers at layer I's own buffers (nothing to do for a layer without).
  template <std::size_t I, class F>
  static void with_buffers(context<Scalar>& ctx, F&& f) noexcept {
    if constexpr (buffer_size_of<layer_type<I>>() == 0) {
      f();
    } else {
      const Scalar* chain_buffers = ctx.buffers;
      ctx.buffers = chain_buffers + buffer_offset<I>;
      f();
      ctx.buffers = chain_buffers;
    }
  }

  /// Back-propagates the gradient at boundary `Top` through layers Top-1 down to 0, adding parameter
  /// gradients into `g` (laid out as the parameters); the input's gradient only if `need_dx`.
  template <std::size_t Top = depth, class Access>
  static void backward_all(const Scalar* p, Scalar* g, Access& a, bool need_dx,
                           context<Scalar>& ctx) noexcept {
    [&]<std::size_t... J>(std::index_sequence<J...>) {
      (backward_one<Top - 1 - J>(p + offset<Top - 1 - J>, g + offset<Top - 1 - J>, a,
                                 Top - 1 - J > 0 || need_dx, ctx),
       ...);
    }
    (std::make_index_sequence<Top>{});
  }

 private:
  template <std::size_t I, class State>
  static void update_one(Scalar* b, const State& s) noexcept {
    if constexpr (buffer_size_of<layer_type<I>>() > 0)
      layer_type<I>::update_buffers(b + buffer_offset<I>, std::get<I>(s.layers));
  }
  template <std::size_t I>
  static void init_buffers_one(Scalar* b) noexcept {
    if constexpr (buffer_size_of<layer_type<I>>() > 0)
      layer_type<I>::initialize_buffers(b + buffer_offset<I>);
  }
  template <std::size_t I>
  static void init_one(Scalar* p, random_engine& rng) {
    if constexpr (requires(Scalar * q) { layer_type<I>::initialize(q, rng); })
      layer_type<I>::initialize(p + offset<I>, rng);
  }
};

/// The views a block gives one of its branches: its input x and output y (and in backward their
/// gradients dx, dy) at the ends, the branch's own buffers between.
template <class Chain, std::size_t MaxB, class X, class Y, class DY = Y, class DX = Y>
struct chain_ends {
  typename Chain::template state<MaxB>& s;
  const X& x;
  const Y& y;
  const DY* dy = nullptr;
  const DX* dx = nullptr;

  template <std::size_t I>
  auto activation() noexcept {
    if constexpr (I == 0)
      return X(x);
    else if constexpr (I == Chain::depth)
      return Y(y);
    else
      return sample_view<typename Chain::scalar, Chain::template shape_at<I>::size, MaxB>(
          s.template activation_data<I>(), x.cols());
  }
  template <std::size_t I>
  auto gradient() noexcept {
    if constexpr (I == 0)
      return DX(*dx);
    else if constexpr (I == Chain::depth)
      return DY(*dy);
    else
      return sample_view<typename Chain::scalar, Chain::template shape_at<I>::size, MaxB>(
          s.template gradient_data<I>(), x.cols());
  }
  template <std::size_t I>
  auto& state() noexcept {
    return std::get<I>(s.layers);
  }
};

/// Visits every layer of `Chain` and, after a block, every layer of its branches (pre-order), as
/// f.template operator()<Spec, Bound, InputShape>(index, level, branch, offset, buffer_offset): `index`
/// counts the layers visited so far (what files and summaries number), `level` is 0 for the chain's own
/// layers and one more per enclosing block, `branch` numbers the branch from 1 (0 at level 0), and
/// `offset` and `buffer_offset` are where the layer's parameters and buffers start, counted from `base`
/// and `buffer_base`.
template <class Chain, class F>
constexpr void walk_layers(F& f, std::size_t& index, std::size_t level = 0, std::size_t branch = 0,
                           std::size_t base = 0, std::size_t buffer_base = 0);

template <class Chain, std::size_t I, class F>
constexpr void walk_layer(F& f, std::size_t& index, std::size_t level, std::size_t branch, std::size_t base,
                          std::size_t buffer_base) {
  using B = typename Chain::template layer_type<I>;
  const std::size_t at = base + Chain::template offset<I>;
  const std::size_t buffers_at = buffer_base + Chain::template buffer_offset<I>;
  f.template operator()<typename Chain::template spec_type<I>, B, typename Chain::template shape_at<I>>(
      index++, level, branch, at, buffers_at);
  if constexpr (requires { typename B::chains; }) {
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (walk_layers<typename type_at<K, typename B::chains>::type>(
           f, index, level + 1, K + 1, at + B::template branch_offset<K>,
           buffers_at + B::template branch_buffer_offset<K>),
       ...);
    }
    (std::make_index_sequence<B::branch_count>{});
  }
}

template <class Chain, class F>
constexpr void walk_layers(F& f, std::size_t& index, std::size_t level, std::size_t branch, std::size_t base,
                           std::size_t buffer_base) {
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    (walk_layer<Chain, I>(f, index, level, branch, base, buffer_base), ...);
  }
  (std::make_index_sequence<Chain::depth>{});
}

/// for_each_tensor and for_each_buffer of a network, whatever walks its layers: `walk(each)` calls
/// each.template operator()<Spec, Bound, In>(index, level, branch, offset, buffer_offset) per layer, as
/// walk_layers does; f gets every tensor with its offset made absolute.
template <class Walk, class F, class P, class G>
void visit_tensors(Walk&& walk, F& f, P* params, G* grads) {
  auto each = [&]<class Spec, class Bound, class In>(std::size_t layer, std::size_t, std::size_t,
                                                     std::size_t at, std::size_t) {
    if constexpr (requires { Bound::for_each_tensor([](tensor_info) {}); }) {
      Bound::for_each_tensor([&](tensor_info t) {
        t.offset += at;
        f(layer, std::string_view(Spec::name), t, params + t.offset, grads + t.offset);
      });
    }
  };
  walk(each);
}
template <class Walk, class F, class B>
void visit_buffers(Walk&& walk, F& f, B* buffers) {
  auto each = [&]<class Spec, class Bound, class In>(std::size_t layer, std::size_t, std::size_t, std::size_t,
                                                     std::size_t at) {
    if constexpr (requires { Bound::for_each_buffer([](tensor_info) {}); }) {
      Bound::for_each_buffer([&](tensor_info t) {
        t.offset += at;
        f(layer, std::string_view(Spec::name), t, buffers + t.offset);
      });
    }
  };
  walk(each);
}

}  // namespace detail

namespace error {
// The layer's own rules, read straight from the initialiser (no member function in between), so that
// a broken rule's backtrace has one note fewer per mistake; a block is checked with its path; Input
// out of place, and a type that is not a layer, are specialisations of their own.
template <std::size_t Index, class Layer, class InputShape>
struct at_layer {
  static constexpr bool ok = Layer::template check<InputShape>();
};
template <std::size_t Index, class Layer, class InputShape>
requires detail::block_spec<Layer>
struct at_layer<Index, Layer, InputShape> {
  static constexpr bool ok = Layer::check_arguments();
};
template <std::size_t Index, class Layer, class InputShape>
requires detail::is_input<Layer>
struct at_layer<Index, Layer, InputShape> {
  // A failed static_assert in a class body makes clang treat the whole class as broken (and cascade);
  // inside a function it only fails that assertion.
  static constexpr bool check() {
    static_assert(detail::always_false<Layer>, "ctnn::Input may only be the first element of a Sequential");
    return false;
  }
  static constexpr bool ok = check();
};
template <std::size_t Index, class Layer, class InputShape>
requires(!detail::is_input<Layer> && !LayerSpec<Layer>) struct at_layer<Index, Layer, InputShape> {
  static constexpr bool check() {
    static_assert(detail::always_false<Layer>,
                  "ctnn::Sequential: this element is not a layer (its type is the second argument of "
                  "ctnn::error::at_layer<position, type, input shape>)");
    return false;
  }
  static constexpr bool ok = check();
};

// The same, for a layer inside a block's branch.
template <class Path, class Layer, class InputShape>
struct in_block {
  static constexpr bool ok = Layer::template check<InputShape>();
};
template <class Path, class Layer, class InputShape>
requires detail::block_spec<Layer>
struct in_block<Path, Layer, InputShape> {
  static constexpr bool ok = Layer::check_arguments();
};
template <class Path, class Layer, class InputShape>
requires detail::is_input<Layer>
struct in_block<Path, Layer, InputShape> {
  static constexpr bool check() {
    static_assert(detail::always_false<Layer>,
                  "ctnn::Input may only be the first element of a Sequential, not inside a ctnn::Branch");
    return false;
  }
  static constexpr bool ok = check();
};
template <class Path, class Layer, class InputShape>
requires(!detail::is_input<Layer> && !LayerSpec<Layer>) struct in_block<Path, Layer, InputShape> {
  static constexpr bool check() {
    static_assert(detail::always_false<Layer>,
                  "ctnn::Branch: this element is not a layer (its type is the second argument of "
                  "ctnn::error::in_block<path, type, input shape>)");
    return false;
  }
  static constexpr bool ok = check();
};
}  // namespace error

}  // namespace ctnn
