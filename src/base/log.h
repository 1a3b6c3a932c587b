// Logging setup: spdlog to stderr with a level from config. Modules log with
// spdlog's free functions; this is the only global nimbus keeps.
#pragma once

#include <string_view>

namespace nimbus::base {

void setup_logging(std::string_view level);  // "trace", "debug", "info", "warn", "error"

}  // namespace nimbus::base
