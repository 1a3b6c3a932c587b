#include "http_client.h"

#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace nimbus::runtime::detail {

namespace {

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

bool has_token(const std::string& value, std::string_view token) {
  return lower(value).find(token) != std::string::npos;
}

}  // namespace

HttpClient::HttpClient(std::string host_port) : host_header_(host_port) {
  auto colon = host_port.rfind(':');
  if (colon == std::string::npos) throw std::runtime_error("address must be host:port, got '" + host_port + "'");
  host_ = host_port.substr(0, colon);
  port_ = host_port.substr(colon + 1);
  if (host_.size() > 2 && host_.front() == '[' && host_.back() == ']') host_ = host_.substr(1, host_.size() - 2);
}

HttpClient::HttpClient(HttpClient&& other) noexcept
    : host_(std::move(other.host_)), port_(std::move(other.port_)), host_header_(std::move(other.host_header_)),
      fd_(std::exchange(other.fd_, -1)), buffer_(std::move(other.buffer_)) {}

HttpClient::~HttpClient() { close(); }

void HttpClient::close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  buffer_.clear();
}

bool HttpClient::connect() {
  close();
  addrinfo hints{}, *res = nullptr;
  hints.ai_socktype = SOCK_STREAM;
  if (getaddrinfo(host_.c_str(), port_.c_str(), &hints, &res) != 0) return false;
  for (auto* p = res; p; p = p->ai_next) {
    int fd = ::socket(p->ai_family, p->ai_socktype | SOCK_CLOEXEC, p->ai_protocol);
    if (fd < 0) continue;
    if (::connect(fd, p->ai_addr, p->ai_addrlen) == 0) {
      int one = 1;
      setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      fd_ = fd;
      break;
    }
    ::close(fd);
  }
  freeaddrinfo(res);
  return fd_ >= 0;
}

bool HttpClient::send_all(const char* data, size_t size) {
  size_t off = 0;
  while (off < size) {
    ssize_t n = ::send(fd_, data + off, size - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

bool HttpClient::fill() {
  char buf[65536];
  for (;;) {
    ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buffer_.append(buf, static_cast<size_t>(n));
    return true;
  }
}

bool HttpClient::read_head(HttpResponse& out) {
  size_t end;
  while ((end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (buffer_.size() > (1u << 20)) throw std::runtime_error("response head over 1 MiB");
    if (!fill()) return false;
  }
  std::string head = buffer_.substr(0, end);
  buffer_.erase(0, end + 4);
  size_t line_end = head.find("\r\n");
  std::string status_line = head.substr(0, line_end);
  auto sp = status_line.find(' ');
  if (status_line.rfind("HTTP/1.", 0) != 0 || sp == std::string::npos)
    throw std::runtime_error("not an HTTP response: " + status_line.substr(0, 80));
  out.status = std::atoi(status_line.c_str() + sp + 1);
  out.headers.clear();
  size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
  while (pos < head.size()) {
    size_t e = head.find("\r\n", pos);
    if (e == std::string::npos) e = head.size();
    std::string line = head.substr(pos, e - pos);
    auto colon = line.find(':');
    if (colon != std::string::npos) {
      size_t v = colon + 1;
      while (v < line.size() && (line[v] == ' ' || line[v] == '\t')) ++v;
      out.headers[lower(line.substr(0, colon))] = line.substr(v);
    }
    pos = e + 2;
  }
  return true;
}

bool HttpClient::read_body(const std::string& method, HttpResponse& out, const BodySink* sink, bool& keep) {
  const bool stream = sink && out.status >= 200 && out.status < 300;
  auto emit = [&](std::string_view piece) {
    if (piece.empty()) return;
    if (stream)
      (*sink)(piece);
    else
      out.body.append(piece);
  };
  // Hands over at most `n` buffered bytes, reading more as needed.
  auto pass = [&](uint64_t n) {
    while (n > 0) {
      if (buffer_.empty() && !fill()) return false;
      size_t take = static_cast<size_t>(std::min<uint64_t>(n, buffer_.size()));
      emit(std::string_view(buffer_).substr(0, take));
      buffer_.erase(0, take);
      n -= take;
    }
    return true;
  };
  auto line = [&](std::string& l) {
    size_t e;
    while ((e = buffer_.find("\r\n")) == std::string::npos) {
      if (buffer_.size() > 4096) return false;
      if (!fill()) return false;
    }
    l = buffer_.substr(0, e);
    buffer_.erase(0, e + 2);
    return true;
  };

  if (method == "HEAD" || out.status == 204 || out.status == 304 || out.status < 200) return true;
  if (auto te = out.headers.find("transfer-encoding"); te != out.headers.end() && has_token(te->second, "chunked")) {
    std::string size_line;
    for (;;) {
      if (!line(size_line)) return false;
      char* end = nullptr;
      uint64_t size = std::strtoull(size_line.c_str(), &end, 16);
      if (end == size_line.c_str()) return false;
      if (size == 0) break;
      if (!pass(size) || !line(size_line) || !size_line.empty()) return false;
    }
    do {  // trailers, up to the empty line
      if (!line(size_line)) return false;
    } while (!size_line.empty());
    return true;
  }
  if (auto cl = out.headers.find("content-length"); cl != out.headers.end())
    return pass(std::strtoull(cl->second.c_str(), nullptr, 10));
  keep = false;  // delimited by the end of the connection
  for (;;) {
    emit(buffer_);
    buffer_.clear();
    if (!fill()) return true;
  }
}

HttpResponse HttpClient::send(const std::string& method, const std::string& target, const HeaderPairs& headers,
                              std::string_view body, const StreamedBody* upload, const BodySink* sink) {
  std::string head = method + " " + target + " HTTP/1.1\r\nHost: " + host_header_ + "\r\n";
  for (const auto& [k, v] : headers) head += k + ": " + v + "\r\n";
  head += "Content-Length: " + std::to_string(upload ? upload->length : body.size()) + "\r\n\r\n";
  if (upload) close();  // a streamed body cannot be sent twice: start on a fresh connection
  for (int attempt = 0; attempt < 2; ++attempt) {
    bool reused = fd_ >= 0;
    if (!reused && !connect()) break;
    bool sent = send_all(head.data(), head.size());
    if (sent && !upload) sent = send_all(body.data(), body.size());
    if (sent && upload) {
      std::string chunk(std::min<uint64_t>(upload->length, 256 * 1024), '\0');
      uint64_t left = upload->length;
      while (sent && left > 0) {
        size_t n = upload->read(chunk.data(), static_cast<size_t>(std::min<uint64_t>(left, chunk.size())));
        if (n == 0) throw std::runtime_error("upload body ended " + std::to_string(left) + " bytes early");
        sent = send_all(chunk.data(), n);
        left -= n;
      }
    }
    HttpResponse out;
    // A server may answer (e.g. with an error) before reading the whole
    // body, so a failed send still gets a chance to read the response.
    bool got_head = read_head(out);
    while (got_head && out.status == 100) got_head = read_head(out);
    if (got_head) {
      bool keep = true;
      if (!read_body(method, out, sink, keep)) throw std::runtime_error("connection closed in a response body");
      if (auto c = out.headers.find("connection"); c != out.headers.end() && has_token(c->second, "close")) keep = false;
      if (!keep || !sent) close();
      return out;
    }
    close();
    if (!reused || upload) break;  // only a stale kept-alive connection is worth a second try
  }
  throw std::runtime_error("cannot reach " + host_header_ + " (" + method + " " + target.substr(0, 200) + ")");
}

bool HttpClient::start_chunked(const std::string& method, const std::string& target, const HeaderPairs& headers) {
  std::string head = method + " " + target + " HTTP/1.1\r\nHost: " + host_header_ + "\r\n";
  for (const auto& [k, v] : headers) head += k + ": " + v + "\r\n";
  head += "Transfer-Encoding: chunked\r\n\r\n";
  if (fd_ < 0 && !connect()) return false;
  if (send_all(head.data(), head.size())) return true;
  // A kept-alive connection the server closed meanwhile: nothing of this request went out yet.
  if (!connect()) return false;
  return send_all(head.data(), head.size());
}

bool HttpClient::send_chunk(std::string_view piece) {
  if (piece.empty()) return fd_ >= 0;  // an empty chunk would end the body
  char size[24];
  int n = std::snprintf(size, sizeof size, "%zx\r\n", piece.size());
  std::string frame(size, static_cast<size_t>(n));
  frame.append(piece);
  frame += "\r\n";
  if (fd_ >= 0 && send_all(frame.data(), frame.size())) return true;
  close();
  return false;
}

HttpResponse HttpClient::finish_chunked(const HeaderPairs& trailers) {
  std::string end = "0\r\n";
  for (const auto& [k, v] : trailers) end += k + ": " + v + "\r\n";
  end += "\r\n";
  HttpResponse out;
  if (fd_ < 0) throw std::runtime_error("cannot reach " + host_header_ + ": the connection was lost mid-body");
  bool sent = send_all(end.data(), end.size());
  // The server may have answered early (too large, timed out): read what it said.
  if (!read_head(out)) {
    close();
    throw std::runtime_error("cannot reach " + host_header_ + ": no answer to a chunked request");
  }
  while (out.status == 100 && read_head(out)) {
  }
  bool keep = true;
  if (!read_body("POST", out, nullptr, keep)) throw std::runtime_error("connection closed in a response body");
  if (auto c = out.headers.find("connection"); c != out.headers.end() && has_token(c->second, "close")) keep = false;
  if (!keep || !sent) close();
  return out;
}

HttpResponse HttpClient::request(const std::string& method, const std::string& target, const std::string& body,
                                 const std::map<std::string, std::string>& headers) {
  return send(method, target, HeaderPairs(headers.begin(), headers.end()), body);
}

}  // namespace nimbus::runtime::detail
