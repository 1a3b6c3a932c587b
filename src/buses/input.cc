#include "buses/input.h"

#include <boost/json/basic_parser_impl.hpp>
#include <charconv>
#include <cmath>

namespace nimbus::buses {

namespace json = boost::json;

namespace {

// --- JSON text ---------------------------------------------------------------

void append_escaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (u < 0x20) {
          out += "\\u00";
          out += kHex[u >> 4];
          out += kHex[u & 0xf];
        } else {
          out += c;
        }
    }
  }
}

void append_quoted(std::string& out, std::string_view s) {
  out += '"';
  append_escaped(out, s);
  out += '"';
}

template <typename N>
void append_number(std::string& out, N n) {
  char buf[32];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, r.ptr);
}

void append_double(std::string& out, double d) {
  // boost::json writes 0.1 as 1E-1; the shortest round-trip form is what an
  // event's author wrote in the common case. Out-of-range numbers (parsed as
  // infinity) stay numbers too large for a double, still valid JSON.
  if (std::isnan(d)) out += "null";
  else if (std::isinf(d)) out += d > 0 ? "1e999" : "-1e999";
  else append_number(out, d);
}

// The event as <aws.events.event> shows it: without `detail`, and with
// `detail-type` spelled detailType, as AWS delivers it (LocalStack's
// test_input_transformer_predefined_variables, recorded against AWS).
void append_event_without_detail(std::string& out, const json::value& event) {
  if (!event.is_object()) return append_json(out, event);
  out += '{';
  bool first = true;
  for (const auto& kv : event.as_object()) {
    if (kv.key() == "detail") continue;
    if (!first) out += ',';
    first = false;
    append_quoted(out, kv.key() == "detail-type" ? std::string_view("detailType") : std::string_view(kv.key()));
    out += ':';
    append_json(out, kv.value());
  }
  out += '}';
}

// Validates JSON text without building it: boost::json's parser with a
// handler that keeps nothing.
struct NullHandler {
  static constexpr size_t max_object_size = size_t(-1);
  static constexpr size_t max_array_size = size_t(-1);
  static constexpr size_t max_key_size = size_t(-1);
  static constexpr size_t max_string_size = size_t(-1);
  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(size_t, json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) { return true; }
  bool on_object_end(size_t, json::error_code&) { return true; }
  bool on_string_part(json::string_view, size_t, json::error_code&) { return true; }
  bool on_string(json::string_view, size_t, json::error_code&) { return true; }
  bool on_key_part(json::string_view, size_t, json::error_code&) { return true; }
  bool on_key(json::string_view, size_t, json::error_code&) { return true; }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(int64_t, json::string_view, json::error_code&) { return true; }
  bool on_uint64(uint64_t, json::string_view, json::error_code&) { return true; }
  bool on_double(double, json::string_view, json::error_code&) { return true; }
  bool on_bool(bool, json::error_code&) { return true; }
  bool on_null(json::error_code&) { return true; }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }
};

// Empty when `text` is one JSON text, else the parser's complaint. Nesting
// is bounded by the text's length (8192 for an Input), not boost's 32.
std::string json_error(std::string_view text) {
  json::parse_options opt;
  opt.max_depth = 100000;
  json::basic_parser<NullHandler> p(opt);
  json::error_code ec;
  size_t n = p.write_some(false, text.data(), text.size(), ec);
  if (ec) return ec.message();
  if (n != text.size()) return "unexpected text after the JSON value";
  return {};
}

bool is_json_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Drops whitespace outside string literals: "The JSON that is passed to the
// target is minified" (eb-transform-target-input, Common issues).
void minify(std::string& s) {
  size_t w = 0;
  bool in_string = false, escape = false;
  for (char c : s) {
    if (in_string) {
      if (escape) escape = false;
      else if (c == '\\') escape = true;
      else if (c == '"') in_string = false;
    } else if (is_json_space(c)) {
      continue;
    } else if (c == '"') {
      in_string = true;
    }
    s[w++] = c;
  }
  s.resize(w);
}

// --- lengths, as AWS counts them ----------------------------------------------

// AWS's length constraints count UTF-16 code units, not bytes.
size_t utf16_length(std::string_view s) {
  size_t n = 0;
  for (char c : s) {
    auto u = static_cast<unsigned char>(c);
    if ((u & 0xC0) == 0x80) continue;  // continuation byte
    n += u >= 0xF0 ? 2 : 1;           // a four-byte sequence is a surrogate pair
  }
  return n;
}

// --- templates -----------------------------------------------------------------

// The predefined placeholders (eb-transform-target-input, Predefined variables).
struct Predefined {
  std::string_view name;
  InputPlan::Piece::Kind kind;
};
constexpr Predefined kPredefined[] = {
    {"aws.events.rule-arn", InputPlan::Piece::kRuleArn},
    {"aws.events.rule-name", InputPlan::Piece::kRuleName},
    {"aws.events.event.ingestion-time", InputPlan::Piece::kIngestionTime},
    {"aws.events.event", InputPlan::Piece::kEvent},
    {"aws.events.event.json", InputPlan::Piece::kEventJson},
};

std::optional<InputPlan::Piece::Kind> predefined(std::string_view name) {
  for (const auto& p : kPredefined)
    if (p.name == name) return p.kind;
  return std::nullopt;
}

// "If InputTemplate is a JSON object (surrounded by curly braces)"
// (API_InputTransformer): JSON when it opens with '{'; anything else, a
// quoted string included, is text.
bool is_json_template(std::string_view t) {
  for (char c : t) {
    if (is_json_space(c)) continue;
    return c == '{';
  }
  return false;
}

struct Placeholder {
  size_t begin = 0, end = 0;  // the span of "<name>"
  std::string_view name;
  InputPlan::Piece::Where where = InputPlan::Piece::kText;
  bool as_key = false;  // JSON: stands where an object key goes, or inside a key's string
};

// Where a JSON template's characters stand: inside a string literal (a
// backslash escapes the next character, so \" does not end it), and whether
// an object key is expected. Tolerant of malformed text: it only classifies.
class JsonScanner {
 public:
  void feed(char c) {
    if (in_string_) {
      if (escape_) escape_ = false;
      else if (c == '\\') escape_ = true;
      else if (c == '"') in_string_ = false;
      return;
    }
    switch (c) {
      case '"':
        in_string_ = true;
        string_is_key_ = expecting_key();
        if (string_is_key_) expect_key_ = false;
        break;
      case '{': stack_.push_back('{'); expect_key_ = true; break;
      case '[': stack_.push_back('['); expect_key_ = false; break;
      case '}':
      case ']':
        if (!stack_.empty()) stack_.pop_back();
        expect_key_ = false;
        break;
      case ':': expect_key_ = false; break;
      case ',': expect_key_ = in_object(); break;
      default: break;
    }
  }
  bool in_string() const { return in_string_; }
  // A placeholder here: inside a key's string, or standing for a key.
  bool placeholder_is_key() {
    if (in_string_) return string_is_key_;
    bool key = expecting_key();
    expect_key_ = false;  // it took the place of a key or a value
    return key;
  }

 private:
  bool in_object() const { return !stack_.empty() && stack_.back() == '{'; }
  bool expecting_key() const { return in_object() && expect_key_; }
  std::vector<char> stack_;
  bool in_string_ = false, escape_ = false, string_is_key_ = false, expect_key_ = false;
};

// Walks a template: on_literal(begin, end) for text, on_placeholder(p) for
// each <name>. A placeholder is '<' up to the next '>' with no '<', '>' or
// newline between ("The characters < and > cannot be escaped", the page's
// earlier version); a '<' that does not close one is text.
template <typename OnLiteral, typename OnPlaceholder>
void scan_template(std::string_view t, bool json_template, OnLiteral on_literal, OnPlaceholder on_placeholder) {
  JsonScanner scanner;
  size_t lit = 0, i = 0;
  while (i < t.size()) {
    char c = t[i];
    if (c == '<') {
      size_t j = t.find_first_of("<>\n", i + 1);
      if (j != std::string_view::npos && t[j] == '>') {
        Placeholder p;
        p.begin = i;
        p.end = j + 1;
        p.name = t.substr(i + 1, j - i - 1);
        if (json_template) {
          p.where = scanner.in_string() ? InputPlan::Piece::kInString : InputPlan::Piece::kInJson;
          p.as_key = scanner.placeholder_is_key();
        }
        if (lit < i) on_literal(lit, i);
        on_placeholder(p);
        i = lit = j + 1;
        continue;
      }
    }
    if (json_template) scanner.feed(c);
    ++i;
  }
  if (lit < t.size()) on_literal(lit, t.size());
}

const std::string* find_path(const InputTransformer& t, std::string_view name, size_t* index = nullptr) {
  for (size_t k = 0; k < t.paths.size(); ++k) {
    if (t.paths[k].first == name) {
      if (index) *index = k;
      return &t.paths[k].second;
    }
  }
  return nullptr;
}

// --- JSON paths ------------------------------------------------------------------

// Name characters EventBridge lists: alphanumerics, dashes, underscores,
// forward slashes (eb-transform-target-input, the note on JSON path syntax).
bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '/';
}

void collect(const json::value& v, const std::vector<JsonPath::Step>& steps, size_t i,
             std::vector<const json::value*>& out) {
  if (i == steps.size()) {
    out.push_back(&v);
    return;
  }
  const auto& s = steps[i];
  switch (s.kind) {
    case JsonPath::Step::kName:
      if (const auto* o = v.if_object())
        if (const auto* child = o->if_contains(s.name)) collect(*child, steps, i + 1, out);
      break;
    case JsonPath::Step::kIndex:
      if (const auto* a = v.if_array())
        if (s.index < a->size()) collect((*a)[s.index], steps, i + 1, out);
      break;
    case JsonPath::Step::kAll:
      if (const auto* o = v.if_object())
        for (const auto& kv : *o) collect(kv.value(), steps, i + 1, out);
      else if (const auto* a = v.if_array())
        for (const auto& e : *a) collect(e, steps, i + 1, out);
      break;
  }
}

// The value at a definite path, without copying it; nullptr: no match.
const json::value* find(const JsonPath& path, const json::value& doc) {
  const json::value* v = &doc;
  for (const auto& s : path.steps()) {
    if (s.kind == JsonPath::Step::kName) {
      const auto* o = v->if_object();
      v = o ? o->if_contains(s.name) : nullptr;
    } else {
      const auto* a = v->if_array();
      v = a && s.index < a->size() ? &(*a)[s.index] : nullptr;
    }
    if (!v) return nullptr;
  }
  return v;
}

// A path's match for one render: a pointer into the event, or (wildcards) an
// array built for it.
struct Match {
  const json::value* value = nullptr;
  json::value owned;
};

void match(const std::optional<JsonPath>& path, const json::value& doc, Match& m) {
  m.value = nullptr;
  if (!path) return;
  if (!path->wildcard()) {
    m.value = find(*path, doc);
    return;
  }
  std::vector<const json::value*> found;
  collect(doc, path->steps(), 0, found);
  if (found.empty()) return;
  json::array a;
  a.reserve(found.size());
  for (const auto* f : found) a.push_back(*f);
  m.owned = std::move(a);
  m.value = &m.owned;
}

// --- rendering placeholders ----------------------------------------------------------

using Where = InputPlan::Piece::Where;

// A string's value: quoted in JSON, escaped (without quotes) inside a JSON
// string so the result stays JSON, as written in text.
void put_string(std::string& out, std::string_view s, Where where) {
  if (where == Where::kInJson) append_quoted(out, s);
  else if (where == Where::kInString) append_escaped(out, s);
  else out += s;
}

// An object or array in text loses its quotes: "If a JSON path references a
// JSON object or array, but the variable is referenced in a string,
// EventBridge removes any internal quotes" ("Detail is {key1: value1}").
// Inside a JSON template's string literal it is written as is, unescaped,
// which breaks the literal: AWS then delivers nothing (LocalStack's
// test_input_transformer_nested_keys_replacement_not_valid, against AWS:
// {"payload": "<payload>"} with an object is not delivered).
template <typename Write>
void put_structure(std::string& out, Where where, Write write) {
  if (where != Where::kText) return write(out);
  size_t from = out.size();
  write(out);
  size_t w = from;
  for (size_t r = from; r < out.size(); ++r)
    if (out[r] != '"') out[w++] = out[r];
  out.resize(w);
}

void put_value(std::string& out, const json::value* v, Where where) {
  if (!v) {
    // A path that matched nothing: "that variable isn't created and won't
    // appear in the output" — empty text, and "" where JSON needs a value
    // (LocalStack's test_put_events_with_input_transformer_input_template_json,
    // recorded against AWS: {"command": <command>} became {"command": ""}).
    if (where == Where::kInJson) out += "\"\"";
    return;
  }
  if (v->is_string()) return put_string(out, v->get_string(), where);
  if (v->is_structured()) return put_structure(out, where, [v](std::string& o) { append_json(o, *v); });
  append_json(out, *v);  // numbers, booleans, null: their JSON text anywhere
}

}  // namespace

// --- public ---------------------------------------------------------------------------

void append_json(std::string& out, const json::value& v) {
  switch (v.kind()) {
    case json::kind::null: out += "null"; break;
    case json::kind::bool_: out += v.get_bool() ? "true" : "false"; break;
    case json::kind::int64: append_number(out, v.get_int64()); break;
    case json::kind::uint64: append_number(out, v.get_uint64()); break;
    case json::kind::double_: append_double(out, v.get_double()); break;
    case json::kind::string: append_quoted(out, v.get_string()); break;
    case json::kind::array: {
      out += '[';
      bool first = true;
      for (const auto& e : v.get_array()) {
        if (!first) out += ',';
        first = false;
        append_json(out, e);
      }
      out += ']';
      break;
    }
    case json::kind::object: {
      out += '{';
      bool first = true;
      for (const auto& kv : v.get_object()) {
        if (!first) out += ',';
        first = false;
        append_quoted(out, kv.key());
        out += ':';
        append_json(out, kv.value());
      }
      out += '}';
      break;
    }
  }
}

std::string to_json(const json::value& v) {
  std::string out;
  append_json(out, v);
  return out;
}

std::optional<JsonPath> JsonPath::parse(std::string_view t, bool bracket_names) {
  if (t.empty() || t[0] != '$') return std::nullopt;
  JsonPath p;
  size_t i = 1;
  while (i < t.size()) {
    Step s;
    if (t[i] == '.') {
      ++i;
      if (i < t.size() && t[i] == '*') {
        s.kind = Step::kAll;
        ++i;
      } else {
        size_t b = i;
        while (i < t.size() && is_name_char(t[i])) ++i;
        if (i == b) return std::nullopt;  // "$.", "$..x", "$.a b"
        s.name.assign(t.substr(b, i - b));
      }
    } else if (t[i] == '[') {
      ++i;
      if (i < t.size() && t[i] == '*') {
        s.kind = Step::kAll;
        ++i;
      } else if (i < t.size() && t[i] >= '0' && t[i] <= '9') {
        s.kind = Step::kIndex;
        size_t b = i;
        while (i < t.size() && t[i] >= '0' && t[i] <= '9') ++i;
        if (i - b > 9) return std::nullopt;  // beyond any array an event holds
        std::from_chars(t.data() + b, t.data() + i, s.index);
      } else if (bracket_names && i < t.size() && (t[i] == '\'' || t[i] == '"')) {
        char q = t[i++];
        size_t e = t.find(q, i);
        if (e == std::string_view::npos || e == i) return std::nullopt;
        s.name.assign(t.substr(i, e - i));
        i = e + 1;
      } else {
        return std::nullopt;  // negative indices, slices, filters, scripts
      }
      if (i >= t.size() || t[i] != ']') return std::nullopt;
      ++i;
    } else {
      return std::nullopt;
    }
    if (s.kind == Step::kAll) p.wildcard_ = true;
    p.steps_.push_back(std::move(s));
  }
  return p;
}

std::optional<json::value> JsonPath::select(const json::value& doc) const {
  Match m;
  match(*this, doc, m);
  if (!m.value) return std::nullopt;
  if (m.value == &m.owned) return std::move(m.owned);
  return *m.value;
}

std::optional<json::value> select_path(std::string_view path, const json::value& doc) {
  auto p = JsonPath::parse(path, true);
  if (!p) return std::nullopt;
  return p->select(doc);
}

// --- validation --------------------------------------------------------------------------

namespace {

std::string constraint(std::string_view value, size_t index, std::string_view member, std::string_view rule) {
  return "Value " + std::string(value) + " at 'targets." + std::to_string(index) + ".member." + std::string(member) +
         "' failed to satisfy constraint: " + std::string(rule);
}

std::string quoted(std::string_view v) { return "'" + std::string(v) + "'"; }

// A map as AWS's (Java) framework prints it: {key=value, key2=value2}.
std::string java_map(const std::vector<std::pair<std::string, std::string>>& m) {
  std::string s = "{";
  for (size_t i = 0; i < m.size(); ++i) s += (i ? ", " : "") + m[i].first + "=" + m[i].second;
  return s + "}";
}

constexpr size_t kMaxInput = 8192;        // TargetInput
constexpr size_t kMaxPath = 256;          // TargetInputPath (InputPath, InputPathsMap's values)
constexpr size_t kMaxTemplate = 8192;     // TransformerInput, min 1
constexpr size_t kMaxPaths = 100;         // TransformerPaths
constexpr size_t kMaxKey = 256;           // InputTransformerPathKey, min 1
constexpr std::string_view kKeyPattern = "[A-Za-z0-9\\_\\-]+";

bool key_pattern_ok(std::string_view k) {
  if (k.empty()) return false;
  for (char c : k)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return false;
  return true;
}

std::string max_rule(size_t n) { return "Member must have length less than or equal to " + std::to_string(n); }
std::string min_rule(size_t n) { return "Member must have length greater than or equal to " + std::to_string(n); }

base::Error invalid(std::string message) {
  return base::make_error(base::ErrorCode::kInvalidArgument, std::move(message));
}

}  // namespace

// The events-2015-10-07 model's constraints (botocore's service-2.json):
// TargetInput max 8192, TargetInputPath max 256, TransformerInput 1..8192,
// TransformerPaths at most 100 entries, InputTransformerPathKey 1..256 of
// [A-Za-z0-9\_\-]+ — which also keeps keys off the reserved aws.* names,
// whose dots the pattern refuses.
std::vector<std::string> target_input_constraint_errors(const TargetInput& in, size_t index) {
  std::vector<std::string> errors;
  if (in.input && utf16_length(*in.input) > kMaxInput)
    errors.push_back(constraint(quoted(*in.input), index, "input", max_rule(kMaxInput)));
  if (in.input_path && utf16_length(*in.input_path) > kMaxPath)
    errors.push_back(constraint(quoted(*in.input_path), index, "inputPath", max_rule(kMaxPath)));
  if (!in.transformer) return errors;
  const auto& t = *in.transformer;
  if (t.paths.size() > kMaxPaths)
    errors.push_back(constraint(quoted(java_map(t.paths)), index, "inputTransformer.inputPathsMap", max_rule(kMaxPaths)));
  bool key_long = false, key_empty = false, key_pattern = false, value_long = false;
  for (const auto& [k, v] : t.paths) {
    key_long |= utf16_length(k) > kMaxKey;
    key_empty |= k.empty();
    key_pattern |= !key_pattern_ok(k);
    value_long |= utf16_length(v) > kMaxPath;
  }
  if (key_long || key_empty || key_pattern) {
    std::string rules;
    auto add = [&rules](const std::string& r) { rules += (rules.empty() ? "" : ", ") + r; };
    if (key_long) add(max_rule(kMaxKey));
    if (key_empty) add(min_rule(1));
    if (key_pattern) add("Member must satisfy regular expression pattern: " + std::string(kKeyPattern));
    errors.push_back(constraint(quoted(java_map(t.paths)), index, "inputTransformer.inputPathsMap",
                                "Map keys must satisfy constraint: [" + rules + "]"));
  }
  if (value_long)
    errors.push_back(constraint(quoted(java_map(t.paths)), index, "inputTransformer.inputPathsMap",
                                "Map values must satisfy constraint: [" + max_rule(kMaxPath) + "]"));
  size_t tl = utf16_length(t.input_template);
  if (tl < 1)
    errors.push_back(constraint(quoted(t.input_template), index, "inputTransformer.inputTemplate", min_rule(1)));
  if (tl > kMaxTemplate)
    errors.push_back(
        constraint(quoted(t.input_template), index, "inputTransformer.inputTemplate", max_rule(kMaxTemplate)));
  return errors;
}

base::Status validate_target_input(const TargetInput& in, std::string_view target_id, size_t index) {
  auto errors = target_input_constraint_errors(in, index);
  if (!errors.empty()) {
    std::string msg = std::to_string(errors.size()) +
                      (errors.size() == 1 ? " validation error" : " validation errors") + " detected: ";
    for (size_t i = 0; i < errors.size(); ++i) msg += (i ? "; " : "") + errors[i];
    return invalid(std::move(msg));
  }
  const std::string id(target_id);

  // AWS's words, recorded by LocalStack's test_put_event_input_path_and_input_transformer.
  int given = int(in.input.has_value()) + int(in.input_path.has_value()) + int(in.transformer.has_value());
  if (given > 1) return invalid("Only one of Input, InputPath, or InputTransformer must be provided for target " + id + ".");

  // "Valid JSON text passed to the target" (API_Target). AWS's message opens
  // "JSON syntax error in input for target <id>: " then its parser's detail
  // (seen in community.aws issue #201); the detail here is boost::json's.
  if (in.input) {
    if (auto e = json_error(*in.input); !e.empty())
      return invalid("JSON syntax error in input for target " + id + ": " + e);
  }

  // The wording of this refusal and the next is nimbus's: AWS's is not on
  // record. (The user guide's older "Common issues" even says the paths
  // are not validated; nimbus refuses what it could not evaluate.)
  if (in.input_path && !JsonPath::parse(*in.input_path, true))
    return invalid("InputPath for target " + id + " is not a valid JSON path: " + *in.input_path);

  if (!in.transformer) return {};
  const auto& t = *in.transformer;
  for (const auto& [k, v] : t.paths)
    if (!JsonPath::parse(v))
      return invalid("InputPathsMap for target " + id + " has an invalid JSON path for " + k + ": " + v);

  std::optional<base::Error> refusal;
  bool json_template = is_json_template(t.input_template);
  scan_template(
      t.input_template, json_template, [](size_t, size_t) {},
      [&](const Placeholder& p) {
        if (refusal) return;
        // AWS's words (LocalStack's test_put_events_with_input_transformer_missing_keys).
        if (!find_path(t, p.name) && !predefined(p.name))
          refusal = invalid("InputTemplate for target " + id + " contains invalid placeholder " + std::string(p.name) + ".");
        // "The placeholder cannot be used as an object key" (API_InputTransformer).
        else if (p.as_key)
          refusal = invalid("InputTemplate for target " + id + " uses placeholder " + std::string(p.name) +
                            " as an object key: the placeholder cannot be used as an object key.");
      });
  if (refusal) return *refusal;
  return {};
}

// --- InputPlan ------------------------------------------------------------------------------

InputPlan::InputPlan(const TargetInput& in) {
  if (in.input) {
    mode_ = Mode::kConstant;
    text_ = *in.input;
    return;
  }
  if (in.input_path) {
    mode_ = Mode::kPath;
    path_ = JsonPath::parse(*in.input_path, true);
    return;
  }
  if (!in.transformer) return;
  const auto& t = *in.transformer;
  text_ = t.input_template;
  bool json_template = is_json_template(text_);
  mode_ = json_template ? Mode::kJsonTemplate : Mode::kTextTemplate;
  vars_.reserve(t.paths.size());
  for (const auto& [k, v] : t.paths) vars_.push_back(JsonPath::parse(v));

  auto literal = [this](size_t b, size_t e) {
    // Adjacent text (an undefined placeholder kept as written) joins the last piece.
    if (!pieces_.empty() && pieces_.back().kind == Piece::kLiteral && pieces_.back().end == b) {
      pieces_.back().end = e;
      return;
    }
    Piece p;
    p.begin = b;
    p.end = e;
    pieces_.push_back(p);
  };
  scan_template(text_, json_template, literal, [&](const Placeholder& ph) {
    Piece p;
    p.where = ph.where;
    size_t var = 0;
    if (find_path(t, ph.name, &var)) {
      p.kind = Piece::kVar;
      p.var = var;
    } else if (auto k = predefined(ph.name)) {
      p.kind = *k;
    } else {
      return literal(ph.begin, ph.end);  // neither defined nor predefined: left as written
    }
    pieces_.push_back(p);
  });
}

std::optional<std::string> InputPlan::render(const json::value& event, const RuleContext& rule) const {
  switch (mode_) {
    case Mode::kEvent: return to_json(event);
    case Mode::kConstant: return text_;
    case Mode::kPath: {
      // The selected value as JSON ("$.detail.payload.sf_id" on a string
      // delivers "\"baz\"": LocalStack's test_put_events_with_input_path_max_level_depth,
      // against AWS). A path that matches nothing delivers nothing, as
      // LocalStack models it; AWS's own behaviour there is not on record.
      Match m;
      match(path_, event, m);
      if (!m.value) return std::nullopt;
      return to_json(*m.value);
    }
    case Mode::kJsonTemplate:
    case Mode::kTextTemplate: break;
  }
  std::string out;
  out.reserve(text_.size() + 64);
  Match m;
  for (const auto& p : pieces_) {
    switch (p.kind) {
      case Piece::kLiteral: out.append(text_, p.begin, p.end - p.begin); break;
      case Piece::kVar:
        match(vars_[p.var], event, m);
        put_value(out, m.value, p.where);
        break;
      case Piece::kRuleArn: put_string(out, rule.rule_arn, p.where); break;
      case Piece::kRuleName: put_string(out, rule.rule_name, p.where); break;
      case Piece::kIngestionTime: put_string(out, rule.ingestion_time, p.where); break;
      // "Can only be used as a value for a JSON field, as its contents are
      // not escaped" (Predefined variables): inside a string literal they
      // break it, as objects do.
      case Piece::kEvent:
        put_structure(out, p.where, [&event](std::string& o) { append_event_without_detail(o, event); });
        break;
      case Piece::kEventJson: put_structure(out, p.where, [&event](std::string& o) { append_json(o, event); }); break;
    }
  }
  if (mode_ == Mode::kTextTemplate) return out;  // text goes as written, its quotes included
  if (!json_error(out).empty()) return std::nullopt;
  minify(out);
  return out;
}

std::optional<std::string> render_target_input(const TargetInput& in, const json::value& event,
                                               const RuleContext& rule) {
  return InputPlan(in).render(event, rule);
}

}  // namespace nimbus::buses
