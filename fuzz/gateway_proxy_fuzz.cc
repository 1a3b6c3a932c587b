// API Gateway's parsers facing input: an invoke URL's Host and target
// (execute_api/addressing.h), a route key as CreateRoute receives it and the
// route selection over a request path (gateway/http_routes.h), and a
// function's response as the gateway reads it in payload formats 2.0 and 1.0
// (execute_api/proxy_event.h); a request becomes both events too. The first
// byte picks what the rest is.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "execute_api/addressing.h"
#include "execute_api/proxy_event.h"
#include "gateway/http_routes.h"

using namespace nimbus;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {  // "host\ntarget"
      size_t nl = text.find('\n');
      auto host = text.substr(0, nl);
      auto target = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
      auto a = execute_api::parse_address(host, target);
      if (a && (a->api_id.empty() || a->path.empty() || a->path[0] != '/')) std::abort();
      (void)execute_api::is_execute_api(host, target);
      break;
    }
    case 1: {  // "route key\nmethod path"
      size_t nl = text.find('\n');
      auto key = gateway::parse_route_key(text.substr(0, nl));
      if (!key || nl == std::string_view::npos) break;
      gateway::RouteTable table;
      table.add("r", std::string(text.substr(0, nl)), *key);
      std::string_view request = text.substr(nl + 1);
      size_t space = request.find(' ');
      if (space == std::string_view::npos) break;
      (void)table.select(request.substr(0, space), request.substr(space + 1));
      break;
    }
    case 2: {
      auto r2 = execute_api::read_v2_response(text);
      if (r2 && (r2->status < 100 || r2->status > 599)) std::abort();
      auto r1 = execute_api::read_v1_response(text);
      if (r1 && (r1->status < 100 || r1->status > 599)) std::abort();
      break;
    }
    case 3: {  // a request's parts, one per line: method, path, query, then header lines "name: value", then the body
      execute_api::ProxyRequest req;
      execute_api::ProxyContext ctx;
      std::string_view rest = text;
      auto line = [&rest]() {
        size_t nl = rest.find('\n');
        std::string_view l = rest.substr(0, nl);
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
        return std::string(l);
      };
      req.method = line();
      req.raw_path = line();
      req.raw_query = line();
      for (std::string h = line(); !h.empty(); h = line()) {
        size_t colon = h.find(':');
        req.headers.emplace_back(h.substr(0, colon), colon == std::string::npos ? "" : h.substr(colon + 1));
      }
      req.body = std::string(rest);
      req.domain_name = "abc.execute-api.localhost";
      ctx.route_key = "$default";
      (void)execute_api::build_v2_event(req, ctx);
      (void)execute_api::build_v1_event(req, ctx);
      break;
    }
  }
  return 0;
}
