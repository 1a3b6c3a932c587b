// A minimal blocking HTTP/1.1 client over one keep-alive TCP connection:
// just what the Runtime API needs (Content-Length bodies, a few headers).
#pragma once

#include <map>
#include <string>

namespace nimbus::runtime::detail {

struct HttpResponse {
  int status = 0;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
};

class HttpClient {
 public:
  explicit HttpClient(std::string host_port);
  ~HttpClient();
  // Retries once on a fresh connection when a kept-alive one was closed.
  HttpResponse request(const std::string& method, const std::string& path, const std::string& body = "",
                       const std::map<std::string, std::string>& headers = {});

 private:
  bool connect();
  bool send_all(const std::string& data);
  bool read_response(HttpResponse& out);
  std::string host_, port_;
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace nimbus::runtime::detail
