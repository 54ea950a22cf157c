// Rule: streaming a Graph runs each node one step at a time, so a node over time must be able to: here
// a same-padded Conv1D needs the whole sequence; the error names the node.
// expect-error: ctnn::streaming: this graph node cannot run one time step at a time
// expect-near: node_cannot_stream<
#include <ctnn/ctnn.hpp>
#include <ctnn/streaming.hpp>
#ifdef CTNN_SHOULD_FAIL
using Wide = ctnn::Conv1D<4, 3, ctnn::Padding::same>;
#else
using Wide = ctnn::Conv1D<4, 3, ctnn::Padding::causal>;
#endif
using Net = ctnn::Graph<ctnn::Inputs<ctnn::In<"x", 64, 1>>, ctnn::Node<"narrow", ctnn::LSTM<4, ctnn::Returns::sequences>, "x">,
                        ctnn::Node<"wide", Wide, "x">, ctnn::Node<"both", ctnn::Concat<>, "narrow", "wide">,
                        ctnn::Outputs<"both">>;
ctnn::streaming<Net> model;
