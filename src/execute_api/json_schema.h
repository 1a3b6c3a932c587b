// JSON Schema draft 4, the subset API Gateway's request validation uses for
// models (what SAM's ValidateBody and hand-written models hold): type (one or
// a list), properties, required, additionalProperties, patternProperties,
// items (one schema or a list), enum, minimum/maximum with draft 4's boolean
// exclusiveMinimum/exclusiveMaximum, multipleOf, minLength/maxLength,
// pattern, minItems/maxItems, uniqueItems, minProperties/maxProperties,
// allOf/anyOf/oneOf/not, and $ref to "#/definitions/..." or to another model
// of the API (".../models/NAME"). Other keywords (format, title, ...) are
// annotations here as draft 4 allows. A string over 4 KB, or one whose match
// backtracks past Boost.Regex's bound, does not match a `pattern`.
// THREADING RULE: pure functions over values; any thread.
#pragma once

#include <boost/json/value.hpp>
#include <functional>
#include <optional>
#include <string>

namespace nimbus::execute_api {

// Another model's schema by name (for $ref to ".../models/NAME"); null when unknown.
using ModelLookup = std::function<const boost::json::value*(const std::string& name)>;

// Empty when `instance` satisfies `schema`, else why not (for the log; the
// client gets API Gateway's "Invalid request body").
std::optional<std::string> validate_json(const boost::json::value& schema, const boost::json::value& instance,
                                         const ModelLookup& models = {});

}  // namespace nimbus::execute_api
