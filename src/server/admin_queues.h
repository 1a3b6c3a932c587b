// The admin API's SQS part, for `nimbus queues`: GET /_nimbus/queues (every
// SQS queue's counts: visible, in flight, delayed, its dead-letter queue and
// how many of its messages are there), GET /_nimbus/queues/NAME/messages
// (?limit=N, default 10: messages without receiving them, so nothing's
// receive count or visibility changes) and POST /_nimbus/queues/NAME/redrive
// (moves a dead-letter queue's messages back to the queues they came from).
//
// THREADING RULE: runs on an io thread after the admin API authenticated the
// request; every queue.db read and write is offloaded to the blocking pool.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <optional>
#include <string>

#include "http/message.h"

namespace nimbus::sqs {
class Queues;
}

namespace nimbus::server {

// nullopt when the path is not one of these.
boost::asio::awaitable<std::optional<http::Response>> handle_queue_admin(sqs::Queues& queues,
                                                                        boost::asio::thread_pool& blocking,
                                                                        const http::Request& req);

}  // namespace nimbus::server
