// `nimbus events ls` and `nimbus events redrive`: the durable event queue
// (async invocations and bucket notifications) from the shell.
#pragma once

namespace CLI {
class App;
}

namespace nimbus::cli {

void add_event_commands(CLI::App& app, int* exit_code);

}  // namespace nimbus::cli
