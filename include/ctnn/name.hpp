/// @file Defines `ctnn::node_name`, the names of a Graph's inputs, nodes and outputs (string literals as
/// template arguments), and `ctnn::at<"name">(data)`, data given to the trainer by name.
// SPDX-License-Identifier: MIT
#pragma once

#include <cstddef>
#include <string_view>
#include <utility>

namespace ctnn {

/// The name of an input or a node: a string literal of 1 to 31 characters, as a template argument
/// (`Node<"conv", ...>`).
struct node_name {
  char text[32] = {};
  std::size_t size = 0;
  template <std::size_t N>
  consteval node_name(const char (&s)[N]) : size(N - 1) {  // NOLINT(google-explicit-constructor)
    static_assert(N >= 2 && N <= 32, "ctnn::Graph: a name has 1 to 31 characters");
    for (std::size_t i = 0; i + 1 < N; ++i) text[i] = s[i];
  }
  constexpr node_name() = default;
  constexpr std::string_view view() const noexcept { return {text, size}; }
  constexpr bool operator==(const node_name& o) const noexcept { return view() == o.view(); }
};

/// A name as the compiler prints it in a Graph's errors: `named<'c', 'o', 'n', 'v'>` is "conv" (a
/// char array prints as numbers in clang's diagnostics; a pack of chars prints as letters).
template <char... C>
struct named {};

namespace detail {
template <node_name N, std::size_t... I>
named<N.text[I]...> spell(std::index_sequence<I...>);  // declared only: its type is the point
}  // namespace detail
/// The name `N` as the type the errors take. (Through a class: g++ 12 crashes substituting a dependent
/// name into an alias that reads N.size directly.)
template <node_name N>
struct spelled {
  static constexpr std::size_t size = N.size;
  using type = decltype(detail::spell<N>(std::make_index_sequence<size>{}));
};
template <node_name N>
using named_t = typename spelled<N>::type;

/// Data for the input or output `Name` of a Graph, as trainer::fit, evaluate and predict take it by name:
/// `t.fit(std::tuple{at<"image">(images), at<"sensors">(values)}, ...)`. Holds a reference.
template <node_name Name, class T>
struct named_data {
  static constexpr node_name name = Name;
  using type = T;
  const T& value;
};
template <node_name Name, class T>
named_data<Name, T> at(const T& value) noexcept {
  return {value};
}

}  // namespace ctnn
