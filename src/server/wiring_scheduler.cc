// EventBridge Scheduler: schedule groups and schedules (scheduler.db), the
// API, and the timer that fires them. A fire travels EventBridge's own
// delivery path (buses::Deliveries on queue.db: retries, dead letters, and
// the targets server/targets.h reaches, or a bus's rules), so rules and
// schedules share one way to reach a target. The schedules' clock is
// EventBridge's (--schedule-time-scale), so both run at the same pace.
#include <spdlog/spdlog.h>

#include "buses/deliveries.h"
#include "scheduler_api/service.h"
#include "server/application.h"
#include "server/wiring.h"
#include "timetable/schedule_timer.h"
#include "timetable/store.h"

namespace nimbus::server {

base::Status build_scheduler(Application& app) {
  const std::string path = app.config.data_dir + "/scheduler.db";
  const base::ScaledClock* scaled = app.schedule_clock.get();
  const base::Clock& schedule_time = scaled ? static_cast<const base::Clock&>(*scaled) : base::system_clock();
  auto store = timetable::Store::open(path, app.config.region, schedule_time);
  if (!store) return base::make_error(store.error().code, "scheduler: cannot open " + path + ": " + store.error().message);
  app.schedules = std::move(*store);
  app.scheduler = std::make_unique<scheduler_api::Service>(*app.schedules, app.blocking, schedule_time);
  app.schedule_timer =
      std::make_unique<timetable::ScheduleTimer>(*app.schedules, *app.bus_deliveries, base::system_clock(), scaled);
  app.schedules->on_change([timer = app.schedule_timer.get()] { timer->poke(); });
  return {};
}

void start_scheduler(Application& app) { app.schedule_timer->start(); }

void stop_scheduler(Application& app) {
  if (app.schedule_timer) app.schedule_timer->stop();
}

aws::ServiceDescriptor wire_scheduler(Application& app) { return app.scheduler->descriptor(); }

}  // namespace nimbus::server
