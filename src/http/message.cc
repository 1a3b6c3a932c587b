#include "http/message.h"

namespace nimbus::http {

boost::asio::awaitable<base::Result<std::string>> read_body(Request& req, size_t max_bytes) {
  std::string out;
  if (req.content_length && *req.content_length > max_bytes)
    co_return base::make_error(base::ErrorCode::kTooLarge, "request body is too large");
  char buf[65536];
  for (;;) {
    auto n = co_await req.body->read_some(buf, sizeof buf);
    if (!n) co_return n.error();
    if (*n == 0) break;
    if (out.size() + *n > max_bytes)
      co_return base::make_error(base::ErrorCode::kTooLarge, "request body is too large");
    out.append(buf, *n);
  }
  co_return out;
}

}  // namespace nimbus::http
