#include "events/bus_event.h"

#include <boost/json.hpp>

#include "base/arn.h"
#include "base/time.h"
#include "events/notifications.h"

namespace nimbus::events {

namespace json = boost::json;

namespace {

// What S3 names as the requester of a lifecycle rule's changes, which no request made.
constexpr const char* kLifecycleRequester = "s3.amazonaws.com";
// A delete's object has no content of its own: AWS's delete events carry the empty MD5.
constexpr const char* kEmptyEtag = "d41d8cd98f00b204e9800998ecf8427e";

bool is_delete(storage::EventKind k) {
  return k == storage::EventKind::kDelete || k == storage::EventKind::kDeleteMarkerCreated;
}

// The S3 API that made the change, as the detail's reason names it.
const char* reason_of(const storage::ObjectEvent& ev) {
  switch (ev.kind) {
    case storage::EventKind::kPut: return "PutObject";
    case storage::EventKind::kPost: return "PostObject";
    case storage::EventKind::kCopy: return "CopyObject";
    case storage::EventKind::kCompleteMultipartUpload: return "CompleteMultipartUpload";
    case storage::EventKind::kDelete:
    case storage::EventKind::kDeleteMarkerCreated: return ev.context.lifecycle ? "Lifecycle Expiration" : "DeleteObject";
  }
  return "";
}

// "2017-12-22T18:43:48Z": EventBridge's time has no fraction.
std::string event_time(int64_t ms) { return base::iso8601(ms).substr(0, 19) + "Z"; }

}  // namespace

std::string s3_bus_event_json(const storage::ObjectEvent& ev, const std::string& region, const std::string& id) {
  bool deleted = is_delete(ev.kind);
  // The key is form-encoded as in S3's other events, so one decoding serves both.
  json::object object{{"key", event_key(ev.key)}};
  if (!deleted) object["size"] = ev.size;
  object["etag"] = deleted ? std::string(kEmptyEtag) : ev.etag;
  if (!ev.version_id.empty()) object["version-id"] = ev.version_id;
  object["sequencer"] = ev.sequencer;

  json::object detail{{"version", "0"},
                      {"bucket", json::object{{"name", ev.bucket}}},
                      {"object", std::move(object)},
                      {"request-id", ev.context.request_id},
                      {"requester", ev.context.lifecycle ? std::string(kLifecycleRequester)
                                                         : std::string(base::kAccountId)}};
  // Only a request has a source address (a lifecycle rule's change has none).
  if (!ev.context.lifecycle && !ev.context.source_ip.empty()) detail["source-ip-address"] = ev.context.source_ip;
  detail["reason"] = reason_of(ev);
  if (deleted)
    detail["deletion-type"] =
        ev.kind == storage::EventKind::kDeleteMarkerCreated ? "Delete Marker Created" : "Permanently Deleted";

  json::object event{{"version", "0"},
                     {"id", id},
                     {"detail-type", deleted ? "Object Deleted" : "Object Created"},
                     {"source", "aws.s3"},
                     {"account", std::string(base::kAccountId)},
                     {"time", event_time(ev.time_ms)},
                     {"region", region},
                     {"resources", json::array{json::string("arn:aws:s3:::" + ev.bucket)}},
                     {"detail", std::move(detail)}};
  return json::serialize(event);
}

}  // namespace nimbus::events
