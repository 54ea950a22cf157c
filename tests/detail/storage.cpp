// Tests for ctnn/detail/storage.hpp: alignment, zero start, deep copies, moves, inline or heap.
#define BOOST_TEST_MODULE storage
#include <boost/test/unit_test.hpp>
#include <cstdint>
#include <ctnn/detail/storage.hpp>

using ctnn::detail::aligned_array;

static_assert(ctnn::detail::align_up<float>(1) == 16 && ctnn::detail::align_up<float>(16) == 16);
static_assert(ctnn::detail::align_up<double>(9) == 16 && ctnn::detail::align_up<float>(17) == 32);
static_assert(sizeof(aligned_array<float, 16>) == 64);                    // inline
static_assert(sizeof(aligned_array<float, 1'000'000>) == sizeof(void*));  // heap

template <class A>
void check(A& a) {
  BOOST_TEST(reinterpret_cast<std::uintptr_t>(a.data()) % 64 == 0u);
  for (std::size_t i = 0; i < a.size(); ++i) BOOST_REQUIRE(a.data()[i] == 0.0f);
  a.data()[0] = 1.5f;
  A copy(a);
  BOOST_TEST(copy.data() != a.data());
  BOOST_TEST(copy.data()[0] == 1.5f);
  copy.data()[0] = 2.0f;
  BOOST_TEST(a.data()[0] == 1.5f);
  A assigned;
  assigned = a;
  BOOST_TEST(assigned.data()[0] == 1.5f);
  A moved(std::move(copy));
  BOOST_TEST(moved.data()[0] == 2.0f);
}

BOOST_AUTO_TEST_CASE(inline_arrays) {
  aligned_array<float, 100> a;
  check(a);
}
BOOST_AUTO_TEST_CASE(heap_arrays) {
  auto a = std::make_unique<aligned_array<float, 100'000>>();
  check(*a);
}
