// Rule: a merge node's reads fit its operation (Add<>: one shape), as a block's branches must.
// expect-error: ctnn::Add: every branch must produce the same shape
// expect-near: at_merge<
#include <ctnn/ctnn.hpp>
#include <ctnn/graph.hpp>
#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Graph<ctnn::Inputs<ctnn::In<"a", 4>, ctnn::In<"b", 5>>, ctnn::Node<"sum", ctnn::Add<>, "a", "b">,
                        ctnn::Node<"y", ctnn::Dense<2>, "sum">, ctnn::Outputs<"y">>;
#else
using Net = ctnn::Graph<ctnn::Inputs<ctnn::In<"a", 4>, ctnn::In<"b", 5>>, ctnn::Node<"sum", ctnn::Concat<>, "a", "b">,
                        ctnn::Node<"y", ctnn::Dense<2>, "sum">, ctnn::Outputs<"y">>;
#endif
Net net;
