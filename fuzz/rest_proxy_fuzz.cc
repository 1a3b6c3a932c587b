// REST APIs' parsers facing function output and stored configuration
// (execute_api/rest_event.h, json_schema.h, rest_api.h): the first byte picks
// one — a Lambda proxy response read strictly (with or without binary
// decoding); a JSON schema and a body (split at the first newline) validated;
// a deployment's documents compiled into a resource tree, then a request path
// matched against it.
#include <boost/json/parse.hpp>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "execute_api/json_schema.h"
#include "execute_api/rest_api.h"
#include "execute_api/rest_event.h"

using namespace nimbus;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      auto r = execute_api::read_rest_response(text, data[0] & 0x80);
      if (r && (r->status < 100 || r->status > 599)) std::abort();
      break;
    }
    case 1: {
      size_t nl = text.find('\n');
      if (nl == std::string_view::npos) return 0;
      boost::system::error_code ec1, ec2;
      auto schema = boost::json::parse(text.substr(0, nl), ec1);
      auto body = boost::json::parse(text.substr(nl + 1), ec2);
      if (ec1 || ec2) return 0;
      (void)execute_api::validate_json(schema, body, [&schema](const std::string&) { return &schema; });
      break;
    }
    default: {
      size_t nl = text.find('\n');
      if (nl == std::string_view::npos) return 0;
      boost::system::error_code ec;
      auto content = boost::json::parse(text.substr(0, nl), ec);
      if (ec || !content.is_object()) return 0;
      auto api = execute_api::compile_rest_api(content.as_object());
      auto m = execute_api::match_rest(*api, "GET", text.substr(nl + 1));
      if (m && !m->resource) std::abort();
      break;
    }
  }
  return 0;
}
