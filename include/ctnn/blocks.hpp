/// @file Defines the blocks: `ctnn::Branch`, `ctnn::Add`, `ctnn::Residual`, `ctnn::Concat` and
/// `ctnn::Multiply`. A block is a layer made of branches, each a chain of layers that reads the block's
/// input; the branches' outputs are combined into the block's. Blocks go wherever a layer does,
/// nested at will, and every rule inside them is checked at compile time with its path.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "chain.hpp"
#include "concepts.hpp"
#include "config.hpp"
#include "detail/storage.hpp"
#include "error.hpp"
#include "shape.hpp"

namespace ctnn {

namespace detail {

template <class T>
inline constexpr bool is_branch = false;
template <class... S>
inline constexpr bool is_branch<Branch<S...>> = true;

template <class Scalar, class In, class B>
struct branch_chain {
  using type = bound_chain<Scalar, false, In>;  // not a Branch: the block's rule has said so
};
template <class Scalar, class In, class... S>
struct branch_chain<Scalar, In, Branch<S...>> {
  using type = bound_chain<Scalar, true, In, S...>;
};

template <class... Shapes>
struct first_of {
  using type = shape<1>;  // no branches: a Graph's merge node (graph.hpp), which never asks
};
template <class First, class... Rest>
struct first_of<First, Rest...> {
  using type = First;
};

/// Add: y = sum of the branches' outputs, which must all have the same shape.
struct add_outputs {
  static constexpr bool passes_gradient = true;  // d(loss)/d(branch output) is dy itself
  template <class First, class Other>
  static constexpr bool check() {
    static_assert(std::is_same_v<First, Other>,
                  "ctnn::Add: every branch must produce the same shape; this branch's output (the last "
                  "argument of ctnn::error::at_branch) differs from branch 1's (the one before it)");
    return std::is_same_v<First, Other>;
  }
  template <class... Outs>
  using output = typename first_of<Outs...>::type;

  template <class Y, class First, class... Rest>
  static void forward(Y& y, const First& first, const Rest&... rest) noexcept {
    y = first;
    ((y += rest), ...);
  }
};

/// Residual: Add of the identity and the user's layers, with a message in the residual's words.
struct residual_outputs : add_outputs {
  template <class First, class Other>
  static constexpr bool check() {
    static_assert(std::is_same_v<First, Other>,
                  "ctnn::Residual: the layers must give back their input's shape, since y = x + f(x); "
                  "f(x)'s shape is the last argument of ctnn::error::at_branch, x's the one before it "
                  "(for a shape that changes, use Add<Branch<projection...>, Branch<layers...>>)");
    return std::is_same_v<First, Other>;
  }
};

/// Multiply: y = the element-wise product of the branches' outputs (gating), all of one shape.
struct multiply_outputs {
  static constexpr bool passes_gradient = false;
  template <class First, class Other>
  static constexpr bool check() {
    static_assert(std::is_same_v<First, Other>,
                  "ctnn::Multiply: every branch must produce the same shape; this branch's output (the last "
                  "argument of ctnn::error::at_branch) differs from branch 1's (the one before it)");
    return std::is_same_v<First, Other>;
  }
  template <class... Outs>
  using output = typename first_of<Outs...>::type;

  template <class Y, class First, class... Rest>
  static void forward(Y& y, const First& first, const Rest&... rest) noexcept {
    y = first;
    ((y.array() *= rest.array()), ...);
  }
  // d(loss)/d(out_k) = dy times the product of the other branches' outputs.
  template <std::size_t K, class DY, class DOut, class Outs, std::size_t... J>
  static void backward_one(const DY& dy, DOut&& dout, const Outs& outs, std::index_sequence<J...>) noexcept {
    dout = dy;
    ((J != K ? void(dout.array() *= std::get<J>(outs).array()) : void()), ...);
  }
};

template <class Shape, std::size_t Last>
struct with_last;
template <std::size_t... D, std::size_t Last>
struct with_last<shape<D...>, Last> {
  template <class Seq>
  struct build;
  template <std::size_t... I>
  struct build<std::index_sequence<I...>> {
    using type = shape<shape<D...>::dims[I]..., Last>;
  };
  using type = typename build<std::make_index_sequence<sizeof...(D) - 1>>::type;
};

template <class S>
inline constexpr std::size_t last_axis = S::dims[S::rank - 1];

/// Concat: the branches' outputs joined along the last axis (channels, for images); the other axes
/// must agree.
struct concat_outputs {
  static constexpr bool passes_gradient = false;
  template <class First, class Other>
  static constexpr bool same_but_last() {
    if constexpr (First::rank != Other::rank) {
      return false;
    } else {
      for (std::size_t i = 0; i + 1 < First::rank; ++i)
        if (First::dims[i] != Other::dims[i]) return false;
      return true;
    }
  }
  template <class First, class Other>
  static constexpr bool check() {
    static_assert(
        same_but_last<First, Other>(),
        "ctnn::Concat: the branches' outputs must agree on every axis but the last; this branch's "
        "(the last argument of ctnn::error::at_branch) differs from branch 1's (the one before it)");
    return same_but_last<First, Other>();
  }
  template <class... Outs>
  using output =
      typename with_last<typename first_of<Outs...>::type, (std::size_t{0} + ... + last_axis<Outs>)>::type;

  // Each sample is a column with the last axis fastest: a (last axis) x (the rest) matrix, whose rows
  // the branches fill in turn.
  template <std::size_t From, class Out, class Y, class Part, class Scalar = typename Part::Scalar>
  static void place(Y& y, const Part& part) noexcept {
    constexpr int rows = static_cast<int>(last_axis<Out>),
                  cols = static_cast<int>(Out::size / last_axis<Out>);
    constexpr int part_rows = static_cast<int>(Part::RowsAtCompileTime) / cols;
    for (Eigen::Index j = 0; j < y.cols(); ++j) {
      Eigen::Map<Eigen::Matrix<Scalar, rows, cols>> whole(y.data() + j * y.rows());
      whole.template middleRows<part_rows>(static_cast<Eigen::Index>(From)) =
          Eigen::Map<const Eigen::Matrix<Scalar, part_rows, cols>>(part.data() + j * part.rows());
    }
  }
  template <std::size_t From, class Out, class DY, class Part, class Scalar = typename DY::Scalar>
  static void take(const DY& dy, Part&& part) noexcept {
    constexpr int rows = static_cast<int>(last_axis<Out>),
                  cols = static_cast<int>(Out::size / last_axis<Out>);
    constexpr int part_rows = static_cast<int>(std::remove_cvref_t<Part>::RowsAtCompileTime) / cols;
    for (Eigen::Index j = 0; j < dy.cols(); ++j) {
      Eigen::Map<Eigen::Matrix<Scalar, part_rows, cols>>(part.data() + j * part.rows()) =
          Eigen::Map<const Eigen::Matrix<Scalar, rows, cols>>(dy.data() + j * dy.rows())
              .template middleRows<part_rows>(static_cast<Eigen::Index>(From));
    }
  }
};

/// The body every block shares: `Op` combines the outputs of `Branches` (each a ctnn::Branch).
template <class Op, class... Branches>
struct block {
  static constexpr bool is_block = true;
  static constexpr std::size_t branch_count = sizeof...(Branches);

 public:
  using op = Op;
  using branches = type_list<Branches...>;

  /// The block's own rules: every argument a Branch, at least two. The network's checker then checks
  /// each branch's layers and the outputs' agreement (chain.hpp).
  static constexpr bool check_arguments() {
    if constexpr (!(is_branch<Branches> && ...)) {
      static_assert((is_branch<Branches> && ...),
                    "ctnn: a block's arguments are branches, as in Add<Branch<Dense<8>>, Branch<Dense<8>>>");
      return false;
    } else {
      static_assert(branch_count >= 2, "ctnn: a block needs at least two branches to combine");
      return branch_count >= 2;
    }
  }

  template <Shape In>
  using output_shape =
      typename Op::template output<typename branch_chain<float, In, Branches>::type::output_shape...>;

  template <Shape In, class Scalar>
  struct bind {
    using chains = type_list<typename branch_chain<Scalar, In, Branches>::type...>;
    template <std::size_t K>
    using chain_at = typename type_at<K, chains>::type;
    static constexpr std::size_t branch_count = sizeof...(Branches);
    using input_shape = In;
    using output_shape =
        typename Op::template output<typename branch_chain<Scalar, In, Branches>::type::output_shape...>;

   private:
    using branches = std::make_index_sequence<branch_count>;
    template <std::size_t... K>
    static constexpr std::size_t storage_before(std::size_t end, std::index_sequence<K...>) {
      return (std::size_t{0} + ... + (K < end ? chain_at<K>::storage_size : 0));
    }
    template <std::size_t... K>
    static constexpr std::size_t buffers_before(std::size_t end, std::index_sequence<K...>) {
      return (std::size_t{0} + ... + (K < end ? chain_at<K>::buffer_size : 0));
    }
    template <std::size_t... K>
    static constexpr std::size_t count(std::index_sequence<K...>) {
      return (std::size_t{0} + ... + chain_at<K>::parameter_count);
    }
    template <std::size_t... K>
    static constexpr std::size_t count_buffers(std::index_sequence<K...>) {
      return (std::size_t{0} + ... + chain_at<K>::buffer_count);
    }
    template <std::size_t... K>
    static constexpr std::size_t widest_sync(std::index_sequence<K...>) {
      std::size_t w = 0;
      ((w = chain_at<K>::sync_width > w ? chain_at<K>::sync_width : w), ...);
      return w;
    }
    template <std::size_t K>
    static constexpr bool identity = chain_at<K>::depth == 0;
    // Buffers: an identity branch's output is the block's input; Add hands dy itself to every branch.
    template <std::size_t K>
    static constexpr std::size_t out_size = identity<K> ? 0 : chain_at<K>::output_shape::size;
    template <std::size_t K>
    static constexpr std::size_t dout_size = Op::passes_gradient ? 0 : chain_at<K>::output_shape::size;

   public:
    /// Where branch K's parameters start in the block's.
    template <std::size_t K>
    static constexpr std::size_t branch_offset = storage_before(K, branches{});
    static constexpr std::size_t parameter_count = count(branches{});
    static constexpr std::size_t storage_size = branch_offset<branch_count>;
    /// The same for the branches' buffers (BatchNormalization's statistics inside a block).
    template <std::size_t K>
    static constexpr std::size_t branch_buffer_offset = buffers_before(K, branches{});
    static constexpr std::size_t buffer_size = branch_buffer_offset<branch_count>;
    static constexpr std::size_t buffer_count = count_buffers(branches{});
    static constexpr std::size_t sync_width = widest_sync(branches{});

    /// Each branch's own state, its output, the gradient at its output and at its input.
    template <std::size_t MaxB>
    struct state {
      static constexpr std::size_t capacity = MaxB;
      template <class Seq>
      struct parts;
      template <std::size_t... K>
      struct parts<std::index_sequence<K...>> {
        using chains = std::tuple<typename chain_at<K>::template state<MaxB>...>;
        using outputs = std::tuple<aligned_array<Scalar, out_size<K> * MaxB>...>;
        using output_gradients = std::tuple<aligned_array<Scalar, dout_size<K> * MaxB>...>;
        using inputs = std::tuple<aligned_array<Scalar, (identity<K> ? 0 : In::size) * MaxB>...>;
      };
      typename parts<branches>::chains chains;
      typename parts<branches>::outputs out;
      typename parts<branches>::output_gradients dout;
      typename parts<branches>::inputs dx;
    };

    template <std::size_t MaxB>
    static void reserve(gemm_scratch<Scalar>& s) {
      [&]<std::size_t... K>(std::index_sequence<K...>) {
        (chain_at<K>::template reserve<MaxB>(s), ...);
      }
      (branches{});
    }

    static void initialize(Scalar* p, random_engine& rng) {
      [&]<std::size_t... K>(std::index_sequence<K...>) {
        (chain_at<K>::initialize(p + branch_offset<K>, rng), ...);
      }
      (branches{});
    }

    static void initialize_buffers(Scalar* b) noexcept {
      [&]<std::size_t... K>(std::index_sequence<K...>) {
        (chain_at<K>::initialize_buffers(b + branch_buffer_offset<K>), ...);
      }
      (branches{});
    }
    template <class State>
    static void update_buffers(Scalar* b, const State& s) noexcept {
      [&]<std::size_t... K>(std::index_sequence<K...>) {
        (chain_at<K>::update_buffers(b + branch_buffer_offset<K>, std::get<K>(s.chains)), ...);
      }
      (branches{});
    }

    template <class X, class Y, class State>
    static void forward(const Scalar* p, const X& x, Y&& y, State& s, context<Scalar>& ctx) noexcept {
      [&]<std::size_t... K>(std::index_sequence<K...>) {
        (run_forward<K>(p, x, s, ctx), ...);
        if constexpr (std::is_same_v<Op, concat_outputs>)
          (Op::template place<column_before<K>(), output_shape>(y, output_of<K>(x, s)), ...);
        else
          Op::forward(y, output_of<K>(x, s)...);
      }
      (branches{});
    }

    template <class X, class Y, class DY, class DX, class State>
    static void backward(const Scalar* p, Scalar* g, const X& x, const Y&, const DY& dy, DX&& dx,
                         bool need_dx, State& s, context<Scalar>& ctx) noexcept {
      constexpr std::size_t MaxB = State::capacity;
      [&]<std::size_t... K>(std::index_sequence<K...>) {
        if constexpr (std::is_same_v<Op, multiply_outputs>) {
          const auto outs = std::make_tuple(output_of<K>(x, s)...);
          (Op::template backward_one<K>(dy, output_gradient<K>(x, s), outs, branches{}), ...);
        } else if constexpr (std::is_same_v<Op, concat_outputs>) {
          (Op::template take<column_before<K>(), output_shape>(dy, output_gradient<K>(x, s)), ...);
        }
        (run_backward<K>(p, g, x, dy, s, need_dx, ctx), ...);
        if (need_dx) {
          bool first = true;
          auto add = [&](const auto& part) {
            if (first)
              dx = part;
            else
              dx += part;
            first = false;
          };
          (add(input_gradient<K, MaxB>(x, dy, s)), ...);
        }
      }
      (branches{});
    }

   private:
    template <std::size_t K>
    static constexpr std::size_t column_before() {
      return [&]<std::size_t... J>(std::index_sequence<J...>) {
        return (std::size_t{0} + ... + last_axis<typename chain_at<J>::output_shape>);
      }
      (std::make_index_sequence<K>{});
    }

    template <std::size_t K, class X, class State>
    static auto output_of(const X& x, State& s) noexcept {
      if constexpr (identity<K>)
        return X(x);
      else
        return sample_view<Scalar, out_size<K>, State::capacity>(std::get<K>(s.out).data(), x.cols());
    }
    template <std::size_t K, class X, class State>
    static auto output_gradient(const X& x, State& s) noexcept {
      return sample_view<Scalar, chain_at<K>::output_shape::size, State::capacity>(std::get<K>(s.dout).data(),
                                                                                   x.cols());
    }

    template <std::size_t K, class X, class State>
    static void run_forward(const Scalar* p, const X& x, State& s, context<Scalar>& ctx) noexcept {
      if constexpr (!identity<K>) {
        using C = chain_at<K>;
        auto y = output_of<K>(x, s);
        chain_ends<C, State::capacity, X, decltype(y)> a{std::get<K>(s.chains), x, y};
        in_branch<K>(ctx, [&] { C::forward_all(p + branch_offset<K>, a, ctx); });
      }
    }

    // The gradient at branch K's output: dy itself where the operation passes it through (Add).
    template <std::size_t K, class X, class DY, class State>
    static auto gradient_at_output(const X& x, const DY& dy, State& s) noexcept {
      if constexpr (Op::passes_gradient)
        return DY(dy);
      else
        return output_gradient<K>(x, s);
    }

    template <std::size_t K, class X, class DY, class State>
    static void run_backward(const Scalar* p, Scalar* g, const X& x, const DY& dy, State& s, bool need_dx,
                             context<Scalar>& ctx) noexcept {
      if constexpr (!identity<K>) {
        using C = chain_at<K>;
        auto y = output_of<K>(x, s);
        auto d_out = gradient_at_output<K>(x, dy, s);
        auto d_in = sample_view<Scalar, In::size, State::capacity>(std::get<K>(s.dx).data(), x.cols());
        chain_ends<C, State::capacity, X, decltype(y), decltype(d_out), decltype(d_in)> a{
            std::get<K>(s.chains), x, y, &d_out, &d_in};
        in_branch<K>(ctx,
                     [&] { C::backward_all(p + branch_offset<K>, g + branch_offset<K>, a, need_dx, ctx); });
      }
    }

    // Runs f with ctx.buffers at branch K's buffers (ctx.buffers is the block's own on entry).
    template <std::size_t K, class F>
    static void in_branch(context<Scalar>& ctx, F&& f) noexcept {
      if constexpr (chain_at<K>::buffer_size == 0) {
        f();
      } else {
        const Scalar* block_buffers = ctx.buffers;
        ctx.buffers = block_buffers + branch_buffer_offset<K>;
        f();
        ctx.buffers = block_buffers;
      }
    }

    // The gradient branch K sends back to the block's input: the identity passes on its output's.
    template <std::size_t K, std::size_t MaxB, class X, class DY, class State>
    static auto input_gradient(const X& x, const DY& dy, State& s) noexcept {
      if constexpr (identity<K>)
        return gradient_at_output<K>(x, dy, s);
      else
        return sample_view<Scalar, In::size, MaxB>(std::get<K>(s.dx).data(), x.cols());
    }
  };
};

}  // namespace detail

namespace error {
template <class Op, class Path, std::size_t Branch, class FirstOutput, class BranchOutput>
struct at_branch {
  static constexpr bool ok = Op::template check<FirstOutput, BranchOutput>();
};
}  // namespace error

/// y = the sum of the branches' outputs (Keras' Add over branches that all read the block's input).
/// Every branch must produce the same shape. `Add<Branch<>, Branch<Conv2D<...>, ...>>` is a residual.
template <class... Branches>
struct Add : detail::block<detail::add_outputs, Branches...> {
  static constexpr std::string_view name = "Add";
};

/// y = x + f(x), f being `Specs...`: `Add<Branch<>, Branch<Specs...>>`, and f must keep x's shape.
template <class... Specs>
struct Residual : detail::block<detail::residual_outputs, Branch<>, Branch<Specs...>> {
  static constexpr std::string_view name = "Residual";
};

/// The branches' outputs joined along the last axis (channels for images; Keras' Concatenate(-1)).
template <class... Branches>
struct Concat : detail::block<detail::concat_outputs, Branches...> {
  static constexpr std::string_view name = "Concat";
};

/// The element-wise product of the branches' outputs (gating, as WaveNet's tanh x sigmoid).
template <class... Branches>
struct Multiply : detail::block<detail::multiply_outputs, Branches...> {
  static constexpr std::string_view name = "Multiply";
};

}  // namespace ctnn
