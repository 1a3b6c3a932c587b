#include "sqs/names.h"

#include "base/arn.h"

namespace nimbus::sqs {

namespace {

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

bool plain_name(std::string_view name) {
  std::string_view stem = is_fifo_name(name) ? name.substr(0, name.size() - 5) : name;
  if (stem.empty() || name.size() > 80) return false;
  for (char c : stem)
    if (!name_char(c)) return false;
  return true;
}

}  // namespace

bool is_fifo_name(std::string_view name) { return name.size() >= 5 && name.substr(name.size() - 5) == ".fifo"; }

base::Status check_queue_name(std::string_view name, bool fifo) {
  if (plain_name(name) && is_fifo_name(name) == fifo) return {};
  if (fifo)
    return base::make_error(base::ErrorCode::kInvalidArgument,
                            "The name of a FIFO queue can only include alphanumeric characters, hyphens, or "
                            "underscores, must end with .fifo suffix and be 1 to 80 in length.",
                            "InvalidParameterValue");
  return base::make_error(base::ErrorCode::kInvalidArgument,
                          "Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length",
                          "InvalidParameterValue");
}

std::string store_name(std::string_view name) { return "sqs/" + std::string(name); }

std::string queue_arn(std::string_view region, std::string_view name) { return base::make_arn("sqs", region, name); }

std::string queue_url(std::string_view host, std::string_view name) {
  return "http://" + std::string(host) + "/" + std::string(base::kAccountId) + "/" + std::string(name);
}

std::optional<std::string> name_from_url(std::string_view url) {
  size_t scheme = url.find("://");
  std::string_view path = url;
  if (scheme != std::string_view::npos) {
    size_t slash = url.find('/', scheme + 3);
    if (slash == std::string_view::npos) return std::nullopt;
    path = url.substr(slash);
  }
  path = path.substr(0, path.find('?'));
  // LocalStack's path strategy: /queue/REGION/ACCOUNT/NAME.
  if (path.rfind("/queue/", 0) == 0) {
    size_t region_end = path.find('/', 7);
    if (region_end == std::string_view::npos) return std::nullopt;
    path = path.substr(region_end);
  }
  if (path.empty() || path.front() != '/') return std::nullopt;
  path.remove_prefix(1);
  size_t slash = path.find('/');
  if (slash == std::string_view::npos || path.substr(0, slash) != base::kAccountId) return std::nullopt;
  std::string_view name = path.substr(slash + 1);
  if (!name.empty() && name.back() == '/') name.remove_suffix(1);
  if (!plain_name(name)) return std::nullopt;
  return std::string(name);
}

std::optional<std::string> name_from_arn(std::string_view arn) {
  auto a = base::Arn::parse(arn);
  if (!a || a->service != "sqs" || a->account != base::kAccountId || !plain_name(a->resource)) return std::nullopt;
  return a->resource;
}

std::optional<std::string> name_from_any(std::string_view s) {
  if (s.rfind("arn:", 0) == 0) return name_from_arn(s);
  if (s.find('/') != std::string_view::npos) return name_from_url(s);
  if (plain_name(s)) return std::string(s);
  return std::nullopt;
}

}  // namespace nimbus::sqs
