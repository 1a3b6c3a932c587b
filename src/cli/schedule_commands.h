// `nimbus schedules ls`: every scheduled EventBridge rule with its
// expression and next three fire times, through the admin API
// (GET /_nimbus/schedules).
#pragma once

namespace CLI {
class App;
}

namespace nimbus::cli {

void add_schedule_commands(CLI::App& app, int* exit_code);

}  // namespace nimbus::cli
