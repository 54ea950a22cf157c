// Rule: a custom layer's bound layer states its parameter and storage counts (docs/concepts.md).
// expect-error: ctnn: this layer's bind<In, Scalar> needs static constexpr parameter_count and storage_size
// expect-near: Twice
#include <ctnn/ctnn.hpp>

struct Twice {
  static constexpr std::string_view name = "Twice";
  template <ctnn::Shape In>
  static constexpr bool check() {
    return true;
  }
  template <ctnn::Shape In>
  using output_shape = In;
  template <ctnn::Shape In, class Scalar>
  struct bind {
    using input_shape = In;
    using output_shape = In;
#ifndef CTNN_SHOULD_FAIL
    static constexpr std::size_t parameter_count = 0, storage_size = 0;
#endif
    template <class X, class Y, class State>
    static void forward(const Scalar*, const X& x, Y&& y, State&, ctnn::context<Scalar>&) noexcept {
      y = Scalar(2) * x;
    }
    template <class X, class Y, class DY, class DX, class State>
    static void backward(const Scalar*, Scalar*, const X&, const Y&, const DY& dy, DX&& dx, bool need_dx,
                         State&, ctnn::context<Scalar>&) noexcept {
      if (need_dx) dx = Scalar(2) * dy;
    }
  };
};

using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<8>, Twice, ctnn::Dense<2>>;
Net net;
