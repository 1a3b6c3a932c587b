#include "execute_api/http_fetch.h"

#include "http/client.h"

namespace nimbus::execute_api {

boost::asio::awaitable<base::Result<std::string>> http_get(std::string url, std::chrono::milliseconds timeout) {
  http::ClientRequest req;
  req.url = url;
  req.timeout = timeout;
  req.headers = {{"user-agent", "nimbus-apigateway"}, {"accept", "application/json"}};
  auto r = co_await http::fetch(std::move(req));
  if (!r) co_return r.error();
  if (r->status != 200)
    co_return base::make_error(base::ErrorCode::kUnavailable, "GET " + url + ": status " + std::to_string(r->status));
  co_return std::move(r->body);
}

}  // namespace nimbus::execute_api
