// Schedule expressions (schedules::parse, next_after, upcoming): the input
// is parsed as a rule's and as Scheduler's expression; what parses is
// evaluated in UTC and in a zone with DST from a few instants. Fire times
// must move forward, and every call must end quickly however far the next
// fire is (or when there is none).
#include <chrono>
#include <cstdint>
#include <string>

#include "schedules/expression.h"

using namespace nimbus;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  static const auto kZone = schedules::TimeZone::find("America/New_York");
  using std::chrono::milliseconds;
  const schedules::Time kFroms[] = {schedules::Time{milliseconds(0)}, schedules::Time{milliseconds(1804118400000)},
                                    schedules::Time{milliseconds(4102444799000)}};
  for (auto dialect : {schedules::Dialect::kRule, schedules::Dialect::kScheduler}) {
    auto e = schedules::parse(text, dialect);
    if (!e) continue;
    for (auto from : kFroms) {
      std::vector<schedules::Evaluation> evs{schedules::for_rule(from)};
      if (kZone) evs.push_back(schedules::for_schedule(*kZone, from));
      for (const auto& ev : evs) {
        auto next = schedules::next_after(*e, from, ev);
        if (next && *next <= from) __builtin_trap();  // strictly after
        auto fires = schedules::upcoming(*e, from, 3, ev);
        for (size_t i = 1; i < fires.size(); ++i)
          if (fires[i] <= fires[i - 1]) __builtin_trap();
      }
    }
  }
  return 0;
}
