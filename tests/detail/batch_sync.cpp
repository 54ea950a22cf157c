// Tests for ctnn/detail/batch_sync.hpp: threads that share a batch exchange values at a barrier;
// every thread sees every active thread's values of the same exchange, many exchanges in a row.
#define BOOST_TEST_MODULE batch_sync
#include <boost/test/unit_test.hpp>
#include <ctnn/detail/batch_sync.hpp>
#include <thread>
#include <vector>

using ctnn::detail::batch_sync;

namespace {
// Each active lane, for `rounds` exchanges, publishes (lane, round, lane * round) and records the sum
// of the third value over the active lanes, and whether every active lane's first two were right.
void run(batch_sync& sync, const std::vector<bool>& active, int rounds,
         std::vector<std::vector<double>>& sums, std::vector<int>& wrong) {
  const std::size_t lanes = sync.lanes();
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < lanes; ++t) {
    if (!active[t]) continue;
    threads.emplace_back([&, t] {
      for (int r = 0; r < rounds; ++r) {
        double* out = sync.outbox(t);
        out[0] = static_cast<double>(t);
        out[1] = r;
        out[2] = static_cast<double>(t) * r;
        const double* all = sync.exchange(t);
        double sum = 0;
        for (std::size_t u = 0; u < lanes; ++u) {
          if (!sync.active(u)) continue;
          const double* v = all + u * sync.width();
          if (v[0] != static_cast<double>(u) || v[1] != r) ++wrong[t];
          sum += v[2];
        }
        sums[t].push_back(sum);
      }
    });
  }
  for (auto& th : threads) th.join();
}
}  // namespace

BOOST_AUTO_TEST_CASE(every_thread_sees_every_thread_of_the_same_exchange) {
  batch_sync sync(3, 3);
  BOOST_TEST(sync.shared());
  std::vector<std::vector<double>> sums(3);
  std::vector<int> wrong(3, 0);
  run(sync, {true, true, true}, 2000, sums, wrong);
  for (std::size_t t = 0; t < 3; ++t) {
    BOOST_TEST(wrong[t] == 0);
    BOOST_REQUIRE(sums[t].size() == 2000u);
    for (int r = 0; r < 2000; ++r) BOOST_TEST(sums[t][static_cast<std::size_t>(r)] == 3.0 * r);  // (0+1+2) r
  }
}

BOOST_AUTO_TEST_CASE(a_thread_that_takes_no_part_is_neither_waited_for_nor_read) {
  batch_sync sync(3, 3);
  sync.take_part(0, false);
  BOOST_TEST(sync.shared());
  std::vector<std::vector<double>> sums(3);
  std::vector<int> wrong(3, 0);
  run(sync, {false, true, true}, 500, sums, wrong);
  BOOST_TEST(sums[0].empty());
  for (std::size_t t = 1; t < 3; ++t) {
    BOOST_TEST(wrong[t] == 0);
    for (int r = 0; r < 500; ++r) BOOST_TEST(sums[t][static_cast<std::size_t>(r)] == 3.0 * r);
  }
  sync.take_part(1, false);
  BOOST_TEST(!sync.shared());  // one thread left: nothing to exchange
  sync.take_part(0, true);
  BOOST_TEST(sync.shared());
}
