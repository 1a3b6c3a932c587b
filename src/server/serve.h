// `nimbus serve`: builds every module from its configuration, wires them
// behind the edge router on one port, and runs until SIGINT/SIGTERM, when it
// finishes in-flight requests and exits cleanly.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace nimbus::server {

struct ServeConfig {
  std::string host = "127.0.0.1";
  uint16_t port = 4566;
  std::string data_dir = "./.nimbus";
  std::string region = "us-east-1";
  std::string credentials_file;
  std::vector<std::pair<std::string, std::string>> extra_keys;
  int io_threads = 0;        // 0: one per core
  int blocking_threads = 32; // disk and SQLite work; many so that group commit can batch
  std::string log_level = "info";
  int idle_timeout_s = 60;     // a kept-alive connection with no request
  int stall_timeout_s = 60;    // a client that stops sending headers or body mid-request
  int shutdown_timeout_s = 10; // how long SIGTERM waits for in-flight requests
  int max_instances = 64;      // function instances across all functions
  int64_t keep_alive_ms = 300000;  // an idle instance stops after this long (scale to zero)
  std::vector<int64_t> async_retry_delays_ms{60000, 120000};  // Lambda retries failed async events twice
  int64_t async_max_age_s = 6 * 3600;
  std::string python = "/usr/bin/python3";  // the interpreter of every python3.x runtime
  std::string otlp_endpoint;                 // http://host:4318: spans are also sent there (OTLP/HTTP JSON)
  bool metrics_auth = false;                 // /metrics needs credentials (basic auth key:secret, or SigV4)
  bool telemetry = true;                     // function logs store, metrics (off: for measuring their cost)
  int log_retention_days = 30;               // function logs older than this are deleted (0: keep)
  uint64_t min_free_mb = 64;                 // new data refused below this much free disk space
  uint64_t log_max_mb = 1024;                // and the oldest go beyond this size
  bool python_zygote = true;                 // fork Python instances from a pre-started interpreter
  std::string python_preload = "boto3,PIL.Image";  // what that interpreter imports up front
  int async_concurrency = 0;  // async events of one function at once; 0: twice the CPU cores
  int64_t lifecycle_interval_seconds = 3600;
  // Test-only: schedules (rules' ScheduleExpression) run this many times
  // faster than real time from the start, so rate(1 minute) fires every second at 60.
  double schedule_time_scale = 1.0;  // how often S3 lifecycle rules are applied
  int64_t lifecycle_day_seconds = 86400;      // a lifecycle rule's "day": shorter only in tests
  int64_t code_url_expiry_seconds = 600;      // GetFunction's Code.Location link: shorter only in tests
};

int serve(const ServeConfig& config);

}  // namespace nimbus::server
