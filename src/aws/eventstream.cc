#include "aws/eventstream.h"

#include <algorithm>
#include <cstdint>

#include "base/checksum.h"

namespace nimbus::aws {

namespace {

constexpr char kStringType = 7;

void put_u32(std::string& out, uint32_t v) {
  out.push_back(static_cast<char>(v >> 24));
  out.push_back(static_cast<char>(v >> 16));
  out.push_back(static_cast<char>(v >> 8));
  out.push_back(static_cast<char>(v));
}

}  // namespace

std::string encode_event_message(const EventHeaders& headers, std::string_view payload) {
  std::string h;
  for (const auto& [name, value] : headers) {
    size_t n = std::min<size_t>(name.size(), 255), v = std::min<size_t>(value.size(), 65535);
    h.push_back(static_cast<char>(n));
    h.append(name, 0, n);
    h.push_back(kStringType);
    h.push_back(static_cast<char>(v >> 8));
    h.push_back(static_cast<char>(v));
    h.append(value, 0, v);
  }
  std::string out;
  out.reserve(16 + h.size() + payload.size());
  put_u32(out, static_cast<uint32_t>(12 + h.size() + payload.size() + 4));
  put_u32(out, static_cast<uint32_t>(h.size()));
  put_u32(out, base::crc32(out));
  out += h;
  out += payload;
  put_u32(out, base::crc32(out));
  return out;
}

std::string encode_event(std::string_view event_type, std::string_view content_type, std::string_view payload) {
  return encode_event_message({{":event-type", std::string(event_type)},
                               {":content-type", std::string(content_type)},
                               {":message-type", "event"}},
                              payload);
}

}  // namespace nimbus::aws
