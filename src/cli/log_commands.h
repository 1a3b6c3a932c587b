// `nimbus logs NAME [--follow] [--since 10m] [--filter TEXT] [--request-id ID]`:
// a function's log from the shell, read through the CloudWatch Logs API
// (FilterLogEvents, GetLogEvents) like any AWS client would.
#pragma once

namespace CLI {
class App;
}

namespace nimbus::cli {

void add_log_commands(CLI::App& app, int* exit_code);

}  // namespace nimbus::cli
