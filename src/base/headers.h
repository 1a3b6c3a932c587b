// HeaderList: HTTP headers as nimbus passes them between modules — names in
// lowercase, values verbatim, in arrival order (repeats kept).
#pragma once

#include <algorithm>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nimbus::base {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

inline const std::string* find_header(const HeaderList& h, std::string_view lower_name) {
  for (const auto& [k, v] : h)
    if (k == lower_name) return &v;
  return nullptr;
}

}  // namespace nimbus::base
