// SendMessageBatch, DeleteMessageBatch, ChangeMessageVisibilityBatch: up to
// 10 entries with distinct ids of 1-80 [A-Za-z0-9_-]; each entry succeeds or
// fails on its own (Successful / Failed), the batch as a whole fails only for
// its shape (no entries, too many, bad or repeated ids, too long in total).
#include <boost/json/array.hpp>
#include <functional>
#include <set>

#include "sqs/errors.h"
#include "sqs/operations.h"

namespace nimbus::sqs {

namespace json = boost::json;

namespace {

base::Error batch_error(const char* reason, std::string message) {
  return base::make_error(base::ErrorCode::kInvalidArgument, std::move(message), reason);
}

// The entries as objects with their ids, checked as AWS checks a batch.
base::Result<std::vector<std::pair<std::string, const json::object*>>> entries_of(Reader& in) {
  // A query client writes an empty list as "Entries=" (an empty string).
  if (auto* v = in.value("Entries"); v && v->is_string() && v->as_string().empty())
    return batch_error("EmptyBatchRequest", "There should be at least one entry in the request.");
  auto* entries = in.array("Entries", true);
  if (auto s = in.status(); !s) return s.error();
  if (entries->empty()) return batch_error("EmptyBatchRequest", "There should be at least one entry in the request.");
  if (entries->size() > 10)
    return batch_error("TooManyEntriesInBatchRequest",
                       "Maximum number of entries per request are 10. You have sent " +
                           std::to_string(entries->size()) + ".");
  std::vector<std::pair<std::string, const json::object*>> out;
  std::set<std::string> seen;
  for (const auto& e : *entries) {
    if (!e.is_object()) return batch_error("InvalidParameterValue", "Each batch entry must be a structure.");
    auto* id = e.as_object().if_contains("Id");
    if (!id || !id->is_string())
      return batch_error("MissingParameter", "The request must contain the parameter Entries.N.Id.");
    std::string s(id->as_string());
    bool ok = !s.empty() && s.size() <= 80;
    for (char ch : s) ok = ok && (std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '_');
    if (!ok)
      return batch_error("InvalidBatchEntryId",
                         "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can "
                         "be at most 80 letters long.");
    if (!seen.insert(s).second) return batch_error("BatchEntryIdsNotDistinct", "Id " + s + " repeated.");
    out.emplace_back(s, &e.as_object());
  }
  return out;
}

json::object failure(const std::string& id, const base::Error& e) {
  return json::object{{"Id", id}, {"SenderFault", e.code != base::ErrorCode::kIo && e.code != base::ErrorCode::kInternal},
                      {"Code", batch_error_code(e)}, {"Message", e.message}};
}

json::object result(json::array ok, json::array failed) {
  // Both members are required in the output shape, even when empty.
  return json::object{{"Successful", std::move(ok)}, {"Failed", std::move(failed)}};
}

}  // namespace

Output send_message_batch(Context& c, const Request& r) {
  Reader in(r.in);
  auto name = addressed_queue(c, r, in);
  if (!name) return name.error();
  auto entries = entries_of(in);
  if (!entries) return entries.error();
  std::vector<SendRequest> requests;
  std::vector<std::optional<base::Error>> read_errors;
  for (const auto& [id, e] : *entries) {
    Reader entry(*e);
    auto m = read_send_request(entry, r);
    read_errors.push_back(m ? std::nullopt : std::optional<base::Error>(m.error()));
    requests.push_back(m ? std::move(*m) : SendRequest{});
  }
  // Entries that could not be read are not sent: an empty body fails them in Queues.
  auto sent = c.queues.send_batch(*name, requests);
  if (!sent) return sent.error();
  json::array ok, failed;
  for (size_t i = 0; i < entries->size(); ++i) {
    const std::string& id = (*entries)[i].first;
    if (read_errors[i]) failed.push_back(failure(id, *read_errors[i]));
    else if (!(*sent)[i]) failed.push_back(failure(id, (*sent)[i].error()));
    else {
      auto o = sent_json(*(*sent)[i]);
      o["Id"] = id;
      ok.push_back(std::move(o));
    }
  }
  return result(std::move(ok), std::move(failed));
}

namespace {

// DeleteMessageBatch and ChangeMessageVisibilityBatch: `act` on each entry,
// the queue's disappearance failing the whole batch.
Output each_entry(Context& c, const Request& r,
                  const std::function<base::Status(const std::string& queue, Reader& entry)>& act) {
  Reader in(r.in);
  auto name = addressed_queue(c, r, in);
  if (!name) return name.error();
  auto entries = entries_of(in);
  if (!entries) return entries.error();
  json::array ok, failed;
  for (const auto& [id, e] : *entries) {
    Reader entry(*e);
    base::Status s = act(*name, entry);
    if (!s && s.error().reason == "QueueDoesNotExist") return s.error();
    if (s) ok.push_back(json::object{{"Id", id}});
    else failed.push_back(failure(id, s.error()));
  }
  return result(std::move(ok), std::move(failed));
}

}  // namespace

Output delete_message_batch(Context& c, const Request& r) {
  return each_entry(c, r, [&c](const std::string& queue, Reader& entry) -> base::Status {
    std::string handle = entry.string("ReceiptHandle", true);
    if (auto s = entry.status(); !s) return s;
    return c.queues.delete_message(queue, handle);
  });
}

Output change_message_visibility_batch(Context& c, const Request& r) {
  return each_entry(c, r, [&c](const std::string& queue, Reader& entry) -> base::Status {
    std::string handle = entry.string("ReceiptHandle", true);
    auto timeout = entry.integer("VisibilityTimeout");
    if (auto s = entry.status(); !s) return s;
    if (!timeout)
      return base::make_error(base::ErrorCode::kInvalidArgument,
                              "The request must contain the parameter VisibilityTimeout.", "MissingParameter");
    return c.queues.change_visibility(queue, handle, *timeout);
  });
}

}  // namespace nimbus::sqs
