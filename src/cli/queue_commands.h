// `nimbus queues ls`, `nimbus queues peek NAME` and `nimbus queues redrive
// NAME`: SQS queues from the shell, through the admin API (/_nimbus/queues):
// their counts and dead-letter queues, messages without receiving them, and
// moving a dead-letter queue's messages back where they came from.
#pragma once

namespace CLI {
class App;
}

namespace nimbus::cli {

void add_queue_commands(CLI::App& app, int* exit_code);

}  // namespace nimbus::cli
