// The AWS event stream encoding (application/vnd.amazon.eventstream), as
// botocore's eventstream.py decodes it: each message is a 12-byte prelude
// (total length, headers length, both big-endian uint32, then the CRC32 of
// those 8 bytes), the headers, the payload, and the CRC32 of everything
// before it. Headers here are strings (type 7): name length (uint8), name,
// 7, value length (uint16 BE), value. Used for Lambda's
// InvokeWithResponseStream; only the encoder (nimbus sends these streams,
// it never reads them).
// THREADING RULE: pure functions.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nimbus::aws {

using EventHeaders = std::vector<std::pair<std::string, std::string>>;

// One message. Header names are at most 255 bytes and values 65535 (longer
// ones are cut: nimbus's own headers are short).
std::string encode_event_message(const EventHeaders& headers, std::string_view payload);

// An event as rest-json services send them: :event-type, :content-type and
// :message-type "event".
std::string encode_event(std::string_view event_type, std::string_view content_type, std::string_view payload);

}  // namespace nimbus::aws
