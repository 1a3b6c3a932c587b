// Messaging: SQS on the queue.db that async invocations and bucket events
// share (app.queues, opened by build_functions), its queues as app.sqs (the
// programmatic send other services use) and the SQS service on the edge.
#include "server/application.h"
#include "server/wiring.h"
#include "sqs/queues.h"
#include "sqs/service.h"

namespace nimbus::server {

aws::ServiceDescriptor wire_sqs(Application& app) {
  app.sqs_service = app.keep(std::make_unique<sqs::Service>(*app.sqs, app.blocking));
  return app.sqs_service->descriptor();
}

}  // namespace nimbus::server
