// `nimbus apis ls`: every API's invoke URL, one line per stage, through the
// same signed management API the AWS CLI uses.
#pragma once

namespace CLI {
class App;
}

namespace nimbus::cli {

void add_api_commands(CLI::App& app, int* exit_code);

}  // namespace nimbus::cli
