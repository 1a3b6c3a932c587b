// PutEvents.
#include <cmath>

#include "buses/router.h"
#include "eventbridge/ops.h"

namespace nimbus::eventbridge {

namespace {

// An entry's size as AWS counts it toward the 256 KB: the UTF-8 bytes of
// Source, DetailType, Detail and each resource, and 14 bytes for a Time.
size_t entry_size(const buses::PutEventsEntry& e) {
  size_t n = e.source.value_or("").size() + e.detail_type.value_or("").size() + e.detail.value_or("").size();
  for (const auto& r : e.resources) n += r.size();
  if (e.time_ms) n += 14;
  return n;
}

}  // namespace

Reply put_events(Context& c, const json::object& in) {
  aws::JsonFields f(in);
  const json::array* entries = f.array("Entries", true);
  f.unsupported("EndpointId", "PutEvents");  // global endpoints are not nimbus's
  if (auto s = f.status(); !s) return s.error();
  if (entries->empty() || entries->size() > 10)
    return validation("1 validation error detected: Value '[...]' at 'entries' failed to satisfy constraint: Member "
                      "must have length less than or equal to 10 and greater than or equal to 1");
  std::vector<buses::PutEventsEntry> list;
  size_t total = 0;
  for (const auto& v : *entries) {
    if (!v.is_object()) return base::make_error(base::ErrorCode::kMalformed, "An entry must be an object");
    const auto& o = v.as_object();
    aws::JsonFields ef(o);
    buses::PutEventsEntry e;
    e.source = ef.string("Source");
    e.detail_type = ef.string("DetailType");
    e.detail = ef.string("Detail");
    e.bus = ef.string("EventBusName", {.min_length = 1, .max_length = 1600}).value_or("");
    e.trace_header = ef.string("TraceHeader", {.min_length = 1, .max_length = 500}).value_or("");
    if (const json::value* t = o.if_contains("Time"); t && !t->is_null()) {
      // JSON 1.1 timestamps are epoch seconds.
      if (!t->is_number()) return base::make_error(base::ErrorCode::kMalformed, "Time must be a timestamp");
      e.time_ms = std::llround(t->to_number<double>() * 1000);
    }
    if (const json::array* r = ef.array("Resources")) {
      for (const auto& x : *r) {
        if (!x.is_string()) return base::make_error(base::ErrorCode::kMalformed, "Resources must be strings");
        e.resources.emplace_back(x.as_string());
      }
    }
    if (auto s = ef.status(); !s) return s.error();
    total += entry_size(e);
    list.push_back(std::move(e));
  }
  if (total > buses::kMaxPutEventsBytes)
    return validation("Total size of the entries in the request is over the limit.");
  auto results = c.router.put_events(list);
  if (!results) return results.error();
  json::array out;
  int failed = 0;
  for (const auto& r : *results) {
    if (r.error_code.empty()) {
      out.push_back(json::object{{"EventId", r.event_id}});
    } else {
      ++failed;
      out.push_back(json::object{{"ErrorCode", r.error_code}, {"ErrorMessage", r.error_message}});
    }
  }
  return json::object{{"FailedEntryCount", failed}, {"Entries", std::move(out)}};
}

}  // namespace nimbus::eventbridge
