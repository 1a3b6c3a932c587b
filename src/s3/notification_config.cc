#include "s3/notification_config.h"

#include <pugixml.hpp>

#include "base/encoding.h"
#include "base/ids.h"
#include "s3/xml.h"

namespace nimbus::s3 {

namespace {

constexpr const char* kMalformedMessage =
    "The XML you provided was not well-formed or did not validate against our published schema";

S3Error malformed(std::string message = kMalformedMessage) { return s3_error(400, "MalformedXML", std::move(message)); }
S3Error invalid(const std::string& message) { return s3_error(400, "InvalidArgument", message); }

// The configuration elements S3 knows, with the element naming the destination.
struct ConfigKind {
  const char* element;
  const char* destination;
  events::DestinationKind kind;
};
// S3's wire name for a LambdaFunctionConfiguration is CloudFunctionConfiguration; the long name is accepted too.
constexpr ConfigKind kKinds[] = {
    {"TopicConfiguration", "Topic", events::DestinationKind::kTopic},
    {"QueueConfiguration", "Queue", events::DestinationKind::kQueue},
    {"CloudFunctionConfiguration", "CloudFunction", events::DestinationKind::kFunction},
    {"LambdaFunctionConfiguration", "CloudFunction", events::DestinationKind::kFunction},
};

const ConfigKind* kind_of(std::string_view element) {
  for (const auto& k : kKinds)
    if (element == k.element) return &k;
  return nullptr;
}

// Two rules may not share an event type for keys both could match.
bool overlap(const events::Rule& a, const events::Rule& b) {
  auto prefix_overlap = a.prefix.rfind(b.prefix, 0) == 0 || b.prefix.rfind(a.prefix, 0) == 0;
  auto ends = [](const std::string& s, const std::string& t) {
    return s.size() >= t.size() && s.compare(s.size() - t.size(), t.size(), t) == 0;
  };
  auto suffix_overlap = ends(a.suffix, b.suffix) || ends(b.suffix, a.suffix);
  if (!prefix_overlap || !suffix_overlap) return false;
  for (const auto& x : a.events)
    for (const auto& y : b.events) {
      auto family = [](const std::string& e) { return e.substr(0, e.find(':', 3)); };
      if (x == y || (family(x) == family(y) && (x.back() == '*' || y.back() == '*'))) return true;
    }
  return false;
}

std::optional<events::Rule> parse_rule(pugi::xml_node cfg, const ConfigKind& kind, S3Error& err) {
  events::Rule r;
  for (auto n : cfg.children()) {
    std::string_view name = n.name();
    if (name == "Id") r.id = n.text().as_string();
    else if (name == kind.destination) r.destination_arn = n.text().as_string();
    else if (name == "Event") {
      std::string event = n.text().as_string();
      if (!events::is_known_event(event)) {
        err = invalid("The event is not supported for notifications: " + event);
        return std::nullopt;
      }
      r.events.push_back(event);
    } else if (name == "Filter") {
      for (auto key : n.children()) {
        if (std::string_view(key.name()) != "S3Key") {
          err = malformed();
          return std::nullopt;
        }
        for (auto fr : key.children("FilterRule")) {
          std::string rule_name = base::to_lower(fr.child("Name").text().as_string());
          std::string value = fr.child("Value").text().as_string();
          if (rule_name == "prefix") r.prefix = value;
          else if (rule_name == "suffix") r.suffix = value;
          else {
            err = invalid("filter rule name must be either prefix or suffix");
            return std::nullopt;
          }
        }
      }
    } else if (n.type() == pugi::node_element) {
      err = malformed();
      return std::nullopt;
    }
  }
  if (r.events.empty() || r.destination_arn.empty()) {
    err = malformed();
    return std::nullopt;
  }
  if (r.id.empty()) r.id = base::random_hex(16);
  // Stored as JSON, which must stay readable at the next start: text that is not UTF-8 is refused here.
  if (!base::is_valid_utf8(r.id) || !base::is_valid_utf8(r.destination_arn) || !base::is_valid_utf8(r.prefix) ||
      !base::is_valid_utf8(r.suffix)) {
    err = invalid(std::string("Id, ") + kind.destination + " and filter rule values must be valid UTF-8");
    return std::nullopt;
  }
  // A control character is not XML 1.0 (found by fuzz/s3_xml: a suffix with \x14 was stored and came
  // back from Get as U+FFFD, so the rule read back was not the rule that matched).
  for (const std::string* text : {&r.id, &r.destination_arn, &r.prefix, &r.suffix})
    for (unsigned char ch : *text)
      if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') {
        err = malformed();
        return std::nullopt;
      }
  if (events::destination_kind(r.destination_arn) != kind.kind) {
    err = invalid("Unable to validate the following destination configurations: " + r.destination_arn + " is not " +
                  (kind.kind == events::DestinationKind::kQueue   ? "an SQS queue ARN"
                   : kind.kind == events::DestinationKind::kTopic ? "an SNS topic ARN"
                                                                  : "a Lambda function ARN"));
    return std::nullopt;
  }
  return r;
}

}  // namespace

std::optional<std::vector<events::Rule>> parse_notification_configuration(std::string_view body,
                                                                          const std::string& region, S3Error& err) {
  std::vector<events::Rule> rules;
  if (body.empty()) return rules;
  auto doc = parse_xml(body);
  if (!doc) {
    err = to_s3_error(doc.error());
    return std::nullopt;
  }
  pugi::xml_node root = (*doc)->child("NotificationConfiguration");
  if (!root) {
    err = malformed();
    return std::nullopt;
  }
  bool event_bridge = false;
  for (auto cfg : root.children()) {
    if (cfg.type() != pugi::node_element) continue;
    std::string_view name = cfg.name();
    if (name == "EventBridgeConfiguration") {
      // An element without members, at most once in S3's schema: it turns EventBridge on, for every event.
      bool has_members = false;
      for (auto n : cfg.children()) has_members = has_members || n.type() == pugi::node_element;
      if (event_bridge || has_members) {
        err = malformed();
        return std::nullopt;
      }
      event_bridge = true;
      continue;
    }
    const ConfigKind* kind = kind_of(name);
    if (!kind) {
      err = malformed();
      return std::nullopt;
    }
    auto r = parse_rule(cfg, *kind, err);
    if (!r) return std::nullopt;
    rules.push_back(std::move(*r));
  }
  for (size_t i = 0; i < rules.size(); ++i)
    for (size_t j = i + 1; j < rules.size(); ++j)
      if (overlap(rules[i], rules[j])) {
        err = invalid("Configurations overlap. Configurations on the same bucket cannot share a common event type.");
        return std::nullopt;
      }
  // Never overlaps: it has no event types of its own.
  if (event_bridge) rules.push_back(events::event_bus_rule(region));
  return rules;
}

std::string render_notification_configuration(const std::vector<events::Rule>& rules) {
  XmlDocument out("NotificationConfiguration");
  bool event_bridge = false;
  for (const auto& r : rules) {
    auto kind = events::destination_kind(r.destination_arn).value_or(events::DestinationKind::kFunction);
    if (kind == events::DestinationKind::kEventBus) {
      event_bridge = true;
      continue;
    }
    const ConfigKind* k = &kKinds[0];
    for (const auto& c : kKinds)
      if (c.kind == kind) {
        k = &c;
        break;
      }
    auto n = out.root().child(k->element);
    n.text("Id", r.id).text(k->destination, r.destination_arn);
    for (const auto& e : r.events) n.text("Event", e);
    if (!r.prefix.empty() || !r.suffix.empty()) {
      auto key = n.child("Filter").child("S3Key");
      if (!r.prefix.empty()) key.child("FilterRule").text("Name", "Prefix").text("Value", r.prefix);
      if (!r.suffix.empty()) key.child("FilterRule").text("Name", "Suffix").text("Value", r.suffix);
    }
  }
  // Last, and written open and closed (an empty text), as S3 answers it.
  if (event_bridge) out.root().child("EventBridgeConfiguration").set_text("");
  return out.str();
}

}  // namespace nimbus::s3
