/// @file Defines `ctnn::Graph`: a network of named nodes, with several inputs and several outputs, a
/// node read by any number of others. Names are string literals as template arguments; every name,
/// every edge and every shape is checked at compile time, and the first broken rule is the one error.
// SPDX-License-Identifier: MIT
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "blocks.hpp"
#include "chain.hpp"
#include "concepts.hpp"
#include "config.hpp"
#include "detail/gemm.hpp"
#include "detail/storage.hpp"
#include "error.hpp"
#include "losses.hpp"
#include "name.hpp"
#include "random.hpp"
#include "shape.hpp"

namespace ctnn {

/// An input of a Graph: its name and the shape of one sample (`In<"image", 28, 28, 1>`).
template <node_name Name, std::size_t... Dims>
struct In {
  static constexpr node_name id = Name;
  using shape_type = shape<Dims...>;
};
/// The inputs of a Graph, in the order forward and predict take them.
template <class... Ins>
struct Inputs {};
/// The nodes a Graph returns, in order.
template <node_name... Names>
struct Outputs {};
/// A node: its name, its layer, and the names it reads (inputs, or nodes declared before it). A layer
/// reads one name; a merge, `Add<>`, `Concat<>` or `Multiply<>` (a block without branches), reads two
/// or more and combines them as the block would its branches' outputs.
template <node_name Name, class Spec, node_name... Reads>
struct Node {
  static constexpr node_name id = Name;
  using spec = Spec;
  static constexpr std::size_t read_count = sizeof...(Reads);
  static constexpr std::array<node_name, sizeof...(Reads)> reads{Reads...};
};

namespace error {
/// Two inputs or nodes are both called `Name`.
template <class Name>
struct duplicate_name {
  static constexpr bool check() {
    static_assert(detail::always_false<duplicate_name>,
                  "ctnn::Graph: two inputs or nodes have the same name (the argument of "
                  "ctnn::error::duplicate_name<name>)");
    return false;
  }
  static constexpr bool ok = check();
};
/// Node `Reader` (or "Outputs") reads `Name`, which no input and no node is called.
template <class Reader, class Name>
struct unknown_name {
  static constexpr bool check() {
    static_assert(detail::always_false<unknown_name>,
                  "ctnn::Graph: a node reads a name that no input or node has (the reader and the name are "
                  "the arguments of ctnn::error::unknown_name<reader, name>)");
    return false;
  }
  static constexpr bool ok = check();
};
/// Node `Reader` reads itself or a node declared after it.
template <class Reader, class Name>
struct reads_later {
  static constexpr bool check() {
    static_assert(
        detail::always_false<reads_later>,
        "ctnn::Graph: a node reads only inputs and nodes declared before it, so that the graph has no "
        "cycle; this one reads itself or a later node (ctnn::error::reads_later<node, name>)");
    return false;
  }
  static constexpr bool ok = check();
};
/// Outputs names `Name`, an input: an output is a node (add a Linear node to return an input).
template <class Name>
struct output_is_input {
  static constexpr bool check() {
    static_assert(
        detail::always_false<output_is_input>,
        "ctnn::Graph: an output names an input; outputs are nodes (ctnn::error::output_is_input<name>)");
    return false;
  }
  static constexpr bool ok = check();
};
/// Input or node `Name` reaches no output: nothing it computes would be used.
template <class Name>
struct reaches_no_output {
  static constexpr bool check() {
    static_assert(detail::always_false<reaches_no_output>,
                  "ctnn::Graph: an input or node reaches no output (the argument of "
                  "ctnn::error::reaches_no_output<name>); read it on the way to an output, or remove it");
    return false;
  }
  static constexpr bool ok = check();
};
/// Node `Name` reads `Count` names: a layer reads one, a merge (Add<>, Concat<>, Multiply<>) two or more.
template <class Name, std::size_t Count, bool Merge>
struct read_count {
  static constexpr bool check() {
    static_assert(
        Merge ? Count >= 2 : Count == 1,
        "ctnn::Graph: a node with a layer reads one name, a merge (Add<>, Concat<>, Multiply<>) two or "
        "more (ctnn::error::read_count<node, names read, is a merge>)");
    return Merge ? Count >= 2 : Count == 1;
  }
  static constexpr bool ok = check();
};
/// Checking node `Name`'s layer `Layer` on the shape it reads.
template <class Name, class Layer, class InputShape>
struct at_node {
  // Through a function: g++ names a function, not a static member, in its backtrace.
  static constexpr bool check() { return Layer::template check<InputShape>(); }
  static constexpr bool ok = check();
};
template <class Name, class Layer, class InputShape>
requires(!LayerSpec<Layer>) struct at_node<Name, Layer, InputShape> {
  static constexpr bool check() {
    static_assert(
        detail::always_false<Layer>,
        "ctnn::Graph: a node's second argument is a layer, or a merge (Add<>, Concat<>, Multiply<>) "
        "when it reads several names (ctnn::error::at_node<name, type, input shape>)");
    return false;
  }
  static constexpr bool ok = check();
};
// A block (Residual<...>, Add<Branch<...>...>) as a node's layer: its branches checked as a network's.
template <class Name, class Layer, class InputShape>
requires(LayerSpec<Layer>&& detail::block_spec<Layer>) struct at_node<Name, Layer, InputShape> {
  static constexpr bool ok =
      detail::checker<detail::cursor<detail::top_level, 1, InputShape, detail::type_list<>>, true, Layer>::ok;
};
/// Checking that read `Read` (from 1) of merge node `Name` fits its first read under `Op`.
template <class Name, class Op, std::size_t Read, class FirstShape, class ReadShape>
struct at_merge {
  static constexpr bool check() { return Op::template check<FirstShape, ReadShape>(); }
  static constexpr bool ok = check();
};
}  // namespace error

namespace detail {

template <class Spec>
concept merge_spec = requires {
  requires block_spec<Spec>;
  requires list_size<typename Spec::branches>::value == 0;
};

template <class List, class... Rest>
struct split_outputs;
template <class... Done, node_name... Outs>
struct split_outputs<type_list<Done...>, Outputs<Outs...>> {
  using nodes = type_list<Done...>;
  static constexpr std::array<node_name, sizeof...(Outs)> outputs{Outs...};
  static constexpr bool ok = sizeof...(Outs) > 0;
};
template <class... Done, class R, class... More>
struct split_outputs<type_list<Done...>, R, More...> : split_outputs<type_list<Done..., R>, More...> {};
template <class... Done>
struct split_outputs<type_list<Done...>> {
  using nodes = type_list<Done...>;
  static constexpr std::array<node_name, 0> outputs{};
  static constexpr bool ok = false;
};

/// One edge: node `node` reads source `source` as its read `read`.
struct graph_edge {
  std::size_t node, read, source;
};

/// A node bound: its layer bound on the shape it reads, or a merge (no parameters, no state).
template <class Spec, class InShape, class OutShape, class Scalar, bool Merge = merge_spec<Spec>>
struct bind_node {
  using type = typename Spec::template bind<InShape, Scalar>;
};
template <class Spec, class InShape, class OutShape, class Scalar>
struct bind_node<Spec, InShape, OutShape, Scalar, true> {
  using type = parameterless<InShape, OutShape>;
};

}  // namespace detail

template <class Scalar, class... Args>
class basic_graph {
  static_assert(
      detail::always_false<Scalar>,
      "ctnn::Graph takes Inputs<In<\"name\", dims...>...>, then Node<\"name\", layer, \"read\"...>..., "
      "then Outputs<\"name\"...>");
};

/// A graph of named nodes over `Scalar`; see Graph.
template <class Scalar, class... Ins, class... Rest>
class basic_graph<Scalar, Inputs<Ins...>, Rest...> {
  static_assert(std::is_floating_point_v<Scalar>, "ctnn: the scalar type must be float or double");
  using parts = detail::split_outputs<detail::type_list<>, Rest...>;
  static_assert(parts::ok, "ctnn::Graph: the last argument is Outputs<\"name\"...>, the nodes it returns");

 public:
  using scalar = Scalar;
  using nodes = typename parts::nodes;
  static constexpr std::size_t input_count = sizeof...(Ins);
  static constexpr std::size_t node_count = detail::list_size<nodes>::value;
  static constexpr std::size_t output_count = parts::outputs.size();
  /// Sources are the inputs, then the nodes: source S < input_count is input S, else node S - input_count.
  static constexpr std::size_t source_count = input_count + node_count;

  template <std::size_t K>
  using node_type = typename detail::type_at<K, nodes>::type;
  template <std::size_t K>
  using spec_type = typename node_type<K>::spec;

  /// Every input's and node's name, in source order.
  static constexpr std::array<node_name, source_count> names = [] {
    std::array<node_name, source_count> out{};
    std::size_t i = 0;
    ((out[i++] = Ins::id), ...);
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      ((out[i++] = node_type<K>::id), ...);
    }
    (std::make_index_sequence<node_count>{});
    return out;
  }();

  /// The source of `n` as node K reads it: its index, -1 if no input or node is called so, -2 if it
  /// is node K itself or a later node.
  static constexpr long find(node_name n, std::size_t k) {
    for (std::size_t s = 0; s < source_count; ++s)
      if (names[s] == n) return s < input_count + k ? static_cast<long>(s) : -2;
    return -1;
  }

  /// The source of each read of node K.
  template <std::size_t K>
  static constexpr auto sources = [] {
    std::array<std::size_t, node_type<K>::read_count> out{};
    for (std::size_t r = 0; r < out.size(); ++r) {
      const long s = find(node_type<K>::reads[r], K);
      out[r] = s < 0 ? 0 : static_cast<std::size_t>(s);
    }
    return out;
  }();
  /// The source of each output.
  static constexpr auto output_sources = [] {
    std::array<std::size_t, output_count> out{};
    for (std::size_t o = 0; o < output_count; ++o) {
      const long s = find(parts::outputs[o], node_count);
      out[o] = s < 0 ? 0 : static_cast<std::size_t>(s);
    }
    return out;
  }();

  static constexpr std::size_t edge_count = [] {
    return [&]<std::size_t... K>(std::index_sequence<K...>) {
      return (std::size_t{0} + ... + node_type<K>::read_count);
    }
    (std::make_index_sequence<node_count>{});
  }();
  static constexpr std::array<detail::graph_edge, edge_count> edges = [] {
    std::array<detail::graph_edge, edge_count> out{};
    std::size_t e = 0;
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (
          [&] {
            for (std::size_t r = 0; r < node_type<K>::read_count; ++r) out[e++] = {K, r, sources<K>[r]};
          }(),
          ...);
    }
    (std::make_index_sequence<node_count>{});
    return out;
  }();

  static constexpr bool is_output(std::size_t s) {
    for (std::size_t o = 0; o < output_count; ++o)
      if (output_sources[o] == s) return true;
    return false;
  }
  /// Whether source S leads to an output (every one must, once the graph is checked).
  static constexpr std::array<bool, source_count> reaches = [] {
    std::array<bool, source_count> out{};
    for (std::size_t s = source_count; s-- > 0;) {
      out[s] = is_output(s);
      for (const auto& e : edges)
        if (e.source == s && out[input_count + e.node]) out[s] = true;
    }
    return out;
  }();

 private:
  // ---- The shapes, valid up to the first broken rule -----------------------------------------------
  template <std::size_t S, bool IsInput = (S < input_count)>
  struct source_shape_of {
    using type = typename detail::type_at<S, detail::type_list<Ins...>>::type::shape_type;
  };
  template <std::size_t K, bool Merge = detail::merge_spec<spec_type<K>>>
  struct node_output {
    using type = typename spec_type<K>::template output_shape<typename source_shape_of<sources<K>[0]>::type>;
  };
  template <std::size_t K>
  struct node_output<K, true> {
    template <class Seq>
    struct merged;
    template <std::size_t... R>
    struct merged<std::index_sequence<R...>> {
      using type =
          typename spec_type<K>::op::template output<typename source_shape_of<sources<K>[R]>::type...>;
    };
    using type = typename merged<std::make_index_sequence<node_type<K>::read_count>>::type;
  };
  template <std::size_t S>
  struct source_shape_of<S, false> {
    using type = typename node_output<S - input_count>::type;
  };

 public:
  /// The shape of one sample of source S, and the shape node K reads (its first read's).
  template <std::size_t S>
  using source_shape = typename source_shape_of<S>::type;
  template <std::size_t K>
  using node_input_shape = source_shape<sources<K>[0]>;

 private:
  // ---- Checking: the names, each node in order, the outputs, then that everything reaches one ------
  static constexpr long duplicate() {
    for (std::size_t a = 0; a < source_count; ++a)
      for (std::size_t b = a + 1; b < source_count; ++b)
        if (names[a] == names[b]) return static_cast<long>(b);
    return -1;
  }
  template <std::size_t K>
  static constexpr long first_bad_read() {
    for (std::size_t r = 0; r < node_type<K>::read_count; ++r)
      if (find(node_type<K>::reads[r], K) < 0) return static_cast<long>(r);
    return -1;
  }
  template <std::size_t K>
  static constexpr std::size_t first_source = node_type<K>::read_count > 0 ? sources<K>[0] : 0;
  template <std::size_t K>
  using id_of = named_t<node_type<K>::id>;

  // A merge's first read that does not fit its first (by the operation's rule, without asserting), or
  // -1; its rule is then that read's at_merge, which says why.
  template <class Op, class First, class Other>
  static constexpr bool fits() {
    if constexpr (std::is_same_v<Op, detail::concat_outputs>)
      return Op::template same_but_last<First, Other>();
    else
      return std::is_same_v<First, Other>;
  }
  template <std::size_t K>
  static constexpr long first_misfit() {
    if constexpr (!detail::merge_spec<spec_type<K>>)
      return -1;
    else
      return [&]<std::size_t... R>(std::index_sequence<R...>) {
        long bad = -1;
        ((bad = bad < 0 && !fits<typename spec_type<K>::op, source_shape<sources<K>[0]>,
                                 source_shape<sources<K>[R]>>()
                    ? static_cast<long>(R)
                    : bad),
         ...);
        return bad;
      }
    (std::make_index_sequence<node_type<K>::read_count>{});
  }
  template <std::size_t K, long Bad = first_misfit<K>()>
  struct merge_rule {
    using type =
        error::at_merge<id_of<K>, typename spec_type<K>::op, static_cast<std::size_t>(Bad) + 1,
                        source_shape<sources<K>[0]>, source_shape<sources<K>[static_cast<std::size_t>(Bad)]>>;
  };
  template <std::size_t K>
  struct merge_rule<K, -1> {
    using type = detail::rule_holds;
  };

  // Each step's rule is a type, read as the next step's template argument (as Sequential's checker):
  // a broken rule's backtrace is the rule, then a line per step before it.
  template <std::size_t K, long Bad = first_bad_read<K>()>
  struct node_rule {  // read Bad names nothing, or itself or a later node
    static constexpr node_name read = node_type<K>::reads[static_cast<std::size_t>(Bad)];
    using type = std::conditional_t<find(read, K) == -1, error::unknown_name<id_of<K>, named_t<read>>,
                                    error::reads_later<id_of<K>, named_t<read>>>;
  };
  template <std::size_t K>
  struct node_rule<K, -1> {
    static constexpr bool merge = detail::merge_spec<spec_type<K>>;
    static constexpr bool count_ok = merge ? node_type<K>::read_count >= 2 : node_type<K>::read_count == 1;
    using type = std::conditional_t<
        !count_ok, error::read_count<id_of<K>, node_type<K>::read_count, merge>,
        typename std::conditional_t<
            merge, merge_rule<K>,
            std::type_identity<error::at_node<id_of<K>, spec_type<K>, source_shape<first_source<K>>>>>::type>;
  };
  static constexpr long first_bad_output() {
    for (std::size_t o = 0; o < output_count; ++o)
      if (find(parts::outputs[o], node_count) < static_cast<long>(input_count)) return static_cast<long>(o);
    return -1;
  }
  template <long Bad = first_bad_output(), bool Found = (Bad >= 0)>
  struct outputs_rule {
    static constexpr node_name out = parts::outputs[static_cast<std::size_t>(Bad)];
    using type =
        std::conditional_t<find(out, node_count) == -1,
                           error::unknown_name<named<'O', 'u', 't', 'p', 'u', 't', 's'>, named_t<out>>,
                           error::output_is_input<named_t<out>>>;
  };
  template <long Bad>
  struct outputs_rule<Bad, false> {
    using type = detail::rule_holds;
  };
  static constexpr long first_unreached() {
    for (std::size_t s = 0; s < source_count; ++s)
      if (!reaches[s]) return static_cast<long>(s);
    return -1;
  }
  template <long D>
  struct name_rule {
    using type =
        std::conditional_t<(D < 0), detail::rule_holds,
                           error::duplicate_name<named_t<names[static_cast<std::size_t>(D < 0 ? 0 : D)]>>>;
  };
  template <long U>
  struct reach_rule {
    using type =
        std::conditional_t<(U < 0), detail::rule_holds,
                           error::reaches_no_output<named_t<names[static_cast<std::size_t>(U < 0 ? 0 : U)]>>>;
  };
  // Step 0: names; 1 .. node_count: nodes; then the outputs; then that everything reaches one.
  template <std::size_t Step>
  struct rule_of {
    using type = typename std::conditional_t<
        Step == 0, name_rule<duplicate()>,
        std::conditional_t<
            (Step <= node_count), node_rule<(Step == 0 || Step > node_count ? 0 : Step - 1)>,
            std::conditional_t<Step == node_count + 1, outputs_rule<>, reach_rule<first_unreached()>>>>::type;
  };

  template <std::size_t Step, bool Ok>
  struct checker {
    static constexpr bool ok = Ok;
  };
  template <std::size_t Step>
  requires(Step <= node_count + 2) struct checker<Step, true> {
    static constexpr bool ok = checker<Step + 1, rule_of<Step>::type::ok>::ok;
  };

 public:
  /// Whether every rule held (when not, the compiler has said which one broke, naming the node).
  static constexpr bool checked = checker<0, true>::ok;

 private:
  // ---- Binding: each node's layer on the shape it reads; everything poisoned if a rule broke -------
  template <std::size_t K>
  static constexpr bool bound_ok() {
    if constexpr (detail::block_spec<spec_type<K>>)
      return true;
    else
      return detail::check_bound<spec_type<K>, node_input_shape<K>, Scalar>();
  }
  template <std::size_t K, bool Ok = checked>
  struct bound_of {
    using type = detail::poisoned<shape<1>, Scalar>;
    static constexpr bool layer_ok = true;  // the checker has already said what broke
  };
  template <std::size_t K>
  struct bound_of<K, true> {
    using spec = spec_type<K>;
    static constexpr bool layer_ok = bound_ok<K>();
    using type = std::conditional_t<layer_ok,
                                    typename detail::bind_node<spec_type<K>, node_input_shape<K>,
                                                               source_shape<input_count + K>, Scalar>::type,
                                    detail::poisoned<node_input_shape<K>, Scalar>>;
  };
  template <std::size_t S, bool Ok = checked>
  struct size_of_source {
    static constexpr std::size_t value = 1;
  };
  template <std::size_t S>
  struct size_of_source<S, true> {
    static constexpr std::size_t value = source_shape<S>::size;
  };

 public:
  template <std::size_t K>
  using layer_type = typename bound_of<K>::type;
  /// Whether every rule held and every layer bound to the contract.
  static constexpr bool valid = checked && [] {
    return [&]<std::size_t... K>(std::index_sequence<K...>) {
      return (bound_of<K>::layer_ok && ...);
    }
    (std::make_index_sequence<node_count>{});
  }();
  /// Values per sample at source S (1 when a rule broke).
  template <std::size_t S>
  static constexpr std::size_t source_size = size_of_source<S>::value;

 private:
  template <std::size_t... K>
  static constexpr std::size_t storage_before(std::size_t end, std::index_sequence<K...>) {
    return (std::size_t{0} + ... + (K < end ? layer_type<K>::storage_size : 0));
  }
  template <std::size_t... K>
  static constexpr std::size_t buffers_before(std::size_t end, std::index_sequence<K...>) {
    return (std::size_t{0} + ... + (K < end ? detail::buffer_size_of<layer_type<K>>() : 0));
  }
  using node_indices = std::make_index_sequence<node_count>;
  using source_indices = std::make_index_sequence<source_count>;

 public:
  static constexpr std::size_t parameter_count = [] {
    return [&]<std::size_t... K>(std::index_sequence<K...>) {
      return (std::size_t{0} + ... + layer_type<K>::parameter_count);
    }
    (node_indices{});
  }();
  template <std::size_t K>
  static constexpr std::size_t offset = storage_before(K, node_indices{});
  static constexpr std::size_t storage_size = offset<node_count>;
  template <std::size_t K>
  static constexpr std::size_t buffer_offset = buffers_before(K, node_indices{});
  static constexpr std::size_t buffer_size = buffer_offset<node_count>;
  static constexpr std::size_t buffer_count = [] {
    return [&]<std::size_t... K>(std::index_sequence<K...>) {
      return (std::size_t{0} + ... + detail::buffer_count_of<layer_type<K>>());
    }
    (node_indices{});
  }();
  /// The widest exchange of batch sums any node needs when threads share a batch (0: none).
  static constexpr std::size_t sync_width = [] {
    std::size_t w = 0;
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      ((w = detail::sync_width_of<layer_type<K>>() > w ? detail::sync_width_of<layer_type<K>>() : w), ...);
    }
    (node_indices{});
    return w;
  }();

  // ---- Backward's bookkeeping: who writes a source's gradient, and who adds to it -----------------
  /// Edges reading source S, plus one if S is an output (its loss's gradient).
  static constexpr std::size_t consumers(std::size_t s) {
    std::size_t n = is_output(s) ? 1 : 0;
    for (const auto& e : edges) n += e.source == s;
    return n;
  }
  /// Backward runs the nodes last to first, so a source's first contribution comes from its loss (an
  /// output) or else from its last reader's first read of it: that edge writes the gradient, every
  /// other adds to it.
  static constexpr bool edge_writes(std::size_t node, std::size_t read) {
    const std::size_t s = [&] {
      for (const auto& e : edges)
        if (e.node == node && e.read == read) return e.source;
      return std::size_t{0};
    }();
    if (is_output(s)) return false;
    for (const auto& e : edges)
      if (e.source == s && (e.node > node || (e.node == node && e.read < read))) return false;
    return true;
  }

  /// Activations and gradients of every source, each node's state, for up to MaxB samples: forward and
  /// backward never allocate. One workspace per thread.
  template <std::size_t MaxB>
  class workspace {
    static_assert(MaxB >= 1, "ctnn: a workspace holds at least one sample");
    template <class Seq>
    struct arrays;
    template <std::size_t... S>
    struct arrays<std::index_sequence<S...>> {
      using type = std::tuple<detail::aligned_array<Scalar, source_size<S> * MaxB>...>;
    };
    template <class Seq>
    struct state_tuple;
    template <std::size_t... K>
    struct state_tuple<std::index_sequence<K...>> {
      using type = std::tuple<typename detail::state_of<layer_type<K>, MaxB>::type...>;
    };
    static constexpr std::size_t widest = [] {
      std::size_t w = 1;
      [&]<std::size_t... S>(std::index_sequence<S...>) {
        ((w = source_size<S> > w ? source_size<S> : w), ...);
      }
      (source_indices{});
      return w;
    }();

   public:
    static constexpr std::size_t capacity = MaxB;
    explicit workspace(std::uint64_t seed = 0) : rng_(seed) {
      [&]<std::size_t... K>(std::index_sequence<K...>) {
        (detail::reserve_for<layer_type<K>, MaxB>(scratch_), ...);
      }
      (node_indices{});
    }

    /// Sets the batch to n samples and returns input I (a position, or a name) to fill, a sample per
    /// column. Expects 1 <= n <= MaxB.
    template <std::size_t I>
    auto input(std::size_t n) noexcept {
      static_assert(I < input_count, "ctnn::Graph: input<I>() needs I < the number of inputs");
      CTNN_EXPECTS(n >= 1 && n <= MaxB, "ws.input(n) needs 1 <= n <= MaxB, the workspace's batch capacity");
      n_ = n <= MaxB ? n : MaxB;
      return activation<I>();
    }
    template <node_name Name>
    auto input(std::size_t n) noexcept {
      constexpr long s = find(Name, node_count);
      static_assert(s >= 0 && s < static_cast<long>(input_count), "ctnn::Graph: no input has this name");
      return input<static_cast<std::size_t>(s < 0 ? 0 : s)>(n);
    }
    /// Output O (a position in Outputs<...>, or a name) after forward, a sample per column.
    template <std::size_t O>
    auto output() noexcept {
      static_assert(O < output_count, "ctnn::Graph: output<O>() needs O < the number of outputs");
      return activation<output_sources[O]>();
    }
    template <node_name Name>
    auto output() noexcept {
      return output<output_index<Name>()>();
    }
    /// Where backward reads d(loss)/d(output O) from, and d(loss)/d(input I) after backward.
    template <std::size_t O>
    auto output_gradient() noexcept {
      return gradient<output_sources[O]>();
    }
    template <std::size_t I>
    auto input_gradient() noexcept {
      return gradient<I>();
    }
    /// The activation and gradient of source S (an input or a node; see Graph::names).
    template <std::size_t S>
    auto activation() noexcept {
      return detail::sample_view<Scalar, source_size<S>, MaxB>(std::get<S>(act_).data(),
                                                               static_cast<Eigen::Index>(n_));
    }
    template <std::size_t S>
    auto gradient() noexcept {
      return detail::sample_view<Scalar, source_size<S>, MaxB>(std::get<S>(grad_).data(),
                                                               static_cast<Eigen::Index>(n_));
    }
    template <std::size_t K>
    auto& state() noexcept {
      return std::get<K>(states_);
    }
    const auto& states() const noexcept { return states_; }
    std::size_t batch_size() const noexcept { return n_; }
    random_engine& rng() noexcept { return rng_; }
    detail::gemm_scratch<Scalar>& scratch() noexcept { return scratch_; }
    /// As Sequential's: lane `lane` of threads sharing each batch through `sync` (nullptr: alone).
    void share_batch(detail::batch_sync* sync, std::size_t lane = 0) noexcept {
      sync_ = sync;
      lane_ = lane;
    }
    detail::batch_sync* sync() const noexcept { return sync_; }
    std::size_t lane() const noexcept { return lane_; }
    /// Room for one gradient of any source, where a reader's dx waits to be added to others'.
    template <std::size_t S>
    auto spare() noexcept {
      return detail::sample_view<Scalar, source_size<S>, MaxB>(spare_.data(), static_cast<Eigen::Index>(n_));
    }

   private:
    typename arrays<source_indices>::type act_, grad_;
    typename state_tuple<node_indices>::type states_;
    detail::aligned_array<Scalar, widest * MaxB> spare_;
    detail::gemm_scratch<Scalar> scratch_;
    random_engine rng_;
    std::size_t n_ = MaxB;
    detail::batch_sync* sync_ = nullptr;
    std::size_t lane_ = 0;
  };

  /// The position of output `Name` in Outputs<...>.
  template <node_name Name>
  static constexpr std::size_t output_index() {
    constexpr std::size_t o = [] {
      for (std::size_t i = 0; i < output_count; ++i)
        if (parts::outputs[i] == Name) return i;
      return output_count;
    }();
    static_assert(o < output_count, "ctnn::Graph: no output has this name");
    return o < output_count ? o : 0;
  }

  /// Node K as a chain of one layer, so that detail::walk_layers visits its layer (and a block's
  /// branches) as it visits a Sequential's: what files, checkpoints and summaries walk.
  template <std::size_t K>
  struct node_chain {
    static constexpr std::size_t depth = 1;
    template <std::size_t>
    using layer_type = typename basic_graph::template layer_type<K>;
    template <std::size_t>
    using spec_type = typename basic_graph::template spec_type<K>;
    template <std::size_t>
    using shape_at = typename basic_graph::template node_input_shape<K>;
    template <std::size_t>
    static constexpr std::size_t offset = basic_graph::template offset<K>;
    template <std::size_t>
    static constexpr std::size_t buffer_offset = basic_graph::template buffer_offset<K>;
  };
  /// Visits every node in order, as walk_layers visits a chain's layers: a merge is one layer without
  /// parameters, a block is followed by its branches' layers. `at(K)` is called before node K.
  template <class F, class At>
  static constexpr void walk_layers(F& f, At&& at, std::size_t& index) {
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      ((at(K), detail::walk_layers<node_chain<K>>(f, index)), ...);
    }
    (node_indices{});
  }

  /// The names node K reads, in order (what summaries print as "Connected to").
  static std::vector<std::string_view> reads_of(std::size_t k) {
    std::vector<std::string_view> out;
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      ((K == k ? (void)[&] {
        for (const auto& r : node_type<K>::reads) out.push_back(r.view());
      }()
               : (void)0),
       ...);
    }
    (node_indices{});
    return out;
  }

  /// As Sequential's: f(layer_index, spec_name, tensor_info, value_pointer, gradient_pointer) for every
  /// parameter tensor, layers numbered as walk_layers visits them, offsets into parameters().
  template <class F>
  void for_each_tensor(F&& f) {
    visit_tensors(f, params_.data(), grads_.data());
  }
  template <class F>
  void for_each_tensor(F&& f) const {
    visit_tensors(f, params_.data(), grads_.data());
  }
  /// The same for buffers: f(layer_index, spec_name, tensor_info, value_pointer), offsets into buffers().
  template <class F>
  void for_each_buffer(F&& f) {
    visit_buffers(f, buffers_.data());
  }
  template <class F>
  void for_each_buffer(F&& f) const {
    visit_buffers(f, buffers_.data());
  }

  explicit basic_graph(std::uint64_t seed = 0) { initialize(seed); }

  /// Parameters from `seed` (each layer's initialisers, in node order); buffers at their initial values.
  void initialize(std::uint64_t seed) {
    random_engine rng(seed);
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (init_one<K>(rng), ...);
    }
    (node_indices{});
  }

  /// Runs every node in order on the inputs already in `ws.input<I>(n)`.
  template <std::size_t MaxB>
  void forward(workspace<MaxB>& ws, ctnn::mode m = mode::inference) const noexcept {
    if constexpr (valid) {
      context<Scalar> ctx{ws.scratch(), ws.rng(), m, Scalar(1), buffers_.data(), ws.sync(), ws.lane()};
      [&]<std::size_t... K>(std::index_sequence<K...>) {
        (forward_one<K>(ws, ctx), ...);
      }
      (node_indices{});
    }
  }

  /// One sample per input in (column vectors, in Inputs<...>'s order), every output out, as a tuple of
  /// fixed-size vectors; with a workspace the caller owns, so threads can share one graph.
  template <std::size_t MaxB, class... X>
  auto predict(workspace<MaxB>& ws, const X&... x) const noexcept {
    static_assert(sizeof...(X) == input_count, "ctnn::Graph::predict takes one sample per input");
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      ((ws.template input<I>(1) = x.col(0)), ...);
    }
    (std::make_index_sequence<input_count>{});
    forward(ws, mode::inference);
    return [&]<std::size_t... O>(std::index_sequence<O...>) {
      return std::tuple<vector<Scalar, source_size<output_sources[O]>>...>(ws.template output<O>().col(0)...);
    }
    (std::make_index_sequence<output_count>{});
  }

  /// After forward, with d(loss)/d(output) written to each ws.output_gradient<O>(): propagates it back
  /// through every node, adding parameter gradients into gradients() (call zero_gradients() between
  /// steps); the inputs' gradients too if asked. Where a source feeds several readers, its gradient
  /// is the sum of theirs.
  template <std::size_t MaxB>
  void backward(workspace<MaxB>& ws, bool input_gradients = false) noexcept {
    propagate(ws, grads_.data(), input_gradients);
  }

  /// After forward: each output's loss against its target, weighted (Keras' loss_weights), summed;
  /// the gradient of that sum propagated back (as backward above). `losses` and `targets` are tuples,
  /// one entry per output in Outputs<...>'s order.
  template <std::size_t MaxB, class... L, class... T>
  Scalar backward(workspace<MaxB>& ws, const std::tuple<L...>& losses, const std::tuple<T...>& targets,
                  const std::array<Scalar, output_count>& weights, bool input_gradients = false) noexcept {
    return backward(ws, losses, targets, weights,
                    std::span<Scalar, storage_size>(grads_.data(), storage_size), input_gradients);
  }
  /// As above, accumulating the parameter gradients into `gradients` (laid out as parameters()) instead
  /// of gradients(), what threads sharing a batch do; `each`, when given, receives every output's own
  /// (unweighted) loss.
  template <std::size_t MaxB, class... L, class... T>
  Scalar backward(workspace<MaxB>& ws, const std::tuple<L...>& losses, const std::tuple<T...>& targets,
                  const std::array<Scalar, output_count>& weights, std::span<Scalar, storage_size> gradients,
                  bool input_gradients = false, std::array<Scalar, output_count>* each = nullptr) noexcept {
    static_assert(sizeof...(L) == output_count && sizeof...(T) == output_count,
                  "ctnn::Graph::backward takes one loss and one target per output");
    Scalar total = 0;
    [&]<std::size_t... O>(std::index_sequence<O...>) {
      (output_loss<O, true>(ws, std::get<O>(losses), std::get<O>(targets), weights[O], total, each), ...);
    }
    (std::make_index_sequence<output_count>{});
    propagate(ws, gradients.data(), input_gradients);
    return total;
  }
  /// After forward: the weighted sum of the outputs' losses, without gradients (`each` as above).
  template <std::size_t MaxB, class... L, class... T>
  Scalar loss(workspace<MaxB>& ws, const std::tuple<L...>& losses, const std::tuple<T...>& targets,
              const std::array<Scalar, output_count>& weights,
              std::array<Scalar, output_count>* each = nullptr) noexcept {
    static_assert(sizeof...(L) == output_count && sizeof...(T) == output_count,
                  "ctnn::Graph::loss takes one loss and one target per output");
    Scalar total = 0;
    [&]<std::size_t... O>(std::index_sequence<O...>) {
      (output_loss<O, false>(ws, std::get<O>(losses), std::get<O>(targets), weights[O], total, each), ...);
    }
    (std::make_index_sequence<output_count>{});
    return total;
  }

  auto parameters() noexcept { return vector_map<Scalar, storage_size>(params_.data()); }
  auto parameters() const noexcept { return vector_map<const Scalar, storage_size>(params_.data()); }
  auto gradients() noexcept { return vector_map<Scalar, storage_size>(grads_.data()); }
  auto gradients() const noexcept { return vector_map<const Scalar, storage_size>(grads_.data()); }
  void zero_gradients() noexcept { gradients().setZero(); }
  auto buffers() noexcept { return vector_map<Scalar, buffer_size>(buffers_.data()); }
  auto buffers() const noexcept { return vector_map<const Scalar, buffer_size>(buffers_.data()); }

  /// After a training pass: each layer with buffers folds its batch statistics in (see Sequential).
  template <std::size_t MaxB>
  void update_buffers(const workspace<MaxB>& ws) noexcept {
    [&]<std::size_t... K>(std::index_sequence<K...>) {
      (update_one<K>(ws), ...);
    }
    (node_indices{});
  }

 private:
  // Every node's layers in walk order, for detail::visit_tensors and visit_buffers.
  static void walk_all(auto& each) {
    std::size_t index = 0;
    walk_layers(
        each, [](std::size_t) {}, index);
  }
  template <class F, class B>
  static void visit_buffers(F& f, B* buffers) {
    detail::visit_buffers([](auto& each) { walk_all(each); }, f, buffers);
  }
  template <class F, class P, class G>
  static void visit_tensors(F& f, P* params, G* grads) {
    detail::visit_tensors([](auto& each) { walk_all(each); }, f, params, grads);
  }

  template <std::size_t K>
  void init_one(random_engine& rng) {
    using B = layer_type<K>;
    if constexpr (requires(Scalar * q) { B::initialize(q, rng); })
      B::initialize(params_.data() + offset<K>, rng);
    if constexpr (detail::buffer_size_of<B>() > 0) B::initialize_buffers(buffers_.data() + buffer_offset<K>);
  }
  template <std::size_t K, std::size_t MaxB>
  void update_one(const workspace<MaxB>& ws) noexcept {
    if constexpr (detail::buffer_size_of<layer_type<K>>() > 0)
      layer_type<K>::update_buffers(buffers_.data() + buffer_offset<K>, std::get<K>(ws.states()));
  }

  template <std::size_t K, std::size_t MaxB>
  void forward_one(workspace<MaxB>& ws, context<Scalar>& ctx) const noexcept {
    constexpr std::size_t self = input_count + K;
    auto y = ws.template activation<self>();
    if constexpr (detail::merge_spec<spec_type<K>>) {
      using op = typename spec_type<K>::op;
      [&]<std::size_t... R>(std::index_sequence<R...>) {
        if constexpr (std::is_same_v<op, detail::concat_outputs>)
          (op::template place<column_before<K, R>(), source_shape<self>>(
               y, ws.template activation<sources<K>[R]>()),
           ...);
        else
          op::forward(y, ws.template activation<sources<K>[R]>()...);
      }
      (std::make_index_sequence<node_type<K>::read_count>{});
    } else {
      ctx.buffers = buffers_.data() + buffer_offset<K>;
      layer_type<K>::forward(params_.data() + offset<K>, ws.template activation<sources<K>[0]>(), y,
                             ws.template state<K>(), ctx);
    }
  }

  template <std::size_t K, std::size_t R>
  static constexpr std::size_t column_before() {
    return [&]<std::size_t... J>(std::index_sequence<J...>) {
      return (std::size_t{0} + ... + detail::last_axis<source_shape<sources<K>[J]>>);
    }
    (std::make_index_sequence<R>{});
  }

  // Writes or adds `part` into source S's gradient, as edge (K, R) must.
  template <std::size_t K, std::size_t R, std::size_t MaxB, class Part>
  static void give(workspace<MaxB>& ws, const Part& part) noexcept {
    constexpr std::size_t s = sources<K>[R];
    if constexpr (edge_writes(K, R))
      ws.template gradient<s>() = part;
    else
      ws.template gradient<s>() += part;
  }

  template <std::size_t K, std::size_t MaxB>
  void backward_one(workspace<MaxB>& ws, context<Scalar>& ctx, Scalar* grads, bool input_gradients) noexcept {
    constexpr std::size_t self = input_count + K;
    auto dy = ws.template gradient<self>();
    if constexpr (detail::merge_spec<spec_type<K>>) {
      using op = typename spec_type<K>::op;
      [&]<std::size_t... R>(std::index_sequence<R...>) {
        auto one = [&]<std::size_t Q>(std::integral_constant<std::size_t, Q>) {
          constexpr std::size_t s = sources<K>[Q];
          if (s < input_count && !input_gradients) return;
          if constexpr (std::is_same_v<op, detail::multiply_outputs>) {
            auto part = ws.template spare<s>();
            op::template backward_one<Q>(dy, part,
                                         std::make_tuple(ws.template activation<sources<K>[R]>()...),
                                         std::make_index_sequence<node_type<K>::read_count>{});
            give<K, Q>(ws, part);
          } else if constexpr (std::is_same_v<op, detail::concat_outputs>) {
            auto part = ws.template spare<s>();
            op::template take<column_before<K, Q>(), source_shape<self>>(dy, part);
            give<K, Q>(ws, part);
          } else {
            give<K, Q>(ws, dy);
          }
        };
        (one(std::integral_constant<std::size_t, R>{}), ...);
      }
      (std::make_index_sequence<node_type<K>::read_count>{});
    } else {
      constexpr std::size_t s = sources<K>[0];
      const bool need_dx = s >= input_count || input_gradients;
      ctx.buffers = buffers_.data() + buffer_offset<K>;
      auto x = ws.template activation<s>();
      auto y = ws.template activation<self>();
      Scalar* g = grads + offset<K>;
      if constexpr (edge_writes(K, 0) && consumers(s) == 1) {  // the only reader: straight into s's gradient
        layer_type<K>::backward(params_.data() + offset<K>, g, x, y, dy, ws.template gradient<s>(), need_dx,
                                ws.template state<K>(), ctx);
      } else {
        auto part = ws.template spare<s>();
        layer_type<K>::backward(params_.data() + offset<K>, g, x, y, dy, part, need_dx,
                                ws.template state<K>(), ctx);
        if (need_dx) give<K, 0>(ws, part);
      }
    }
  }

  template <std::size_t MaxB>
  void propagate(workspace<MaxB>& ws, Scalar* grads, bool input_gradients) noexcept {
    if constexpr (valid) {
      context<Scalar> ctx{ws.scratch(),    ws.rng(),  mode::training, Scalar(1),
                          buffers_.data(), ws.sync(), ws.lane()};
      [&]<std::size_t... J>(std::index_sequence<J...>) {
        (backward_one<node_count - 1 - J>(ws, ctx, grads, input_gradients), ...);
      }
      (node_indices{});
    }
  }

  // Output O's loss, weighted, added to `total` (and its own value to (*each)[O]); with Gradient, the
  // weighted loss's gradient written to the output's gradient.
  template <std::size_t O, bool Gradient, std::size_t MaxB, class L, class T>
  void output_loss(workspace<MaxB>& ws, const L&, const T& target, Scalar weight, Scalar& total,
                   std::array<Scalar, output_count>* each) noexcept {
    using out_shape = source_shape<output_sources[O]>;
    if constexpr (valid && error::at_loss<L, out_shape, T>::ok) {
      auto out = ws.template output<O>();
      Scalar value;
      if constexpr (Gradient) {
        auto grad = ws.template output_gradient<O>();
        value = L::template value_and_gradient<Scalar>(out, detail::target_view(target), grad);
        grad *= weight;
      } else {
        value = L::template value<Scalar>(out, detail::target_view(target));
      }
      if (each) (*each)[O] = value;
      total += weight * value;
    }
  }

  detail::aligned_array<Scalar, storage_size> params_, grads_;
  detail::aligned_array<Scalar, buffer_size> buffers_;
};

/// A graph of named nodes over float:
///
///     using Net = ctnn::Graph<ctnn::Inputs<ctnn::In<"image", 8, 8, 1>, ctnn::In<"meta", 4>>,
///                             ctnn::Node<"conv", ctnn::Conv2D<4, 3, 3>, "image">,
///                             ctnn::Node<"flat", ctnn::Flatten, "conv">,
///                             ctnn::Node<"both", ctnn::Concat<>, "flat", "meta">,
///                             ctnn::Node<"class", ctnn::Dense<3>, "both">,
///                             ctnn::Node<"value", ctnn::Dense<1>, "both">,
///                             ctnn::Outputs<"class", "value">>;
///
/// For double, basic_graph<double, ...>. See docs/graph.md.
template <class... Args>
using Graph = basic_graph<default_scalar, Args...>;

}  // namespace ctnn
