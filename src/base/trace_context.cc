#include "base/trace_context.h"

#include <cstdio>

#include "base/ids.h"
#include "base/time.h"

namespace nimbus::base {

namespace {

bool is_hex(std::string_view s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) return false;
  return true;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

TraceContext parse_xray(std::string_view v) {
  TraceContext t;
  while (!v.empty()) {
    size_t semi = v.find(';');
    std::string_view part = v.substr(0, semi);
    v = semi == std::string_view::npos ? std::string_view() : v.substr(semi + 1);
    while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view key = part.substr(0, eq), value = part.substr(eq + 1);
    if (key == "Root" && value.size() == 35 && value.substr(0, 2) == "1-" && value[10] == '-' &&
        is_hex(value.substr(2, 8), 8) && is_hex(value.substr(11), 24))
      t.root = lower(value);
    else if (key == "Parent" && is_hex(value, 16))
      t.parent = lower(value);
    else if (key == "Sampled")
      t.sampled = value != "0";
  }
  if (t.root.empty()) return {};
  return t;
}

TraceContext parse_w3c(std::string_view v) {
  // version-traceid-parentid-flags
  if (v.size() < 55 || v[2] != '-' || v[35] != '-' || v[52] != '-') return {};
  std::string_view id = v.substr(3, 32), parent = v.substr(36, 16), flags = v.substr(53, 2);
  if (!is_hex(id, 32) || !is_hex(parent, 16) || !is_hex(flags, 2) || id == std::string(32, '0')) return {};
  TraceContext t;
  std::string hex = lower(id);
  t.root = "1-" + hex.substr(0, 8) + "-" + hex.substr(8);
  t.parent = lower(parent);
  t.sampled = (std::stoi(std::string(flags), nullptr, 16) & 1) != 0;
  return t;
}

}  // namespace

std::string TraceContext::header() const {
  std::string h = "Root=" + root;
  if (!parent.empty()) h += ";Parent=" + parent;
  h += sampled ? ";Sampled=1" : ";Sampled=0";
  return h;
}

std::string TraceContext::w3c_trace_id() const {
  if (root.size() != 35) return {};
  return root.substr(2, 8) + root.substr(11);
}

TraceContext parse_trace_context(std::string_view amzn_trace_id, std::string_view traceparent) {
  if (!amzn_trace_id.empty())
    if (auto t = parse_xray(amzn_trace_id); t.valid()) return t;
  if (!traceparent.empty()) return parse_w3c(traceparent);
  return {};
}

TraceContext new_trace() {
  char epoch[16];
  std::snprintf(epoch, sizeof epoch, "%08llx", static_cast<unsigned long long>(now_ms() / 1000) & 0xffffffffull);
  TraceContext t;
  t.root = std::string("1-") + epoch + "-" + random_hex(12);
  return t;
}

std::string new_span_id() { return random_hex(8); }

}  // namespace nimbus::base
