// Saves the models that tests/embed/embed.cpp embeds (tools/ctnn_embed.py turns them into headers at
// build time): make_model OUT_DIR.
#include <cstdio>
#include <ctnn/ctnn.hpp>
#include <string>

#include "models.hpp"

int main(int argc, char** argv) try {
  if (argc != 2) return 2;
  const std::string dir = argv[1];
  embed_test::Mlp mlp(3);
  for (auto& v : mlp.parameters()) v += 0.01f;  // non-zero biases too
  ctnn::save(mlp, dir + "/mlp.ctnn");
  embed_test::Cnn cnn(4);
  for (auto& v : cnn.parameters()) v += 0.01;
  ctnn::save(cnn, dir + "/cnn.ctnn");
  embed_test::Blocks blocks(5);
  for (auto& v : blocks.parameters()) v += 0.01f;
  {  // moving statistics off their initial values
    embed_test::Blocks::workspace<4> ws;
    Eigen::Matrix<float, 72, 4> x = Eigen::Matrix<float, 72, 4>::Random();
    for (int i = 0; i < 3; ++i) {
      blocks.forward(ws, x, ctnn::mode::training);
      blocks.update_buffers(ws);
    }
  }
  ctnn::save(blocks, dir + "/blocks.ctnn");
  embed_test::Seq seq(6);
  for (auto& v : seq.parameters()) v += 0.01f;
  ctnn::save(seq, dir + "/seq.ctnn");
} catch (const std::exception& e) {
  std::fprintf(stderr, "%s\n", e.what());
  return 1;
}
