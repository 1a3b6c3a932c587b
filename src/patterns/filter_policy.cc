#include "patterns/filter_policy.h"

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <optional>
#include <vector>

namespace nimbus::patterns {

namespace json = boost::json;

namespace {

// Values beyond a policy's range still order correctly against it.
constexpr double kClamp = 1e12;

// Numbers compare as integers scaled by 10^decimals: "to five digits after
// the point" (SNS) or six (EventBridge), so 301 and 301.000001 are equal to SNS.
std::optional<int64_t> scaled(const json::value& v, double scale) {
  double d;
  if (v.is_int64()) d = static_cast<double>(v.as_int64());
  else if (v.is_uint64()) d = static_cast<double>(v.as_uint64());
  else if (v.is_double()) d = v.as_double();
  else return std::nullopt;
  if (!std::isfinite(d)) return std::nullopt;
  d = std::clamp(d, -kClamp, kClamp);
  return std::llround(d * scale);
}

enum class Kind {
  kString, kNumber, kBool, kNull, kPrefix, kSuffix, kEqualsIgnoreCase, kWildcard, kCidr, kAnythingBut, kNumeric, kExists
};

struct Bound {
  bool set = false;
  bool inclusive = false;
  int64_t value = 0;
};

// An address or network: 4 or 16 bytes, and for a network its prefix length.
struct Address {
  int family = 0;
  std::array<unsigned char, 16> bytes{};
  int bits = 0;
};

struct Condition {
  Kind kind = Kind::kString;
  std::string text;       // strings; kWildcard: the pattern with escapes kept
  bool ignore_case = false;  // kPrefix, kSuffix
  int64_t number = 0;
  double scale = 1e5;     // kNumber, kNumeric: how event values are scaled
  bool flag = false;
  Bound low, high;                  // kNumeric
  Address network;                  // kCidr
  std::vector<Condition> excluded;  // kAnythingBut: what it refuses
};

unsigned char lower(char c) { return static_cast<unsigned char>(std::tolower(static_cast<unsigned char>(c))); }

bool iequal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool starts_with(std::string_view s, std::string_view p, bool ignore_case) {
  return s.size() >= p.size() && (ignore_case ? iequal(s.substr(0, p.size()), p) : s.starts_with(p));
}

bool ends_with(std::string_view s, std::string_view p, bool ignore_case) {
  return s.size() >= p.size() && (ignore_case ? iequal(s.substr(s.size() - p.size()), p) : s.ends_with(p));
}

// One element of a wildcard pattern at p: a star, or a literal character
// (`\*` a star, `\\` a backslash); advances p.
struct Token {
  bool star;
  char c;
};
Token next_token(std::string_view pattern, size_t& p) {
  char c = pattern[p++];
  if (c == '*') return {true, 0};
  if (c == '\\' && p < pattern.size()) return {false, pattern[p++]};
  return {false, c};
}

// `*` matches any run of characters. Linear in the text for each star
// restart (the classic two-pointer glob), so a long value cannot stall it.
bool wildcard_matches(std::string_view pattern, std::string_view text) {
  size_t p = 0, t = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  while (t < text.size()) {
    if (p < pattern.size()) {
      size_t before = p;
      Token tok = next_token(pattern, p);
      if (tok.star) {
        star_p = p;
        star_t = t;
        continue;
      }
      if (tok.c == text[t]) {
        ++t;
        continue;
      }
      p = before;
    }
    if (star_p == std::string_view::npos) return false;
    p = star_p;
    t = ++star_t;
  }
  while (p < pattern.size()) {
    if (!next_token(pattern, p).star) return false;
  }
  return true;
}

std::optional<Address> parse_address(std::string_view text) {
  std::string s(text);
  Address a;
  if (inet_pton(AF_INET, s.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET;
    a.bits = 32;
    return a;
  }
  if (inet_pton(AF_INET6, s.c_str(), a.bytes.data()) == 1) {
    a.family = AF_INET6;
    a.bits = 128;
    return a;
  }
  return std::nullopt;
}

bool in_network(const Address& network, std::string_view value) {
  auto a = parse_address(value);
  if (!a || a->family != network.family) return false;
  int full = network.bits / 8, rest = network.bits % 8;
  for (int i = 0; i < full; ++i)
    if (a->bytes[i] != network.bytes[i]) return false;
  if (rest == 0) return true;
  unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
  return (a->bytes[full] & mask) == (network.bytes[full] & mask);
}

bool one_matches(const Condition& c, const json::value& v) {
  switch (c.kind) {
    case Kind::kString: return v.is_string() && v.as_string() == c.text;
    case Kind::kNumber: {
      auto n = scaled(v, c.scale);
      return n && *n == c.number;
    }
    case Kind::kBool: return v.is_bool() && v.as_bool() == c.flag;
    case Kind::kNull: return v.is_null();
    case Kind::kPrefix: return v.is_string() && starts_with(v.as_string(), c.text, c.ignore_case);
    case Kind::kSuffix: return v.is_string() && ends_with(v.as_string(), c.text, c.ignore_case);
    case Kind::kEqualsIgnoreCase: return v.is_string() && iequal(v.as_string(), c.text);
    case Kind::kWildcard: return v.is_string() && wildcard_matches(c.text, v.as_string());
    case Kind::kCidr: return v.is_string() && in_network(c.network, v.as_string());
    case Kind::kAnythingBut: {
      // Only values of a comparable kind: anything-but ["a"] does not match an
      // object, and anything-but {"prefix"} only strings.
      if (v.is_object() || v.is_array()) return false;
      for (const auto& e : c.excluded) {
        bool textual = e.kind == Kind::kPrefix || e.kind == Kind::kSuffix || e.kind == Kind::kEqualsIgnoreCase ||
                       e.kind == Kind::kWildcard;
        if (textual && !v.is_string()) return false;
        if (one_matches(e, v)) return false;
      }
      return true;
    }
    case Kind::kNumeric: {
      auto n = scaled(v, c.scale);
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
  const Grammar& grammar;
  double scale = std::pow(10.0, grammar.decimals);

  base::Error invalid(const std::string& why) const {
    return base::make_error(base::ErrorCode::kInvalidArgument, grammar.error_prefix + why);
  }

  std::string range_text() const {
    char buf[64];
    std::snprintf(buf, sizeof buf, "(-%.1fE9 to %.1fE9)", grammar.max_number / 1e9, grammar.max_number / 1e9);
    return buf;
  }

  base::Result<int64_t> number(const json::value& v) {
    auto n = scaled(v, scale);
    double d = v.is_double() ? v.as_double() : v.is_int64() ? static_cast<double>(v.as_int64()) : static_cast<double>(v.as_uint64());
    if (!n || d < -grammar.max_number || d > grammar.max_number)
      return invalid("Numeric value " + json::serialize(v) + " is out of range " + range_text());
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
      c.scale = scale;
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

  base::Result<Condition> wildcard(const json::value& v) {
    if (!v.is_string()) return invalid("wildcard match pattern must be a string");
    std::string_view p = v.as_string();
    for (size_t i = 0; i < p.size(); ++i) {
      if (p[i] == '\\') {
        if (i + 1 >= p.size() || (p[i + 1] != '*' && p[i + 1] != '\\'))
          return invalid("Wildcard pattern has an invalid escape character at position " + std::to_string(i));
        ++i;
      } else if (p[i] == '*' && i + 1 < p.size() && p[i + 1] == '*') {
        return invalid("Consecutive wildcard characters at pos " + std::to_string(i + 1));
      }
    }
    Condition c;
    c.kind = Kind::kWildcard;
    c.text = std::string(p);
    return c;
  }

  base::Result<Condition> cidr(const json::value& v) {
    if (!v.is_string()) return invalid("cidr match pattern must be a string");
    std::string_view s = v.as_string();
    auto slash = s.find('/');
    auto a = parse_address(s.substr(0, slash));
    if (!a) return invalid("Malformed CIDR, one '/' required");
    if (slash != std::string_view::npos) {
      std::string_view bits = s.substr(slash + 1);
      int n = 0;
      if (bits.empty() || bits.size() > 3) return invalid("Malformed CIDR, one '/' required");
      for (char ch : bits) {
        if (ch < '0' || ch > '9') return invalid("Malformed CIDR, one '/' required");
        n = n * 10 + (ch - '0');
      }
      if (n > a->bits) return invalid("Malformed CIDR, mask bits must be in range [0, " + std::to_string(a->bits) + "]");
      a->bits = n;
    }
    Condition c;
    c.kind = Kind::kCidr;
    c.network = *a;
    return c;
  }

  // The operand of prefix / suffix: a string, or (EventBridge) {"equals-ignore-case": string}.
  base::Result<Condition> affix(Kind kind, std::string_view name, const json::value& v) {
    Condition c;
    c.kind = kind;
    if (v.is_object() && grammar.extended_anything_but && v.as_object().size() == 1 &&
        v.as_object().contains("equals-ignore-case")) {
      const auto& operand = v.as_object().at("equals-ignore-case");
      if (!operand.is_string()) return invalid("equals-ignore-case match pattern must be a string");
      c.text = std::string(operand.as_string());
      c.ignore_case = true;
      return c;
    }
    if (!v.is_string()) return invalid(std::string(name) + " match pattern must be a string");
    c.text = std::string(v.as_string());
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
    c.scale = scale;
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

  // anything-but {"prefix"|"suffix"|"equals-ignore-case"|"wildcard": s | [s...]}
  base::Result<Condition> anything_but_of(const json::object& o) {
    if (o.size() != 1) return invalid("anything-but expects a single prefix or suffix");
    const auto& [name, operand] = *o.begin();
    Kind k;
    if (name == "prefix") k = Kind::kPrefix;
    else if (name == "suffix") k = Kind::kSuffix;
    else if (grammar.extended_anything_but && name == "equals-ignore-case") k = Kind::kEqualsIgnoreCase;
    else if (grammar.extended_anything_but && name == "wildcard") k = Kind::kWildcard;
    else return invalid("Unsupported anything-but pattern: " + std::string(name));
    Condition c;
    c.kind = Kind::kAnythingBut;
    // A structured binding is not captured by clang 14 (C++20 allows it): the key by name.
    std::string_view key = name;
    auto one = [&](const json::value& v) -> base::Status {
      auto e = k == Kind::kWildcard ? wildcard(v) : string_operand(k, key, v);
      if (!e) return e.error();
      c.excluded.push_back(std::move(*e));
      return {};
    };
    if (operand.is_array() && grammar.extended_anything_but) {
      if (operand.as_array().empty()) return invalid("Empty arrays are not allowed");
      for (const auto& v : operand.as_array())
        if (auto s = one(v); !s) return s.error();
    } else if (auto s = one(operand); !s) {
      return s.error();
    }
    return c;
  }

  base::Result<Condition> anything_but(const json::value& v) {
    if (v.is_object()) return anything_but_of(v.as_object());
    Condition c;
    c.kind = Kind::kAnythingBut;
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
    if (name == "prefix") return affix(Kind::kPrefix, name, operand);
    if (name == "suffix") return affix(Kind::kSuffix, name, operand);
    if (name == "equals-ignore-case") return string_operand(Kind::kEqualsIgnoreCase, name, operand);
    if (name == "anything-but") return anything_but(operand);
    if (name == "numeric") return numeric(operand);
    if (name == "wildcard" && grammar.wildcard) return wildcard(operand);
    if (name == "cidr" && grammar.cidr) return cidr(operand);
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
    const int64_t max = grammar.limits.max_combinations;
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
          if (sum > max) return invalid("Filter policy is too complex");
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
      if (combinations > max) return invalid("Filter policy is too complex");
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

base::Result<FilterPolicy> FilterPolicy::parse(std::string_view text, Scope scope, const Grammar& grammar) {
  Parser p{scope, grammar};
  if (text.size() > grammar.limits.max_bytes)
    return p.invalid("Filter policy is too large (" + std::to_string(grammar.limits.max_bytes / 1024) + " KB at most)");
  boost::system::error_code ec;
  json::value v = json::parse(text, ec);
  if (ec) return p.invalid("failed to parse JSON: " + ec.message());
  if (!v.is_object()) return p.invalid("Filter policy must be a JSON object");
  const auto& o = v.as_object();
  if (key_count(o) > grammar.limits.max_keys)
    return p.invalid("Filter policy can not have more than " + std::to_string(grammar.limits.max_keys) + " keys");
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
