// Tests for ctnn/detail/text.hpp.
#define BOOST_TEST_MODULE text
#include <boost/test/unit_test.hpp>
#include <ctnn/detail/text.hpp>

BOOST_AUTO_TEST_CASE(concat_appends_strings_views_and_integers) {
  const std::string file = "a.idx";
  BOOST_TEST(ctnn::detail::concat("read ", 3, " of ", std::size_t{10}, " bytes from '", file, "'") ==
             "read 3 of 10 bytes from 'a.idx'");
  BOOST_TEST(ctnn::detail::concat(std::string_view("x"), -1) == "x-1");
}
