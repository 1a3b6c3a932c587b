#include "execute_api/json_schema.h"

#include <boost/json/serialize.hpp>
#include <boost/regex.hpp>
#include <cmath>

namespace nimbus::execute_api {

namespace json = boost::json;

namespace {

struct Validator {
  const json::value& root;
  const ModelLookup& models;
  int depth = 0;

  using Why = std::optional<std::string>;

  static bool is_integer(const json::value& v) {
    if (v.is_int64() || v.is_uint64()) return true;
    return v.is_double() && std::isfinite(v.as_double()) && v.as_double() == std::floor(v.as_double());
  }

  static bool has_type(const json::value& v, std::string_view t) {
    if (t == "object") return v.is_object();
    if (t == "array") return v.is_array();
    if (t == "string") return v.is_string();
    if (t == "boolean") return v.is_bool();
    if (t == "null") return v.is_null();
    if (t == "number") return v.is_number();
    if (t == "integer") return is_integer(v);
    return true;  // an unknown type name constrains nothing
  }

  static double num(const json::value& v) { return v.to_number<double>(); }

  // Characters, not bytes, as JSON Schema counts a string's length.
  static size_t length(const json::string& s) {
    size_t n = 0;
    for (unsigned char c : s)
      if ((c & 0xC0) != 0x80) ++n;
    return n;
  }

  // Boost.Regex matches without recursion and gives up (throws) when a
  // pattern backtracks past its bound, so a model's `pattern` cannot spend a
  // worker's time on a hostile string (std::regex recursed per character and
  // backtracked without limit). The size cap keeps a match's cost small too.
  static constexpr size_t kMaxPatternText = 4096;

  static bool matches(const std::string& pattern, const std::string& text) {
    if (text.size() > kMaxPatternText) return false;
    boost::regex re;
    try {
      re.assign(pattern, boost::regex::ECMAScript);
    } catch (const boost::regex_error&) {
      return true;  // a pattern that is not a regular expression does not reject bodies
    }
    try {
      return boost::regex_search(text, re);
    } catch (const std::runtime_error&) {
      return false;  // too complex to decide: the value is not shown to match
    }
  }

  const json::value* resolve(const std::string& ref) {
    if (ref.rfind("#/", 0) == 0) {
      const json::value* at = &root;
      size_t i = 2;
      while (i <= ref.size()) {
        size_t slash = ref.find('/', i);
        std::string part = ref.substr(i, slash == std::string::npos ? std::string::npos : slash - i);
        if (!at->is_object()) return nullptr;
        at = at->as_object().if_contains(part);
        if (!at) return nullptr;
        if (slash == std::string::npos) break;
        i = slash + 1;
      }
      return at;
    }
    if (ref == "#") return &root;
    size_t at = ref.rfind("/models/");
    if (at != std::string::npos && models) return models(ref.substr(at + 8));
    return nullptr;
  }

  Why check(const json::value& schema, const json::value& v, const std::string& where) {
    if (!schema.is_object()) return std::nullopt;
    if (++depth > 64) return "schema nesting is too deep at " + where;
    struct Leave {
      int& d;
      ~Leave() { --d; }
    } leave{depth};
    const json::object& s = schema.as_object();
    if (const auto* ref = s.if_contains("$ref"); ref && ref->is_string()) {
      const json::value* target = resolve(std::string(ref->as_string()));
      if (!target) return "unresolvable $ref " + std::string(ref->as_string());
      return check(*target, v, where);  // draft 4: $ref replaces its siblings
    }
    if (const auto* t = s.if_contains("type")) {
      bool ok = false;
      if (t->is_string()) ok = has_type(v, t->as_string());
      if (t->is_array())
        for (const auto& one : t->as_array()) ok = ok || (one.is_string() && has_type(v, one.as_string()));
      if (!ok) return where + ": instance type does not match " + json::serialize(*t);
    }
    if (const auto* e = s.if_contains("enum"); e && e->is_array()) {
      bool found = false;
      for (const auto& x : e->as_array()) found = found || x == v || (x.is_number() && v.is_number() && num(x) == num(v));
      if (!found) return where + ": instance value not found in enum";
    }
    if (v.is_number()) {
      double x = num(v);
      if (const auto* m = s.if_contains("minimum"); m && m->is_number()) {
        bool exclusive = s.contains("exclusiveMinimum") && s.at("exclusiveMinimum") == true;
        if (exclusive ? x <= num(*m) : x < num(*m)) return where + ": numeric instance is lower than the minimum";
      }
      if (const auto* m = s.if_contains("maximum"); m && m->is_number()) {
        bool exclusive = s.contains("exclusiveMaximum") && s.at("exclusiveMaximum") == true;
        if (exclusive ? x >= num(*m) : x > num(*m)) return where + ": numeric instance is greater than the maximum";
      }
      if (const auto* m = s.if_contains("multipleOf"); m && m->is_number() && num(*m) > 0) {
        double q = x / num(*m);
        if (std::fabs(q - std::round(q)) > 1e-9) return where + ": not a multiple of " + json::serialize(*m);
      }
    }
    if (v.is_string()) {
      size_t n = length(v.as_string());
      if (const auto* m = s.if_contains("minLength"); m && m->is_number() && n < num(*m)) return where + ": string too short";
      if (const auto* m = s.if_contains("maxLength"); m && m->is_number() && n > num(*m)) return where + ": string too long";
      if (const auto* p = s.if_contains("pattern"); p && p->is_string() &&
                                                     !matches(std::string(p->as_string()), std::string(v.as_string())))
        return where + ": ECMA 262 regex " + std::string(p->as_string()) + " does not match";
    }
    if (v.is_array()) {
      const auto& a = v.as_array();
      if (const auto* m = s.if_contains("minItems"); m && m->is_number() && a.size() < num(*m)) return where + ": too few items";
      if (const auto* m = s.if_contains("maxItems"); m && m->is_number() && a.size() > num(*m)) return where + ": too many items";
      if (const auto* u = s.if_contains("uniqueItems"); u && *u == true)
        for (size_t i = 0; i < a.size(); ++i)
          for (size_t j = i + 1; j < a.size(); ++j)
            if (a[i] == a[j]) return where + ": array items are not unique";
      if (const auto* items = s.if_contains("items")) {
        if (items->is_object()) {
          for (size_t i = 0; i < a.size(); ++i)
            if (auto w = check(*items, a[i], where + "/" + std::to_string(i))) return w;
        } else if (items->is_array()) {
          const auto& list = items->as_array();
          for (size_t i = 0; i < a.size(); ++i) {
            if (i < list.size()) {
              if (auto w = check(list[i], a[i], where + "/" + std::to_string(i))) return w;
            } else if (const auto* extra = s.if_contains("additionalItems")) {
              if (*extra == false) return where + ": additional items are not allowed";
              if (auto w = check(*extra, a[i], where + "/" + std::to_string(i))) return w;
            }
          }
        }
      }
    }
    if (v.is_object()) {
      const auto& o = v.as_object();
      if (const auto* m = s.if_contains("minProperties"); m && m->is_number() && o.size() < num(*m))
        return where + ": too few properties";
      if (const auto* m = s.if_contains("maxProperties"); m && m->is_number() && o.size() > num(*m))
        return where + ": too many properties";
      if (const auto* r = s.if_contains("required"); r && r->is_array())
        for (const auto& name : r->as_array())
          if (name.is_string() && !o.contains(name.as_string()))
            return where + ": object has missing required properties ([\"" + std::string(name.as_string()) + "\"])";
      const json::object* props = s.contains("properties") && s.at("properties").is_object() ? &s.at("properties").as_object() : nullptr;
      const json::object* patterns =
          s.contains("patternProperties") && s.at("patternProperties").is_object() ? &s.at("patternProperties").as_object() : nullptr;
      const json::value* additional = s.if_contains("additionalProperties");
      for (const auto& [key, value] : o) {
        std::string k(key);
        bool covered = false;
        if (props)
          if (const auto* p = props->if_contains(key)) {
            covered = true;
            if (auto w = check(*p, value, where + "/" + k)) return w;
          }
        if (patterns)
          for (const auto& [pattern, sub] : *patterns)
            if (matches(std::string(pattern), k)) {
              covered = true;
              if (auto w = check(sub, value, where + "/" + k)) return w;
            }
        if (!covered && additional) {
          if (*additional == false) return where + ": object instance has properties which are not allowed by the schema: [\"" + k + "\"]";
          if (auto w = check(*additional, value, where + "/" + k)) return w;
        }
      }
    }
    if (const auto* all = s.if_contains("allOf"); all && all->is_array())
      for (const auto& sub : all->as_array())
        if (auto w = check(sub, v, where)) return w;
    if (const auto* any = s.if_contains("anyOf"); any && any->is_array()) {
      bool ok = false;
      for (const auto& sub : any->as_array()) ok = ok || !check(sub, v, where);
      if (!ok) return where + ": instance failed to match at least one required schema among anyOf";
    }
    if (const auto* one = s.if_contains("oneOf"); one && one->is_array()) {
      int n = 0;
      for (const auto& sub : one->as_array()) n += check(sub, v, where) ? 0 : 1;
      if (n != 1) return where + ": instance failed to match exactly one schema of oneOf";
    }
    if (const auto* no = s.if_contains("not"); no && !check(*no, v, where))
      return where + ": instance matched a schema which it should not have";
    return std::nullopt;
  }
};

}  // namespace

std::optional<std::string> validate_json(const json::value& schema, const json::value& instance, const ModelLookup& models) {
  Validator v{schema, models};
  return v.check(schema, instance, "");
}

}  // namespace nimbus::execute_api
