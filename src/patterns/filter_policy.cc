#include "patterns/filter_policy.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <optional>
#include <vector>

namespace nimbus::patterns {

namespace json = boost::json;

namespace {

constexpr double kMaxNumber = 1e9;

base::Error invalid(const std::string& why) {
  return base::make_error(base::ErrorCode::kInvalidArgument, "Invalid parameter: FilterPolicy: " + why);
}

// Numbers compare with five digits after the decimal point, as SNS does.
std::optional<int64_t> scaled(const json::value& v) {
  double d;
  if (v.is_int64()) d = static_cast<double>(v.as_int64());
  else if (v.is_uint64()) d = static_cast<double>(v.as_uint64());
  else if (v.is_double()) d = v.as_double();
  else return std::nullopt;
  if (!std::isfinite(d)) return std::nullopt;
  // Values beyond the policy's range still order correctly against it.
  if (d > 1e12) d = 1e12;
  if (d < -1e12) d = -1e12;
  return std::llround(d * 1e5);
}

enum class Kind { kString, kNumber, kBool, kNull, kPrefix, kSuffix, kEqualsIgnoreCase, kAnythingBut, kNumeric, kExists };

struct Bound {
  bool set = false;
  bool inclusive = false;
  int64_t value = 0;
};

struct Condition {
  Kind kind = Kind::kString;
  std::string text;
  int64_t number = 0;
  bool flag = false;
  Bound low, high;                 // kNumeric
  std::vector<Condition> excluded;  // kAnythingBut: the values (or one prefix/suffix) it refuses
};

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  return true;
}

bool one_matches(const Condition& c, const json::value& v) {
  switch (c.kind) {
    case Kind::kString: return v.is_string() && v.as_string() == c.text;
    case Kind::kNumber: {
      auto n = scaled(v);
      return n && *n == c.number;
    }
    case Kind::kBool: return v.is_bool() && v.as_bool() == c.flag;
    case Kind::kNull: return v.is_null();
    case Kind::kPrefix: return v.is_string() && std::string_view(v.as_string()).starts_with(c.text);
    case Kind::kSuffix: return v.is_string() && std::string_view(v.as_string()).ends_with(c.text);
    case Kind::kEqualsIgnoreCase: return v.is_string() && iequal(v.as_string(), c.text);
    case Kind::kAnythingBut: {
      // Only values of a comparable kind: anything-but ["a"] does not match an
      // object, and anything-but {"prefix"} only strings.
      if (v.is_object() || v.is_array()) return false;
      for (const auto& e : c.excluded) {
        if ((e.kind == Kind::kPrefix || e.kind == Kind::kSuffix) && !v.is_string()) return false;
        if (one_matches(e, v)) return false;
      }
      return true;
    }
    case Kind::kNumeric: {
      auto n = scaled(v);
      if (!n) return false;
      if (c.low.set && (c.low.inclusive ? *n < c.low.value : *n <= c.low.value)) return false;
      if (c.high.set && (c.high.inclusive ? *n > c.high.value : *n >= c.high.value)) return false;
      return true;
    }
    case Kind::kExists: return false;  // decided by presence, in the caller
  }
  return false;
}

}  // namespace

struct FilterPolicy::Node {
  struct Key {
    std::string name;
    std::vector<Condition> conditions;  // a leaf
    std::shared_ptr<const Node> nested;  // or an object (body scope)
  };
  std::vector<Key> keys;
  std::vector<std::shared_ptr<const Node>> alternatives;  // "$or": one of them must match too

  bool matches(const json::value* document) const {
    const json::object* o = document && document->is_object() ? &document->as_object() : nullptr;
    for (const auto& k : keys) {
      const json::value* v = o ? o->if_contains(k.name) : nullptr;
      if (!key_matches(k, v)) return false;
    }
    if (alternatives.empty()) return true;
    for (const auto& a : alternatives)
      if (a->matches(document)) return true;
    return false;
  }

  static bool key_matches(const Key& k, const json::value* v) {
    if (k.nested) {
      if (v && v->is_array()) {
        for (const auto& e : v->as_array())
          if (k.nested->matches(&e)) return true;
        return false;
      }
      return k.nested->matches(v);
    }
    for (const auto& c : k.conditions) {
      if (c.kind == Kind::kExists) {
        if ((v != nullptr) == c.flag) return true;
        continue;
      }
      if (!v) continue;
      if (v->is_array()) {
        for (const auto& e : v->as_array())
          if (one_matches(c, e)) return true;
      } else if (one_matches(c, *v)) {
        return true;
      }
    }
    return false;
  }
};

namespace {

struct Parser {
  Scope scope;
  const Limits& limits;

  base::Result<int64_t> number(const json::value& v) {
    auto n = scaled(v);
    double d = v.is_double() ? v.as_double() : v.is_int64() ? static_cast<double>(v.as_int64()) : static_cast<double>(v.as_uint64());
    if (!n || d < -kMaxNumber || d > kMaxNumber)
      return invalid("Numeric value " + json::serialize(v) + " is out of range (-1.0E9 to 1.0E9)");
    return *n;
  }

  base::Result<Condition> literal(const json::value& v) {
    Condition c;
    if (v.is_string()) {
      c.kind = Kind::kString;
      c.text = std::string(v.as_string());
    } else if (v.is_number()) {
      auto n = number(v);
      if (!n) return n.error();
      c.kind = Kind::kNumber;
      c.number = *n;
    } else if (v.is_bool()) {
      c.kind = Kind::kBool;
      c.flag = v.as_bool();
    } else if (v.is_null()) {
      c.kind = Kind::kNull;
    } else {
      return invalid("Match value must be String, number, true, false, or null");
    }
    return c;
  }

  base::Result<Condition> string_operand(Kind kind, std::string_view name, const json::value& v) {
    if (!v.is_string()) return invalid(std::string(name) + " match pattern must be a string");
    Condition c;
    c.kind = kind;
    c.text = std::string(v.as_string());
    return c;
  }

  base::Result<Condition> numeric(const json::value& v) {
    if (!v.is_array() || v.as_array().empty()) return invalid("Invalid member in numeric match: ]");
    const auto& a = v.as_array();
    Condition c;
    c.kind = Kind::kNumeric;
    size_t i = 0;
    auto read = [&](bool first) -> base::Status {
      const auto& op = a[i];
      if (!op.is_string()) return invalid("Invalid member in numeric match: " + json::serialize(op));
      std::string o(op.as_string());
      if (o != "<" && o != "<=" && o != "=" && o != ">" && o != ">=")
        return invalid((first ? "Unrecognized numeric range operator: " : "Bad numeric range operator: ") + o);
      if (!first && o != "<" && o != "<=") return invalid("Bad numeric range operator: " + o);
      if (i + 1 >= a.size() || !a[i + 1].is_number()) return invalid("Value of " + o + " must be numeric");
      auto n = number(a[i + 1]);
      if (!n) return n.error();
      if (o == "=") {
        c.low = {true, true, *n};
        c.high = {true, true, *n};
      } else if (o[0] == '>') {
        c.low = {true, o.size() == 2, *n};
      } else {
        c.high = {true, o.size() == 2, *n};
      }
      i += 2;
      return {};
    };
    if (auto s = read(true); !s) return s.error();
    if (i < a.size()) {
      if (!c.low.set || c.high.set) return invalid("Too many elements in numeric expression");
      if (auto s = read(false); !s) return s.error();
      if (c.high.value <= c.low.value) return invalid("Bottom must be less than top");
    }
    if (i < a.size()) return invalid("Too many elements in numeric expression");
    return c;
  }

  base::Result<Condition> anything_but(const json::value& v) {
    Condition c;
    c.kind = Kind::kAnythingBut;
    if (v.is_object()) {
      const auto& o = v.as_object();
      if (o.size() != 1) return invalid("anything-but expects a single prefix or suffix");
      const auto& [name, operand] = *o.begin();
      Kind k;
      if (name == "prefix") k = Kind::kPrefix;
      else if (name == "suffix") k = Kind::kSuffix;
      else return invalid("Unsupported anything-but pattern: " + std::string(name));
      auto e = string_operand(k, name, operand);
      if (!e) return e.error();
      c.excluded.push_back(std::move(*e));
      return c;
    }
    if (v.is_array()) {
      if (v.as_array().empty()) return invalid("Empty arrays are not allowed");
      for (const auto& e : v.as_array()) {
        if (!e.is_string() && !e.is_number()) return invalid("Inside anything but list, start|null|boolean is not supported.");
        auto l = literal(e);
        if (!l) return l.error();
        c.excluded.push_back(std::move(*l));
      }
      return c;
    }
    if (!v.is_string() && !v.is_number()) return invalid("Inside anything but list, start|null|boolean is not supported.");
    auto l = literal(v);
    if (!l) return l.error();
    c.excluded.push_back(std::move(*l));
    return c;
  }

  base::Result<Condition> condition(const json::value& v) {
    if (!v.is_object()) return literal(v);
    const auto& o = v.as_object();
    if (o.size() != 1) return invalid("Match value must be String, number, true, false, or null");
    const auto& [name, operand] = *o.begin();
    if (name == "prefix") return string_operand(Kind::kPrefix, name, operand);
    if (name == "suffix") return string_operand(Kind::kSuffix, name, operand);
    if (name == "equals-ignore-case") return string_operand(Kind::kEqualsIgnoreCase, name, operand);
    if (name == "anything-but") return anything_but(operand);
    if (name == "numeric") return numeric(operand);
    if (name == "exists") {
      if (!operand.is_bool()) return invalid("exists match pattern must be either true or false.");
      Condition c;
      c.kind = Kind::kExists;
      c.flag = operand.as_bool();
      return c;
    }
    return invalid("Unrecognized match type " + std::string(name));
  }

  // Combinations, as AWS counts them: each array's length times its depth, multiplied; $or's branches added.
  base::Result<std::shared_ptr<const FilterPolicy::Node>> node(const json::object& o, int depth, int64_t& combinations) {
    auto n = std::make_shared<FilterPolicy::Node>();
    combinations = 1;
    for (const auto& [name, value] : o) {
      if (name == "$or") {
        if (!value.is_array() || value.as_array().size() < 2)
          return invalid("\"$or\" must be an array of at least two filter policies");
        int64_t sum = 0;
        for (const auto& alt : value.as_array()) {
          if (!alt.is_object() || alt.as_object().empty()) return invalid("\"$or\" must be an array of filter policies");
          int64_t c = 1;
          auto a = node(alt.as_object(), depth, c);
          if (!a) return a.error();
          n->alternatives.push_back(std::move(*a));
          sum += c;
          if (sum > limits.max_combinations) return invalid("Filter policy is too complex");
        }
        combinations *= sum;
      } else if (value.is_array()) {
        if (value.as_array().empty()) return invalid("Empty arrays are not allowed");
        FilterPolicy::Node::Key k{std::string(name), {}, nullptr};
        for (const auto& e : value.as_array()) {
          auto c = condition(e);
          if (!c) return c.error();
          k.conditions.push_back(std::move(*c));
        }
        combinations *= static_cast<int64_t>(value.as_array().size()) * depth;
        n->keys.push_back(std::move(k));
      } else if (value.is_object()) {
        if (scope == Scope::kMessageAttributes)
          return base::make_error(base::ErrorCode::kInvalidArgument,
                                  "Invalid parameter: Filter policy scope MessageAttributes does not support nested filter policy");
        if (value.as_object().empty()) return invalid("\"" + std::string(name) + "\" must not be an empty object");
        int64_t c = 1;
        auto nested = node(value.as_object(), depth + 1, c);
        if (!nested) return nested.error();
        combinations *= c;
        n->keys.push_back({std::string(name), {}, std::move(*nested)});
      } else {
        return invalid("\"" + std::string(name) + "\" must be an object or an array");
      }
      if (combinations > limits.max_combinations) return invalid("Filter policy is too complex");
    }
    return std::shared_ptr<const FilterPolicy::Node>(std::move(n));
  }
};

// Top-level keys, as AWS limits them: nested keys do not count; an $or counts its widest branch.
size_t key_count(const json::object& o) {
  size_t n = 0, widest = 0;
  for (const auto& [name, value] : o) {
    if (name != "$or") {
      ++n;
      continue;
    }
    if (value.is_array())
      for (const auto& alt : value.as_array())
        if (alt.is_object()) widest = std::max(widest, key_count(alt.as_object()));
  }
  return n + widest;
}

}  // namespace

base::Result<FilterPolicy> FilterPolicy::parse(std::string_view text, Scope scope, const Limits& limits) {
  if (text.size() > limits.max_bytes) return invalid("Filter policy is too large (256 KB at most)");
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return invalid("failed to parse JSON: " + ec.message());
  if (!v.is_object()) return invalid("Filter policy must be a JSON object");
  const auto& o = v.as_object();
  if (key_count(o) > limits.max_keys)
    return invalid("Filter policy can not have more than " + std::to_string(limits.max_keys) + " keys");
  Parser p{scope, limits};
  int64_t combinations = 1;
  auto root = p.node(o, 1, combinations);
  if (!root) return root.error();
  FilterPolicy policy;
  policy.root_ = std::move(*root);
  policy.scope_ = scope;
  return policy;
}

bool FilterPolicy::matches(const json::value& document) const { return !root_ || root_->matches(&document); }

}  // namespace nimbus::patterns
