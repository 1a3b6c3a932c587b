// The HTTP/1.1 request parser every listener uses (http::RequestParser: the
// edge port and each instance's Runtime API port) and the edge router's
// choice of service. The first byte picks how the rest is split into reads,
// as a connection would deliver it; the body goes through small lent
// buffers. A request must never throw, and a parse that ends must agree
// with itself whatever the split.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "base/encoding.h"
#include "http/request_parser.h"
#include "aws/router.h"

using namespace nimbus;
namespace bhttp = boost::beast::http;

namespace {

// The edge's table as nimbus serve builds it, routing only.
const std::vector<aws::ServiceDescriptor>& edge_table() {
  static const auto table = [] {
    std::vector<aws::ServiceDescriptor> t(3);
    t[0].name = "nimbus";
    t[0].claims = [](const http::Request& r) { return r.target.rfind("/_nimbus/", 0) == 0; };
    t[1].name = "lambda";
    t[1].signing_names = {"lambda"};
    t[1].path_prefixes = {"/2015-03-31/"};
    t[2].name = "logs";
    t[2].signing_names = {"logs"};
    t[2].target_prefixes = {"Logs_20140328."};
    return t;
  }();
  return table;
}

struct Outcome {
  bool done = false;
  bool failed = false;
  std::string body;
};

Outcome run(std::string_view wire, size_t step, size_t lend) {
  http::RequestParser p(8 * 1024);
  Outcome out;
  std::string pending;
  std::string buf(lend, '\0');
  for (size_t off = 0; off < wire.size() || !pending.empty();) {
    if (off < wire.size()) {
      pending.append(wire.substr(off, step));
      off += step;
    }
    bool progress = false;
    for (;;) {
      p.lend_body(buf.data(), buf.size());
      boost::beast::error_code ec;
      size_t used = p.feed(pending, ec);
      pending.erase(0, used);
      out.body.append(buf.data(), p.body_received());
      if (used || p.body_received()) progress = true;
      if (ec == bhttp::error::need_buffer) continue;
      if (ec && ec != bhttp::error::need_more) {
        (void)p.failure(ec);
        out.failed = true;
        return out;
      }
      break;
    }
    if (p.is_header_done() && out.body.empty() && !out.done) {
      http::Request req;
      req.method = p.method();
      req.target = p.target();
      req.headers = p.headers();
      req.original_names = p.original_names();
      // Every header keeps its name as sent, one for one.
      if (req.original_names.size() != req.headers.size()) __builtin_trap();
      for (size_t i = 0; i < req.headers.size(); ++i)
        if (base::to_lower(req.original_names[i]) != req.headers[i].first) __builtin_trap();
      static const aws::ServiceDescriptor s3 = [] {
        aws::ServiceDescriptor d;
        d.name = "s3";
        d.signing_names = {"s3"};
        return d;
      }();
      (void)aws::route_request(edge_table(), &s3, req);
    }
    if (p.is_done()) {
      out.done = true;
      return out;
    }
    if (off >= wire.size() && !progress) break;
  }
  boost::beast::error_code ec;
  p.feed_eof(ec);
  return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  size_t step = 1 + data[0] % 61;
  std::string_view wire(reinterpret_cast<const char*>(data) + 1, size - 1);
  Outcome whole = run(wire, wire.size() + 1, 4096);
  Outcome split = run(wire, step, 1 + data[0] % 7);
  // The same bytes are the same request, however they arrive.
  if (whole.done && split.done && whole.body != split.body) std::abort();
  if (whole.done != split.done && !whole.failed && !split.failed) std::abort();
  return 0;
}
