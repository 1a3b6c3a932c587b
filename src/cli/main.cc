// The nimbus command line: `nimbus serve` runs the server; `nimbus functions
// ls`, `nimbus invoke`, `nimbus logs`, `nimbus events`, `nimbus queues`, `nimbus traces` and
// `nimbus status` talk to a running one (--endpoint, else NIMBUS_ENDPOINT);
// `nimbus`, `nimbus help [COMMAND]` and `nimbus --help` print the help;
// `nimbus version` and `nimbus --version` the version.
#include <CLI/CLI.hpp>
#include <iostream>

#include "cli/api_client.h"
#include "cli/api_commands.h"
#include "cli/event_commands.h"
#include "cli/queue_commands.h"
#include "cli/schedule_commands.h"
#include "cli/function_commands.h"
#include "cli/log_commands.h"
#include "cli/status_command.h"
#include "cli/trace_commands.h"
#include "server/serve.h"

namespace {
constexpr const char* kVersion = "nimbus " NIMBUS_VERSION;
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"nimbus: a self-hosted serverless platform (S3, Lambda) on one port"};
  app.name("nimbus");
  app.require_subcommand(0, 1);
  // Global options may come after the command too (nimbus functions ls --endpoint ...).
  app.fallthrough();
  app.set_version_flag("--version", kVersion);
  std::string endpoint;
  auto* endpoint_opt =
      app.add_option("--endpoint", endpoint,
                     "The nimbus that commands talk to (default: $NIMBUS_ENDPOINT, else $AWS_ENDPOINT_URL, else "
                     "http://127.0.0.1:4566)");

  nimbus::server::ServeConfig config;
  std::vector<std::string> keys;
  auto* serve = app.add_subcommand("serve", "Run the nimbus server");
  serve->add_option("--host", config.host, "Address to listen on")->capture_default_str();
  serve->add_option("--port", config.port, "Edge port for every service")->capture_default_str();
  serve->add_option("--data-dir", config.data_dir, "Where buckets, objects and metadata live")->capture_default_str();
  serve->add_option("--region", config.region, "Region reported to clients")->capture_default_str();
  serve->add_option("--credentials-file", config.credentials_file,
                    "File of 'ACCESS_KEY SECRET_KEY' lines accepted besides test/test");
  serve->add_option("--access-key", keys, "An extra ACCESS_KEY:SECRET_KEY pair (repeatable)");
  serve->add_option("--io-threads", config.io_threads, "Network threads (0: one per core)")->capture_default_str();
  serve->add_option("--blocking-threads", config.blocking_threads, "Threads for disk and database work")
      ->capture_default_str();
  serve->add_option("--idle-timeout", config.idle_timeout_s, "Seconds a kept-alive connection may sit idle")
      ->capture_default_str();
  serve->add_option("--stall-timeout", config.stall_timeout_s,
                    "Seconds a client may stall while sending a request or reading a response")
      ->capture_default_str();
  serve->add_option("--shutdown-timeout", config.shutdown_timeout_s,
                    "Seconds SIGTERM waits for in-flight requests before exiting")
      ->capture_default_str();
  serve->add_option("--max-instances", config.max_instances, "Function instances across all functions")
      ->capture_default_str();
  serve->add_option("--keep-alive-ms", config.keep_alive_ms, "Milliseconds an idle function instance is kept warm")
      ->capture_default_str();
  serve->add_option("--async-retry-delays-ms", config.async_retry_delays_ms,
                    "Delays before each retry of a failed async invocation (Lambda: 60000 120000)")
      ->capture_default_str();
  serve->add_option("--schedule-time-scale", config.schedule_time_scale,
                    "Test only: run schedules this many times faster than real time (60: a minute a second)")
      ->check(CLI::Range(1.0, 100000.0))
      ->capture_default_str();
  serve->add_option("--async-max-age-s", config.async_max_age_s, "Seconds an async event may wait before it is dropped")
      ->capture_default_str();
  serve->add_option("--python", config.python, "Interpreter that runs functions of the python3.x runtimes")
      ->capture_default_str();
  serve->add_option("--python-zygote", config.python_zygote,
                    "Fork Python instances from a pre-started interpreter (on/off)")
      ->capture_default_str();
  serve->add_option("--python-preload", config.python_preload,
                    "Modules the Python zygote imports once for every instance (comma-separated)")
      ->capture_default_str();
  serve->add_option("--async-concurrency", config.async_concurrency,
                    "Async events (bucket notifications, Event invokes) of one function run at once; 0: twice the CPU cores")
      ->capture_default_str();
  serve->add_option("--otlp-endpoint", config.otlp_endpoint,
                    "An OpenTelemetry collector (http://host:4318) that traces are also sent to, as OTLP/HTTP JSON");
  serve->add_flag("--metrics-auth", config.metrics_auth,
                  "Require credentials on /metrics: basic auth with an access key and its secret, or SigV4");
  serve->add_option("--telemetry", config.telemetry,
                    "Store function logs and record metrics (on/off; off only to measure what they cost)")
      ->capture_default_str();
  serve->add_option("--log-retention-days", config.log_retention_days,
                    "Days function logs are kept, unless a log group has its own retention (0: forever)")
      ->capture_default_str();
  serve->add_option("--min-free-mb", config.min_free_mb,
                    "Free disk space kept for deletes and metadata: uploads are refused (507) below it")
      ->capture_default_str();
  serve->add_option("--log-max-mb", config.log_max_mb, "Size function logs may take before the oldest are deleted")
      ->capture_default_str();
  serve->add_option("--lifecycle-interval-seconds", config.lifecycle_interval_seconds,
                    "How often S3 lifecycle rules (expiration, incomplete uploads) are applied")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve->add_option("--lifecycle-day-seconds", config.lifecycle_day_seconds,
                    "For tests only: the length of a lifecycle rule's day (S3's is 86400)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve->add_option("--code-url-expiry-seconds", config.code_url_expiry_seconds,
                    "For tests only: how long GetFunction's Code.Location link is good for (Lambda's: 600)")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  serve->add_option("--log-level", config.log_level, "trace, debug, info, warn or error")->capture_default_str();

  auto* version = app.add_subcommand("version", "Print the version");
  std::vector<std::string> help_for;
  auto* help = app.add_subcommand("help", "Print this help, or a command's (nimbus help COMMAND)");
  help->add_option("command", help_for, "The command (and subcommand) to explain");
  int exit_code = 0;
  nimbus::cli::add_function_commands(app, &exit_code);
  nimbus::cli::add_event_commands(app, &exit_code);
  nimbus::cli::add_queue_commands(app, &exit_code);
  nimbus::cli::add_schedule_commands(app, &exit_code);
  nimbus::cli::add_api_commands(app, &exit_code);
  nimbus::cli::add_log_commands(app, &exit_code);
  nimbus::cli::add_trace_commands(app, &exit_code);
  nimbus::cli::add_status_command(app, &exit_code);

  // The --endpoint flag must reach the commands before their callbacks run
  // (during parsing): its own callback sets it as soon as it is read.
  endpoint_opt->each([](const std::string& e) { nimbus::cli::ApiTarget::set_endpoint_flag(e); });
  endpoint_opt->trigger_on_parse();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  } catch (const std::exception& e) {
    // A command read an answer that is not what nimbus sends (another server
    // at that endpoint, a proxy's page): say so, without the parser's source location.
    std::string what = e.what();
    if (auto at = what.find(" ["); at != std::string::npos) what.resize(at);
    std::cerr << "nimbus: the answer from " << nimbus::cli::ApiTarget::from_environment().endpoint
              << " is not one nimbus sends (" << what << ") — is it nimbus?\n";
    return 255;
  }
  // The formatter, not app.help(): that one explains the command just parsed (help itself).
  auto help_of = [&](const CLI::App* about, const std::string& usage) {
    return app.get_formatter()->make_help(about, usage, CLI::AppFormatMode::Normal);
  };
  if (app.get_subcommands().empty()) {
    std::cout << help_of(&app, "nimbus");
    return 0;
  }
  // Only the commands that talk to a running nimbus take --endpoint; the others refuse it rather than ignore it.
  for (const CLI::App* local : {serve, version, help})
    if (*local && !endpoint.empty()) {
      std::cerr << "nimbus " << local->get_name() << ": --endpoint is for the commands that talk to a running nimbus"
                << (local == serve ? "; serve listens on --host and --port" : "") << "\n";
      return 2;
    }
  if (*version) {
    std::cout << kVersion << "\n";
    return 0;
  }
  if (*help) {
    const CLI::App* about = &app;
    std::string usage = "nimbus";
    for (const auto& name : help_for) {
      try {
        about = about->get_subcommand(name);
        usage += " " + name;
      } catch (const CLI::OptionNotFound&) {
        std::cerr << "nimbus: no command '" << (usage + " " + name).substr(7) << "'\n\n"
                  << help_of(&app, "nimbus");
        return 2;
      }
    }
    std::cout << help_of(about, usage);
    return 0;
  }
  if (*serve) {
    for (const auto& k : keys) {
      auto colon = k.find(':');
      if (colon == std::string::npos) {
        std::cerr << "--access-key expects ACCESS_KEY:SECRET_KEY\n";
        return 2;
      }
      config.extra_keys.emplace_back(k.substr(0, colon), k.substr(colon + 1));
    }
    return nimbus::server::serve(config);
  }
  return exit_code;
}
