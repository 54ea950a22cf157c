// Tests for ctnn/random.hpp.
#define BOOST_TEST_MODULE random
#include <boost/test/unit_test.hpp>
#include <cmath>
#include <ctnn/random.hpp>

BOOST_AUTO_TEST_CASE(same_seed_same_sequence_other_seed_other_sequence) {
  ctnn::random_engine a(42), b(42), c(43);
  bool differs = false;
  for (int i = 0; i < 100; ++i) {
    const auto x = a(), y = b(), z = c();
    BOOST_TEST(x == y);
    differs = differs || (x != z);
  }
  BOOST_TEST(differs);
}

BOOST_AUTO_TEST_CASE(state_round_trips) {
  ctnn::random_engine a(7);
  a();
  ctnn::random_engine b;
  b.set_state(a.state());
  BOOST_TEST(a() == b());
}

BOOST_AUTO_TEST_CASE(uniform_and_normal_moments) {
  ctnn::random_engine rng(1);
  const int n = 200000;
  double su = 0, sn = 0, sn2 = 0;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    BOOST_TEST((u >= 0.0 && u < 1.0));
    su += u;
    const double z = rng.normal();
    sn += z;
    sn2 += z * z;
  }
  BOOST_TEST(su / n == 0.5, boost::test_tools::tolerance(0.01));
  BOOST_TEST(std::abs(sn / n) < 0.01);
  BOOST_TEST(sn2 / n == 1.0, boost::test_tools::tolerance(0.02));
}

BOOST_AUTO_TEST_CASE(below_stays_in_range_and_covers_it) {
  ctnn::random_engine rng(3);
  int hits[10] = {};
  for (int i = 0; i < 10000; ++i) {
    const auto k = rng.below(10);
    BOOST_REQUIRE(k < 10u);
    ++hits[k];
  }
  for (int h : hits) BOOST_TEST(h > 800);
}
