#include "sqs/operations.h"

#include <boost/json/array.hpp>

#include "sqs/names.h"

namespace nimbus::sqs {

namespace {

base::Error invalid_type(std::string_view name, std::string_view kind) {
  return base::make_error(base::ErrorCode::kInvalidArgument,
                          "Value for parameter " + std::string(name) + " is invalid. Reason: must be " +
                              std::string(kind) + ".",
                          "InvalidParameterValue");
}

}  // namespace

const boost::json::value* Reader::value(std::string_view name) const {
  auto* v = in_.if_contains(name);
  return v && !v->is_null() ? v : nullptr;
}

void Reader::require(std::string_view name) {
  if (!value(name))
    fail(base::make_error(base::ErrorCode::kInvalidArgument,
                          "The request must contain the parameter " + std::string(name) + ".", "MissingParameter"));
}

void Reader::fail(base::Error e) {
  if (!error_) error_ = std::move(e);
}

base::Status Reader::status() const {
  if (error_) return *error_;
  return {};
}

std::string Reader::string(std::string_view name, bool required) {
  auto* v = value(name);
  if (!v) {
    if (required) require(name);
    return "";
  }
  if (!v->is_string()) {
    fail(invalid_type(name, "a string"));
    return "";
  }
  return std::string(v->as_string());
}

std::optional<int64_t> Reader::integer(std::string_view name) {
  auto* v = value(name);
  if (!v) return std::nullopt;
  if (v->is_int64()) return v->as_int64();
  if (v->is_uint64() && v->as_uint64() <= static_cast<uint64_t>(INT64_MAX)) return static_cast<int64_t>(v->as_uint64());
  if (v->is_string())
    fail(base::make_error(base::ErrorCode::kInvalidArgument,
                          "Value " + std::string(v->as_string()) + " for parameter " + std::string(name) +
                              " is invalid. Reason: must be an integer.",
                          "InvalidParameterValue"));
  else
    fail(invalid_type(name, "an integer"));
  return std::nullopt;
}

std::vector<std::string> Reader::strings(std::string_view name) {
  std::vector<std::string> out;
  auto* v = value(name);
  if (!v) return out;
  if (!v->is_array()) {
    fail(invalid_type(name, "a list of strings"));
    return out;
  }
  for (const auto& item : v->as_array()) {
    if (!item.is_string()) {
      fail(invalid_type(name, "a list of strings"));
      return {};
    }
    out.emplace_back(item.as_string());
  }
  return out;
}

StringMap Reader::map(std::string_view name) {
  StringMap out;
  auto* v = value(name);
  if (!v) return out;
  if (!v->is_object()) {
    fail(invalid_type(name, "a map of strings"));
    return out;
  }
  for (const auto& [k, item] : v->as_object()) {
    if (!item.is_string()) {
      fail(invalid_type(name, "a map of strings"));
      return {};
    }
    out[std::string(k)] = std::string(item.as_string());
  }
  return out;
}

const boost::json::array* Reader::array(std::string_view name, bool required) {
  auto* v = value(name);
  if (!v) {
    if (required) require(name);
    return nullptr;
  }
  if (!v->is_array()) {
    fail(invalid_type(name, "a list"));
    return nullptr;
  }
  return &v->as_array();
}

base::Result<std::string> addressed_queue(Context& c, const Request& r, Reader& in) {
  std::string url = in.string("QueueUrl");
  if (auto s = in.status(); !s) return s.error();
  if (url.empty()) {
    // A query client may post to the queue's own URL and leave QueueUrl out.
    if (auto name = name_from_url(r.path)) return *name;
  }
  return c.queues.name_of(url);
}

}  // namespace nimbus::sqs
