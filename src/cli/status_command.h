// `nimbus status`: version and uptime, the isolation layers instances run
// under, and per function its instances, async queue and last error.
#pragma once

namespace CLI {
class App;
}

namespace nimbus::cli {

void add_status_command(CLI::App& app, int* exit_code);

}  // namespace nimbus::cli
