// Tests for tools/ctnn_embed.py: a model compiled into the program (weights as constexpr arrays)
// predicts exactly as the same model loaded from its file.
#define BOOST_TEST_MODULE embed
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <memory>

#include "blocks_weights.hpp"
#include "cnn_weights.hpp"
#include "mlp_weights.hpp"
#include "models.hpp"
#include "seq_weights.hpp"

template <class Net, class Load>
void predictions_are_identical(const std::string& file, Load load_embedded) {
  auto from_file = std::make_unique<Net>(1), embedded = std::make_unique<Net>(2);
  ctnn::load(*from_file, file);
  load_embedded(*embedded);
  BOOST_TEST((embedded->parameters().array() == from_file->parameters().array()).all());
  BOOST_TEST((embedded->buffers().array() == from_file->buffers().array()).all());
  if constexpr (Net::buffer_count > 0)  // the file's buffers are not the initial ones
    BOOST_TEST((embedded->buffers().array() != Net(3).buffers().array()).any());
  using X = Eigen::Matrix<typename Net::scalar, Net::input_shape::size, 1>;
  for (int i = 0; i < 1000; ++i) {
    const X x = X::Random();
    BOOST_TEST((embedded->predict(x).array() == from_file->predict(x).array()).all());
  }
}

// The embedded architecture is checked as ctnn::load checks a file's: the same tensors under other
// activations or pooling are another network.
static_assert(mlp_weights::same_architecture<embed_test::Mlp>());
static_assert(
    !mlp_weights::same_architecture<ctnn::Sequential<ctnn::Input<16>, ctnn::Dense<32>, ctnn::ReLU,
                                                     ctnn::Dense<32>, ctnn::Tanh, ctnn::Dense<4>>>());
static_assert(cnn_weights::same_architecture<embed_test::Cnn>());
static_assert(
    !cnn_weights::same_architecture<
        ctnn::Sequential<ctnn::Input<8, 8, 2>, ctnn::Conv2D<4, 3, 3>, ctnn::ReLU, ctnn::AveragePool2D<2, 2>,
                         ctnn::Flatten, ctnn::Dense<3>, ctnn::Softmax>::rebind<double>>());
static_assert(
    !mlp_weights::same_architecture<ctnn::Sequential<ctnn::Input<16>, ctnn::Dense<32>, ctnn::Tanh>>());
// Blocks: the layers of every branch are compared too, so the same tensors with the branches swapped
// are another network.
static_assert(blocks_weights::same_architecture<embed_test::Blocks>());
static_assert(
    !blocks_weights::same_architecture<ctnn::Sequential<
        ctnn::Input<6, 6, 2>, ctnn::Conv2D<4, 3, 3, ctnn::Padding::same>, ctnn::ReLU,
        ctnn::Residual<ctnn::Conv2D<4, 3, 3, ctnn::Padding::same>, ctnn::BatchNormalization<>, ctnn::Tanh>,
        ctnn::Concat<ctnn::Branch<ctnn::AveragePool2D<2, 2>>, ctnn::Branch<ctnn::MaxPool2D<2, 2>>>,
        ctnn::Flatten, ctnn::Dense<3>, ctnn::Softmax>>());

BOOST_AUTO_TEST_CASE(embedded_weights_predict_exactly_as_the_file) {
  predictions_are_identical<embed_test::Mlp>(CTNN_EMBED_DIR "/mlp.ctnn",
                                             [](embed_test::Mlp& net) { mlp_weights::load(net); });
  predictions_are_identical<embed_test::Cnn>(CTNN_EMBED_DIR "/cnn.ctnn",
                                             [](embed_test::Cnn& net) { cnn_weights::load(net); });
  predictions_are_identical<embed_test::Blocks>(CTNN_EMBED_DIR "/blocks.ctnn",
                                                [](embed_test::Blocks& net) { blocks_weights::load(net); });
  predictions_are_identical<embed_test::Seq>(CTNN_EMBED_DIR "/seq.ctnn",
                                             [](embed_test::Seq& net) { seq_weights::load(net); });
  const auto made = mlp_weights::make<embed_test::Mlp>();
  embed_test::Mlp loaded;
  ctnn::load(loaded, CTNN_EMBED_DIR "/mlp.ctnn");
  BOOST_TEST((made.parameters().array() == loaded.parameters().array()).all());
}

// The streaming form of a sequence model runs on weights compiled in: the same steps as from the file.
static_assert(seq_weights::same_architecture<embed_test::Seq>());
static_assert(!seq_weights::same_architecture<
              ctnn::Sequential<ctnn::Input<32, 1>, ctnn::Conv1D<4, 3, ctnn::Padding::causal, 1, 2>, ctnn::Tanh,
                               ctnn::GRU<8, ctnn::Returns::sequences>, ctnn::GRU<6, ctnn::Returns::sequences>,
                               ctnn::TimeDistributed<ctnn::Dense<1>>>>());
BOOST_AUTO_TEST_CASE(an_embedded_sequence_model_streams_as_its_file) {
  auto embedded = std::make_unique<ctnn::streaming<embed_test::Seq>>();
  auto from_file = std::make_unique<ctnn::streaming<embed_test::Seq>>();
  seq_weights::load(embedded->network());
  ctnn::load(from_file->network(), CTNN_EMBED_DIR "/seq.ctnn");
  bool same = true, moved = false;
  for (int t = 0; t < 2000; ++t) {
    const float x = std::sin(0.05f * static_cast<float>(t)), y = embedded->step(x);
    same = same && y == from_file->step(x);
    moved = moved || y != 0.0f;
  }
  BOOST_TEST(same);
  BOOST_TEST(moved);
}
