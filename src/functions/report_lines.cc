#include "functions/report_lines.h"

#include <boost/json/serialize.hpp>
#include <boost/json/string.hpp>
#include <cstdio>

#include "base/time.h"
#include "functions/process.h"

namespace nimbus::functions {

std::string start_line(const std::string& request_id, const std::string& version) {
  return "START RequestId: " + request_id + " Version: " + version;
}

std::string end_line(const std::string& request_id) { return "END RequestId: " + request_id; }

std::string report_line(const std::string& request_id, double duration_ms, int memory_size_mb,
                        uint64_t max_memory_used_mb, std::optional<double> init_duration_ms) {
  char report[256];
  std::snprintf(report, sizeof report,
                "REPORT RequestId: %s\tDuration: %.2f ms\tBilled Duration: %lld ms\tMemory Size: %d MB\tMax Memory Used: "
                "%llu MB",
                request_id.c_str(), duration_ms, static_cast<long long>(duration_ms + 0.999), memory_size_mb,
                static_cast<unsigned long long>(max_memory_used_mb));
  std::string line = report;
  if (init_duration_ms) {
    char init[64];
    std::snprintf(init, sizeof init, "\tInit Duration: %.2f ms", *init_duration_ms);
    line += init;
  }
  return line;
}

std::string timeout_message(int64_t now_ms, const std::string& request_id, int timeout_s) {
  char secs[32];
  std::snprintf(secs, sizeof secs, "%d.00", timeout_s);
  return base::iso8601(now_ms) + " " + request_id + " Task timed out after " + secs + " seconds";
}

std::string exit_message(const std::string& request_id, int wait_status) {
  return "RequestId: " + request_id + " Error: Runtime exited with error: " + describe_exit(wait_status);
}

std::string error_json(const std::string& type, const std::string& message) {
  // Serialised, not pasted: a message may carry a path with quotes or backslashes.
  return "{\"errorType\":" + boost::json::serialize(boost::json::string(type)) +
         ",\"errorMessage\":" + boost::json::serialize(boost::json::string(message)) + "}";
}

std::string entrypoint_message(const std::string& request_id, const std::string& reason) {
  return "RequestId: " + request_id + " Error: " + reason;
}

}  // namespace nimbus::functions
