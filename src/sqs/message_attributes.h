// Message attributes (String, Number, Binary, each with an optional custom
// label: "Number.float") and system attributes (AWSTraceHeader): their
// rules, their size, the MD5 digests AWS returns for them, and their JSON
// form (the JSON protocol's shape, also how they are kept in queue.db).
//
// The digest (MD5OfMessageAttributes, MD5OfMessageSystemAttributes), as AWS
// computes it: for each attribute in name order, the name, the data type
// (each as a 4-byte big-endian length and its UTF-8 bytes), one transport
// byte (1 for String and Number types, 2 for Binary), then the value as
// length and bytes (a Binary's raw bytes); MD5 of it all, lowercase hex.
//
// THREADING RULE: pure functions and values.
#pragma once

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <map>
#include <string>
#include <string_view>

#include "base/result.h"

namespace nimbus::sqs {

struct AttributeValue {
  std::string data_type;     // "String", "Number.int", "Binary.png", ...
  std::string string_value;  // String and Number types
  std::string binary_value;  // Binary types: the raw bytes
  bool binary() const { return data_type.rfind("Binary", 0) == 0; }
};

// By name; std::map's byte order is the order the digest needs.
using Attributes = std::map<std::string, AttributeValue>;

// The lowercase hex MD5 of bytes (MD5OfMessageBody).
std::string md5_hex(std::string_view bytes);
// "" for no attributes (AWS then returns no digest).
std::string md5_of_attributes(const Attributes& attributes);

// Names (1-256 of [A-Za-z0-9_.-], not "AWS." or "Amazon." first, no leading,
// trailing or doubled '.'), types, values and count (10 at most):
// InvalidParameterValue (reason) with AWS's message otherwise.
base::Status check_message_attributes(const Attributes& attributes);
// Only AWSTraceHeader, of type String.
base::Status check_system_attributes(const Attributes& attributes);

// Bytes they count toward the message size: names, types and values.
size_t attributes_size(const Attributes& attributes);

// The characters a body or a String value may hold: #x9 #xA #xD
// #x20-#xD7FF #xE000-#xFFFD #x10000-#x10FFFF, as valid UTF-8.
// InvalidMessageContents otherwise (what names the first bad character).
base::Status check_message_characters(std::string_view text, std::string_view what);

// {"name": {"DataType": ..., "StringValue": ... | "BinaryValue": base64}}.
boost::json::object attributes_json(const Attributes& attributes);
// Reads that shape (a JSON request's MessageAttributes, or queue.db's copy).
// kInvalidArgument (InvalidParameterValue) for a wrong shape or base64;
// StringListValues / BinaryListValues (reserved by AWS) are refused.
base::Result<Attributes> attributes_from_json(const boost::json::value& v);

}  // namespace nimbus::sqs
