// Rule: every input and node of a Graph has a name of its own.
// expect-error: ctnn::Graph: two inputs or nodes have the same name
// expect-near: duplicate_name<
#include <ctnn/ctnn.hpp>
#include <ctnn/graph.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Graph<ctnn::Inputs<ctnn::In<"x", 4>>, ctnn::Node<"h", ctnn::Dense<8>, "x">,
                        ctnn::Node<"h", ctnn::Dense<2>, "h">, ctnn::Outputs<"h">>;
#else
using Net = ctnn::Graph<ctnn::Inputs<ctnn::In<"x", 4>>, ctnn::Node<"h", ctnn::Dense<8>, "x">,
                        ctnn::Node<"y", ctnn::Dense<2>, "h">, ctnn::Outputs<"y">>;
#endif
Net net;
