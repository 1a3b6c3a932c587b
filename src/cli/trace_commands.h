// `nimbus trace [ID]`: recent traces, or one trace's spans as an indented
// timeline (S3 requests and invocations, each under the span that caused it).
#pragma once

namespace CLI {
class App;
}

namespace nimbus::cli {

void add_trace_commands(CLI::App& app, int* exit_code);

}  // namespace nimbus::cli
