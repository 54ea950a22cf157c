/// @file Defines `detail::concat`, which builds error messages by appending.
// SPDX-License-Identifier: MIT
#pragma once

#include <string>
#include <string_view>
#include <type_traits>

namespace ctnn::detail {

/// concat("read ", 3, " of ", n, " bytes"): strings, string views and integers, appended in order.
/// (Also sidesteps GCC 12's false -Wrestrict on `"literal" + std::string&&`, GCC bug 105651.)
template <class... Parts>
std::string concat(const Parts&... parts) {
  std::string out;
  auto add = [&out](const auto& p) {
    using P = std::remove_cvref_t<decltype(p)>;
    if constexpr (std::is_integral_v<P> && !std::is_same_v<P, char>)
      out += std::to_string(p);
    else
      out += std::string_view(p);
  };
  (add(parts), ...);
  return out;
}

}  // namespace ctnn::detail
