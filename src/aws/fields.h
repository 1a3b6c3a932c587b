// Typed readers of request fields that refuse bad input in AWS's own words:
//   1 validation error detected: Value null at 'functionName' failed to
//   satisfy constraint: Member must not be null
// Errors accumulate ("2 validation errors detected: ...; ...") and come out
// of status() as one kInvalidArgument error whose message is AWS's text; the
// service's error table names it (ValidationException in JSON services,
// ValidationError in query ones). Field names in messages are the member
// name with a lowercase first letter, as AWS writes them.
//
// Usage:
//   JsonFields f(body);                          // or QueryFields f(call.params)
//   auto name = f.string("FunctionName", {.required = true, .min_length = 1, .max_length = 140});
//   auto timeout = f.integer("Timeout", {.min = 1, .max = 900});
//   f.unsupported("Policy", "AssumeRole");       // present: refused, never ignored
//   if (auto s = f.status(); !s) return s.error();
//
// THREADING RULE: values; one reader per request.
#pragma once

#include <boost/json/object.hpp>
#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/query_protocol.h"
#include "base/result.h"

namespace nimbus::aws {

struct StringRule {
  bool required = false;
  size_t min_length = 0;
  size_t max_length = std::numeric_limits<size_t>::max();
  std::string_view pattern = {};              // ECMAScript regex the whole value must match
  std::vector<std::string_view> one_of = {};  // an enum's values
};

struct IntRule {
  bool required = false;
  std::optional<int64_t> min = std::nullopt;
  std::optional<int64_t> max = std::nullopt;
};

// Validation messages, for checks the readers do not cover.
class Validation {
 public:
  void add(std::string constraint_message);  // "Value '5' at 'x' failed to satisfy constraint: ..."
  void null(std::string_view field);          // Member must not be null
  bool empty() const { return errors_.empty(); }
  // Ok, or kInvalidArgument "N validation error(s) detected: a; b"; or the
  // first refusal (kMalformed for a wrong JSON type, unsupported parameters).
  base::Status status() const;
  void refuse(base::Error e);

 protected:
  void check_string(std::string_view name, const std::optional<std::string>& v, const StringRule& rule);
  void check_int(std::string_view name, const std::optional<int64_t>& v, const IntRule& rule);
  std::vector<std::string> errors_;
  std::optional<base::Error> refused_;
};

// 'functionName' from "FunctionName".
std::string member_name(std::string_view wire_name);

// The error for a parameter nimbus does not implement: refused, saying so.
base::Error unsupported_parameter(std::string_view operation, std::string_view name);

class JsonFields : public Validation {
 public:
  explicit JsonFields(const boost::json::object& in) : in_(in) {}
  std::optional<std::string> string(std::string_view name, const StringRule& rule = {});
  std::optional<int64_t> integer(std::string_view name, const IntRule& rule = {});
  std::optional<bool> boolean(std::string_view name, bool required = false);
  const boost::json::object* object(std::string_view name, bool required = false);
  const boost::json::array* array(std::string_view name, bool required = false);
  // A present field nimbus does not implement is refused, never ignored.
  void unsupported(std::string_view name, std::string_view operation);

 private:
  const boost::json::value* field(std::string_view name, std::string_view kind);
  const boost::json::object& in_;
};

class QueryFields : public Validation {
 public:
  explicit QueryFields(const QueryParams& in) : in_(in) {}
  std::optional<std::string> string(std::string_view name, const StringRule& rule = {});
  std::optional<int64_t> integer(std::string_view name, const IntRule& rule = {});
  std::optional<bool> boolean(std::string_view name, bool required = false);
  // Refused when the parameter or any "name.*" is present.
  void unsupported(std::string_view name, std::string_view operation);

 private:
  const QueryParams& in_;
};

}  // namespace nimbus::aws
