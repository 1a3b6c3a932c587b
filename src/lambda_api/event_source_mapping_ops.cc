// Event source mappings: Create/Get/Update/Delete/ListEventSourceMappings for
// SQS queues (the 2015-03-31 paths), kept in mappings::Store and run by
// mappings::Runner (server/ connects it). Other event sources are refused by
// name. An event source mapping's tags are served here for tag_ops.
#include <boost/json.hpp>

#include "base/arn.h"
#include "base/ids.h"
#include "base/time.h"
#include "lambda_api/call.h"
#include "lambda_api/url_config.h"
#include "mappings/store.h"

namespace nimbus::lambda_api {

namespace json = boost::json;
using boost::asio::awaitable;

namespace {

constexpr std::string_view kMappingResource = "event-source-mapping:";

std::string mapping_arn(const Deps& d, const std::string& uuid) {
  return "arn:aws:lambda:" + d.options.region + ":" + std::string(base::kAccountId) + ":" +
         std::string(kMappingResource) + uuid;
}

// As Lambda answers: State is the settled one ("Enabled"/"Disabled") unless a
// change's reply names its transition ("Creating", "Updating", "Deleting").
json::object mapping_json(const Deps& d, const mappings::Mapping& m, const char* transition = nullptr) {
  json::object o{{"UUID", m.uuid},
                 {"BatchSize", m.batch_size},
                 {"MaximumBatchingWindowInSeconds", m.batching_window_s},
                 {"EventSourceArn", m.event_source_arn},
                 {"FunctionArn", functions::function_arn(d.options.region, m.function, m.qualifier)},
                 {"LastModified", static_cast<double>(m.last_modified_ms) / 1000.0},
                 {"State", transition ? transition : (m.enabled ? "Enabled" : "Disabled")},
                 {"StateTransitionReason", "USER_INITIATED"}};
  if (!m.filters.empty()) {
    json::array filters;
    for (const auto& p : m.filters) filters.push_back(json::object{{"Pattern", p}});
    o["FilterCriteria"] = json::object{{"Filters", filters}};
  }
  json::array types;
  if (m.report_batch_item_failures) types.push_back("ReportBatchItemFailures");
  o["FunctionResponseTypes"] = types;
  if (m.maximum_concurrency > 0) o["ScalingConfig"] = json::object{{"MaximumConcurrency", m.maximum_concurrency}};
  o["EventSourceMappingArn"] = mapping_arn(d, m.uuid);
  return o;
}

base::Error invalid(std::string message) { return base::make_error(base::ErrorCode::kInvalidArgument, std::move(message)); }

base::Error no_mapping() {
  return base::make_error(base::ErrorCode::kNotFound, "The resource you requested does not exist.");
}

base::Status have_mappings(const Deps& d) {
  if (!d.options.mappings || !d.options.queue_facts)
    return base::make_error(base::ErrorCode::kNotImplemented, "event source mappings are not served here");
  return {};
}

// The queue a mapping reads: an SQS queue's ARN that exists.
base::Result<QueueFacts> queue_of(const Deps& d, const std::string& arn) {
  auto parsed = base::Arn::parse(arn);
  if (!parsed) return invalid("1 validation error detected: Value '" + arn + "' at 'eventSourceArn' failed to satisfy constraint: Member must satisfy regular expression pattern: arn:(aws[a-zA-Z0-9-]*):([a-zA-Z0-9\\-])+:([a-z]{2}(-gov)?-[a-z]+-\\d{1})?:(\\d{12})?:(.*)");
  if (parsed->service != "sqs")
    return invalid("nimbus runs event source mappings for Amazon SQS queues; " + parsed->service +
                   " event sources (" + arn + ") are not supported");
  auto facts = d.options.queue_facts(arn);
  if (!facts && facts.error().code == base::ErrorCode::kNotFound)
    return invalid("Error occurred while ReceiveMessage. SQS Error Code: AWS.SimpleQueueService.NonExistentQueue. "
                   "Error Message: The specified queue does not exist (" + arn + ").");
  return facts;
}

// Lambda refuses a mapping whose messages would come back while the function still runs.
base::Status check_visibility(const QueueFacts& q, const functions::FunctionConfig& f) {
  if (q.visibility_timeout_s < f.timeout_s)
    return invalid("Queue visibility timeout: " + std::to_string(q.visibility_timeout_s) +
                   " seconds is less than Function timeout: " + std::to_string(f.timeout_s) + " seconds");
  return {};
}

base::Result<std::pair<FunctionRef, functions::FunctionConfig>> function_of(Deps& d, const json::value* name) {
  if (!name || !name->is_string() || name->as_string().empty())
    return invalid("FunctionName is required");
  auto ref = parse_ref(std::string(name->as_string()));
  if (!ref) return ref.error();
  auto config = d.registry.resolve(ref->name, ref->qualifier);
  if (!config)
    return base::make_error(base::ErrorCode::kNotFound,
                            "Function not found: " + functions::function_arn(d.options.region, ref->name, ref->qualifier));
  return std::pair{*ref, *config};
}

base::Status no_duplicate(const Deps& d, const mappings::Mapping& m) {
  for (const auto& other : d.options.mappings->list())
    if (other.uuid != m.uuid && other.event_source_arn == m.event_source_arn && other.function == m.function &&
        other.qualifier == m.qualifier)
      return base::make_error(base::ErrorCode::kConflict,
                              "An event source mapping with SQS arn (\" " + m.event_source_arn +
                                  " \") and function (\" " + m.function +
                                  " \") already exists. Please update or delete the existing mapping with UUID " +
                                  other.uuid);
  return {};
}

base::Result<mappings::Mapping> mapping_of_call(const Deps& d, const Call& call) {
  if (auto s = have_mappings(d); !s) return s.error();
  auto m = d.options.mappings->get(call.path_param("UUID"));
  if (!m) return no_mapping();
  return *m;
}

// {ARN} of a tag operation as a mapping.
base::Result<mappings::Mapping> tagged_mapping(const Deps& d, const Call& call) {
  if (auto s = have_mappings(d); !s) return s.error();
  std::string arn = call.path_param("ARN");
  auto m = d.options.mappings->get(arn.substr(arn.find(kMappingResource) + kMappingResource.size()));
  if (!m || mapping_arn(d, m->uuid) != arn) return no_mapping();
  return *m;
}

}  // namespace

bool is_mapping_arn(const std::string& arn) {
  auto parsed = base::Arn::parse(arn);
  return parsed && parsed->service == "lambda" && parsed->resource.rfind(kMappingResource, 0) == 0;
}

awaitable<http::Response> create_event_source_mapping(Deps& d, Call& call) {
  if (auto s = have_mappings(d); !s) co_return call.fail(s.error());
  auto in = call.json();
  if (!in) co_return call.fail(in.error());
  const json::value* source = in->if_contains("EventSourceArn");
  if (!source || !source->is_string())
    co_return call.fail(invalid("EventSourceArn is required: nimbus runs event source mappings for SQS queues"));
  std::string arn(source->as_string());
  auto fn = function_of(d, in->if_contains("FunctionName"));
  if (!fn) co_return call.fail(fn.error());
  auto created = co_await d.on_pool([&]() -> base::Result<mappings::Mapping> {
    auto queue = queue_of(d, arn);
    if (!queue) return queue.error();
    if (auto s = check_visibility(*queue, fn->second); !s) return s.error();
    mappings::Mapping m;
    m.uuid = base::uuid4();
    m.event_source_arn = arn;
    m.function = fn->first.name;
    m.qualifier = fn->first.qualifier;
    if (auto s = apply_mapping_request(*in, true, *queue, m); !s) return s.error();
    if (auto s = no_duplicate(d, m); !s) return s.error();
    m.last_modified_ms = base::now_ms();
    if (auto s = d.options.mappings->put(m); !s) return s.error();
    return m;
  });
  if (!created) co_return call.fail(created.error());
  co_return call.reply(202, mapping_json(d, *created, "Creating"));
}

awaitable<http::Response> get_event_source_mapping(Deps& d, Call& call) {
  auto m = mapping_of_call(d, call);
  if (!m) co_return call.fail(m.error());
  co_return call.reply(200, mapping_json(d, *m));
}

awaitable<http::Response> update_event_source_mapping(Deps& d, Call& call) {
  auto in = call.json();
  if (!in) co_return call.fail(in.error());
  auto old = mapping_of_call(d, call);
  if (!old) co_return call.fail(old.error());
  std::optional<std::pair<FunctionRef, functions::FunctionConfig>> fn;
  if (const json::value* name = in->if_contains("FunctionName"); name && !name->is_null()) {
    auto f = function_of(d, name);
    if (!f) co_return call.fail(f.error());
    fn = *f;
  }
  auto updated = co_await d.on_pool([&]() -> base::Result<mappings::Mapping> {
    mappings::Mapping m = *old;
    if (fn) {
      m.function = fn->first.name;
      m.qualifier = fn->first.qualifier;
    }
    auto config = fn ? base::Result<functions::FunctionConfig>(fn->second) : d.registry.resolve(m.function, m.qualifier);
    auto queue = queue_of(d, m.event_source_arn);
    if (!queue) return queue.error();
    if (config)
      if (auto s = check_visibility(*queue, *config); !s) return s.error();
    if (auto s = apply_mapping_request(*in, false, *queue, m); !s) return s.error();
    if (auto s = no_duplicate(d, m); !s) return s.error();
    m.last_modified_ms = base::now_ms();
    if (auto s = d.options.mappings->put(m); !s) return s.error();
    return m;
  });
  if (!updated) co_return call.fail(updated.error());
  co_return call.reply(202, mapping_json(d, *updated, "Updating"));
}

awaitable<http::Response> delete_event_source_mapping(Deps& d, Call& call) {
  auto m = mapping_of_call(d, call);
  if (!m) co_return call.fail(m.error());
  auto s = co_await d.on_pool([&] { return d.options.mappings->remove(m->uuid); });
  if (!s) co_return call.fail(s.error());
  co_return call.reply(202, mapping_json(d, *m, "Deleting"));
}

awaitable<http::Response> list_event_source_mappings(Deps& d, Call& call) {
  if (auto s = have_mappings(d); !s) co_return call.fail(s.error());
  std::string source = call.query_param("EventSourceArn");
  std::optional<FunctionRef> fn;
  if (std::string name = call.query_param("FunctionName"); !name.empty()) {
    auto ref = parse_ref(name);
    if (!ref) co_return call.fail(ref.error());
    fn = *ref;
  }
  size_t max_items = 100, start = 0;
  if (std::string m = call.query_param("MaxItems"); !m.empty()) {
    char* end = nullptr;
    long n = std::strtol(m.c_str(), &end, 10);
    if (*end != '\0' || n < 1 || n > 10000)
      co_return call.fail(base::make_error(base::ErrorCode::kInvalidArgument,
                                           "1 validation error detected: Value '" + m +
                                               "' at 'maxItems' failed to satisfy constraint: Member must have value "
                                               "between 1 and 10000",
                                           kValidationReason));
    max_items = std::min<size_t>(static_cast<size_t>(n), 100);  // 100 a page at most, whatever is asked
  }
  if (std::string m = call.query_param("Marker"); !m.empty()) {
    char* end = nullptr;
    start = std::strtoul(m.c_str(), &end, 10);
    if (*end != '\0') co_return call.fail(ErrorType::kInvalidParameterValue, "Invalid Marker: " + m);
  }
  std::vector<mappings::Mapping> matching;
  for (auto& m : d.options.mappings->list()) {
    if (!source.empty() && m.event_source_arn != source) continue;
    if (fn && (m.function != fn->name || (!fn->qualifier.empty() && m.qualifier != fn->qualifier))) continue;
    matching.push_back(std::move(m));
  }
  json::array out;
  for (size_t i = start; i < matching.size() && i < start + max_items; ++i) out.push_back(mapping_json(d, matching[i]));
  json::object reply{{"EventSourceMappings", out}};
  if (start + max_items < matching.size()) reply["NextMarker"] = std::to_string(start + max_items);
  co_return call.reply(200, reply);
}

awaitable<http::Response> list_mapping_tags(Deps& d, Call& call) {
  auto m = tagged_mapping(d, call);
  if (!m) co_return call.fail(m.error());
  json::object tags;
  for (const auto& [k, v] : m->tags) tags[k] = v;
  co_return call.reply(200, json::object{{"Tags", tags}});
}

awaitable<http::Response> tag_mapping(Deps& d, Call& call) {
  auto m = tagged_mapping(d, call);
  if (!m) co_return call.fail(m.error());
  auto in = call.json();
  if (!in) co_return call.fail(in.error());
  auto tags = parse_tags(*in);
  if (!tags) co_return call.fail(tags.error());
  for (const auto& [k, v] : *tags) m->tags[k] = v;
  if (m->tags.size() > 50) co_return call.fail(invalid("An event source mapping may have at most 50 tags"));
  auto s = co_await d.on_pool([&] { return d.options.mappings->put(*m); });
  if (!s) co_return call.fail(s.error());
  co_return call.reply(204, json::object{});
}

awaitable<http::Response> untag_mapping(Deps& d, Call& call) {
  auto m = tagged_mapping(d, call);
  if (!m) co_return call.fail(m.error());
  for (const auto& p : call.query)
    if (p.key == "tagKeys") m->tags.erase(p.value);
  auto s = co_await d.on_pool([&] { return d.options.mappings->put(*m); });
  if (!s) co_return call.fail(s.error());
  co_return call.reply(204, json::object{});
}

}  // namespace nimbus::lambda_api
