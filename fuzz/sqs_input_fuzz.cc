// SQS's parsers facing input (src/sqs): the first byte picks one.
//   0: a query request's form body -> query_to_json (flattened maps, lists,
//      batch entries) -> the message attributes of it and of each entry
//      (attributes_from_json, their rules, their MD5) -> the object as query XML;
//   1: a JSON request's MessageAttributes -> attributes_from_json -> rules,
//      MD5, and back through attributes_json (the MD5 must not change);
//   2: a receipt handle -> decode_receipt; a decoded one must survive
//      encode_receipt and decode again unchanged;
//   3: a queue URL or ARN -> name_from_any, whose name must be a valid one.
#include <boost/json/parse.hpp>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "base/encoding.h"
#include "sqs/message_attributes.h"
#include "sqs/names.h"
#include "sqs/receipt.h"
#include "sqs/wire.h"

using namespace nimbus;

namespace {

void read_attributes(const boost::json::value& v) {
  auto a = sqs::attributes_from_json(v);
  if (!a) return;
  (void)sqs::check_message_attributes(*a);
  (void)sqs::check_system_attributes(*a);
  std::string md5 = sqs::md5_of_attributes(*a);
  auto again = sqs::attributes_from_json(sqs::attributes_json(*a));
  if (!again || sqs::md5_of_attributes(*again) != md5) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      std::map<std::string, std::string, std::less<>> params;
      for (const auto& p : base::parse_query(text, true)) params[p.key] = p.value;
      auto o = sqs::query_to_json(params);
      for (const char* key : {"MessageAttributes", "MessageSystemAttributes"})
        if (auto* v = o.if_contains(key)) read_attributes(*v);
      if (auto* entries = o.if_contains("Entries"); entries && entries->is_array())
        for (const auto& e : entries->as_array())
          if (e.is_object())
            if (auto* v = e.as_object().if_contains("MessageAttributes")) read_attributes(*v);
      (void)sqs::json_to_query_xml("SendMessageBatch", o);
      break;
    }
    case 1: {
      boost::system::error_code ec;
      auto v = boost::json::parse(text, ec);
      if (!ec) read_attributes(v);
      (void)sqs::check_message_characters(text, "message body");
      break;
    }
    case 2: {
      auto r = sqs::decode_receipt(text);
      if (r) {
        auto back = sqs::decode_receipt(sqs::encode_receipt(*r));
        if (!back || back->queue != r->queue || back->message_id != r->message_id || back->lease != r->lease)
          std::abort();
      }
      break;
    }
    case 3: {
      auto name = sqs::name_from_any(text);
      if (name && !sqs::check_queue_name(*name, sqs::is_fifo_name(*name))) std::abort();
      break;
    }
  }
  return 0;
}
