// The CloudWatch Logs API's request bodies (logs_api/requests.h): the body
// parsed as JSON, its field types checked, then read as every operation
// reads it: log group, limits, retention, GetLogEvents' and
// FilterLogEvents' queries (and the latter's filter pattern).
#include <cstdint>
#include <cstdlib>

#include "logs_api/requests.h"
#include "observability/filter_pattern.h"

using namespace nimbus;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto in = logs_api::parse_body({reinterpret_cast<const char*>(data), size});
  if (!in || !logs_api::check_types(*in)) return 0;
  (void)logs_api::group_of(*in);
  if (auto l = logs_api::limit_of(*in, 50, 50); l && (*l < 1 || *l > 50)) std::abort();
  (void)logs_api::retention_days(*in);
  (void)logs_api::stream_query(*in);
  if (auto q = logs_api::log_query(*in))
    if (auto p = observability::FilterPattern::parse(q->pattern)) (void)p->matches("ERROR timeout in handler");
  return 0;
}
