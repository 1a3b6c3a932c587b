#include "sqs/service.h"

#include <map>

#include "aws/json_protocol.h"
#include "http/offload.h"
#include "sqs/errors.h"
#include "sqs/wire.h"

namespace nimbus::sqs {

namespace {

constexpr std::string_view kTargetPrefix = "AmazonSQS.";

using Operation = Output (*)(Context&, const Request&);

const std::map<std::string, Operation, std::less<>>& operations() {
  static const std::map<std::string, Operation, std::less<>> table = {
      {"CreateQueue", &create_queue},
      {"GetQueueUrl", &get_queue_url},
      {"ListQueues", &list_queues},
      {"DeleteQueue", &delete_queue},
      {"PurgeQueue", &purge_queue},
      {"ListDeadLetterSourceQueues", &list_dead_letter_source_queues},
      {"GetQueueAttributes", &get_queue_attributes},
      {"SetQueueAttributes", &set_queue_attributes},
      {"TagQueue", &tag_queue},
      {"UntagQueue", &untag_queue},
      {"ListQueueTags", &list_queue_tags},
      {"SendMessage", &send_message},
      {"DeleteMessage", &delete_message},
      {"ChangeMessageVisibility", &change_message_visibility},
      {"SendMessageBatch", &send_message_batch},
      {"DeleteMessageBatch", &delete_message_batch},
      {"ChangeMessageVisibilityBatch", &change_message_visibility_batch},
      {"StartMessageMoveTask", &start_message_move_task},
      {"ListMessageMoveTasks", &list_message_move_tasks},
      {"CancelMessageMoveTask", &cancel_message_move_task},
  };
  return table;
}

}  // namespace

Service::Service(Queues& queues, boost::asio::thread_pool& blocking)
    : queues_(queues), tasks_(queues), context_{queues, tasks_, blocking, {}, {}} {}

Service::~Service() { context_.alive.reset(); }

void Service::stop() {
  std::vector<std::function<void()>> wake;
  {
    std::lock_guard lock(context_.wait_mu);
    context_.stopping = true;
    for (const auto& [id, fn] : context_.wakers) wake.push_back(fn);
  }
  for (auto& fn : wake) fn();
}

aws::ServiceDescriptor Service::descriptor() {
  aws::ServiceDescriptor d;
  d.name = "sqs";
  d.title = "SQS";
  d.protocol = aws::Protocol::kQuery;
  d.protocol_of = [](const http::Request& req) {
    return req.header("x-amz-target").rfind(kTargetPrefix, 0) == 0 ? aws::Protocol::kJson10 : aws::Protocol::kQuery;
  };
  d.signing_names = {"sqs"};
  d.target_prefixes = {std::string(kTargetPrefix)};
  d.xml_namespace = "http://queue.amazonaws.com/doc/2012-11-05/";
  d.api_version = "2012-11-05";
  for (const auto& [name, op] : operations()) d.operations.push_back(name);
  d.operations.push_back("ReceiveMessage");
  // AddPermission / RemovePermission: nimbus has no IAM; refused as unknown operations, saying so.
  d.errors = &error_of;
  d.max_body = 4 << 20;  // a 1 MiB message in a batch, escaped or form-encoded
  d.handler = [this](aws::Call& c) { return handle(c); };
  return d;
}

boost::asio::awaitable<http::Response> Service::handle(aws::Call& call) {
  boost::json::object in;
  if (call.protocol == aws::Protocol::kQuery) {
    in = query_to_json(call.params.all());
  } else {
    auto parsed = aws::parse_json_object(call.body);
    if (!parsed) co_return call.fail(base::make_error(base::ErrorCode::kInvalidArgument, "The request body is not a JSON object.", "InvalidParameterValue"));
    in = std::move(*parsed);
  }
  Request request{in, call.request.header("host"), call.caller.user_id, call.path()};
  if (request.host.empty()) request.host = "localhost:4566";
  Output out = boost::json::object{};
  if (call.operation == "ReceiveMessage") {
    out = co_await receive_message(context_, request);
  } else {
    Operation op = operations().at(call.operation);
    Context& context = context_;
    auto task = [op, &context, &request] { return op(context, request); };
    out = co_await http::offload(context_.blocking, std::move(task));
  }
  if (!out) co_return call.fail(out.error());
  if (call.protocol == aws::Protocol::kQuery) co_return call.reply_xml(json_to_query_xml(call.operation, *out));
  co_return call.reply(*out);
}

}  // namespace nimbus::sqs
