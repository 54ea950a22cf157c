// Tests for ctnn/detail/team.hpp: every thread index runs exactly once per task, on as many distinct
// threads, the caller included, and run returns only when all have finished.
#define BOOST_TEST_MODULE team
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <ctnn/detail/team.hpp>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

BOOST_AUTO_TEST_CASE(each_index_once_on_its_own_thread) {
  for (std::size_t size : {1u, 2u, 5u}) {
    ctnn::detail::team team(size);
    BOOST_TEST(team.size() == size);
    for (int round = 0; round < 200; ++round) {  // many rounds: a lost wake-up would hang here
      std::vector<int> runs(size, 0);
      std::set<std::thread::id> threads;
      std::mutex m;
      auto task = [&](std::size_t t) noexcept {
        std::lock_guard lock(m);
        ++runs[t];
        threads.insert(std::this_thread::get_id());
      };
      team.run(task);
      for (std::size_t t = 0; t < size; ++t) BOOST_TEST(runs[t] == 1);  // all done when run returns
      BOOST_TEST(threads.size() == size);
      BOOST_TEST(threads.count(std::this_thread::get_id()) == 1u);  // index 0 ran on the caller
    }
  }
}

BOOST_AUTO_TEST_CASE(zero_threads_means_the_caller_alone) {
  ctnn::detail::team team(0);
  BOOST_TEST(team.size() == 1u);
  std::size_t seen = 99;
  auto task = [&](std::size_t t) noexcept { seen = t; };
  team.run(task);
  BOOST_TEST(seen == 0u);
}

BOOST_AUTO_TEST_CASE(workers_sleep_between_tasks_and_wake_for_the_next) {
  ctnn::detail::team team(2);
  std::vector<int> hits(2, 0);
  auto task = [&](std::size_t t) noexcept { ++hits[t]; };
  team.run(task);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));  // past the spin: the worker waits on the futex
  team.run(task);
  BOOST_TEST(hits[0] == 2);
  BOOST_TEST(hits[1] == 2);
}
