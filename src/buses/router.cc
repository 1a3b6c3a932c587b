#include "buses/router.h"

#include <boost/json.hpp>

#include "base/arn.h"
#include "base/crypto.h"
#include "base/ids.h"
#include "base/time.h"
#include "buses/deliveries.h"
#include "buses/input.h"
#include "buses/store.h"

namespace nimbus::buses {

namespace json = boost::json;

namespace {

// "2017-12-22T18:43:48Z": EventBridge's time has no fraction.
std::string event_time(int64_t ms) {
  std::string t = base::iso8601(ms);
  return t.substr(0, 19) + "Z";
}

EntryResult refused(std::string code, std::string message) { return {"", std::move(code), std::move(message)}; }

EntryResult required(const char* name) {
  return refused("InvalidArgument", std::string("Parameter ") + name + " is not valid. Reason: " + name +
                                        " is a required argument.");
}

}  // namespace

Router::Router(Store& store, Deliveries& deliveries, const base::Clock& clock)
    : store_(store), deliveries_(deliveries), clock_(clock) {}

std::string Router::bus_name_of(const std::string& name_or_arn) {
  if (name_or_arn.empty()) return kDefaultBus;
  constexpr std::string_view kMarker = ":event-bus/";
  if (name_or_arn.rfind("arn:", 0) == 0) {
    auto at = name_or_arn.find(kMarker);
    if (at != std::string::npos) return name_or_arn.substr(at + kMarker.size());
  }
  return name_or_arn;
}

void Router::deliver(const CompiledRule& compiled, const json::value& event, const std::string& event_text,
                     const std::string& id_prefix, const std::string& ingestion, std::vector<Delivery>& out) {
  const Rule& rule = compiled.rule;
  RuleContext context{rule.arn, rule.name, ingestion};
  for (size_t i = 0; i < rule.targets.size(); ++i) {
    const Target& target = rule.targets[i];
    // A bus receives the event itself: its own rules transform it for their targets.
    bool to_bus = target.arn.find(":event-bus/") != std::string::npos;
    std::optional<std::string> body = to_bus ? event_text : compiled.inputs[i].render(event, context);
    if (!body) continue;  // InputPath matched nothing, or a template came out as no JSON: AWS sends nothing
    Delivery d;
    d.id = id_prefix + "/" + rule.arn + "/" + target.id;
    d.rule_arn = rule.arn;
    d.target = target;
    d.body = std::move(*body);
    d.event = event_text;
    d.dead_letter_attributes = {{"RULE_ARN", "String", rule.arn}, {"TARGET_ARN", "String", target.arn}};
    out.push_back(std::move(d));
  }
}

void Router::match(const std::string& bus, const json::value& event, const std::string& event_text,
                   const std::string& id_prefix, std::vector<Delivery>& out) {
  std::string ingestion = event_time(clock_.now_ms());
  for (const auto& compiled : store_.matchable(bus))
    if (compiled->pattern->matches(event)) deliver(*compiled, event, event_text, id_prefix, ingestion, out);
}

void Router::scheduled_deliveries(const CompiledRule& compiled, int64_t due_ms, std::vector<Delivery>& out) {
  std::string time = event_time(due_ms);
  // The id derives from (rule, due time): a fire repeated after a crash queues the same deliveries.
  std::string id = base::uuid_from_hex(base::sha256_hex(compiled.rule.arn + "@" + std::to_string(due_ms)).substr(0, 32));
  json::value event = json::object{{"version", "0"},
                                   {"id", id},
                                   {"detail-type", "Scheduled Event"},
                                   {"source", "aws.events"},
                                   {"account", std::string(base::kAccountId)},
                                   {"time", time},
                                   {"region", store_.region()},
                                   {"resources", json::array{json::string(compiled.rule.arn)}},
                                   {"detail", json::object{}}};
  deliver(compiled, event, json::serialize(event), id, event_time(clock_.now_ms()), out);
}

base::Status Router::enqueue(std::vector<Delivery> deliveries) { return deliveries_.enqueue(std::move(deliveries)); }

base::Status Router::fire(const CompiledRule& compiled, int64_t due_ms) {
  std::vector<Delivery> deliveries;
  scheduled_deliveries(compiled, due_ms, deliveries);
  return deliveries_.enqueue(std::move(deliveries));
}

base::Result<std::vector<EntryResult>> Router::put_events(const std::vector<PutEventsEntry>& entries) {
  std::vector<EntryResult> results;
  std::vector<Delivery> deliveries;
  int64_t now = clock_.now_ms();
  for (const auto& e : entries) {
    if (!e.source || e.source->empty()) {
      results.push_back(required("Source"));
      continue;
    }
    if (!e.detail_type || e.detail_type->empty()) {
      results.push_back(required("DetailType"));
      continue;
    }
    if (!e.detail || e.detail->empty()) {
      results.push_back(required("Detail"));
      continue;
    }
    boost::system::error_code ec;
    json::value detail = json::parse(*e.detail, ec);
    if (ec || !detail.is_object()) {
      results.push_back(refused("MalformedDetail", "Detail is malformed."));
      continue;
    }
    std::string bus = bus_name_of(e.bus);
    if (!store_.bus(bus)) {
      results.push_back(refused("ResourceNotFoundException", "Event bus " + bus + " does not exist."));
      continue;
    }
    std::string id = base::uuid4();
    json::array resources;
    for (const auto& r : e.resources) resources.push_back(json::string(r));
    json::value event = json::object{{"version", "0"},
                                     {"id", id},
                                     {"detail-type", *e.detail_type},
                                     {"source", *e.source},
                                     {"account", std::string(base::kAccountId)},
                                     {"time", event_time(e.time_ms.value_or(now))},
                                     {"region", store_.region()},
                                     {"resources", std::move(resources)},
                                     {"detail", std::move(detail)}};
    match(bus, event, json::serialize(event), id, deliveries);
    results.push_back({id, "", ""});
  }
  if (auto s = deliveries_.enqueue(std::move(deliveries)); !s) return s.error();
  return results;
}

base::Status Router::route(const std::string& bus_name_or_arn, const std::string& event_json,
                           const std::string& delivery_id) {
  std::string bus = bus_name_of(bus_name_or_arn);
  if (!store_.bus(bus)) return base::make_error(base::ErrorCode::kNotFound, "Event bus " + bus + " does not exist.");
  boost::system::error_code ec;
  json::value event = json::parse(event_json, ec);
  if (ec || !event.is_object()) return base::make_error(base::ErrorCode::kInvalidArgument, "the event is not JSON");
  std::vector<Delivery> deliveries;
  // Ids derive from the delivery that brought the event: handed over twice, it is queued once.
  match(bus, event, event_json, delivery_id, deliveries);
  return deliveries_.enqueue(std::move(deliveries));
}

base::Result<bool> Router::test_pattern(const std::string& pattern, const std::string& event_json) {
  auto p = parse_event_pattern(pattern);
  if (!p) return p.error();
  boost::system::error_code ec;
  json::value event = json::parse(event_json, ec);
  if (ec || !event.is_object())
    return base::make_error(base::ErrorCode::kInvalidArgument, "Parameter Event is not valid.");
  return p->matches(event);
}

}  // namespace nimbus::buses
