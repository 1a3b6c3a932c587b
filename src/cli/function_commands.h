// `nimbus functions ls` and `nimbus invoke`: the Lambda API from the shell.
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace nimbus::cli {

// Adds the subcommands to app; they run from their callbacks and set *exit_code.
void add_function_commands(CLI::App& app, int* exit_code);

}  // namespace nimbus::cli
