// Rule: a custom layer's bound layer has what the network calls (docs/concepts.md, ctnn::BoundLayer):
// here backward is missing, and the network says so once, before anything calls it.
// expect-error: ctnn: this layer.s bind<In, Scalar> needs static backward.p, g, x, y, dy, dx, need_dx, state, ctx.
// expect-near: Half
#include <ctnn/ctnn.hpp>

struct Half {
  static constexpr std::string_view name = "Half";
  template <ctnn::Shape In>
  static constexpr bool check() {
    return true;
  }
  template <ctnn::Shape In>
  using output_shape = In;
  template <ctnn::Shape In, class Scalar>
  struct bind : ctnn::parameterless<In> {
    template <class X, class Y, class State>
    static void forward(const Scalar*, const X& x, Y&& y, State&, ctnn::context<Scalar>&) noexcept {
      y = x / Scalar(2);
    }
#ifndef CTNN_SHOULD_FAIL
    template <class X, class Y, class DY, class DX, class State>
    static void backward(const Scalar*, Scalar*, const X&, const Y&, const DY& dy, DX&& dx, bool need_dx,
                         State&, ctnn::context<Scalar>&) noexcept {
      if (need_dx) dx = dy / Scalar(2);
    }
#endif
  };
};

using Net = ctnn::Sequential<ctnn::Input<4>, ctnn::Dense<8>, Half, ctnn::Dense<2>>;
Net net;
