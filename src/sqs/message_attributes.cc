#include "sqs/message_attributes.h"

#include <boost/json/array.hpp>
#include <cctype>
#include <cstdio>

#include "base/crypto.h"
#include "base/decimal.h"
#include "base/encoding.h"

namespace nimbus::sqs {

namespace {

base::Error invalid(std::string message) {
  return base::make_error(base::ErrorCode::kInvalidArgument, std::move(message), "InvalidParameterValue");
}

void put_length_and_bytes(std::string& out, std::string_view bytes) {
  uint32_t n = static_cast<uint32_t>(bytes.size());
  out.push_back(static_cast<char>((n >> 24) & 0xff));
  out.push_back(static_cast<char>((n >> 16) & 0xff));
  out.push_back(static_cast<char>((n >> 8) & 0xff));
  out.push_back(static_cast<char>(n & 0xff));
  out.append(bytes);
}

bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
         c == '.';
}

// Decodes one UTF-8 code point at s[i]; -1 when invalid.
int64_t next_code_point(std::string_view s, size_t& i) {
  auto b = static_cast<unsigned char>(s[i]);
  int len = b < 0x80 ? 1 : (b >> 5) == 0x6 ? 2 : (b >> 4) == 0xe ? 3 : (b >> 3) == 0x1e ? 4 : 0;
  if (len == 0 || i + len > s.size()) return -1;
  int64_t cp = len == 1 ? b : len == 2 ? (b & 0x1f) : len == 3 ? (b & 0x0f) : (b & 0x07);
  for (int k = 1; k < len; ++k) {
    auto c = static_cast<unsigned char>(s[i + k]);
    if ((c >> 6) != 0x2) return -1;
    cp = (cp << 6) | (c & 0x3f);
  }
  static constexpr int64_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return -1;
  i += len;
  return cp;
}

bool allowed(int64_t cp) {
  return cp == 0x9 || cp == 0xa || cp == 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) ||
         (cp >= 0x10000 && cp <= 0x10ffff);
}

std::string hex_code(int64_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "#x%llX", static_cast<unsigned long long>(cp));
  return buf;
}

}  // namespace

std::string md5_hex(std::string_view bytes) { return base::to_hex(base::md5(bytes)); }

std::string md5_of_attributes(const Attributes& attributes) {
  if (attributes.empty()) return "";
  std::string buf;
  for (const auto& [name, v] : attributes) {
    put_length_and_bytes(buf, name);
    put_length_and_bytes(buf, v.data_type);
    if (v.binary()) {
      buf.push_back(2);
      put_length_and_bytes(buf, v.binary_value);
    } else {
      buf.push_back(1);
      put_length_and_bytes(buf, v.string_value);
    }
  }
  return md5_hex(buf);
}

base::Status check_message_characters(std::string_view text, std::string_view what) {
  size_t i = 0;
  while (i < text.size()) {
    size_t at = i;
    int64_t cp = next_code_point(text, i);
    if (cp < 0)
      return base::make_error(base::ErrorCode::kInvalidArgument,
                              "Invalid binary character in " + std::string(what) + " at byte " + std::to_string(at) +
                                  ": not valid UTF-8",
                              "InvalidMessageContents");
    if (!allowed(cp))
      return base::make_error(base::ErrorCode::kInvalidArgument,
                              "Invalid binary character '" + hex_code(cp) + "' was found in the " + std::string(what) +
                                  ", the set of allowed characters is #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to "
                                  "#xFFFD | #x10000 to #x10FFFF",
                              "InvalidMessageContents");
  }
  return {};
}

base::Status check_message_attributes(const Attributes& attributes) {
  if (attributes.size() > 10)
    return invalid("Number of message attributes [" + std::to_string(attributes.size()) +
                   "] exceeds the allowed maximum [10].");
  for (const auto& [name, v] : attributes) {
    if (name.empty()) return invalid("The request must contain non-empty message attribute name.");
    if (name.size() > 256) return invalid("Message attribute name '" + name + "' must be 256 characters or less.");
    bool chars_ok = true;
    for (char c : name) chars_ok = chars_ok && name_char(c);
    std::string lower = base::to_lower(name);
    if (!chars_ok || name.front() == '.' || name.back() == '.' || name.find("..") != std::string::npos)
      return invalid("Message attribute name '" + name +
                     "' has invalid characters: use A-Z, a-z, 0-9, underscore, hyphen and period, with no "
                     "leading, trailing or consecutive periods.");
    if (lower.rfind("aws.", 0) == 0 || lower.rfind("amazon.", 0) == 0)
      return invalid("Message attribute name '" + name + "' must not start with the reserved prefix AWS. or Amazon.");
    if (v.data_type.empty())
      return invalid("The message attribute '" + name + "' must contain non-empty message attribute type.");
    if (v.data_type.size() > 256)
      return invalid("Message attribute type of '" + name + "' must be 256 characters or less.");
    std::string_view base_type = std::string_view(v.data_type).substr(0, v.data_type.find('.'));
    if (base_type != "String" && base_type != "Number" && base_type != "Binary")
      return invalid("The type of message (user) attribute '" + name + "' is invalid. You must use only the "
                     "following supported type prefixes: Binary, Number, String.");
    if (v.data_type.size() == base_type.size() + 1)
      return invalid("Message attribute type '" + v.data_type + "' of '" + name + "' has an empty custom label.");
    if (auto s = check_message_characters(v.data_type, "message attribute type"); !s) return s;
    if (base_type == "Binary") {
      if (v.binary_value.empty())
        return invalid("The message attribute '" + name +
                       "' must contain non-empty message attribute value for message attribute type '" +
                       std::string(base_type) + "'.");
      continue;
    }
    if (v.string_value.empty())
      return invalid("The message attribute '" + name +
                     "' must contain non-empty message attribute value for message attribute type '" +
                     std::string(base_type) + "'.");
    if (auto s = check_message_characters(v.string_value, "message attribute value"); !s) return s;
    if (base_type == "Number") {
      if (!base::is_aws_decimal(v.string_value))
        return invalid("Can't cast the value of message (user) attribute '" + name + "' to a number.");
    }
  }
  return {};
}

base::Status check_system_attributes(const Attributes& attributes) {
  for (const auto& [name, v] : attributes) {
    if (name != "AWSTraceHeader")
      return invalid("Message system attribute name '" + name + "' is invalid.");
    if (v.data_type != "String")
      return invalid("The message system attribute 'AWSTraceHeader' must be of type String.");
    if (v.string_value.empty())
      return invalid("The message system attribute 'AWSTraceHeader' must contain a non-empty value.");
  }
  return {};
}

size_t attributes_size(const Attributes& attributes) {
  size_t n = 0;
  for (const auto& [name, v] : attributes)
    n += name.size() + v.data_type.size() + (v.binary() ? v.binary_value.size() : v.string_value.size());
  return n;
}

boost::json::object attributes_json(const Attributes& attributes) {
  boost::json::object out;
  for (const auto& [name, v] : attributes) {
    boost::json::object o{{"DataType", v.data_type}};
    if (v.binary()) o["BinaryValue"] = base::base64_encode(v.binary_value);
    else o["StringValue"] = v.string_value;
    out[name] = std::move(o);
  }
  return out;
}

base::Result<Attributes> attributes_from_json(const boost::json::value& v) {
  Attributes out;
  if (v.is_null()) return out;
  if (!v.is_object()) return invalid("MessageAttributes must be a map of names to attribute values.");
  for (const auto& [key, value] : v.as_object()) {
    std::string name(key);
    if (!value.is_object()) return invalid("The message attribute '" + name + "' must be a structure.");
    const auto& o = value.as_object();
    AttributeValue a;
    for (const auto& [field, fv] : o) {
      if (field == "DataType" && fv.is_string()) {
        a.data_type = std::string(fv.as_string());
      } else if (field == "StringValue" && fv.is_string()) {
        a.string_value = std::string(fv.as_string());
      } else if (field == "BinaryValue" && fv.is_string()) {
        auto bytes = base::base64_decode(fv.as_string());
        if (!bytes) return invalid("The message attribute '" + name + "' has a BinaryValue that is not base64.");
        a.binary_value = std::move(*bytes);
      } else if ((field == "StringListValues" || field == "BinaryListValues") && fv.is_array()) {
        if (!fv.as_array().empty())
          return base::make_error(base::ErrorCode::kNotImplemented,
                                  "Message attribute list values in SendMessage operation are not supported.",
                                  "InvalidParameterValue");
      } else if (!fv.is_null()) {
        return invalid("The message attribute '" + name + "' has an unknown or mistyped member '" +
                       std::string(field) + "'.");
      }
    }
    if (!a.binary() && !a.binary_value.empty())
      return invalid("The message attribute '" + name + "' of type '" + a.data_type +
                     "' must not carry a BinaryValue.");
    if (a.binary() && !a.string_value.empty())
      return invalid("The message attribute '" + name + "' of type '" + a.data_type +
                     "' must not carry a StringValue.");
    out[name] = std::move(a);
  }
  return out;
}

}  // namespace nimbus::sqs
