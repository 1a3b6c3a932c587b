#include "aws/fields.h"

#include <boost/json/value.hpp>
#include <regex>

namespace nimbus::aws {

namespace {

std::string quoted(std::string_view v) { return "'" + std::string(v) + "'"; }

std::string constraint(std::string_view value, std::string_view field, std::string_view rule) {
  return "Value " + std::string(value) + " at '" + member_name(field) + "' failed to satisfy constraint: " +
         std::string(rule);
}

}  // namespace

std::string member_name(std::string_view wire_name) {
  std::string out(wire_name);
  if (!out.empty()) out[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(out[0])));
  return out;
}

base::Error unsupported_parameter(std::string_view operation, std::string_view name) {
  return base::make_error(base::ErrorCode::kNotImplemented, "nimbus does not support the parameter " + std::string(name) +
                                                             " of " + std::string(operation) + " yet");
}

void Validation::add(std::string constraint_message) { errors_.push_back(std::move(constraint_message)); }

void Validation::null(std::string_view field) { add(constraint("null", field, "Member must not be null")); }

void Validation::refuse(base::Error e) {
  if (!refused_) refused_ = std::move(e);
}

base::Status Validation::status() const {
  if (refused_) return *refused_;
  if (errors_.empty()) return {};
  std::string msg = std::to_string(errors_.size()) + (errors_.size() == 1 ? " validation error" : " validation errors") +
                    " detected: ";
  for (size_t i = 0; i < errors_.size(); ++i) msg += (i ? "; " : "") + errors_[i];
  return base::make_error(base::ErrorCode::kInvalidArgument, msg);
}

void Validation::check_string(std::string_view name, const std::optional<std::string>& v, const StringRule& rule) {
  if (!v) {
    if (rule.required) null(name);
    return;
  }
  if (v->size() < rule.min_length)
    add(constraint(quoted(*v), name, "Member must have length greater than or equal to " + std::to_string(rule.min_length)));
  if (v->size() > rule.max_length)
    add(constraint(quoted(*v), name, "Member must have length less than or equal to " + std::to_string(rule.max_length)));
  // A value already too long is not matched too: std::regex recurses per
  // character, so a long enough one (a request body's) would overflow the stack.
  if (!rule.pattern.empty() && v->size() <= rule.max_length) {
    std::regex re{std::string(rule.pattern)};
    if (!std::regex_match(*v, re))
      add(constraint(quoted(*v), name, "Member must satisfy regular expression pattern: " + std::string(rule.pattern)));
  }
  if (!rule.one_of.empty()) {
    bool found = false;
    std::string set;
    for (auto e : rule.one_of) {
      found = found || e == *v;
      set += (set.empty() ? "" : ", ") + std::string(e);
    }
    if (!found) add(constraint(quoted(*v), name, "Member must satisfy enum value set: [" + set + "]"));
  }
}

void Validation::check_int(std::string_view name, const std::optional<int64_t>& v, const IntRule& rule) {
  if (!v) {
    if (rule.required) null(name);
    return;
  }
  if (rule.min && *v < *rule.min)
    add(constraint(quoted(std::to_string(*v)), name,
                   "Member must have value greater than or equal to " + std::to_string(*rule.min)));
  if (rule.max && *v > *rule.max)
    add(constraint(quoted(std::to_string(*v)), name,
                   "Member must have value less than or equal to " + std::to_string(*rule.max)));
}

// JSON --------------------------------------------------------------------

const boost::json::value* JsonFields::field(std::string_view name, std::string_view kind) {
  auto it = in_.find(name);
  if (it == in_.end() || it->value().is_null()) return nullptr;
  const auto& v = it->value();
  bool fits = (kind == "string" && v.is_string()) || (kind == "integer" && (v.is_int64() || v.is_uint64())) ||
              (kind == "boolean" && v.is_bool()) || (kind == "object" && v.is_object()) ||
              (kind == "array" && v.is_array());
  // A double that is a whole number is an integer to AWS's parsers too.
  if (kind == "integer" && v.is_double() && v.as_double() == static_cast<double>(static_cast<int64_t>(v.as_double())))
    fits = true;
  if (!fits) {
    refuse(base::make_error(base::ErrorCode::kMalformed,
                            "Unexpected value for " + std::string(name) + ": it must be a JSON " + std::string(kind)));
    return nullptr;
  }
  return &v;
}

std::optional<std::string> JsonFields::string(std::string_view name, const StringRule& rule) {
  std::optional<std::string> out;
  if (const auto* v = field(name, "string")) out = std::string(v->as_string());
  else if (in_.contains(name) && !in_.at(name).is_null()) return std::nullopt;  // wrong type: refused
  check_string(name, out, rule);
  return out;
}

std::optional<int64_t> JsonFields::integer(std::string_view name, const IntRule& rule) {
  std::optional<int64_t> out;
  if (const auto* v = field(name, "integer")) {
    if (v->is_int64()) out = v->as_int64();
    else if (v->is_uint64()) out = v->as_uint64() > INT64_MAX ? INT64_MAX : static_cast<int64_t>(v->as_uint64());
    else out = static_cast<int64_t>(v->as_double());
  } else if (in_.contains(name) && !in_.at(name).is_null()) {
    return std::nullopt;
  }
  check_int(name, out, rule);
  return out;
}

std::optional<bool> JsonFields::boolean(std::string_view name, bool required) {
  if (const auto* v = field(name, "boolean")) return v->as_bool();
  if (required && !in_.contains(name)) null(name);
  return std::nullopt;
}

const boost::json::object* JsonFields::object(std::string_view name, bool required) {
  if (const auto* v = field(name, "object")) return &v->as_object();
  if (required && !in_.contains(name)) null(name);
  return nullptr;
}

const boost::json::array* JsonFields::array(std::string_view name, bool required) {
  if (const auto* v = field(name, "array")) return &v->as_array();
  if (required && !in_.contains(name)) null(name);
  return nullptr;
}

void JsonFields::unsupported(std::string_view name, std::string_view operation) {
  auto it = in_.find(name);
  if (it != in_.end() && !it->value().is_null()) refuse(unsupported_parameter(operation, name));
}

// Query -------------------------------------------------------------------

std::optional<std::string> QueryFields::string(std::string_view name, const StringRule& rule) {
  auto v = in_.find(name);
  check_string(name, v, rule);
  return v;
}

std::optional<int64_t> QueryFields::integer(std::string_view name, const IntRule& rule) {
  auto text = in_.find(name);
  std::optional<int64_t> out;
  if (text) {
    size_t used = 0;
    try {
      out = std::stoll(*text, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (text->empty() || used != text->size()) {
      add(constraint(quoted(*text), name, "Member must be a number"));
      return std::nullopt;
    }
  }
  check_int(name, out, rule);
  return out;
}

std::optional<bool> QueryFields::boolean(std::string_view name, bool required) {
  auto text = in_.find(name);
  if (!text) {
    if (required) null(name);
    return std::nullopt;
  }
  if (*text == "true") return true;
  if (*text == "false") return false;
  add(constraint(quoted(*text), name, "Member must be true or false"));
  return std::nullopt;
}

void QueryFields::unsupported(std::string_view name, std::string_view operation) {
  std::string prefix = std::string(name) + ".";
  bool present = in_.has(name);
  for (const auto& [k, v] : in_.all()) present = present || k.rfind(prefix, 0) == 0;
  if (present) refuse(unsupported_parameter(operation, name));
}

}  // namespace nimbus::aws
