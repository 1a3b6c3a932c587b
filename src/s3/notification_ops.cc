// S3 bucket notification configuration: Put/GetBucketNotificationConfiguration
// with LambdaFunctionConfigurations (events, prefix/suffix filters).
#include <pugixml.hpp>

#include "base/arn.h"
#include "base/encoding.h"
#include "base/ids.h"
#include "events/notifications.h"
#include "http/offload.h"
#include "s3/call.h"
#include "s3/xml.h"

namespace nimbus::s3 {

using boost::asio::awaitable;

namespace {

S3Error invalid(const std::string& message) { return s3_error(400, "InvalidArgument", message); }

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

}  // namespace

awaitable<http::Response> put_bucket_notification(Deps& d, Call& c) {
  if (!d.notifications) co_return c.fail(s3_error(501, "NotImplemented", "bucket notifications are not enabled"));
  if (auto b = d.store.get_bucket(c.addr.bucket); !b) co_return c.fail(b.error());
  auto body = co_await http::read_body(c.req, 1 << 20);
  if (!body) co_return c.fail(body.error());
  std::vector<events::Rule> rules;
  if (!body->empty()) {
    auto doc = parse_xml(*body);
    if (!doc) co_return c.fail(doc.error());
    pugi::xml_node root = (*doc)->child("NotificationConfiguration");
    if (!root) co_return c.fail(base::make_error(base::ErrorCode::kMalformed, "The XML you provided was not well-formed or did not validate against our published schema"));
    for (const char* other : {"QueueConfiguration", "TopicConfiguration"})
      if (root.child(other))
        co_return c.fail(invalid(std::string("Unable to validate the following destination configurations: ") +
                                 other + " destinations are not supported by nimbus"));
    // S3's wire name for a LambdaFunctionConfiguration is CloudFunctionConfiguration;
    // the long name is accepted too.
    std::vector<pugi::xml_node> configs;
    for (auto n : root.children())
      if (std::string_view(n.name()) == "CloudFunctionConfiguration" || std::string_view(n.name()) == "LambdaFunctionConfiguration")
        configs.push_back(n);
    for (auto cfg : configs) {
      events::Rule r;
      r.id = cfg.child("Id").text().as_string();
      if (r.id.empty()) r.id = base::random_hex(16);
      r.function_arn = cfg.child("CloudFunction").text().as_string();
      for (auto e : cfg.children("Event")) {
        std::string name = e.text().as_string();
        if (!events::is_known_event(name)) co_return c.fail(invalid("The event is not supported for notifications: " + name));
        r.events.push_back(name);
      }
      if (r.events.empty() || r.function_arn.empty())
        co_return c.fail(base::make_error(base::ErrorCode::kMalformed, "The XML you provided was not well-formed or did not validate against our published schema"));
      for (auto fr : cfg.child("Filter").child("S3Key").children("FilterRule")) {
        std::string name = base::to_lower(fr.child("Name").text().as_string());
        std::string value = fr.child("Value").text().as_string();
        if (name == "prefix") r.prefix = value;
        else if (name == "suffix") r.suffix = value;
        else co_return c.fail(invalid("filter rule name must be either prefix or suffix"));
      }
      // Stored as JSON, which must stay readable at the next start: text that is not UTF-8 is refused here.
      if (!base::is_valid_utf8(r.id) || !base::is_valid_utf8(r.function_arn) || !base::is_valid_utf8(r.prefix) ||
          !base::is_valid_utf8(r.suffix))
        co_return c.fail(invalid("Id, CloudFunction and filter rule values must be valid UTF-8"));
      auto arn = base::parse_lambda_arn(r.function_arn);
      if (!arn || !d.function_exists ||
          !d.function_exists(arn->function, arn->qualifier))
        co_return c.fail(invalid("Unable to validate the following destination configurations: " + r.function_arn));
      rules.push_back(std::move(r));
    }
    for (size_t i = 0; i < rules.size(); ++i)
      for (size_t j = i + 1; j < rules.size(); ++j)
        if (overlap(rules[i], rules[j]))
          co_return c.fail(invalid("Configurations overlap. Configurations on the same bucket cannot share a common "
                                   "event type."));
  }
  auto s = co_await http::offload(d.blocking, [&] { return d.notifications->set(c.addr.bucket, std::move(rules)); });
  if (!s) co_return c.fail(s.error());
  co_return c.reply();
}

awaitable<http::Response> get_bucket_notification(Deps& d, Call& c) {
  if (auto b = d.store.get_bucket(c.addr.bucket); !b) co_return c.fail(b.error());
  XmlDocument out("NotificationConfiguration");
  if (d.notifications)
    for (const auto& r : d.notifications->get(c.addr.bucket)) {
      auto n = out.root().child("CloudFunctionConfiguration");
      n.text("Id", r.id).text("CloudFunction", r.function_arn);
      for (const auto& e : r.events) n.text("Event", e);
      if (!r.prefix.empty() || !r.suffix.empty()) {
        auto key = n.child("Filter").child("S3Key");
        if (!r.prefix.empty()) key.child("FilterRule").text("Name", "Prefix").text("Value", r.prefix);
        if (!r.suffix.empty()) key.child("FilterRule").text("Name", "Suffix").text("Value", r.suffix);
      }
    }
  co_return c.xml(out.str());
}

}  // namespace nimbus::s3
