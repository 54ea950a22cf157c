// Rule: a node's layer fits the shape it reads; the message is the layer's, the node's name beside it.
// expect-error: ctnn::Dense needs a rank-1 input; add ctnn::Flatten before it
// expect-near: at_node<
#include <ctnn/ctnn.hpp>
#include <ctnn/graph.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Graph<ctnn::Inputs<ctnn::In<"image", 6, 6, 1>>, ctnn::Node<"conv", ctnn::Conv2D<2, 3, 3>, "image">,
                        ctnn::Node<"class", ctnn::Dense<3>, "conv">, ctnn::Outputs<"class">>;
#else
using Net = ctnn::Graph<ctnn::Inputs<ctnn::In<"image", 6, 6, 1>>, ctnn::Node<"conv", ctnn::Conv2D<2, 3, 3>, "image">,
                        ctnn::Node<"flat", ctnn::Flatten, "conv">, ctnn::Node<"class", ctnn::Dense<3>, "flat">,
                        ctnn::Outputs<"class">>;
#endif
Net net;
