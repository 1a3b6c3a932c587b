#include "mappings/mapping.h"

#include <boost/json.hpp>

namespace nimbus::mappings {

namespace json = boost::json;

json::object to_json(const Mapping& m) {
  json::array filters;
  for (const auto& f : m.filters) filters.push_back(json::string(f));
  json::object tags;
  for (const auto& [k, v] : m.tags) tags[k] = v;
  return {{"uuid", m.uuid},
          {"event_source_arn", m.event_source_arn},
          {"function", m.function},
          {"qualifier", m.qualifier},
          {"enabled", m.enabled},
          {"batch_size", m.batch_size},
          {"batching_window_s", m.batching_window_s},
          {"report_batch_item_failures", m.report_batch_item_failures},
          {"maximum_concurrency", m.maximum_concurrency},
          {"filters", filters},
          {"tags", tags},
          {"last_modified_ms", m.last_modified_ms},
          {"last_processing_result", m.last_processing_result}};
}

base::Result<Mapping> from_json(const json::value& v) {
  try {
    const auto& o = v.as_object();
    Mapping m;
    m.uuid = json::value_to<std::string>(o.at("uuid"));
    m.event_source_arn = json::value_to<std::string>(o.at("event_source_arn"));
    m.function = json::value_to<std::string>(o.at("function"));
    m.qualifier = json::value_to<std::string>(o.at("qualifier"));
    m.enabled = o.at("enabled").as_bool();
    m.batch_size = static_cast<int>(o.at("batch_size").to_number<int64_t>());
    m.batching_window_s = static_cast<int>(o.at("batching_window_s").to_number<int64_t>());
    m.report_batch_item_failures = o.at("report_batch_item_failures").as_bool();
    m.maximum_concurrency = static_cast<int>(o.at("maximum_concurrency").to_number<int64_t>());
    for (const auto& f : o.at("filters").as_array()) m.filters.push_back(json::value_to<std::string>(f));
    if (const auto* t = o.if_contains("tags"))
      for (const auto& [k, v] : t->as_object()) m.tags[std::string(k)] = json::value_to<std::string>(v);
    m.last_modified_ms = o.at("last_modified_ms").to_number<int64_t>();
    m.last_processing_result = json::value_to<std::string>(o.at("last_processing_result"));
    return m;
  } catch (const std::exception& e) {
    return base::make_error(base::ErrorCode::kInternal, std::string("event source mapping record: ") + e.what());
  }
}

}  // namespace nimbus::mappings
