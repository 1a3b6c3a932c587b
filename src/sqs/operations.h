// The SQS operations, protocol-neutral: each reads the JSON protocol's input
// object (a query request is converted first, wire.h) and returns the JSON
// protocol's output object, or a domain error for sqs/errors.cc. One file per
// family: queue_ops.cc (create, URL, list, delete, purge, dead-letter
// sources), attribute_ops.cc (attributes, tags), message_ops.cc (send,
// delete, visibility), batch_ops.cc (the three batches), move_task_ops.cc;
// ReceiveMessage, which may wait, is receive_ops.cc.
//
// THREADING RULE: every operation but receive_message runs on the blocking
// pool (service.cc offloads it): they read and write queue.db.
// receive_message is a coroutine on an io thread that offloads its reads.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json/object.hpp>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.h"
#include "sqs/move_tasks.h"
#include "sqs/queues.h"

namespace nimbus::sqs {

// What every operation may use.
struct Context {
  Queues& queues;
  MoveTasks& tasks;
  boost::asio::thread_pool& blocking;
  // PurgeQueue: one per queue per 60 s, as AWS allows.
  std::mutex purge_mu;
  std::map<std::string, int64_t> last_purge_ms;
  // Waiting long polls, woken (to answer what they have) when nimbus stops.
  std::mutex wait_mu;
  std::map<int, std::function<void()>> wakers;
  int next_waker = 1;
  bool stopping = false;
  // FIFO receives by ReceiveRequestAttemptId ("queue\nattempt"), for 5 minutes.
  struct Attempt {
    int64_t expires_ms = 0;
    std::vector<ReceivedMessage> messages;
  };
  std::mutex attempts_mu;
  std::map<std::string, Attempt> attempts;
  // Expires with the Service: a long poll's frame destroyed after it (by the
  // io_context, at exit) must not touch the queues.
  std::shared_ptr<bool> alive = std::make_shared<bool>(true);
};

// One call: its input, and what the request says about its caller.
struct Request {
  const boost::json::object& in;
  std::string host;       // the Host the client addressed (queue URLs are built with it)
  std::string sender_id;  // SenderId of what it sends
  std::string path;       // the request's path: a query client may address the queue by it
};

using Output = base::Result<boost::json::object>;

// Typed reads of input members, keeping the first error (MissingParameter,
// InvalidParameterValue) for status().
class Reader {
 public:
  explicit Reader(const boost::json::object& in) : in_(in) {}
  std::string string(std::string_view name, bool required = false);
  std::optional<int64_t> integer(std::string_view name);
  std::vector<std::string> strings(std::string_view name);
  StringMap map(std::string_view name);
  const boost::json::array* array(std::string_view name, bool required = false);
  const boost::json::value* value(std::string_view name) const;
  // MissingParameter when the member is absent (an empty map or list is there).
  void require(std::string_view name);
  void fail(base::Error e);
  base::Status status() const;

 private:
  const boost::json::object& in_;
  std::optional<base::Error> error_;
};

// The queue a request addresses: QueueUrl (any form Queues::name_of reads),
// or the request's path for a query client that posts to the queue's URL.
base::Result<std::string> addressed_queue(Context& c, const Request& r, Reader& in);

Output create_queue(Context& c, const Request& r);
Output get_queue_url(Context& c, const Request& r);
Output list_queues(Context& c, const Request& r);
Output delete_queue(Context& c, const Request& r);
Output purge_queue(Context& c, const Request& r);
Output list_dead_letter_source_queues(Context& c, const Request& r);
Output get_queue_attributes(Context& c, const Request& r);
Output set_queue_attributes(Context& c, const Request& r);
Output tag_queue(Context& c, const Request& r);
Output untag_queue(Context& c, const Request& r);
Output list_queue_tags(Context& c, const Request& r);
Output send_message(Context& c, const Request& r);
Output delete_message(Context& c, const Request& r);
Output change_message_visibility(Context& c, const Request& r);
Output send_message_batch(Context& c, const Request& r);
Output delete_message_batch(Context& c, const Request& r);
Output change_message_visibility_batch(Context& c, const Request& r);
Output start_message_move_task(Context& c, const Request& r);
Output list_message_move_tasks(Context& c, const Request& r);
Output cancel_message_move_task(Context& c, const Request& r);

// Shared by send_message and send_message_batch: one entry's SendRequest.
base::Result<SendRequest> read_send_request(Reader& in, const Request& r);
// The JSON of one sent message (SendMessage's output, a batch's entry).
boost::json::object sent_json(const SendResult& s);

// ReceiveMessage, waiting up to WaitTimeSeconds (the queue's
// ReceiveMessageWaitTimeSeconds when absent) for a message.
boost::asio::awaitable<Output> receive_message(Context& c, const Request& r);

}  // namespace nimbus::sqs
