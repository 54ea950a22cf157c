/// @file Defines `ctnn::PReLU`, the leaky ReLU whose slopes are learned (Keras' and PyTorch's PReLU).
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string_view>
#include <type_traits>

#include "../concepts.hpp"
#include "../detail/storage.hpp"
#include "../initializers.hpp"
#include "../tensors.hpp"

namespace ctnn {

/// Which values of a sample share one slope. `per_value`: a slope for every value (Keras' default);
/// `per_channel`: one per channel of an image or feature of a sequence, shared over positions or steps
/// (Keras' `shared_axes=[1, 2]` on images, `[1]` on sequences; PyTorch's `PReLU(C)`); on a vector it
/// is per_value. `one`: a single slope (PyTorch's `PReLU()`).
enum class Slopes { per_value, per_channel, one };

/// y = x for x > 0, alpha * x otherwise, with alpha learned: ONNX's PRelu.
/// \tparam S          which values share a slope (see Slopes).
/// \tparam AlphaInit  initialiser of the slopes (Keras' default, Zeros; PyTorch starts at 0.25).
/// Parameters: alpha, as many as S says, in ctnn's layout (an image's H, W, C, channels fastest).
template <Slopes S = Slopes::per_value, class AlphaInit = Zeros>
struct PReLU {
  static constexpr std::string_view name = "PReLU";

  template <Shape In>
  static constexpr bool check() {
    constexpr bool initializer = Initializer<AlphaInit>;  // a bool: the message without the concept's notes
    static_assert(
        initializer,
        "ctnn::PReLU: its second argument is the slopes' initialiser (Zeros, Keras' default, Ones, ...)");
    return initializer;
  }
  template <Shape In>
  using output_shape = In;

  template <Shape In, class Scalar>
  struct bind {
    using input_shape = In;
    using output_shape = In;
    /// Slopes, and the values each covers in one sample: a sample is `slopes` x `repeats`, column-major
    /// (its values in ctnn's order, whose fastest axis is the channels).
    static constexpr std::size_t slopes = S == Slopes::per_value     ? In::size
                                          : S == Slopes::per_channel ? In::dims[In::rank - 1]
                                                                     : 1;
    static constexpr std::size_t repeats = In::size / slopes;

    using weights = tensors<Scalar, tensor<"alpha", slopes, 1, AlphaInit>>;
    static constexpr std::size_t parameter_count = weights::scalar_count;
    static constexpr std::size_t storage_size = weights::storage_size;

    template <class F>
    static void for_each_tensor(F&& f) {
      weights::for_each_tensor(f);
    }
    static void initialize(Scalar* p, random_engine& rng) { weights::initialize(p, rng); }

    template <class P>
    static auto alpha(P* p) noexcept {
      return weights::template map<0>(p).array();
    }
    template <class P>
    static auto values(P* data, Eigen::Index samples) noexcept {
      using M = Eigen::Matrix<std::remove_const_t<P>, static_cast<int>(slopes), Eigen::Dynamic>;
      using Mapped = std::conditional_t<std::is_const_v<P>, const M, M>;
      return Eigen::Map<Mapped, Eigen::Unaligned>(data, static_cast<Eigen::Index>(slopes),
                                                  static_cast<Eigen::Index>(repeats) * samples);
    }

    template <class X, class Y, class State>
    static void forward(const Scalar* p, const X& x, Y&& y, State&, context<Scalar>&) noexcept {
      const auto xs = values(x.data(), x.cols()).array();
      auto ys = values(y.data(), x.cols()).array();
      ys = xs.max(Scalar(0)) + xs.min(Scalar(0)).colwise() * alpha(p);
    }

    // dx = dy where x > 0, alpha dy elsewhere; d alpha += s sum(dy min(x, 0)) over the values it
    // covers, s = ctx.gradient_scale. dx comes first, so `g` may be `p` itself (a fused SGD step).
    static constexpr bool updates_in_place = true;
    template <class X, class Y, class DY, class DX, class State>
    static void backward(const Scalar* p, Scalar* g, const X& x, const Y&, const DY& dy, DX&& dx,
                         bool need_dx, State&, context<Scalar>& ctx) noexcept {
      const auto xs = values(x.data(), x.cols()).array();
      const auto dys = values(dy.data(), x.cols()).array();
      if (need_dx) {
        auto dxs = values(dx.data(), x.cols()).array();
        // Per-coefficient lambdas, not select (which clang++ turns into a branch per value; see ReLU).
        const auto kept =
            dys.binaryExpr(xs, [](Scalar d, Scalar v) { return v > Scalar(0) ? d : Scalar(0); });
        const auto leaked =
            dys.binaryExpr(xs, [](Scalar d, Scalar v) { return v > Scalar(0) ? Scalar(0) : d; });
        dxs = kept + leaked.colwise() * alpha(p);
      }
      weights::template map<0>(g).array() += ctx.gradient_scale * (dys * xs.min(Scalar(0))).rowwise().sum();
    }
  };
};

}  // namespace ctnn
