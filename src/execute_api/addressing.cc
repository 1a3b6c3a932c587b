#include "execute_api/addressing.h"

#include "base/encoding.h"

namespace nimbus::execute_api {

namespace {

constexpr std::string_view kHostMarker = ".execute-api.";
constexpr std::string_view kRestApis = "/restapis/";
constexpr std::string_view kUserRequest = "/_user_request_";
constexpr std::string_view kAwsPath = "/_aws/execute-api/";

bool valid_id(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  for (char c : id)
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z'))) return false;
  return true;
}

}  // namespace

std::string host_of(std::string_view host_header) {
  std::string_view h = host_header;
  if (!h.empty() && h.front() == '[') {
    auto close = h.find(']');
    h = h.substr(0, close == std::string_view::npos ? h.size() : close + 1);
  } else if (auto colon = h.rfind(':'); colon != std::string_view::npos) {
    h = h.substr(0, colon);
  }
  return base::to_lower(h);
}

std::optional<Address> parse_address(std::string_view host_header, std::string_view target) {
  std::string host = host_of(host_header);
  size_t q = target.find('?');
  std::string_view path = target.substr(0, q);
  std::string query = q == std::string_view::npos ? "" : std::string(target.substr(q + 1));
  if (auto at = host.find(kHostMarker); at != std::string::npos && at > 0) {
    std::string id = host.substr(0, at);
    // An origin-form target only ("/…"): anything else names no path of the API.
    if (!valid_id(id) || (!path.empty() && path.front() != '/')) return std::nullopt;
    return Address{id, path.empty() ? "/" : std::string(path), query, host};
  }
  if (path.rfind(kRestApis, 0) == 0) {
    std::string_view rest = path.substr(kRestApis.size());
    size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return std::nullopt;
    std::string id(rest.substr(0, slash));
    std::string_view after = rest.substr(slash);  // "/<stage>/_user_request_/<path>"
    size_t stage_end = after.find('/', 1);
    if (!valid_id(id) || stage_end == std::string_view::npos) return std::nullopt;
    std::string_view stage = after.substr(0, stage_end);
    std::string_view tail = after.substr(stage_end);
    if (tail.rfind(kUserRequest, 0) != 0) return std::nullopt;
    tail.remove_prefix(kUserRequest.size());
    if (!tail.empty() && tail.front() != '/') return std::nullopt;
    return Address{id, std::string(stage) + (tail.empty() ? "/" : std::string(tail)), query,
                   id + ".execute-api.localhost"};
  }
  if (path.rfind(kAwsPath, 0) == 0) {
    std::string_view rest = path.substr(kAwsPath.size());
    size_t slash = rest.find('/');
    std::string id(rest.substr(0, slash));
    if (!valid_id(id)) return std::nullopt;
    return Address{id, slash == std::string_view::npos ? "/" : std::string(rest.substr(slash)), query,
                   id + ".execute-api.localhost"};
  }
  return std::nullopt;
}

bool is_execute_api(std::string_view host_header, std::string_view target) {
  std::string host = host_of(host_header);
  if (host.find(kHostMarker) != std::string::npos) return true;
  if (target.rfind(kAwsPath, 0) == 0) return true;
  return target.rfind(kRestApis, 0) == 0 && target.find(kUserRequest) != std::string_view::npos;
}

}  // namespace nimbus::execute_api
