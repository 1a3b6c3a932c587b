// nimbus's own admin API on the edge port, under /_nimbus/: the unsigned
// health check, and SigV4-signed calls for the CLI — the event queue
// (GET /_nimbus/events) and redriving dead letters
// (POST /_nimbus/events/redrive).
#pragma once

#include <boost/asio/awaitable.hpp>
#include <string>

#include "auth/credentials.h"
#include "http/message.h"

namespace nimbus::functions {
class AsyncQueue;
}
namespace nimbus::events {
class Notifications;
}

namespace nimbus::server {

struct AdminDeps {
  const auth::CredentialStore& credentials;
  std::string region;
  functions::AsyncQueue* queue = nullptr;
  events::Notifications* notifications = nullptr;
};

boost::asio::awaitable<http::Response> handle_admin(const AdminDeps& deps, http::Request& req);

}  // namespace nimbus::server
