// Tests for ctnn/config.hpp: the map aliases layers compute with.
#define BOOST_TEST_MODULE config
#include <boost/test/unit_test.hpp>
#include <ctnn/config.hpp>

using namespace ctnn;

static_assert(std::is_same_v<default_scalar, float>);
static_assert(
    std::is_same_v<matrix_map<float, 3, 4>, Eigen::Map<Eigen::Matrix<float, 3, 4>, Eigen::Aligned64>>);
static_assert(std::is_same_v<matrix_map<const float, 3, 4>,
                             Eigen::Map<const Eigen::Matrix<float, 3, 4>, Eigen::Aligned64>>);
static_assert(std::is_same_v<vector_map<double, 5>, matrix_map<double, 5, 1>>);
static_assert(batch_map<float, 7>::RowsAtCompileTime == 7 &&
              batch_map<float, 7>::ColsAtCompileTime == Eigen::Dynamic);
static_assert(std::is_same_v<vector<float, 4>, Eigen::Matrix<float, 4, 1>>);
// A 784 x 512 kernel is over Eigen's 128 KiB fixed-size limit, yet its map has fixed sizes.
static_assert(matrix_map<float, 512, 784>::SizeAtCompileTime == 512 * 784);

BOOST_AUTO_TEST_CASE(read_only_maps_read_what_they_view) {
  alignas(64) float data[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
  const matrix_map<const float, 3, 4> m(data);
  BOOST_TEST(m(1, 2) == 8.0f);  // column-major
  batch_map<float, 3> b(data, 3, 2);
  BOOST_TEST(b.cols() == 2);
  BOOST_TEST(b(2, 1) == 6.0f);
}
