#include "sqs/queues.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <algorithm>
#include <cstdio>

#include "base/arn.h"
#include "base/crypto.h"
#include "base/encoding.h"
#include "sqs/names.h"
#include "sqs/receipt.h"

namespace nimbus::sqs {

namespace {

namespace json = boost::json;

constexpr int64_t kDedupWindowMs = 5 * 60 * 1000;
constexpr int64_t kMaxVisibilityMs = 43200 * 1000;  // 12 hours from a receive, extensions included
constexpr size_t kBatchMaxBytes = 1048576;

base::Error invalid(std::string message, std::string reason = "InvalidParameterValue") {
  return base::make_error(base::ErrorCode::kInvalidArgument, std::move(message), std::move(reason));
}

base::Error missing(const std::string& parameter) {
  return invalid("The request must contain the parameter " + parameter + ".", "MissingParameter");
}

base::Error no_such_queue() {
  return base::make_error(base::ErrorCode::kNotFound, "The specified queue does not exist.", "QueueDoesNotExist");
}

base::Error bad_receipt(const std::string& handle) {
  return invalid("The input receipt handle \"" + handle + "\" is not a valid receipt handle.", "ReceiptHandleIsInvalid");
}

// Group and deduplication ids: 1-128 alphanumeric or punctuation characters.
base::Status check_token(const std::string& value, const char* parameter) {
  bool ok = !value.empty() && value.size() <= 128;
  for (char c : value) ok = ok && c >= 33 && c <= 126;
  if (ok) return {};
  return invalid("Value " + value + " for parameter " + parameter + " is invalid. Reason: " + parameter +
                 " can only include alphanumeric and punctuation characters. 1 to 128 in length.");
}

std::string sequence_number(int64_t seq) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "1%019lld", static_cast<long long>(seq));
  return buf;
}

std::string seconds(int64_t ms) { return std::to_string(ms / 1000); }

struct RedrivePolicy {
  std::string dead_letter_queue;  // the SQS name
  int max_receives = 0;
};

// maxReceiveCount as a number or a string of one ("5", as AWS's own examples write it); 0 otherwise.
int64_t receive_count(const json::value& count) {
  if (count.is_int64()) return count.as_int64();
  if (!count.is_string()) return 0;
  try {
    size_t used = 0;
    int64_t n = std::stoll(std::string(count.as_string()), &used);
    return used == count.as_string().size() ? n : 0;
  } catch (const std::exception&) {
    return 0;
  }
}

// A RedrivePolicy as kept and answered: SQS reads maxReceiveCount back as a number, however it was
// set, and the document compact (Terraform and SDK users compare what they set with what they read).
// Text that is no JSON object is kept as it came, for config_of to refuse.
std::string stored_redrive_policy(const std::string& text) {
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return text;
  if (auto* count = v.as_object().if_contains("maxReceiveCount"); count && count->is_string())
    if (int64_t n = receive_count(*count); n > 0) *count = n;
  return json::serialize(v);
}

StringMap as_stored(StringMap attributes) {
  auto it = attributes.find("RedrivePolicy");
  if (it != attributes.end() && !it->second.empty()) it->second = stored_redrive_policy(it->second);
  return attributes;
}

base::Result<RedrivePolicy> parse_redrive_policy(const std::string& text, const std::string& region) {
  auto bad = [&](const std::string& why) {
    return invalid("Value " + text + " for parameter RedrivePolicy is invalid. Reason: " + why);
  };
  boost::system::error_code ec;
  auto v = json::parse(text, ec);
  if (ec || !v.is_object()) return bad("Invalid JSON document.");
  const auto& o = v.as_object();
  auto* arn = o.if_contains("deadLetterTargetArn");
  auto* count = o.if_contains("maxReceiveCount");
  if (!arn || !arn->is_string()) return bad("Redrive policy does not contain mandatory attribute: deadLetterTargetArn.");
  if (!count) return bad("Redrive policy does not contain mandatory attribute: maxReceiveCount.");
  int64_t n = receive_count(*count);
  if (n < 1 || n > 1000) return bad("Invalid value for maxReceiveCount: " + json::serialize(*count) + ", valid values are from 1 to 1000 both inclusive.");
  auto a = base::Arn::parse(arn->as_string());
  auto name = name_from_arn(arn->as_string());
  if (!a || !name || a->region != region) return bad("Dead letter target does not exist.");
  return RedrivePolicy{*name, static_cast<int>(n)};
}

bool allows_source(const QueueSettings& dlq, const std::string& source_arn) {
  auto it = dlq.attributes.find("RedriveAllowPolicy");
  if (it == dlq.attributes.end() || it->second.empty()) return true;
  boost::system::error_code ec;
  auto v = json::parse(it->second, ec);
  if (ec || !v.is_object()) return true;
  auto* perm = v.as_object().if_contains("redrivePermission");
  std::string p = perm && perm->is_string() ? std::string(perm->as_string()) : "allowAll";
  if (p == "denyAll") return false;
  if (p != "byQueue") return true;
  if (auto* arns = v.as_object().if_contains("sourceQueueArns"); arns && arns->is_array())
    for (const auto& a : arns->as_array())
      if (a.is_string() && a.as_string() == source_arn) return true;
  return false;
}

// The attribute filter of ReceiveMessage: All, .*, "prefix.*" or exact names.
bool wanted(const std::vector<std::string>& names, const std::string& name) {
  for (const auto& n : names) {
    if (n == "All" || n == ".*" || n == name) return true;
    if (n.size() > 2 && n.ends_with(".*") && name.rfind(n.substr(0, n.size() - 1), 0) == 0) return true;
  }
  return false;
}

const std::vector<std::string> kSystemAttributeNames = {
    "All", "SenderId", "SentTimestamp", "ApproximateReceiveCount", "ApproximateFirstReceiveTimestamp",
    "SequenceNumber", "MessageDeduplicationId", "MessageGroupId", "AWSTraceHeader", "DeadLetterQueueSourceArn"};

}  // namespace

Queues::Queues(queue::Store& store, std::string region) : store_(store), region_(std::move(region)) {}

base::Result<std::string> Queues::name_of(const std::string& q) const {
  if (q.empty()) return missing("QueueUrl");
  auto name = name_from_any(q);
  if (!name) {
    if (q.find("://") != std::string::npos || q.find('/') != std::string::npos)
      return invalid("The address " + q + " is not valid for this endpoint.", "InvalidAddress");
    return no_such_queue();
  }
  return *name;
}

base::Result<Queues::Loaded> Queues::load(const std::string& name) {
  auto c = store_.config(store_name(name));
  if (!c) return no_such_queue();
  Loaded l{*c, QueueSettings::parse(c->settings)};
  return l;
}

base::Result<queue::QueueConfig> Queues::config_of(const std::string& name, const QueueSettings& s) {
  queue::QueueConfig c;
  auto policy = s.attributes.find("RedrivePolicy");
  if (policy != s.attributes.end() && !policy->second.empty()) {
    auto rp = parse_redrive_policy(policy->second, region_);
    if (!rp) return rp.error();
    auto dlq = load(rp->dead_letter_queue);
    if (!dlq || rp->dead_letter_queue == name)
      return invalid("Value " + policy->second + " for parameter RedrivePolicy is invalid. Reason: Dead letter target does not exist.");
    if (dlq->settings.fifo() != s.fifo())
      return invalid("Value " + policy->second + " for parameter RedrivePolicy is invalid. Reason: Dead-letter queue "
                     "must be same type of queue as the source.");
    if (!allows_source(dlq->settings, queue_arn(region_, name)))
      return invalid("Value " + policy->second + " for parameter RedrivePolicy is invalid. Reason: Queue " +
                     queue_arn(region_, name) + " is not allowed to use " + rp->dead_letter_queue +
                     " as its dead-letter queue (RedriveAllowPolicy).");
    c.dead_letter_queue = store_name(rp->dead_letter_queue);
    c.max_receives = rp->max_receives;
  }
  c.retention_ms = s.integer("MessageRetentionPeriod") * 1000;
  c.fifo = s.fifo();
  c.dedup_window_ms = c.fifo ? kDedupWindowMs : 0;
  auto scope = s.attributes.find("DeduplicationScope");
  c.dedup_per_key = c.fifo && scope != s.attributes.end() && scope->second == "messageGroup";
  c.receivable_dead_letters = true;
  c.settings = s.json();
  return c;
}

base::Result<bool> Queues::create_queue(const std::string& name, const StringMap& asked, const StringMap& tags) {
  std::lock_guard lock(settings_mu_);
  const StringMap attributes = as_stored(asked);
  auto fifo_attr = attributes.find("FifoQueue");
  bool fifo = fifo_attr != attributes.end() && fifo_attr->second == "true";
  if (auto s = check_queue_name(name, fifo); !s) return s.error();
  if (auto s = check_attributes(attributes, fifo, true); !s) return s.error();
  if (tags.size() > 50) return invalid("Too many tags: a queue has 50 at most.", "InvalidParameterValue");
  if (auto existing = load(name)) {
    for (const auto& [k, v] : attributes) {
      auto it = existing->settings.attributes.find(k);
      std::string have = it == existing->settings.attributes.end() ? "" : it->second;
      if (have != v)
        return base::make_error(base::ErrorCode::kAlreadyExists,
                                "A queue already exists with the same name and a different value for attribute " + k,
                                "QueueNameExists");
    }
    return false;
  }
  QueueSettings s;
  s.attributes = default_attributes(fifo);
  for (const auto& [k, v] : attributes) s.attributes[k] = v;
  s.tags = tags;
  s.created_ms = s.modified_ms = store_.clock().now_ms();
  auto c = config_of(name, s);
  if (!c) return c.error();
  if (auto st = store_.ensure_queue(store_name(name), std::move(*c)); !st) return st.error();
  return true;
}

base::Status Queues::delete_queue(const std::string& name) {
  std::lock_guard lock(settings_mu_);
  if (auto l = load(name); !l) return l.error();
  std::vector<std::string> sources;
  for (const auto& q : store_.queues("sqs/"))
    if (q.config.dead_letter_queue == store_name(name)) sources.push_back(q.name.substr(4));
  if (auto s = store_.delete_queue(store_name(name)); !s) return s;
  // A RedrivePolicy naming a queue that is gone would make every later
  // SetQueueAttributes of its source fail ("Dead letter target does not
  // exist") and report a policy that does nothing: it goes with the queue.
  for (const auto& source : sources) {
    auto l = load(source);
    if (!l) continue;
    QueueSettings s = l->settings;
    s.attributes.erase("RedrivePolicy");
    auto c = config_of(source, s);
    if (!c) continue;
    if (auto st = store_.ensure_queue(store_name(source), std::move(*c)); !st) return st;
  }
  return {};
}

std::vector<std::string> Queues::list_queues(const std::string& prefix) {
  std::vector<std::string> out;
  for (const auto& q : store_.queues(store_name(prefix))) out.push_back(q.name.substr(4));
  return out;
}

base::Result<StringMap> Queues::get_attributes(const std::string& name, const std::vector<std::string>& names) {
  auto l = load(name);
  if (!l) return l.error();
  bool fifo = l->settings.fifo();
  const auto& known = readable_attribute_names(fifo);
  bool all = false;
  for (const auto& n : names) {
    if (n == "All") all = true;
    else if (std::find(known.begin(), known.end(), n) == known.end())
      return invalid("Unknown Attribute " + n + ".", "InvalidAttributeName");
  }
  auto stats = store_.stats(store_name(name));
  if (!stats) return stats.error();
  StringMap everything = l->settings.attributes;
  everything["ApproximateNumberOfMessages"] = std::to_string(stats->visible);
  everything["ApproximateNumberOfMessagesNotVisible"] = std::to_string(stats->in_flight);
  everything["ApproximateNumberOfMessagesDelayed"] = std::to_string(stats->delayed);
  everything["CreatedTimestamp"] = seconds(l->settings.created_ms);
  everything["LastModifiedTimestamp"] = seconds(l->settings.modified_ms);
  everything["QueueArn"] = queue_arn(region_, name);
  StringMap out;
  for (const auto& [k, v] : everything) {
    if (std::find(known.begin(), known.end(), k) == known.end()) continue;
    if (all || std::find(names.begin(), names.end(), k) != names.end()) out[k] = v;
  }
  return out;
}

base::Result<QueueSettings> Queues::settings(const std::string& name) {
  auto l = load(name);
  if (!l) return l.error();
  return l->settings;
}

base::Status Queues::set_attributes(const std::string& name, const StringMap& asked) {
  std::lock_guard lock(settings_mu_);
  const StringMap attributes = as_stored(asked);
  auto l = load(name);
  if (!l) return l.error();
  if (auto s = check_attributes(attributes, l->settings.fifo(), false); !s) return s;
  QueueSettings s = l->settings;
  for (const auto& [k, v] : attributes) {
    if ((k == "RedrivePolicy" || k == "RedriveAllowPolicy" || k == "Policy") && v.empty()) s.attributes.erase(k);
    else s.attributes[k] = v;
  }
  // perMessageGroupId needs messageGroup, also when only one of them changed.
  auto scope = s.attributes.find("DeduplicationScope");
  auto limit = s.attributes.find("FifoThroughputLimit");
  if (limit != s.attributes.end() && limit->second == "perMessageGroupId" && scope != s.attributes.end() &&
      scope->second == "queue")
    return invalid("Invalid value for the parameter FifoThroughputLimit. Reason: The perMessageGroupId value is "
                   "allowed only when the value for DeduplicationScope is messageGroup.",
                   "InvalidAttributeValue");
  s.modified_ms = store_.clock().now_ms();
  auto c = config_of(name, s);
  if (!c) return c.error();
  return store_.ensure_queue(store_name(name), std::move(*c));
}

base::Result<StringMap> Queues::tags(const std::string& name) {
  auto l = load(name);
  if (!l) return l.error();
  return l->settings.tags;
}

base::Status Queues::tag(const std::string& name, const StringMap& tags) {
  std::lock_guard lock(settings_mu_);
  auto l = load(name);
  if (!l) return l.error();
  for (const auto& [k, v] : tags) {
    if (k.empty() || k.size() > 128) return invalid("Tag keys must be 1 to 128 characters long.");
    if (v.size() > 256) return invalid("Tag values must be 256 characters long at most.");
  }
  QueueSettings s = l->settings;
  for (const auto& [k, v] : tags) s.tags[k] = v;
  if (s.tags.size() > 50) return invalid("Too many tags: a queue has 50 at most.");
  l->config.settings = s.json();
  return store_.ensure_queue(store_name(name), l->config);
}

base::Status Queues::untag(const std::string& name, const std::vector<std::string>& keys) {
  std::lock_guard lock(settings_mu_);
  auto l = load(name);
  if (!l) return l.error();
  QueueSettings s = l->settings;
  for (const auto& k : keys) s.tags.erase(k);
  l->config.settings = s.json();
  return store_.ensure_queue(store_name(name), l->config);
}

base::Result<std::vector<std::string>> Queues::dead_letter_sources(const std::string& name) {
  if (auto l = load(name); !l) return l.error();
  std::vector<std::string> out;
  for (const auto& q : store_.queues("sqs/"))
    if (q.config.dead_letter_queue == store_name(name)) out.push_back(q.name.substr(4));
  return out;
}

base::Result<queue::OutgoingMessage> Queues::prepare(const Loaded& q, const SendRequest& r, SendResult& result,
                                                     int64_t now_ms) {
  bool fifo = q.settings.fifo();
  if (r.body.empty()) return missing("MessageBody");
  if (auto s = check_message_characters(r.body, "message body"); !s) return s.error();
  if (auto s = check_message_attributes(r.message_attributes); !s) return s.error();
  if (auto s = check_system_attributes(r.system_attributes); !s) return s.error();
  int64_t limit = q.settings.integer("MaximumMessageSize");
  if (static_cast<int64_t>(r.body.size() + attributes_size(r.message_attributes)) > limit)
    return invalid("One or more parameters are invalid. Reason: Message must be shorter than " + std::to_string(limit) +
                   " bytes.");
  int64_t delay = q.settings.integer("DelaySeconds");
  if (r.delay_seconds) {
    if (fifo)
      return invalid("Value " + std::to_string(*r.delay_seconds) +
                     " for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid "
                     "for this queue type.");
    if (*r.delay_seconds < 0 || *r.delay_seconds > 900)
      return invalid("Value " + std::to_string(*r.delay_seconds) +
                     " for parameter DelaySeconds is invalid. Reason: must be between 0 and 900, if provided.");
    delay = *r.delay_seconds;
  }
  std::string dedup = r.deduplication_id;
  if (!r.message_group_id.empty())
    if (auto s = check_token(r.message_group_id, "MessageGroupId"); !s) return s.error();
  if (fifo) {
    if (r.message_group_id.empty()) return missing("MessageGroupId");
    if (!dedup.empty()) {
      if (auto s = check_token(dedup, "MessageDeduplicationId"); !s) return s.error();
    } else if (q.settings.flag("ContentBasedDeduplication")) {
      dedup = base::sha256_hex(r.body);
    } else {
      return invalid("The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId "
                     "provided explicitly");
    }
  } else if (!dedup.empty()) {
    return invalid("Value " + dedup +
                   " for parameter MessageDeduplicationId is invalid. Reason: The request includes a parameter that "
                   "is not valid for this queue type.");
  }
  result.md5_of_body = md5_hex(r.body);
  result.md5_of_message_attributes = md5_of_attributes(r.message_attributes);
  result.md5_of_message_system_attributes = md5_of_attributes(r.system_attributes);
  json::object a{{"ma", attributes_json(r.message_attributes)},
                 {"sa", attributes_json(r.system_attributes)},
                 {"mb", result.md5_of_body},
                 {"sender", r.sender_id.empty() ? std::string(base::kAccountId) : r.sender_id},
                 {"sent", now_ms}};
  if (!result.md5_of_message_attributes.empty()) a["mm"] = result.md5_of_message_attributes;
  if (!r.message_group_id.empty()) a["group"] = r.message_group_id;
  if (fifo) a["dedup"] = dedup;
  queue::OutgoingMessage m;
  m.key = r.message_group_id;
  m.payload = r.body;
  m.attributes = json::serialize(a);
  m.delay_ms = delay * 1000;
  m.dedup_id = fifo ? dedup : std::string();
  return m;
}

base::Result<SendResult> Queues::send(const std::string& queue, const SendRequest& request) {
  auto sent = send_batch(queue, {request});
  if (!sent) return sent.error();
  return std::move(sent->front());
}

base::Result<std::vector<base::Result<SendResult>>> Queues::send_batch(const std::string& queue,
                                                                       const std::vector<SendRequest>& requests) {
  auto name = name_of(queue);
  if (!name) return name.error();
  auto l = load(*name);
  if (!l) return l.error();
  if (requests.size() > 1) {
    size_t total = 0;
    for (const auto& r : requests) total += r.body.size() + attributes_size(r.message_attributes);
    if (total > kBatchMaxBytes)
      return invalid("Batch requested message too long: " + std::to_string(total) + " bytes, " +
                         std::to_string(kBatchMaxBytes) + " at most.",
                     "BatchRequestTooLong");
  }
  int64_t now = store_.clock().now_ms();
  std::vector<base::Result<SendResult>> out(requests.size(), base::Result<SendResult>(SendResult{}));
  std::vector<queue::OutgoingMessage> batch;
  std::vector<size_t> index;  // batch[i] is requests[index[i]]
  for (size_t i = 0; i < requests.size(); ++i) {
    SendResult r;
    auto m = prepare(*l, requests[i], r, now);
    if (!m) {
      out[i] = m.error();
      continue;
    }
    out[i] = std::move(r);
    batch.push_back(std::move(*m));
    index.push_back(i);
  }
  if (batch.empty()) return out;
  auto sent = store_.send_many(store_name(*name), std::move(batch));
  if (!sent) {
    if (sent.error().code == base::ErrorCode::kNotFound) return no_such_queue();
    return sent.error();
  }
  for (size_t k = 0; k < index.size(); ++k) {
    auto& r = *out[index[k]];
    r.message_id = (*sent)[k].id;
    if (l->settings.fifo()) r.sequence_number = sequence_number((*sent)[k].seq);
  }
  return out;
}

base::Result<std::vector<ReceivedMessage>> Queues::receive(const std::string& name, const ReceiveRequest& request) {
  auto l = load(name);
  if (!l) return l.error();
  if (request.max < 1 || request.max > 10)
    return invalid("Value " + std::to_string(request.max) +
                   " for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.");
  int64_t visibility = request.visibility_timeout.value_or(l->settings.integer("VisibilityTimeout"));
  if (visibility < 0 || visibility > 43200)
    return invalid("Value " + std::to_string(visibility) +
                   " for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200, if provided.");
  for (const auto& n : request.attribute_names)
    if (std::find(kSystemAttributeNames.begin(), kSystemAttributeNames.end(), n) == kSystemAttributeNames.end())
      return invalid("Unknown Attribute " + n + ".", "InvalidAttributeName");
  queue::ReceiveOptions options;
  options.max = static_cast<int>(request.max);
  options.visibility_ms = std::max<int64_t>(visibility * 1000, 1);  // 0: visible again at once
  auto got = store_.receive(store_name(name), options);
  if (!got) return got.error();
  bool fifo = l->settings.fifo();
  std::vector<ReceivedMessage> out;
  for (const auto& m : *got) {
    ReceivedMessage r;
    r.message_id = m.id;
    r.receipt_handle = encode_receipt({name, m.id, m.lease});
    r.body = m.payload;
    r.md5_of_body = md5_hex(m.payload);
    boost::system::error_code ec;
    auto stored = json::parse(m.attributes, ec);
    json::object none;
    const json::object& a = !ec && stored.is_object() ? stored.as_object() : none;
    auto text = [&](const char* key) -> std::string {
      auto* v = a.if_contains(key);
      return v && v->is_string() ? std::string(v->as_string()) : std::string();
    };
    auto sent_ms = a.if_contains("sent");
    StringMap attrs;
    attrs["SenderId"] = text("sender").empty() ? std::string(base::kAccountId) : text("sender");
    attrs["SentTimestamp"] = std::to_string(sent_ms && sent_ms->is_int64() ? sent_ms->as_int64() : m.sent_ms);
    attrs["ApproximateReceiveCount"] = std::to_string(m.receive_count);
    attrs["ApproximateFirstReceiveTimestamp"] = std::to_string(m.first_received_ms);
    if (fifo) {
      attrs["SequenceNumber"] = sequence_number(m.seq);
      attrs["MessageDeduplicationId"] = text("dedup");
    }
    if (!text("group").empty()) attrs["MessageGroupId"] = text("group");
    if (!m.origin_queue.empty() && m.origin_queue.rfind("sqs/", 0) == 0)
      attrs["DeadLetterQueueSourceArn"] = queue_arn(region_, m.origin_queue.substr(4));
    Attributes system;
    if (auto* sa = a.if_contains("sa"))
      if (auto parsed = attributes_from_json(*sa)) system = std::move(*parsed);
    if (auto it = system.find("AWSTraceHeader"); it != system.end()) attrs["AWSTraceHeader"] = it->second.string_value;
    for (const auto& [k, v] : attrs)
      if (wanted(request.attribute_names, k)) r.attributes[k] = v;
    if (auto* ma = a.if_contains("ma"))
      if (auto parsed = attributes_from_json(*ma))
        for (auto& [k, v] : *parsed)
          if (wanted(request.message_attribute_names, k)) r.message_attributes[k] = std::move(v);
    r.md5_of_message_attributes = md5_of_attributes(r.message_attributes);
    out.push_back(std::move(r));
  }
  return out;
}

base::Result<int64_t> Queues::next_change_ms(const std::string& name, int64_t after_ms) {
  return store_.next_visible_after(store_name(name), after_ms);
}

int Queues::subscribe(const std::string& name, std::function<void()> listener) {
  return store_.subscribe(store_name(name), std::move(listener));
}

void Queues::unsubscribe(int id) { store_.unsubscribe(id); }

base::Status Queues::delete_message(const std::string& name, const std::string& handle) {
  auto l = load(name);
  if (!l) return l.error();
  if (handle.empty()) return missing("ReceiptHandle");
  auto r = decode_receipt(handle);
  if (!r || r->queue != name) return bad_receipt(handle);
  if (l->settings.fifo()) {
    auto m = store_.get(store_name(name), r->message_id);
    if (!m || m->lease != r->lease) return {};  // gone, or received again since: nothing to delete
  }
  auto removed = store_.remove(store_name(name), r->message_id);
  if (!removed) return removed.error();
  return {};
}

base::Status Queues::change_visibility(const std::string& name, const std::string& handle, int64_t secs) {
  auto l = load(name);
  if (!l) return l.error();
  if (handle.empty()) return missing("ReceiptHandle");
  if (secs < 0 || secs > 43200)
    return invalid("Value " + std::to_string(secs) +
                   " for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.");
  auto r = decode_receipt(handle);
  if (!r || r->queue != name) return bad_receipt(handle);
  auto m = store_.get(store_name(name), r->message_id);
  if (!m || m->lease != r->lease)
    return invalid("Value " + handle +
                   " for parameter ReceiptHandle is invalid. Reason: Message does not exist or is not available for "
                   "visibility timeout change.");
  if (m->state != queue::MessageState::kInFlight)
    return invalid("Message not inflight.", "MessageNotInflight");
  // A receive stays invisible for at most 12 hours in all, however often it is extended.
  if (m->leased_ms > 0 && clock().now_ms() + secs * 1000 - m->leased_ms > kMaxVisibilityMs)
    return invalid("Value " + std::to_string(secs) +
                   " for parameter VisibilityTimeout is invalid. Reason: Total VisibilityTimeout for the message is "
                   "beyond the limit [43200 seconds]");
  return store_.change_visibility(store_name(name), r->message_id, r->lease, secs * 1000);
}

base::Status Queues::purge(const std::string& name) {
  if (auto l = load(name); !l) return l.error();
  auto n = store_.purge(store_name(name));
  if (!n) return n.error();
  return {};
}

base::Result<queue::Stats> Queues::stats(const std::string& name) {
  if (auto l = load(name); !l) return l.error();
  return store_.stats(store_name(name));
}

base::Result<std::vector<queue::Message>> Queues::peek(const std::string& name, int limit) {
  if (auto l = load(name); !l) return l.error();
  return store_.list(store_name(name), limit);
}

base::Result<int> Queues::move_messages(const std::string& from, const std::string& destination, int max) {
  if (auto l = load(from); !l) return l.error();
  if (!destination.empty())
    if (auto l = load(destination); !l) return l.error();
  return store_.move(store_name(from), destination.empty() ? "" : store_name(destination), max);
}

}  // namespace nimbus::sqs
