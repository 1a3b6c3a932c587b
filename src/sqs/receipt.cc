#include "sqs/receipt.h"

#include "base/encoding.h"

namespace nimbus::sqs {

namespace {
constexpr std::string_view kVersion = "nr1";
constexpr char kSep = ' ';  // never in a queue name, a uuid or a hex lease
}  // namespace

std::string encode_receipt(const Receipt& r) {
  std::string raw(kVersion);
  raw += kSep;
  raw += r.queue;
  raw += kSep;
  raw += r.message_id;
  raw += kSep;
  raw += r.lease;
  return base::base64_encode(raw);
}

std::optional<Receipt> decode_receipt(std::string_view handle) {
  if (handle.empty() || handle.size() > 1024) return std::nullopt;
  auto raw = base::base64_decode(handle);
  if (!raw) return std::nullopt;
  std::string_view s = *raw;
  std::string_view parts[4];
  for (int i = 0; i < 3; ++i) {
    size_t sep = s.find(kSep);
    if (sep == std::string_view::npos) return std::nullopt;
    parts[i] = s.substr(0, sep);
    s.remove_prefix(sep + 1);
  }
  parts[3] = s;
  if (parts[0] != kVersion || s.find(kSep) != std::string_view::npos) return std::nullopt;
  for (int i = 1; i < 4; ++i)
    if (parts[i].empty()) return std::nullopt;
  return Receipt{std::string(parts[1]), std::string(parts[2]), std::string(parts[3])};
}

}  // namespace nimbus::sqs
