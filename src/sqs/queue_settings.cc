#include "sqs/queue_settings.h"

#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <charconv>
#include <optional>

namespace nimbus::sqs {

namespace {

namespace json = boost::json;

base::Error bad_name(const std::string& name) {
  return base::make_error(base::ErrorCode::kInvalidArgument, "Unknown Attribute " + name + ".", "InvalidAttributeName");
}

base::Error bad_value(const std::string& name, const std::string& why) {
  return base::make_error(base::ErrorCode::kInvalidArgument,
                          "Invalid value for the parameter " + name + ". Reason: " + why, "InvalidAttributeValue");
}

struct Range {
  const char* name;
  int64_t min, max;
};
constexpr Range kRanges[] = {
    {"DelaySeconds", 0, 900},
    {"MaximumMessageSize", 1024, 1048576},
    {"MessageRetentionPeriod", 60, 1209600},
    {"ReceiveMessageWaitTimeSeconds", 0, 20},
    {"VisibilityTimeout", 0, 43200},
    {"KmsDataKeyReusePeriodSeconds", 60, 86400},
};

const std::vector<std::string> kStandardSettable = {
    "DelaySeconds", "MaximumMessageSize", "MessageRetentionPeriod", "ReceiveMessageWaitTimeSeconds",
    "VisibilityTimeout", "RedrivePolicy", "RedriveAllowPolicy", "Policy", "SqsManagedSseEnabled",
    "KmsDataKeyReusePeriodSeconds"};
const std::vector<std::string> kFifoOnly = {"FifoQueue", "ContentBasedDeduplication", "DeduplicationScope",
                                            "FifoThroughputLimit"};

bool contains(const std::vector<std::string>& v, const std::string& s) {
  for (const auto& x : v)
    if (x == s) return true;
  return false;
}

std::optional<int64_t> to_int(const std::string& s) {
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || s.empty()) return std::nullopt;
  return v;
}

base::Status check_json_object(const std::string& name, const std::string& value) {
  boost::system::error_code ec;
  auto v = json::parse(value, ec);
  if (ec || !v.is_object()) return bad_value(name, "Invalid JSON document.");
  return {};
}

base::Status check_redrive_allow(const std::string& value) {
  boost::system::error_code ec;
  auto v = json::parse(value, ec);
  if (ec || !v.is_object()) return bad_value("RedriveAllowPolicy", "Invalid JSON document.");
  const auto& o = v.as_object();
  auto* perm = o.if_contains("redrivePermission");
  if (!perm || !perm->is_string())
    return bad_value("RedriveAllowPolicy", "Redrive permission is required: allowAll, denyAll or byQueue.");
  std::string p(perm->as_string());
  auto* arns = o.if_contains("sourceQueueArns");
  if (p == "byQueue") {
    if (!arns || !arns->is_array() || arns->as_array().empty() || arns->as_array().size() > 10)
      return bad_value("RedriveAllowPolicy", "byQueue needs 1 to 10 sourceQueueArns.");
    for (const auto& a : arns->as_array())
      if (!a.is_string()) return bad_value("RedriveAllowPolicy", "sourceQueueArns must be ARN strings.");
  } else if (p == "allowAll" || p == "denyAll") {
    if (arns) return bad_value("RedriveAllowPolicy", "sourceQueueArns is allowed only with byQueue.");
  } else {
    return bad_value("RedriveAllowPolicy", "Redrive permission must be allowAll, denyAll or byQueue.");
  }
  return {};
}

}  // namespace

std::string QueueSettings::json() const {
  boost::json::object attrs, t;
  for (const auto& [k, v] : attributes) attrs[k] = v;
  for (const auto& [k, v] : tags) t[k] = v;
  return boost::json::serialize(boost::json::object{{"attributes", attrs}, {"tags", t}, {"created", created_ms}, {"modified", modified_ms}});
}

QueueSettings QueueSettings::parse(const std::string& text) {
  QueueSettings s;
  boost::system::error_code ec;
  auto v = boost::json::parse(text, ec);
  if (ec || !v.is_object()) return s;
  const auto& o = v.as_object();
  auto read_map = [&](const char* key, StringMap& into) {
    if (auto* m = o.if_contains(key); m && m->is_object())
      for (const auto& [k, val] : m->as_object())
        if (val.is_string()) into[std::string(k)] = std::string(val.as_string());
  };
  read_map("attributes", s.attributes);
  read_map("tags", s.tags);
  if (auto* c = o.if_contains("created"); c && c->is_int64()) s.created_ms = c->as_int64();
  if (auto* m = o.if_contains("modified"); m && m->is_int64()) s.modified_ms = m->as_int64();
  return s;
}

int64_t QueueSettings::integer(const std::string& name) const {
  auto it = attributes.find(name);
  if (it == attributes.end()) return 0;
  return to_int(it->second).value_or(0);
}

bool QueueSettings::flag(const std::string& name) const {
  auto it = attributes.find(name);
  return it != attributes.end() && it->second == "true";
}

StringMap default_attributes(bool fifo) {
  StringMap m{{"DelaySeconds", "0"},          {"MaximumMessageSize", "1048576"},
              {"MessageRetentionPeriod", "345600"}, {"ReceiveMessageWaitTimeSeconds", "0"},
              {"VisibilityTimeout", "30"},    {"SqsManagedSseEnabled", "true"}};
  if (fifo) {
    m["FifoQueue"] = "true";
    m["ContentBasedDeduplication"] = "false";
    m["DeduplicationScope"] = "queue";
    m["FifoThroughputLimit"] = "perQueue";
  }
  return m;
}

base::Status check_attributes(const StringMap& attributes, bool fifo, bool creating) {
  for (const auto& [name, value] : attributes) {
    if (contains(kFifoOnly, name)) {
      if (name == "FifoQueue") {
        if (!creating) return bad_name(name);
        if (value != "true" && value != "false") return bad_value(name, "FifoQueue must be true or false.");
        if ((value == "true") != fifo)
          return bad_value(name, fifo ? "The name of a FIFO queue can only include alphanumeric characters, hyphens, "
                                        "or underscores, must end with .fifo suffix and be 1 to 80 in length."
                                      : "A FIFO queue's name must end with the .fifo suffix.");
        continue;
      }
      if (!fifo) return bad_name(name);
      if (name == "ContentBasedDeduplication" && value != "true" && value != "false")
        return bad_value(name, "ContentBasedDeduplication must be true or false.");
      if (name == "DeduplicationScope" && value != "queue" && value != "messageGroup")
        return bad_value(name, "DeduplicationScope must be queue or messageGroup.");
      if (name == "FifoThroughputLimit" && value != "perQueue" && value != "perMessageGroupId")
        return bad_value(name, "FifoThroughputLimit must be perQueue or perMessageGroupId.");
      continue;
    }
    if (name == "KmsMasterKeyId")
      return base::make_error(base::ErrorCode::kNotImplemented,
                              "Invalid value for the parameter KmsMasterKeyId. Reason: nimbus does not serve KMS; "
                              "use SqsManagedSseEnabled.",
                              "InvalidAttributeValue");
    if (!contains(kStandardSettable, name)) return bad_name(name);
    for (const auto& r : kRanges) {
      if (name != r.name) continue;
      auto v = to_int(value);
      if (!v || *v < r.min || *v > r.max)
        return bad_value(name, "Must be an integer from " + std::to_string(r.min) + " to " + std::to_string(r.max) + ".");
    }
    if (name == "SqsManagedSseEnabled" && value != "true" && value != "false")
      return bad_value(name, "SqsManagedSseEnabled must be true or false.");
    if (name == "Policy" && !value.empty())
      if (auto s = check_json_object(name, value); !s) return s;
    if (name == "RedriveAllowPolicy" && !value.empty())
      if (auto s = check_redrive_allow(value); !s) return s;
  }
  auto scope = attributes.find("DeduplicationScope");
  auto limit = attributes.find("FifoThroughputLimit");
  if (limit != attributes.end() && limit->second == "perMessageGroupId" && scope != attributes.end() &&
      scope->second == "queue")
    return bad_value("FifoThroughputLimit",
                     "The perMessageGroupId value is allowed only when the value for DeduplicationScope is messageGroup.");
  return {};
}

const std::vector<std::string>& readable_attribute_names(bool fifo) {
  static const std::vector<std::string> standard = [] {
    std::vector<std::string> v = {"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
                                  "ApproximateNumberOfMessagesDelayed", "CreatedTimestamp", "LastModifiedTimestamp",
                                  "QueueArn"};
    v.insert(v.end(), kStandardSettable.begin(), kStandardSettable.end());
    return v;
  }();
  static const std::vector<std::string> with_fifo = [] {
    std::vector<std::string> v = standard;
    v.insert(v.end(), kFifoOnly.begin(), kFifoOnly.end());
    return v;
  }();
  return fifo ? with_fifo : standard;
}

}  // namespace nimbus::sqs
