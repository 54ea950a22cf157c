// Rule: a node reads only inputs and nodes declared before it, so a Graph has no cycle.
// expect-error: ctnn::Graph: a node reads only inputs and nodes declared before it
// expect-near: reads_later<
#include <ctnn/ctnn.hpp>
#include <ctnn/graph.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Graph<ctnn::Inputs<ctnn::In<"x", 4>>, ctnn::Node<"a", ctnn::Dense<4>, "x">,
                        ctnn::Node<"b", ctnn::Add<>, "a", "c">, ctnn::Node<"c", ctnn::Dense<4>, "b">,
                        ctnn::Outputs<"c">>;
#else
using Net = ctnn::Graph<ctnn::Inputs<ctnn::In<"x", 4>>, ctnn::Node<"a", ctnn::Dense<4>, "x">,
                        ctnn::Node<"b", ctnn::Add<>, "a", "x">, ctnn::Node<"c", ctnn::Dense<4>, "b">,
                        ctnn::Outputs<"c">>;
#endif
Net net;
