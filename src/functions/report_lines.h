// The lines Lambda writes about an invocation into its function's log, and
// the errors the platform (not the function) reports for it, worded as
// Lambda words them: START, END, REPORT (with Init Duration on a cold
// start), "Task timed out after N.00 seconds", "Runtime exited with error".
//
// THREADING RULE: pure functions; any thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace nimbus::functions {

std::string start_line(const std::string& request_id, const std::string& version);
std::string end_line(const std::string& request_id);
std::string report_line(const std::string& request_id, double duration_ms, int memory_size_mb,
                        uint64_t max_memory_used_mb, std::optional<double> init_duration_ms);
// "<ISO time> <id> Task timed out after 3.00 seconds"
std::string timeout_message(int64_t now_ms, const std::string& request_id, int timeout_s);
// "RequestId: <id> Error: Runtime exited with error: exit status 7"
std::string exit_message(const std::string& request_id, int wait_status);
// "RequestId: <id> Error: fork/exec /…/bootstrap: permission denied", for Runtime.InvalidEntrypoint
std::string entrypoint_message(const std::string& request_id, const std::string& reason);
// Lambda's error body: {"errorType": ..., "errorMessage": ...}.
std::string error_json(const std::string& type, const std::string& message);

}  // namespace nimbus::functions
