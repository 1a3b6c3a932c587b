// EventBridge: buses and rules (buses.db), the router PutEvents runs, and
// the deliveries of matched events on the shared durable queue. A target
// that is a function, a queue or a topic is reached through server/targets.h
// (as bucket notifications and Lambda destinations are); a target that is
// another bus gets the event routed on that bus's rules.
#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>

#include "buses/deliveries.h"
#include "buses/router.h"
#include "buses/rule_timer.h"
#include "buses/store.h"
#include "eventbridge/service.h"
#include "server/application.h"
#include "server/targets.h"
#include "server/wiring.h"

namespace nimbus::server {

namespace {

class BusTargets : public buses::TargetSink {
 public:
  explicit BusTargets(Application& app) : app_(app) {}
  base::Status deliver(const std::string& id, const std::string& arn, const std::string& body,
                       const std::vector<buses::SinkAttribute>& attributes) override {
    if (arn.rfind("arn:aws:events:", 0) == 0) return app_.bus_router->route(arn, body, id);
    TargetMessage m;
    m.id = "events/" + id;
    m.body = body;
    for (const auto& a : attributes) m.attributes.push_back({a.name, a.type, a.value});
    return deliver_to_target(app_, arn, m);
  }

 private:
  Application& app_;
};

}  // namespace

base::Status build_eventbridge(Application& app) {
  const std::string& dir = app.config.data_dir;
  auto store = buses::Store::open(dir + "/buses.db", app.config.region);
  if (!store)
    return base::make_error(store.error().code, "events: cannot open " + dir + "/buses.db: " + store.error().message);
  app.buses = std::move(*store);
  app.bus_targets = std::make_unique<BusTargets>(app);
  buses::DeliveryOptions options;
  options.sink = app.bus_targets.get();
  options.blocking = [&app](std::function<void()> work) { boost::asio::post(app.blocking, std::move(work)); };
  auto deliveries = buses::Deliveries::open(*app.queues, std::move(options));
  if (!deliveries) return base::make_error(deliveries.error().code, "events: " + deliveries.error().message);
  app.bus_deliveries = std::move(*deliveries);
  app.bus_router = std::make_unique<buses::Router>(*app.buses, *app.bus_deliveries);
  const base::ScaledClock* scaled = nullptr;
  if (app.config.schedule_time_scale != 1.0) {
    app.schedule_clock = std::make_unique<base::ScaledClock>(base::system_clock(), app.config.schedule_time_scale);
    scaled = app.schedule_clock.get();
    spdlog::warn("schedules run {}x faster than real time (--schedule-time-scale: for tests only)",
                 app.config.schedule_time_scale);
  }
  const base::Clock& schedule_time = scaled ? static_cast<const base::Clock&>(*scaled) : base::system_clock();
  app.eventbridge = std::make_unique<eventbridge::Service>(*app.buses, *app.bus_router, app.blocking, schedule_time);
  app.rule_timer = std::make_unique<buses::RuleTimer>(*app.buses, *app.bus_router, base::system_clock(), scaled);
  app.buses->on_change([timer = app.rule_timer.get()] { timer->poke(); });
  return {};
}

base::Status start_eventbridge(Application& app) {
  if (auto s = app.bus_deliveries->start(); !s)
    return base::make_error(s.error().code, "events: cannot start deliveries: " + s.error().message);
  app.rule_timer->start();
  return {};
}

void stop_eventbridge(Application& app) {
  if (app.rule_timer) app.rule_timer->stop();
  if (app.bus_deliveries) app.bus_deliveries->stop();
}

aws::ServiceDescriptor wire_eventbridge(Application& app) { return app.eventbridge->descriptor(); }

}  // namespace nimbus::server
