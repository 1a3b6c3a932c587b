// timetable's tests: a scheduler.db and a queue.db in a temp dir, a fake
// clock, the EventBridge deliveries the timer fires through, and a sink that
// records what targets receive.
// THREADING RULE: one test's thread.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "buses/deliveries.h"
#include "queue/store.h"
#include "queue/test_dir.h"
#include "schedules/test_times.h"
#include "timetable/schedule_timer.h"
#include "timetable/store.h"

namespace nimbus::timetable::testing {

inline constexpr const char* kQueueArn = "arn:aws:sqs:us-east-1:000000000000:ticks";
inline constexpr const char* kDlqArn = "arn:aws:sqs:us-east-1:000000000000:ticks-dlq";
inline constexpr const char* kRole = "arn:aws:iam::000000000000:role/scheduler";

struct Received {
  std::string id, arn, body;
  std::map<std::string, std::string> attributes;
};

struct RecordingSink : buses::TargetSink {
  std::vector<Received> received;
  std::map<std::string, int> failing;  // target ARN -> how many deliveries to it fail (kIo) before one succeeds
  base::Status deliver(const std::string& id, const std::string& arn, const std::string& body,
                       const std::vector<buses::SinkAttribute>& attributes) override {
    if (auto it = failing.find(arn); it != failing.end() && it->second > 0) {
      --it->second;
      return base::make_error(base::ErrorCode::kIo, "refused by the fake");
    }
    Received r{id, arn, body, {}};
    for (const auto& a : attributes) r.attributes[a.name] = a.value;
    received.push_back(std::move(r));
    return {};
  }
};

inline int64_t ms(schedules::Time t) { return t.time_since_epoch().count(); }

struct Fixture {
  queue::TestDir dir{"timetable-"};
  base::FakeClock clock{ms(schedules::testing::utc(2027, 1, 4, 10, 0, 0))};
  std::unique_ptr<queue::Store> queues;
  std::unique_ptr<Store> store;
  RecordingSink sink;
  std::unique_ptr<buses::Deliveries> deliveries;
  std::unique_ptr<ScheduleTimer> timer;

  Fixture() {
    queues = std::move(*queue::Store::open(dir.file("queue.db"), clock));
    store = std::move(*Store::open(dir.file("scheduler.db"), "us-east-1", clock));
    buses::DeliveryOptions o;
    o.sink = &sink;
    o.retry_delays_ms = {1000};
    deliveries = std::move(*buses::Deliveries::open(*queues, o));
    timer = std::make_unique<ScheduleTimer>(*store, *deliveries, clock);
  }

  Schedule schedule(std::string name, std::string expression, std::string zone = "") {
    Schedule s;
    s.name = std::move(name);
    s.group = kDefaultGroup;
    s.expression = std::move(expression);
    s.time_zone = std::move(zone);
    s.target.arn = kQueueArn;
    s.target.role_arn = kRole;
    s.created_ms = s.modified_ms = clock.now_ms();
    return s;
  }

  Schedule create(Schedule s) {
    auto made = store->create_schedule(std::move(s));
    EXPECT_TRUE(made.ok()) << (made.ok() ? "" : made.error().message);
    return made.ok() ? *made : Schedule{};
  }

  // Moves the clock to `t`, runs the timer and the deliveries: what arrived meanwhile.
  std::vector<Received> at(schedules::Time t) {
    clock.set_ms(ms(t));
    return turn();
  }
  std::vector<Received> turn() {
    size_t before = sink.received.size();
    timer->run_once();
    deliveries->run_once();
    deliveries->run_once();
    return {sink.received.begin() + static_cast<long>(before), sink.received.end()};
  }
};

inline std::vector<std::string> times_of(const std::vector<Received>& got) {
  std::vector<std::string> out;
  for (const auto& r : got) out.push_back(r.body);
  return out;
}

}  // namespace nimbus::timetable::testing
