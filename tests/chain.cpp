// Tests for ctnn/chain.hpp: the checker's verdicts, the binder's offsets and shapes, and the order in
// which walk_layers visits a network with blocks (the order of files and summaries).
#define BOOST_TEST_MODULE chain
#include <boost/test/unit_test.hpp>
#include <ctnn/ctnn.hpp>
#include <string>
#include <vector>

using namespace ctnn;

namespace {
template <class... Specs>
constexpr bool holds =
    detail::checker<detail::cursor<detail::top_level, 1, shape<4>, detail::type_list<>>, true, Specs...>::ok;
}  // namespace

static_assert(holds<Dense<3>, ReLU, Residual<Dense<3>>, Concat<Branch<>, Branch<Dense<2>>>, Dense<1>>);
static_assert(holds<>);

using Chain = detail::bound_chain<float, true, shape<4>, Dense<3>, Residual<Dense<3>, Tanh>, Dense<2>>;
static_assert(Chain::depth == 3);
static_assert(std::is_same_v<Chain::shape_at<2>, shape<3>>);
static_assert(Chain::parameter_count == 15 + 12 + 8);
static_assert(Chain::offset<1> == Chain::layer_type<0>::storage_size);
// A chain whose checker failed binds nothing but stand-ins, so nothing else can fail to compile.
static_assert(std::is_same_v<detail::bound_chain<float, false, shape<4>, Dense<3>>::layer_type<0>,
                             detail::poisoned<shape<4>, float>>);

BOOST_AUTO_TEST_CASE(walk_visits_blocks_then_their_branches) {
  using Net = Sequential<Input<4>, Dense<3>, Add<Branch<Dense<3>, Residual<Dense<3>>>, Branch<>>, Dense<2>>;
  std::vector<std::string> seen;
  std::size_t index = 0;
  auto each = [&]<class Spec, class Bound, class In>(std::size_t i, std::size_t level, std::size_t branch,
                                                     std::size_t offset, std::size_t) {
    seen.push_back(std::to_string(i) + ":" + std::string(Spec::name) + "@" + std::to_string(level) + "/" +
                   std::to_string(branch) + "+" + std::to_string(offset));
  };
  detail::walk_layers<Net::chain>(each, index);
  using Add_ = Net::layer_type<1>;
  const std::size_t add = Net::offset<1>, inner = add + Add_::branch_offset<0>;
  const std::size_t residual = inner + Add_::chain_at<0>::offset<1>;
  const std::vector<std::string> want{"0:Dense@0/0+0",
                                      "1:Add@0/0+" + std::to_string(add),
                                      "2:Dense@1/1+" + std::to_string(inner),
                                      "3:Residual@1/1+" + std::to_string(residual),
                                      "4:Dense@2/2+" + std::to_string(residual),
                                      "5:Dense@0/0+" + std::to_string(Net::offset<2>)};
  BOOST_TEST(seen == want, boost::test_tools::per_element());
  BOOST_TEST(index == 6u);
  // The walk is constexpr: the embedding's compile-time architecture check relies on it.
  constexpr std::size_t count = [] {
    std::size_t n = 0;
    auto none = []<class, class, class>(std::size_t, std::size_t, std::size_t, std::size_t, std::size_t) {};
    detail::walk_layers<Net::chain>(none, n);
    return n;
  }();
  static_assert(count == 6);
}
