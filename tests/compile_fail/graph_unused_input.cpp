// Rule: every input (and node) of a Graph reaches an output.
// expect-error: ctnn::Graph: an input or node reaches no output
// expect-near: reaches_no_output<
#include <ctnn/ctnn.hpp>
#include <ctnn/graph.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Graph<ctnn::Inputs<ctnn::In<"x", 4>, ctnn::In<"extra", 3>>, ctnn::Node<"h", ctnn::Dense<8>, "x">,
                        ctnn::Node<"y", ctnn::Dense<2>, "h">, ctnn::Outputs<"y">>;
#else
using Net = ctnn::Graph<ctnn::Inputs<ctnn::In<"x", 4>, ctnn::In<"extra", 3>>, ctnn::Node<"h", ctnn::Dense<8>, "x">,
                        ctnn::Node<"e", ctnn::Dense<8>, "extra">, ctnn::Node<"s", ctnn::Add<>, "h", "e">,
                        ctnn::Node<"y", ctnn::Dense<2>, "s">, ctnn::Outputs<"y">>;
#endif
Net net;
