// Function logs, metrics, traces (and their OTLP export), the edge's
// per-request hook that gives every service S3's metrics and spans, the
// scrape-time collectors, the CloudWatch Logs API and the admin API.
#include <spdlog/spdlog.h>

#include "functions/async_queue.h"
#include "functions/invoker.h"
#include "logs_api/service.h"
#include "observability/log_store.h"
#include "observability/otlp_exporter.h"
#include "observability/span_store.h"
#include "base/time.h"
#include "buses/rule_timer.h"
#include "server/application.h"
#include "server/metrics_wiring.h"
#include "server/wiring.h"
#include "storage/store.h"
#include "timetable/schedule_timer.h"

namespace nimbus::server {

base::Status open_observability(Application& app) {
  observability::LogStoreOptions log_options;
  log_options.retention_days = app.config.log_retention_days;
  log_options.max_bytes = app.config.log_max_mb << 20;
  auto logs = observability::LogStore::open(app.config.data_dir + "/logs", log_options);
  if (!logs)
    return base::make_error(logs.error().code,
                            "logs: cannot open " + app.config.data_dir + "/logs: " + logs.error().message);
  app.logs = std::move(*logs);
  declare_metrics(app.metrics);
  if (!app.config.otlp_endpoint.empty()) {
    auto exporter = observability::OtlpExporter::create(app.config.otlp_endpoint);
    if (!exporter) return exporter.error();
    app.otlp = std::move(*exporter);
  }
  auto spans = observability::SpanStore::open(app.config.data_dir + "/traces", {});
  if (!spans)
    return base::make_error(spans.error().code,
                            "traces: cannot open " + app.config.data_dir + "/traces: " + spans.error().message);
  app.spans = std::move(*spans);
  if (app.otlp) {
    app.spans->set_exporter([&app](const std::vector<observability::Span>& batch) { app.otlp->send(batch); });
    spdlog::info("traces: exporting to {} (OTLP/HTTP JSON)", app.config.otlp_endpoint);
  }
  return {};
}

void wire_request_metrics(Application& app) {
  if (!app.config.telemetry) return;
  app.router.on_request([&app](const aws::RequestRecord& r) {
    record_request(app.metrics, r);
    if (r.traced) app.spans->record(span_of(r));
  });
}

void add_observability_collectors(Application& app) {
  add_collectors(app.metrics, *app.invoker, *app.async_queue, *app.server);
  app.metrics.add_collector({"nimbus_storage_free_bytes", "nimbus_storage_total_bytes"}, [&app](auto& mm) {
    auto space = app.store->data_dir().space();
    mm.set("nimbus_storage_free_bytes", {}, static_cast<double>(space.free));
    mm.set("nimbus_storage_total_bytes", {}, static_cast<double>(space.total));
  });
}

aws::ServiceDescriptor wire_logs(Application& app) {
  return app.keep(std::make_unique<logs_api::Service>(*app.logs, app.blocking, app.config.region))->descriptor();
}

aws::ServiceDescriptor wire_admin(Application& app) {
  AdminDeps& admin = app.admin;
  admin.queue = app.async_queue.get();
  admin.sqs = app.sqs.get();
  admin.notifications = app.notifications.get();
  admin.metrics = &app.metrics;
  admin.blocking = &app.blocking;
  admin.spans = app.spans.get();
  admin.metrics_auth = app.config.metrics_auth;
  admin.status = [&app] {
    auto board = app.status.snapshot(*app.registry, *app.invoker, *app.async_queue);
    auto space = app.store->data_dir().space();
    board["storage"] = boost::json::object{{"free_bytes", space.free}, {"total_bytes", space.total},
                                           {"reserve_bytes", app.store->data_dir().reserve()}};
    return board;
  };
  // Every scheduled rule and Scheduler schedule with its next three fire times (`nimbus schedules ls`).
  admin.schedules = [&app] {
    boost::json::array out;
    if (app.rule_timer)
      for (const auto& u : app.rule_timer->upcoming(3)) {
        boost::json::array next;
        for (auto ms : u.fires_ms) next.push_back(boost::json::string(base::iso8601(ms)));
        out.push_back(boost::json::object{{"kind", "rule"}, {"arn", u.rule_arn}, {"expression", u.expression},
                                          {"next", std::move(next)}});
      }
    // EventBridge Scheduler's schedules: the expression with its time zone, the next due times.
    if (app.schedule_timer)
      for (const auto& u : app.schedule_timer->upcoming(3)) {
        boost::json::array next;
        for (auto ms : u.fires_ms) next.push_back(boost::json::string(base::iso8601(ms)));
        out.push_back(boost::json::object{{"kind", "schedule"},
                                          {"arn", u.schedule_arn},
                                          {"expression", u.expression + " " + (u.time_zone.empty() ? "UTC" : u.time_zone)},
                                          {"next", std::move(next)}});
      }
    return boost::json::object{{"schedules", std::move(out)}};
  };
  return admin_descriptor(admin);
}

}  // namespace nimbus::server
