#include "server/serve.h"

#include "server/application.h"

namespace nimbus::server {

int serve(const ServeConfig& config) {
  Application app(config);
  return app.run();
}

}  // namespace nimbus::server
