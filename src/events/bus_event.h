// S3's event as EventBridge receives it, for a bucket with EventBridge
// enabled (its EventBridgeConfiguration): the envelope (version "0", id,
// detail-type "Object Created" / "Object Deleted", source "aws.s3", account,
// time to the second, region, resources [the bucket's ARN]) and S3's detail
// (version, bucket, object, request-id, requester, source-ip-address,
// reason, and deletion-type for deletes), as AWS's "EventBridge event
// message structure" writes them. Built when the change commits and staged
// in the outbox like every bucket notification; server/targets.h routes it
// on the default bus. Only the event types nimbus's object events have are
// made: no Object Restore, Object Tags or Storage Class events.
// Pure functions; any thread.
#pragma once

#include <string>

#include "storage/types.h"

namespace nimbus::events {

// id names the event (a UUID, as AWS's event ids are): the caller picks it
// once, so the event routed again after a crash is the same event.
std::string s3_bus_event_json(const storage::ObjectEvent& ev, const std::string& region, const std::string& id);

}  // namespace nimbus::events
