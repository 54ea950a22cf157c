// Rule: a Graph's node reads names that exist (an input, or a node declared before it).
// expect-error: ctnn::Graph: a node reads a name that no input or node has
// expect-near: unknown_name<
#include <ctnn/ctnn.hpp>
#include <ctnn/graph.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Graph<ctnn::Inputs<ctnn::In<"x", 4>>, ctnn::Node<"h", ctnn::Dense<8>, "x">,
                        ctnn::Node<"y", ctnn::Dense<2>, "hidden">, ctnn::Outputs<"y">>;
#else
using Net = ctnn::Graph<ctnn::Inputs<ctnn::In<"x", 4>>, ctnn::Node<"h", ctnn::Dense<8>, "x">,
                        ctnn::Node<"y", ctnn::Dense<2>, "h">, ctnn::Outputs<"y">>;
#endif
Net net;
